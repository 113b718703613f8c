// deploy/nginx.conf.example in front of a real gate: Debian's nginx on loopback ports with a throw-away
// self-signed certificate (its own process, prefix and pid file in a temp dir — no system nginx involved).
// Checks `nginx -t`, the HTTP→HTTPS redirect, a GraphQL query, a REST call and a WebSocket subscription.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, collect, startTestGate, type TestGate } from './support/gate.ts';

const nginxPath = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => {
  try {
    execFileSync(p, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
if (!nginxPath) console.warn('test/nginx.test.ts: SKIPPED — nginx is not installed (apt-get install nginx; .ci/run does it)');

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });

const waitForPort = async (port: number, timeoutMs = 10_000) => {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => (socket.end(), resolve(true)));
      socket.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > until) throw new Error(`nginx did not listen on ${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** The example with loopback ports, the test certificate and the test gate as both upstream servers. */
export function rewriteExample(example: string, o: { httpPort: number; httpsPort: number; gatePort: number; cert: string; key: string }) {
  return example
    .replace(/^\s*listen \[::\].*$/gm, '')
    .replace(/listen 80;/, `listen 127.0.0.1:${o.httpPort};`)
    .replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${o.httpsPort} ssl http2;`)
    .replace(/server 127\.0\.0\.1:800[01]/g, `server 127.0.0.1:${o.gatePort}`)
    .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${o.cert};`)
    .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${o.key};`);
}

describe.skipIf(!nginxPath)('nginx in front of the gate (deploy/nginx.conf.example)', () => {
  let t: TestGate;
  let dir: string;
  let nginx: ChildProcess | undefined;
  let httpPort: number;
  let httpsPort: number;
  let ca: Buffer;
  let confPath: string;

  beforeAll(async () => {
    t = await startTestGate('postgres');
    dir = mkdtempSync(join(tmpdir(), 'reyestr-nginx-'));
    chmodSync(dir, 0o755);
    for (const sub of ['logs', 'tmp', 'tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) {
      mkdirSync(join(dir, sub), { recursive: true });
      chmodSync(join(dir, sub), 0o777);
    }
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
    ca = readFileSync(cert);
    [httpPort, httpsPort] = [await freePort(), await freePort()];
    const example = readFileSync(new URL('../deploy/nginx.conf.example', import.meta.url), 'utf8');
    writeFileSync(join(dir, 'reyestr.conf'), rewriteExample(example, { httpPort, httpsPort, gatePort: t.gate.port, cert, key }));
    confPath = join(dir, 'nginx.conf');
    writeFileSync(
      confPath,
      `${process.getuid?.() === 0 ? 'user root;\n' : ''}worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/logs/access.log;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  include ${dir}/reyestr.conf;
}
`,
    );
    nginx = spawn(nginxPath!, ['-p', dir, '-c', confPath, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    nginx.stderr!.on('data', (d) => (stderr += d));
    nginx.on('exit', (code) => {
      if (code) console.error(`nginx exited ${code}: ${stderr}`);
    });
    await waitForPort(httpsPort);
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      const exited = new Promise((r) => nginx!.once('exit', r));
      nginx.kill('SIGQUIT');
      await exited;
    }
    await t?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const https = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: any }>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: '127.0.0.1',
          port: httpsPort,
          method,
          path,
          ca,
          servername: 'localhost',
          headers: { ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}), ...headers },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // keep text
            }
            resolve({ status: res.statusCode!, headers: res.headers, body: parsed });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  it('nginx -t accepts the example (paths rewritten for this machine)', () => {
    const out = execFileSync(nginxPath!, ['-t', '-p', dir, '-c', confPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('');
    const stderr = execFileSync('sh', ['-c', `"${nginxPath}" -t -p "${dir}" -c "${confPath}" 2>&1`], { encoding: 'utf8' });
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

    const created = await https('POST', '/api/v1/tasks/create', { search_params: { CourtRegion: '11' } }, { 'x-api-key': ADMIN_KEY });
    expect(created).toMatchObject({ status: 200, body: { message: expect.stringMatching(/^Task .* created successfully$/) } });
    expect(await https('GET', '/api/v1/tasks/status', undefined, { 'x-api-key': ADMIN_KEY })).toMatchObject({
      status: 200,
      body: { total_tasks: 1, pending: 1 },
    });
    expect(await https('GET', '/health')).toMatchObject({ status: 200, body: { status: 'healthy' } });
  });

  it('carries a graphql-ws subscription over wss://', async () => {
    class TrustingWebSocket extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { ca });
      }
    }
    const ws = createClient({
      url: `wss://127.0.0.1:${httpsPort}/graphql`,
      webSocketImpl: TrustingWebSocket,
      connectionParams: { apiKey: ADMIN_KEY },
      retryAttempts: 0,
    });
    try {
      // Replayed from the event log (afterSeq: 0), then live: the claim happens after the subscription started.
      const created = await https('POST', '/api/v1/tasks/create', { search_params: { CourtRegion: '14' } }, { 'x-api-key': ADMIN_KEY });
      const taskId = created.body.task_id;
      const events = collect(ws, 'subscription ($id: ID) { taskEvents(afterSeq: 0, filter: { taskId: $id }) { type } }', { id: taskId }, 2);
      while (events.items.length < 1) await new Promise((r) => setTimeout(r, 20));
      await https('POST', '/api/v1/clients/register', { client_name: 'via-nginx' }, { 'x-api-key': ADMIN_KEY });
      for (let i = 0; i < 5; i++) {
        if ((await https('POST', '/api/v1/tasks/request', {}, { 'x-api-key': ADMIN_KEY })).body.task_id === taskId) break;
      }
      expect(await events.done).toEqual([{ taskEvents: { type: 'CREATED' } }, { taskEvents: { type: 'CLAIMED' } }]);
    } finally {
      await ws.dispose();
    }
  });
});
