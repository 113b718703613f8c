// Failure scenarios. Each injects one kind of failure into a loaded cluster and returns how long the
// cluster took to recover (failure → work flowing again, or → the victim's tasks leased to someone else).
import { readdirSync } from 'node:fs';
import { LEASE_SECONDS, type ChaosCluster } from './cluster.ts';
import type { Load } from './run.ts';
import { revokedKey } from './revoked-key.ts';
import { subscriptionFlood } from './subscription-flood.ts';
import { busyWorker, heldBy, untilReleased } from './waits.ts';

export interface Scenario {
  name: string;
  /** what "recovered" means for this failure */
  recovery: string;
  inject(cluster: ChaosCluster, load: Load): Promise<number>;
  /** the document store the gates share (default: the database) */
  store?: 'database' | 's3';
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Milliseconds from `since` until every gate answers /health again and holds its one listener connection
 * again (the event pump re-LISTENed).
 */
async function untilGatesBack(cluster: ChaosCluster, since: number, timeoutMs = 180_000) {
  const deadline = Date.now() + timeoutMs;
  let seen = '';
  while (Date.now() < deadline) {
    const listening = await cluster.gateResources().then(
      (all) => {
        seen = all.map((r) => `gate ${r.pid}: ${JSON.stringify(r.connections)}, ${r.fds} descriptors`).join('; ');
        return all.every((r) => r.connections.listen === 1);
      },
      () => false,
    );
    if (listening && (await cluster.gatesHealthy())) return Date.now() - since;
    await sleep(100);
  }
  throw new Error(`the gates did not come back within ${timeoutMs} ms of the database (last seen: ${seen})`);
}

export const scenarios: Scenario[] = [
  {
    name: 'kill -9 a worker mid-task (3 times)',
    recovery: "the dead worker's tasks leased by another worker",
    async inject(cluster) {
      let worst = 0;
      for (let round = 0; round < 3; round++) {
        const victim = await busyWorker(cluster);
        const held = await heldBy(cluster, victim.name);
        const at = Date.now();
        victim.child.kill('SIGKILL');
        cluster.startWorker();
        worst = Math.max(worst, await untilReleased(cluster, held, victim.name, at));
      }
      return worst;
    },
  },
  {
    name: 'SIGSTOP a worker past its lease, then SIGCONT',
    recovery: "the frozen worker's tasks leased by another worker",
    async inject(cluster) {
      const victim = await busyWorker(cluster);
      const held = await heldBy(cluster, victim.name);
      const at = Date.now();
      victim.child.kill('SIGSTOP');
      const recovered = await untilReleased(cluster, held, victim.name, at);
      await sleep(Math.max(0, LEASE_SECONDS * 1000 * 1.5 - (Date.now() - at)));
      victim.child.kill('SIGCONT'); // its late writes must now be refused (LEASE_LOST)
      return recovered;
    },
  },
  {
    name: 'restart a gate under load (kill -9)',
    recovery: 'progress or completion after the crash',
    async inject(cluster) {
      await busyWorker(cluster);
      const seq = await cluster.lastSeq();
      const at = Date.now();
      await cluster.restartGate(0, 'SIGKILL');
      return cluster.waitForFlow(seq, at);
    },
  },
  {
    name: 'the S3 document store away under load',
    recovery: 'every decision fetched meanwhile stored, after the store came back',
    store: 's3',
    async inject(cluster, load) {
      await busyWorker(cluster);
      await cluster.s3!.stop();
      await sleep(load.storeOutageSeconds * 1000);
      await cluster.s3!.start();
      const back = Date.now();
      // Recovered when the outboxes have caught up: nothing waits in them any more.
      const deadline = back + 120_000;
      while (Date.now() < deadline) {
        const waiting = readdirSync(cluster.outboxDir).filter((name) => /^\d+$/.test(name)).length;
        if (waiting === 0) return Date.now() - back;
        await sleep(100);
      }
      throw new Error('the outbox did not drain within 120 s after the store came back');
    },
  },
  {
    name: 'restart PostgreSQL under load',
    recovery: 'progress or completion after the database came back',
    async inject(cluster) {
      await busyWorker(cluster);
      const seq = await cluster.lastSeq();
      const at = Date.now();
      cluster.pg.crash();
      await sleep(1000);
      cluster.pg.start();
      await cluster.connectDb();
      return cluster.waitForFlow(seq, at);
    },
  },
  {
    name: 'PostgreSQL down again and again under load',
    recovery: 'every gate healthy with its one listener connection, after each outage (worst)',
    async inject(cluster, load) {
      const { count, minSeconds, maxSeconds } = load.outages;
      await busyWorker(cluster);
      let worst = 0;
      for (let i = 0; i < count; i++) {
        // Fresh work before each outage, so the database goes away under load every time.
        if (i > 0) await cluster.createTasks(Math.ceil(load.tasks / 4), load.documentsPerTask);
        // Outage lengths spread evenly over [min, max]: the length is the fault under test, not a wait.
        const seconds = count > 1 ? minSeconds + ((maxSeconds - minSeconds) * i) / (count - 1) : minSeconds;
        cluster.pg.crash();
        await sleep(seconds * 1000);
        cluster.pg.start();
        const back = Date.now();
        await cluster.connectDb();
        worst = Math.max(worst, await untilGatesBack(cluster, back));
      }
      return worst;
    },
  },
  {
    name: "drop the workers' connections (WebSocket included)",
    recovery: 'progress or completion after the drop',
    async inject(cluster) {
      await busyWorker(cluster);
      const seq = await cluster.lastSeq();
      const at = Date.now();
      for (let i = 0; i < 3; i++) {
        for (const p of cluster.proxies) p.dropAll();
        await sleep(300);
      }
      return cluster.waitForFlow(seq, at);
    },
  },
  {
    name: 'registry answers 429, then 5xx, for a while',
    recovery: 'progress or completion after the registry healed',
    async inject(cluster, load) {
      await busyWorker(cluster);
      cluster.registry.setFaults({ rules: [{ kind: 'rate-limit', status: 429, retryAfterSeconds: 1 }] });
      // Fresh work that can only get done after the registry heals: the first tasks may all finish during the
      // faults (a worker that already has a task's documents completes it), and then no progress would follow.
      await cluster.createTasks(Math.ceil(load.tasks / 4), load.documentsPerTask);
      await sleep(2000);
      // 502, not 503: a 503 without Retry-After is the registry asking for a pause, which the worker waits out for
      // its default 30 s (the same path as the 429 above, only longer); a 502 takes the other path, retries with
      // exponential backoff.
      cluster.registry.setFaults({ rules: [{ kind: 'server-error', status: 502 }] });
      await sleep(2000);
      const seq = await cluster.lastSeq();
      const at = Date.now();
      cluster.registry.setFaults({});
      return cluster.waitForFlow(seq, at);
    },
  },
  subscriptionFlood,
  revokedKey,
];
