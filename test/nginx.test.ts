// deploy/nginx.conf.example in front of a real gate: Debian's nginx on loopback ports with a throw-away
// self-signed certificate (its own process, prefix and pid file in a temp dir — no system nginx involved).
// Checks `nginx -t`, the HTTP→HTTPS redirect, a GraphQL query, a REST call and a WebSocket subscription.
import { execFileSync } from 'node:child_process';
import { createClient } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, collect, startTestGate, type TestGate } from './support/gate.ts';
import { nginxPath, startNginx, type RunningNginx } from './support/nginx.ts';

if (!nginxPath)
  console.warn('test/nginx.test.ts: SKIPPED — nginx is not installed (apt-get install nginx; .ci/run does it)');

describe.skipIf(!nginxPath)('nginx in front of the gate (deploy/nginx.conf.example)', () => {
  let t: TestGate;
  let nginx: RunningNginx;
  let https: RunningNginx['https'];
  let httpPort: number;
  let dir: string;
  let confPath: string;

  beforeAll(async () => {
    t = await startTestGate('postgres');
    nginx = await startNginx([t.gate.port, t.gate.port]);
    ({ https, httpPort, dir, confPath } = nginx);
  });

  afterAll(async () => {
    await nginx?.stop();
    await t?.stop();
  });

  it('nginx -t accepts the example (paths rewritten for this machine)', () => {
    const out = execFileSync(nginxPath!, ['-t', '-p', dir, '-c', confPath], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(out).toBe('');
    const stderr = execFileSync('sh', ['-c', `"${nginxPath}" -t -p "${dir}" -c "${confPath}" 2>&1`], {
      encoding: 'utf8',
    });
    expect(stderr).toMatch(/syntax is ok/);
    expect(stderr).toMatch(/test is successful/);
  });

  it('redirects HTTP to HTTPS', async () => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/v1/tasks/status`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe(`https://127.0.0.1/api/v1/tasks/status`);
  });

  it('proxies a GraphQL query and REST calls, with security headers and the request id', async () => {
    const gql = await https('POST', '/graphql', { query: '{ stats { tasksTotal } }' }, { 'x-api-key': ADMIN_KEY });
    expect(gql).toMatchObject({ status: 200, body: { data: { stats: { tasksTotal: 0 } } } });
    expect(gql.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    expect(gql.headers['x-content-type-options']).toBe('nosniff');
    expect(gql.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/); // nginx's $request_id, passed on by the gate

    const created = await https(
      'POST',
      '/api/v1/tasks/create',
      { search_params: { CourtRegion: '11' }, max_documents: 10 },
      { 'x-api-key': ADMIN_KEY },
    );
    expect(created).toMatchObject({
      status: 200,
      body: { message: expect.stringMatching(/^Task .* created successfully$/) },
    });
    expect(await https('GET', '/api/v1/tasks/status', undefined, { 'x-api-key': ADMIN_KEY })).toMatchObject({
      status: 200,
      body: { total_tasks: 1, pending: 1 },
    });
    expect(await https('GET', '/health')).toMatchObject({ status: 200, body: { status: 'healthy' } });
  });

  it('carries a graphql-ws subscription over wss://', async () => {
    const ws = createClient({
      url: `wss://127.0.0.1:${nginx.httpsPort}/graphql`,
      webSocketImpl: nginx.WebSocket,
      connectionParams: { apiKey: ADMIN_KEY },
      retryAttempts: 0,
    });
    try {
      // Replayed from the event log (afterSeq: 0), then live: the claim happens after the subscription started.
      const created = await https(
        'POST',
        '/api/v1/tasks/create',
        { search_params: { CourtRegion: '14' }, max_documents: 10 },
        { 'x-api-key': ADMIN_KEY },
      );
      const taskId = created.body.task_id;
      const events = collect(
        ws,
        'subscription ($id: ID) { taskEvents(afterSeq: 0, filter: { taskId: $id }) { type } }',
        { id: taskId },
        2,
      );
      while (events.items.length < 1) await new Promise((r) => setTimeout(r, 20));
      await https('POST', '/api/v1/clients/register', { client_name: 'via-nginx' }, { 'x-api-key': ADMIN_KEY });
      for (let i = 0; i < 5; i++) {
        if ((await https('POST', '/api/v1/tasks/request', {}, { 'x-api-key': ADMIN_KEY })).body.task_id === taskId)
          break;
      }
      expect(await events.done).toEqual([{ taskEvents: { type: 'CREATED' } }, { taskEvents: { type: 'CLAIMED' } }]);
    } finally {
      await ws.dispose();
    }
  });
});
