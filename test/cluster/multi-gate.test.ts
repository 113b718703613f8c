// Several gates on one PostgreSQL: live events cross gates in order and without gaps, the queue is shared
// with no task completed twice, and when the sweeping gate dies another one takes over.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { graphqlData, postGraphQL } from '../support/graphql-http.ts';
import { startGateProcess, type GateProcess } from '../support/gate-process.ts';
import { waitForWsSubscriptions, wsSubscriptionsOpen } from '../support/metrics.ts';
import { nginxPath, startNginx, type RunningNginx } from '../support/nginx.ts';
import { WAIT_FLOOR_MS } from '../support/deadlines.ts';

const KEY = 'cluster-admin-key-0123456789abcdef';

const gql = (base: string, query: string, variables: Record<string, unknown> = {}) =>
  graphqlData(base, KEY, query, variables);

describe('several gates on one PostgreSQL', () => {
  let db: TestDatabase;
  let a: GateProcess;
  let b: GateProcess;
  beforeAll(async () => {
    db = await createPostgresDatabase();
    const env = {
      DATABASE_URL: (db.config as { url: string }).url,
      ADMIN_API_KEY: KEY,
      SWEEP_INTERVAL_SECONDS: '0.3',
      LEASE_SECONDS: '1',
    };
    a = await startGateProcess(env);
    await a.waitFor(/this gate is now the sweeper/); // a starts first and sweeps
    b = await startGateProcess(env);
  });
  afterAll(async () => {
    await Promise.all([a?.stop('SIGKILL'), b?.stop('SIGKILL')]);
    await db?.drop();
  });

  it('delivers events caused through gate B to a subscriber on gate A, in order and without gaps', async () => {
    const before = await wsSubscriptionsOpen([a.url]);
    const ws = createClient({
      url: `${a.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { apiKey: KEY },
    });
    const seen: Array<{ seq: number; taskId: string }> = [];
    const N = 40;
    const done = new Promise<void>((resolve, reject) => {
      ws.subscribe<{ taskEvents: { seq: number; taskId: string } }>(
        { query: 'subscription { taskEvents { seq taskId type } }' },
        {
          next: (v) => {
            seen.push(v.data!.taskEvents);
            if (seen.length === N) resolve();
          },
          error: reject,
          complete: () => {},
        },
      );
    });
    await waitForWsSubscriptions([a.url], before + 1); // the subscription is live
    const created: string[] = [];
    // interleave writers on both gates, several in flight at once
    await Promise.all(
      Array.from({ length: N / 4 }, async (_, i) => {
        for (const gate of [b, a, b, b]) {
          const { createTask } = await gql(
            gate.url,
            'mutation($p: Int!) { createTask(input: { searchParams: { CourtRegion: "11" }, startPage: $p }) { id } }',
            { p: i + 1 },
          );
          created.push(createTask.id);
        }
      }),
    );
    await done;
    await ws.dispose();
    const seqs = seen.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y)); // in order
    expect(seqs[seqs.length - 1] - seqs[0]).toBe(N - 1); // no gaps: consecutive log positions
    expect(new Set(seen.map((e) => e.taskId))).toEqual(new Set(created));
  });

  it('shares one queue: workers on different gates never complete a task twice', async () => {
    const { createTasks } = await gql(
      a.url,
      'mutation($t: [NewTaskInput!]!) { createTasks(input: { tasks: $t }) { id } }',
      {
        t: Array.from({ length: 300 }, (_, i) => ({
          searchParams: { CourtRegion: '14' },
          startPage: i + 1,
          priority: 100,
        })),
      },
    );
    const workers = await Promise.all(
      [a, b, a, b].map(async (gate, i) => ({
        gate,
        id: (
          await gql(gate.url, 'mutation($n: String!) { registerClient(input: { name: $n }) { id } }', {
            n: `cluster-${i}`,
          })
        ).registerClient.id,
      })),
    );
    const created: string[] = createTasks.map((t: { id: string }) => t.id);
    const completed = new Map<string, number>();
    let fenced = 0;
    await Promise.all(
      workers.map(async ({ gate, id }) => {
        // Until every task made here is completed: a fenced one comes back once the sweeper requeues it.
        while (created.some((taskId) => !completed.has(taskId))) {
          const { claimTasks } = await gql(
            gate.url,
            'mutation($c: ID!) { claimTasks(input: { clientId: $c, limit: 3 }) { leaseToken task { id } } }',
            { c: id },
          );
          if (!claimTasks.length) await new Promise((r) => setTimeout(r, 50));
          for (const l of claimTasks) {
            const body = await postGraphQL<{ completeTask: { id: string } }>(
              gate.url,
              KEY,
              'mutation($i: CompleteTaskInput!) { completeTask(input: $i) { id } }',
              { i: { taskId: l.task.id, leaseToken: l.leaseToken, documentsDownloaded: 0 } },
            );
            // The leases here are 1 s (for the sweeper test below): on a loaded box one can run out before its
            // completion arrives — then the task is another claimer's, and the stale completion must be fenced.
            if (body.errors?.[0]?.extensions?.code === 'LEASE_LOST') fenced++;
            else if (body.errors) throw new Error(JSON.stringify(body.errors));
            else completed.set(l.task.id, (completed.get(l.task.id) ?? 0) + 1);
          }
        }
      }),
    );
    expect([...completed.entries()].filter(([, n]) => n !== 1)).toEqual([]); // each completed by one holder only
    if (fenced) console.info(`${fenced} completion(s) fenced after their 1 s lease ran out (a loaded machine)`);
  });

  it.skipIf(!nginxPath)(
    'works through the nginx front: requests spread over both gates, a wss subscription sees all events',
    async () => {
      const front: RunningNginx = await startNginx([Number(new URL(a.url).port), Number(new URL(b.url).port)]);
      try {
        const before = await wsSubscriptionsOpen([a.url, b.url]);
        const ws = createClient({
          url: `wss://127.0.0.1:${front.httpsPort}/graphql`,
          webSocketImpl: front.WebSocket,
          connectionParams: { apiKey: KEY },
        });
        const seen: string[] = [];
        ws.subscribe<{ taskEvents: { taskId: string } }>(
          { query: 'subscription { taskEvents(filter: { types: ["CREATED"] }) { taskId } }' },
          { next: (v) => seen.push(v.data!.taskEvents.taskId), error: () => {}, complete: () => {} },
        );
        await waitForWsSubscriptions([a.url, b.url], before + 1); // live, on whichever gate nginx sent it to
        const marker = `front-${Date.now()}`;
        const created: string[] = [];
        const requestIds: string[] = [];
        for (let i = 0; i < 10; i++) {
          const r = await front.https(
            'POST',
            '/graphql',
            { query: `mutation { createTask(input: { searchParams: { CaseNumber: "${marker}-${i}" } }) { id } }` },
            { 'x-api-key': KEY },
          );
          created.push(r.body.data.createTask.id);
          requestIds.push(String(r.headers['x-request-id']));
        }
        for (
          const deadline = Date.now() + WAIT_FLOOR_MS;
          created.some((id) => !seen.includes(id)) && Date.now() < deadline;
        )
          await new Promise((r) => setTimeout(r, 50));
        expect(created.filter((id) => !seen.includes(id))).toEqual([]);
        await ws.dispose();
        // round robin: each gate logged some of these requests (nginx's request id travels to the gate's log)
        for (const gate of [a, b]) expect(requestIds.some((id) => gate.lines().some((l) => l.includes(id)))).toBe(true);
      } finally {
        await front.stop();
      }
    },
  );

  it('moves the sweeper to another gate when the sweeping gate dies', async () => {
    expect(b.lines().some((l) => l.includes('this gate is now the sweeper'))).toBe(false);
    const { createTask } = await gql(
      b.url,
      'mutation { createTask(input: { searchParams: { CourtRegion: "26" }, priority: 1000 }) { id } }',
    );
    const { registerClient } = await gql(b.url, 'mutation { registerClient(input: { name: "doomed" }) { id } }');
    const { claimTask } = await gql(b.url, 'mutation($c: ID!) { claimTask(input: { clientId: $c }) { task { id } } }', {
      c: registerClient.id,
    });
    expect(claimTask.task.id).toBe(createTask.id);
    await a.stop('SIGKILL');
    await b.waitFor(/this gate is now the sweeper/, 60_000);
    // the lease (1 s) runs out with nobody heartbeating; gate B's sweeper requeues it
    for (const deadline = Date.now() + WAIT_FLOOR_MS; Date.now() < deadline; ) {
      const { task } = await gql(b.url, 'query($id: ID!) { task(id: $id) { status lastErrorClass } }', {
        id: createTask.id,
      });
      if (task.status === 'PENDING') {
        expect(task.lastErrorClass).toBe('LEASE_EXPIRED');
        return;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the expired lease was not requeued after the sweeping gate died');
  });
});
