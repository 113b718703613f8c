// /metrics (Prometheus text from prom-client), one JSON log line per request with a request id and no keys,
// and what happens when the database goes away: /health → 503, other errors masked.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prisma } from '../../server/db/database.ts';
import { startGate, type Gate } from '../../server/gate.ts';
import { createLogger } from '../../server/observability/logger.ts';
import { createPostgresDatabase, type TestDatabase } from '../support/databases.ts';
import { ADMIN_KEY, collect, testGateConfig } from '../support/gate.ts';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { region11, restClient, workerKey } from '../rest/support.ts';
import { CLAIM_MANY } from '../gate/operations.ts';
import { WAIT_FLOOR_MS } from '../support/deadlines.ts';
import { eventually } from '../worker/support.ts';

let db: TestDatabase;
let gate: Gate;
let call: ReturnType<typeof restClient>;
const lines: string[] = [];

beforeAll(async () => {
  db = await createPostgresDatabase();
  const config = testGateConfig(db, { logLevel: 'info' });

  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  gate = await startGate(config, { logger: createLogger('info', sink) });
  call = restClient(gate.url);
});
afterAll(async () => {
  await gate?.stop();
  await db?.drop();
});

const metricValue = (text: string, name: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || (l.startsWith(`${name}{`) && l.includes(name)));
  return line ? Number(line.split(' ').pop()) : undefined;
};

