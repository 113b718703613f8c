// The gate outlives its database: PostgreSQL crashes and comes back, and the gate serves again — claims,
// completions and live events — without a restart of its own.
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphql-http.ts';
import { createPgCluster, type PgCluster } from '../support/pg-cluster.ts';
import { startGateProcess, type GateProcess } from '../support/gate-process.ts';
import { waitForWsSubscriptions, wsSubscriptionsOpen } from '../support/metrics.ts';
import { WAIT_FLOOR_MS } from '../support/deadlines.ts';

const KEY = 'restart-admin-key-0123456789abcdef';

const gql = (base: string, query: string, variables: Record<string, unknown> = {}) =>
  postGraphQL(base, KEY, query, variables);

describe('PostgreSQL restarts under a running gate', () => {
  let pg: PgCluster;
  let gate: GateProcess;
  beforeAll(async () => {
    pg = await createPgCluster();
    gate = await startGateProcess({ DATABASE_URL: pg.url, ADMIN_API_KEY: KEY, LOG_LEVEL: 'warn' });
  });
  afterAll(async () => {
    await gate?.stop('SIGKILL');
    pg?.destroy();
  });

  it('answers with masked errors while the database is down, then serves again and keeps streaming events', async () => {
    const before = await wsSubscriptionsOpen([gate.url]);
    const ws = createClient({
      url: `${gate.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { apiKey: KEY },
    });
    const seen: string[] = [];
    ws.subscribe<{ taskEvents: { taskId: string } }>(
      { query: 'subscription { taskEvents(filter: { types: ["CREATED"] }) { taskId } }' },
      { next: (v) => seen.push(v.data!.taskEvents.taskId), error: () => {}, complete: () => {} },
    );
    await waitForWsSubscriptions([gate.url], before + 1); // the subscription is live
    const first = (
      await gql(gate.url, 'mutation { createTask(input: { searchParams: { CourtRegion: "11" } }) { id } }')
    ).data.createTask.id;

    pg.crash();
    const down = await gql(gate.url, 'mutation { createTask(input: { searchParams: { CourtRegion: "11" } }) { id } }');
    expect(down.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(down.errors?.[0].message).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres/i); // nothing internal leaks
    const health = await fetch(`${gate.url}/health`);
    expect(health.status).toBe(503);

    pg.start();
    let after: string | undefined;
    for (const deadline = Date.now() + WAIT_FLOOR_MS; !after && Date.now() < deadline; ) {
      const r = await gql(gate.url, 'mutation { createTask(input: { searchParams: { CourtRegion: "11" } }) { id } }');
      after = r.data?.createTask?.id;
      if (!after) await new Promise((r2) => setTimeout(r2, 100));
    }
    expect(after).toBeDefined();
    expect((await fetch(`${gate.url}/health`)).status).toBe(200);
    const { data } = await gql(gate.url, 'mutation { registerClient(input: { name: "after-restart" }) { id } }');
    const claim = await gql(
      gate.url,
      'mutation($c: ID!) { claimTasks(input: { clientId: $c, limit: 5 }) { leaseToken task { id } } }',
      { c: data.registerClient.id },
    );
    expect(claim.data.claimTasks.map((l: { task: { id: string } }) => l.task.id).sort()).toEqual([first, after].sort());
    for (const deadline = Date.now() + WAIT_FLOOR_MS; !seen.includes(after!) && Date.now() < deadline; )
      await new Promise((r) => setTimeout(r, 100));
    expect(seen).toContain(first);
    expect(seen).toContain(after); // the event pump re-listened after the restart
    await ws.dispose();
  });
});
