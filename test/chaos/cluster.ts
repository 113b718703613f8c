// The chaos suite's world: a throw-away PostgreSQL cluster, gate processes (each behind a TCP proxy the
// suite can cut), worker processes, and the fake registry — all real, all on loopback.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startFakeRegistry, type FakeRegistry } from '../fake-registry/index.ts';
import { graphqlData } from '../support/graphql-http.ts';
import { startGateProcess, type GateProcess } from '../support/gate-process.ts';
import { createPgCluster, type PgCluster } from '../support/pg-cluster.ts';
import { gateResources, resourceViolations, type GateResources } from './resources.ts';
import { startTestS3, type TestS3 } from '../support/s3.ts';
import { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';

export const CHAOS_KEY = 'chaos-admin-key-0123456789abcdef';
export const LEASE_SECONDS = 3;
export const SWEEP_SECONDS = 0.5;
const CLI = resolve('bin/reyestr.mjs');

export interface WorkerProcess {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

let databasesCreated = 0;

/** A PostgreSQL cluster that several scenarios run on one after another, each on a database of its own. */
export interface SharedPg {
  cluster: PgCluster;
  /** a migrated database (test/support/database-templates.ts) each scenario's is copied from, or null: empty ones */
  template: string | null;
}

/**
 * A new database on `shared` (a copy of its template, else empty: the first gate migrates it), as a PgCluster whose
 * url names it: stopping, crashing and starting act on the whole (shared) cluster, as they would on a cluster of its
 * own; destroying it leaves the cluster to its owner (the database goes with the cluster).
 */
async function freshDatabaseOn({ cluster: shared, template }: SharedPg): Promise<PgCluster> {
  const name = `chaos_${process.pid}_${++databasesCreated}`;
  const admin = new pg.Client({ connectionString: shared.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  } finally {
    await admin.end();
  }
  const url = new URL(shared.url);
  url.pathname = `/${name}`;
  return { ...shared, url: url.toString(), destroy: () => {} };
}

export class ChaosCluster {
  readonly gates: GateProcess[] = [];
  readonly proxies: TcpProxy[] = [];
  readonly workers: WorkerProcess[] = [];
  readonly outputDir = mkdtempSync(join(tmpdir(), 'reyestr-chaos-out-'));
  /** one outbox for all workers (as on one host): what a killed worker left there, the others upload */
  readonly outboxDir = mkdtempSync(join(tmpdir(), 'reyestr-chaos-outbox-'));
  db!: pg.Client;
  private workerCount = 0;

  private constructor(
    readonly pg: PgCluster,
    readonly registry: FakeRegistry,
  ) {}

  /** Clusters not closed yet, so an interrupted run (Ctrl-C) can close them on its way out. */
  static readonly live = new Set<ChaosCluster>();

  /** the S3 store the gates share, when the scenario runs on one (else the database store) */
  s3: TestS3 | null = null;

  /**
   * `shared`: a PostgreSQL cluster to run on (a fresh database of its own in it) instead of a new cluster — the
   * short run of `npm test` runs its scenarios one after another on one cluster, since initdb and the server's
   * start cost more there than anything a scenario checks; `npm run chaos` gives each run a cluster of its own.
   */
  static async start({
    gates = 2,
    store = 'database' as 'database' | 's3',
    shared = undefined as SharedPg | undefined,
  } = {}): Promise<ChaosCluster> {
    const pg = shared ? await freshDatabaseOn(shared) : await createPgCluster();
    const cluster = new ChaosCluster(pg, await startFakeRegistry());
    ChaosCluster.live.add(cluster);
    try {
      if (store === 's3') cluster.s3 = await startTestS3('reyestr-chaos');
      // The gates start side by side, as a deployment's would (on an empty database they race to migrate it).
      const started = await Promise.allSettled(
        Array.from({ length: gates }, () => startGateProcess(cluster.gateEnv())),
      );
      for (const result of started) if (result.status === 'fulfilled') cluster.gates.push(result.value);
      const failed = started.find((result) => result.status === 'rejected');
      if (failed) throw failed.reason;
      for (const gate of cluster.gates) cluster.proxies.push(await startTcpProxy(new URL(gate.url)));
      await cluster.connectDb();
    } catch (error) {
      await cluster.close(); // a gate that would not start leaves no PostgreSQL behind
      throw error;
    }
    return cluster;
  }

  private gateEnv() {
    return {
      // Several gates on one PostgreSQL and one S3; orphans older than 2 s are swept.
      ...(this.s3 ? { ...this.s3.env(), DOCUMENT_ORPHAN_GRACE_SECONDS: '2' } : {}),
      DATABASE_URL: this.pg.url,
      ADMIN_API_KEY: CHAOS_KEY,
      LEASE_SECONDS: String(LEASE_SECONDS),
      SWEEP_INTERVAL_SECONDS: String(SWEEP_SECONDS),
      RETRY_BASE_SECONDS: '1',
      RETRY_MAX_SECONDS: '2',
      MAX_ATTEMPTS: '20',
      // Leases of 3 s are lost by live workers too when the box is busy (a renewal that takes over 2 s), and each
      // restart or outage a scenario makes costs the tasks held meanwhile one more: at load 30-44 a task reached the
      // default 5 and ended DEAD ('lease expired 5 times'), which the invariants count as not COMPLETED. What a
      // scenario checks is that every task still completes once; giving up on a stalling task is not what it tests.
      MAX_STALLS: '20',
      RATE_LIMIT_MUTATIONS_PER_MINUTE: '0',
      LOG_LEVEL: 'warn',
    };
  }

  async connectDb() {
    await this.db?.end().catch(() => {});
    this.db = new pg.Client({ connectionString: this.pg.url });
    this.db.on('error', () => {});
    await this.db.connect();
  }

  gql<T = any>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    return graphqlData<T>(this.proxies[0].url, CHAOS_KEY, query, variables);
  }

  /** Tasks created so far (each over its own result page). */
  tasksCreated = 0;

  /** `count` more download tasks over distinct result pages, `documentsPerTask` decisions each. */
  async createTasks(count: number, documentsPerTask: number) {
    const first = this.tasksCreated + 1;
    const tasks = Array.from({ length: count }, (_, i) => ({
      searchParams: { CourtRegion: '11', INSType: '1' },
      startPage: first + i,
      maxDocuments: documentsPerTask,
    }));
    await this.gql('mutation($t: [NewTaskInput!]!) { createTasks(input: { tasks: $t }) { id } }', { t: tasks });
    this.tasksCreated += count;
  }

  /** What each gate process holds now (connections, descriptors, RSS). */
  async gateResources(): Promise<GateResources[]> {
    return Promise.all(this.gates.map((g) => gateResources(this.db, g.child.pid!)));
  }

  /** Do all gates answer /health with 200 (database reachable)? */
  async gatesHealthy(): Promise<boolean> {
    const answers = await Promise.all(
      this.gates.map((g) =>
        fetch(`${g.url}/health`, { signal: AbortSignal.timeout(15_000) }).then(
          (r) => r.status,
          () => 0,
        ),
      ),
    );
    return answers.every((s) => s === 200);
  }

  /**
   * Waits until every gate is back to its baseline resources (see resources.ts); returns what was still
   * wrong at the deadline, or [] once everything is back.
   */
  async waitForResourcesBack(baselines: GateResources[], timeoutMs = 180_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      let problems: string[];
      try {
        const now = await this.gateResources();
        problems = now.flatMap((r) => resourceViolations(baselines.find((b) => b.pid === r.pid) ?? null, r));
      } catch (error) {
        problems = [`could not read the gates' resources: ${(error as Error).message}`];
        await this.connectDb().catch(() => {});
      }
      if (!problems.length || Date.now() > deadline) return problems;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Starts a worker process attached to gate `gateIndex` (through its proxy). */
  startWorker(gateIndex = this.workerCount % this.gates.length, apiKey = CHAOS_KEY): WorkerProcess {
    const name = `chaos-w${++this.workerCount}`;
    const child = spawn(
      process.execPath,
      [
        CLI,
        'worker',
        '--api-url',
        this.proxies[gateIndex].url,
        '--api-key',
        apiKey,
        '--client-name',
        name,
        '--output-dir',
        this.outputDir,
        '--outbox-dir',
        this.outboxDir,
        '--registry-url',
        this.registry.url,
        '--rate',
        '0',
        '--concurrency',
        '4',
        '--poll-interval',
        '1',
        '--heartbeat-interval',
        '1',
        '--shutdown-grace',
        '2',
      ],
      { env: { PATH: process.env.PATH! }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d) => (out = (out + d).slice(-20_000)));
    child.stderr!.on('data', (d) => (out = (out + d).slice(-20_000)));
    const worker = {
      name,
      child,
      output: () => out,
      exited: new Promise<number | null>((r) => child.on('exit', (code) => r(code))),
    };
    this.workers.push(worker);
    return worker;
  }

  async restartGate(index: number, signal: NodeJS.Signals = 'SIGKILL') {
    await this.gates[index].stop(signal);
    const gate = await startGateProcess(this.gateEnv());
    this.gates[index] = gate;
    this.proxies[index].setTarget(new URL(gate.url));
    this.proxies[index].dropAll();
  }

  async counts() {
    const { rows } = await this.db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM tasks GROUP BY status',
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n])) as Record<string, number>;
  }

  /** For a failed run: each task not COMPLETED, with its counters, last error and the types of its events. */
  async tasksNotCompleted(): Promise<string> {
    const { rows } = await this.db.query<{ line: string }>(
      `SELECT format('%s %s attempts=%s stalls=%s error=%s events: %s', t.id, t.status, t.attempts, t.stalls,
                     t.last_error, string_agg(e.type || '@' || to_char(e.created_at, 'HH24:MI:SS.MS'), ' ' ORDER BY e.seq)) AS line
         FROM tasks t JOIN task_events e ON e.task_id = t.id
        WHERE t.status <> 'COMPLETED' GROUP BY t.id`,
    );
    return `--- tasks not COMPLETED\n${rows.map((r) => r.line).join('\n')}`;
  }

  /** Waits until no task is pending or leased; returns false on timeout. */
  async waitUntilSettled(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const c = await this.counts();
        if (!c.PENDING && !c.CLAIMED && !c.RUNNING) return true;
      } catch {
        await this.connectDb().catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }

  /** Seq of the newest event; work is flowing again once a PROGRESS/COMPLETED event passes it. */
  async lastSeq(): Promise<number> {
    const { rows } = await this.db.query<{ seq: number }>('SELECT coalesce(max(seq), 0)::int AS seq FROM task_events');
    return rows[0].seq;
  }

  /** Milliseconds from `since` until a PROGRESS or COMPLETED event after `afterSeq` is in the log. */
  async waitForFlow(afterSeq: number, since: number, timeoutMs = 180_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        const { rows } = await this.db.query(
          "SELECT 1 FROM task_events WHERE seq > $1 AND type IN ('PROGRESS', 'COMPLETED') LIMIT 1",
          [afterSeq],
        );
        if (rows.length) return Date.now() - since;
      } catch {
        await this.connectDb().catch(() => {});
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`work did not flow again within ${timeoutMs} ms`);
  }

  async stopWorkers(signal: NodeJS.Signals = 'SIGTERM') {
    for (const w of this.workers) if (w.child.exitCode === null) w.child.kill(signal);
    await Promise.all(this.workers.map((w) => w.exited));
  }

  /** SIGKILLs the workers and gates at once (synchronous: for an interrupted run on its way out). */
  killProcesses() {
    for (const w of this.workers) w.child.kill('SIGKILL');
    for (const g of this.gates) g.child.kill('SIGKILL');
  }

  async close() {
    ChaosCluster.live.delete(this);
    await this.stopWorkers('SIGKILL');
    await Promise.all(this.gates.map((g) => g.stop('SIGKILL')));
    await Promise.all(this.proxies.map((p) => p.close()));
    await this.registry.close();
    await this.db?.end().catch(() => {});
    this.pg.destroy();
    await this.s3?.close();
    rmSync(this.outputDir, { recursive: true, force: true });
    rmSync(this.outboxDir, { recursive: true, force: true });
  }
}