describe('metrics', () => {
  it('counts the lease life cycle, reads gauges from the database, times HTTP and GraphQL, counts subscriptions', async () => {
    const key = await workerKey('metered');
    const clientId = (await call('POST', '/api/v1/clients/register', { key, body: { client_name: 'metered' } })).body
      .client_id;
    for (let i = 0; i < 3; i++)
      await call('POST', '/api/v1/tasks/create', { body: { search_params: region11, max_documents: 10 } });
    const a = (await call('POST', '/api/v1/tasks/request', { key })).body.task_id;
    await call('POST', '/api/v1/tasks/complete', { key, body: { task_id: a, documents_downloaded: 4 } });
    const b = (await call('POST', '/api/v1/tasks/request', { key })).body;
    await call('POST', '/api/v1/tasks/complete', { key, body: { task_id: b.task_id, error_message: 'boom' } });
    await call('POST', '/api/v1/tasks/complete', { key, body: { task_id: b.task_id, lease_token: b.lease_token } }); // stale
    const c = (await call('POST', '/api/v1/tasks/request', { key })).body.task_id;
    await prisma.task.update({ where: { id: c }, data: { leaseExpiresAt: new Date(Date.now() - 1000) } });
    await gate.sweeper.tick();
    await call('POST', '/api/v1/documents/register', { key, body: { metadata: { external_id: '77' } } });

    const ws = createClient({
      url: `${gate.url.replace('http', 'ws')}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { apiKey: ADMIN_KEY },
      retryAttempts: 0,
    });
    const sub = collect(ws, 'subscription { statsUpdated { tasksTotal } }', {}, 2);
    while (sub.items.length < 1) await new Promise((r) => setTimeout(r, 10));
    const res = await fetch(`${gate.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    sub.unsubscribe();
    await ws.dispose();

    expect(text).toMatch(/^reyestr_tasks\{status="COMPLETED"\} 1$/m);
    expect(text).toMatch(/^reyestr_tasks\{status="PENDING"\} 2$/m); // failed one retried + expired one requeued
    expect(text).toMatch(/^reyestr_task_claims_total 3$/m);
    expect(text).toMatch(/^reyestr_task_completions_total 1$/m);
    expect(text).toMatch(/^reyestr_documents_downloaded_total 4$/m);
    expect(text).toMatch(/^reyestr_task_failures_total\{error_class="INTERNAL",status="PENDING"\} 1$/m);
    expect(text).toMatch(/^reyestr_lease_expirations_total\{status="PENDING"\} 1$/m);
    expect(text).toMatch(/^reyestr_stale_lease_rejections_total\{reason="STALE_TOKEN"\} 1$/m);
    expect(text).toMatch(/^reyestr_clients_active 1$/m);
    expect(text).toMatch(/^reyestr_documents 1$/m);
    expect(text).toMatch(/^reyestr_database_up 1$/m);
    // the failed task waits out no delay (RETRY_BASE_SECONDS 0) and the expired one is back: both claimable now
    expect(text).toMatch(/^reyestr_tasks_ready 2$/m);
    const heartbeat = metricValue(text, 'reyestr_worker_heartbeat_newest_timestamp_seconds')!;
    expect(Math.abs(heartbeat - Date.now() / 1000)).toBeLessThan(120);
    expect(text).toMatch(/^reyestr_internal_errors_total\{source="rest",kind="database"\} 0$/m);
    expect(text).toMatch(/^reyestr_graphql_subscriptions_open\{transport="ws"\} 1$/m);
    expect(text).toMatch(/^reyestr_websocket_connections 1$/m);
    expect(text).toMatch(
      /^reyestr_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/tasks\/request",status="200"\} 3$/m,
    );
    expect(text).toMatch(/^reyestr_process_cpu_user_seconds_total /m);
    expect(metricValue(text, 'reyestr_task_claims_total')).toBe(3);
    // each coalesced statement is counted and timed once
    const claimStatements = text.match(/^reyestr_coalesced_lease_write_requests_count\{kind="claim"\} (\d+)$/m)?.[1];
    expect(Number(claimStatements)).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(
      new RegExp(`^reyestr_coalesced_lease_write_seconds_count\\{kind="claim"\\} ${claimStatements}$`, 'm'),
    );

    await fetch(`${gate.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY },
      body: JSON.stringify({ query: '{ stats { tasksTotal } }' }),
    });
    const after = await (await fetch(`${gate.url}/metrics`)).text();
    expect(after).toMatch(
      /^reyestr_graphql_operation_duration_seconds_count\{operation="query",field="stats",transport="http",outcome="ok"\} 1$/m,
    );
    expect(after).toMatch(/^reyestr_graphql_subscriptions_open\{transport="ws"\} 0$/m);

    // a batch counts every task it completed and the documents they downloaded, as single completions do
    const graphql = async (query: string, variables: object) => {
      const headers = { 'content-type': 'application/json', 'x-api-key': ADMIN_KEY };
      const body = JSON.stringify({ query, variables });
      return (await (await fetch(`${gate.url}/graphql`, { method: 'POST', headers, body })).json()).data;
    };
    const { claimTasks } = await graphql(CLAIM_MANY, { clientId, limit: 2 });
    expect(claimTasks).toHaveLength(2);
    const completions = claimTasks.map((l: { leaseToken: string; task: { id: string } }, i: number) => ({
      taskId: l.task.id,
      leaseToken: l.leaseToken,
      documentsDownloaded: 2 + i,
    }));
    const { completeTasks } = await graphql(
      'mutation($c: [CompleteTaskInput!]!) { completeTasks(input: { completions: $c }) { taskId errorCode } }',
      { c: completions },
    );
    expect(completeTasks.map((r: { errorCode: string | null }) => r.errorCode)).toEqual([null, null]);
    const batched = await (await fetch(`${gate.url}/metrics`)).text();
    expect(batched).toMatch(/^reyestr_task_completions_total 3$/m);
    expect(batched).toMatch(/^reyestr_documents_downloaded_total 9$/m);
  });
});

describe('request logs', () => {
  it('one JSON line per request with its request id (given or generated), and no keys anywhere', async () => {
    lines.length = 0;
    const key = await workerKey('logged');
    await call('GET', '/api/v1/tasks/status', { key, headers: { 'x-request-id': 'req-from-nginx-1' } });
    const res = await fetch(`${gate.url}/api/v1/clients/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ client_name: 'logged', api_key: key }),
    });
    const generated = res.headers.get('x-request-id');
    expect(generated).toMatch(/^[0-9a-f-]{36}$/);
    await fetch(`${gate.url}/graphql?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'x-api-key': key } });
    // A request's line is written when its answer has gone out, which can be after the client has it: wait for the
    // three (a fixed 50 ms was "long enough" only on a quiet box), then check there are no more.
    const requestLines = () => lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'request');
    await eventually(() => requestLines().length >= 3, WAIT_FLOOR_MS, 'three request lines');
    const requests = requestLines();
    expect(requests).toHaveLength(3);
    expect(requests[0]).toMatchObject({
      level: 30,
      reqId: 'req-from-nginx-1',
      method: 'GET',
      path: '/api/v1/tasks/status',
      status: 200,
      route: '/api/v1/tasks/status',
    });
    expect(requests[1]).toMatchObject({
      reqId: generated,
      method: 'POST',
      path: '/api/v1/clients/register',
      status: 200,
    });
    expect(requests[2]).toMatchObject({ path: '/graphql', route: '/graphql', status: 200 });
    expect(typeof requests[0].ms).toBe('number');
    for (const line of lines) {
      expect(line).not.toContain(key);
      expect(line).not.toContain(ADMIN_KEY);
    }
  });
});

describe('database gone', () => {
  it('/health → 503; REST and GraphQL errors are masked as internal; /metrics still answers', async () => {
    await db.drop(); // terminates the gate's connections; new ones fail
    const health = await call('GET', '/health', { key: null });
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'unhealthy', database: 'disconnected', error: expect.any(String) });
    const rest = await call('GET', '/api/v1/tasks/status');
    expect(rest.status).toBeGreaterThanOrEqual(500);
    expect(rest.body).toEqual({ detail: rest.status === 500 ? 'Internal Server Error' : expect.any(String) });
    const gql = await fetch(`${gate.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'some-key-not-cached' },
      body: JSON.stringify({ query: '{ stats { tasksTotal } }' }),
    });
    const body = await gql.json();
    expect(body.errors[0]).toMatchObject({
      message: 'Unexpected error.',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    const metrics = await (await fetch(`${gate.url}/metrics`)).text();
    expect(metrics).toMatch(/^reyestr_database_up 0$/m);
    // each failed request counted as a database fault, by the API that answered it
    expect(metricValue(metrics, 'reyestr_internal_errors_total{source="rest",kind="database"}')).toBeGreaterThanOrEqual(
      1,
    );
    expect(
      metricValue(metrics, 'reyestr_internal_errors_total{source="graphql",kind="database"}'),
    ).toBeGreaterThanOrEqual(1);
    expect(metrics).toMatch(/^reyestr_internal_errors_total\{source="rest",kind="other"\} 0$/m);
  });
});
