// deploy/nginx.conf.example run for real: Debian's nginx as its own process on loopback ports, with a
// throw-away self-signed certificate, its prefix and pid file in a temp dir (no system nginx involved), and
// the example's two upstream servers pointed at the test's gates.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { freePort } from './pg-cluster.ts';

export const nginxPath = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((p) => {
  try {
    execFileSync(p, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});

export interface HttpsAnswer {
  status: number;
  headers: Record<string, unknown>;
  body: any;
}

export interface RunningNginx {
  dir: string;
  confPath: string;
  httpPort: number;
  httpsPort: number;
  /** A request through nginx over TLS, trusting the test certificate. */
  https(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpsAnswer>;
  /** A WebSocket class for graphql-ws that trusts the test certificate. */
  WebSocket: new (
    address: string,
    protocols?: string | string[],
  ) => WebSocket;
  stop(): Promise<void>;
}

/** The example with loopback ports, the test certificate, and its upstream servers → the given gate ports. */
export function rewriteExample(
  example: string,
  o: { httpPort: number; httpsPort: number; gatePorts: [number, number]; cert: string; key: string },
) {
  return example
    .replace(/^\s*listen \[::\].*$/gm, '')
    .replace(/listen 80;/, `listen 127.0.0.1:${o.httpPort};`)
    .replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${o.httpsPort} ssl http2;`)
    .replace(/server 127\.0\.0\.1:8000/g, `server 127.0.0.1:${o.gatePorts[0]}`)
    .replace(/server 127\.0\.0\.1:8001/g, `server 127.0.0.1:${o.gatePorts[1]}`)
    .replace(/ssl_certificate\s+\S+;/, `ssl_certificate ${o.cert};`)
    .replace(/ssl_certificate_key\s+\S+;/, `ssl_certificate_key ${o.key};`);
}

async function waitForPort(port: number, timeoutMs = 10_000) {
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
}

export async function startNginx(gatePorts: [number, number]): Promise<RunningNginx> {
  if (!nginxPath) throw new Error('nginx is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'reyestr-nginx-'));
  chmodSync(dir, 0o755);
  for (const sub of ['logs', 'tmp', 'tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) {
    mkdirSync(join(dir, sub), { recursive: true });
    chmodSync(join(dir, sub), 0o777);
  }
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  const ca = readFileSync(cert);
  const [httpPort, httpsPort] = [await freePort(), await freePort()];
  const example = readFileSync(new URL('../../deploy/nginx.conf.example', import.meta.url), 'utf8');
  writeFileSync(join(dir, 'reyestr.conf'), rewriteExample(example, { httpPort, httpsPort, gatePorts, cert, key }));
  const confPath = join(dir, 'nginx.conf');
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
  const nginx: ChildProcess = spawn(nginxPath, ['-p', dir, '-c', confPath, '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  nginx.stderr!.on('data', (d) => (stderr += d));
  nginx.on('exit', (code) => {
    if (code) console.error(`nginx exited ${code}: ${stderr}`);
  });
  await waitForPort(httpsPort);

  class TrustingWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, { ca });
    }
  }
  return {
    dir,
    confPath,
    httpPort,
    httpsPort,
    WebSocket: TrustingWebSocket,
    https: (method, path, body, headers = {}) =>
      new Promise<HttpsAnswer>((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          {
            host: '127.0.0.1',
            port: httpsPort,
            method,
            path,
            ca,
            servername: 'localhost',
            headers: {
              ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
              ...headers,
            },
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
      }),
    stop: async () => {
      if (nginx.exitCode === null) {
        const exited = new Promise((r) => nginx.once('exit', r));
        nginx.kill('SIGQUIT');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
