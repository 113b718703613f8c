// npx tsx bench/events-fanout.ts — the gate's per-socket cost of a shared group's delivery alone, A/B in one run:
// 1,000 WebSockets served by this process (ws, as the gate serves them), their clients in a child process. Each
// event is one result serialised once and written to every socket, corked until the turn ends (as
// server/graphql/ws-direct-delivery.ts does); the next event goes once every client has it, so no two events share
// a write. Ways, in blocks alternating: `send` — ws' send() of the message text (graphql-ws's message with the
// payload spliced in: the delivery before the frames were built here, and still the path when an extension is
// negotiated); `frame` — textFrame() on the raw socket (the delivery now). Prints this process's CPU per event
// (user and system: the system part is one socket write per subscriber) and the clients' CPU per event (the bench's
// subscribers pay this too, on the same cores). Env: FANOUT_SOCKETS (1000), FANOUT_EVENTS (200 per block), FANOUT_BLOCKS (6).
import { fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { loadavg } from 'node:os';
import WebSocket, { WebSocketServer } from 'ws';
import { textFrame } from '../server/graphql/ws-direct-delivery.ts';

const SOCKETS = Number(process.env.FANOUT_SOCKETS ?? 1000);
const EVENTS = Number(process.env.FANOUT_EVENTS ?? 200);
const BLOCKS = Number(process.env.FANOUT_BLOCKS ?? 6);

/** The clients: count messages, say when every socket has the current event, and what each block cost them. */
function clients(port: number) {
  let got = 0;
  let cpu = process.cpuUsage();
  for (let i = 0; i < SOCKETS; i++) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}`, { skipUTF8Validation: true });
    ws.on('message', () => {
      if (++got % SOCKETS !== 0) return;
      if (got % (SOCKETS * EVENTS) !== 0) return void process.send!({ all: true });
      const used = process.cpuUsage(cpu);
      cpu = process.cpuUsage();
      process.send!({ all: true, cpuPerEvent: (used.user + used.system) / 1000 / EVENTS });
    });
  }
}

async function server() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const sockets: Array<{ ws: WebSocket; raw: Socket; head: string; headBytes: Buffer }> = [];
  wss.on('connection', (ws) => {
    const head = `{"id":${JSON.stringify(randomUUID())},"type":"next","payload":`;
    sockets.push({ ws, raw: (ws as unknown as { _socket: Socket })._socket, head, headBytes: Buffer.from(head) });
  });
  const port = String((wss.address() as AddressInfo).port);
  const child = fork(new URL(import.meta.url).pathname, ['clients', port], { execArgv: ['--import', 'tsx'] });
  while (sockets.length < SOCKETS) await new Promise((resolve) => setTimeout(resolve, 50));
  let everyone: ((cpuPerEvent?: number) => void) | null = null;
  child.on('message', (m: { cpuPerEvent?: number }) => everyone?.(m.cpuPerEvent));

  const corked = new Set<Socket>();
  const cork = (raw: Socket) => {
    if (corked.has(raw)) return;
    if (corked.size === 0)
      setImmediate(() => {
        for (const socket of corked) socket.uncork();
        corked.clear();
      });
    raw.cork();
    corked.add(raw);
  };
  const ways = {
    send(result: object) {
      const json = JSON.stringify(result);
      for (const s of sockets) {
        cork(s.raw);
        s.ws.send(`${s.head}${json}}`);
      }
    },
    frame(result: object) {
      const utf8 = Buffer.from(JSON.stringify(result));
      for (const s of sockets) {
        cork(s.raw);
        s.raw.write(textFrame(s.headBytes, utf8));
      }
    },
  };
  type Way = keyof typeof ways;
  const rows: Record<Way, Array<{ user: number; system: number; clients: number }>> = { send: [], frame: [] };
  for (let block = 0; block < BLOCKS; block++) {
    for (const way of (block % 2 ? ['frame', 'send'] : ['send', 'frame']) as Way[]) {
      const before = process.cpuUsage();
      let clientsCpu = Number.NaN;
      for (let e = 0; e < EVENTS; e++) {
        const all = new Promise<void>(
          (resolve) =>
            (everyone = (cpu) => {
              if (cpu !== undefined) clientsCpu = cpu;
              resolve();
            }),
        );
        ways[way]({ data: { taskEvents: { seq: String(1000 + e), taskId: randomUUID() } } });
        await all;
      }
      const used = process.cpuUsage(before);
      // (the clients' first block holds their start-up too)
      const clients = rows.send.length + rows.frame.length === 0 ? Number.NaN : clientsCpu;
      rows[way].push({ user: used.user / 1000 / EVENTS, system: used.system / 1000 / EVENTS, clients });
    }
  }
  const mean = (values: number[]) => {
    const known = values.filter((v) => !Number.isNaN(v));
    return known.reduce((a, b) => a + b, 0) / known.length;
  };
  console.log(`${SOCKETS} sockets, ${BLOCKS} blocks of ${EVENTS} events per way, load ${loadavg()[0].toFixed(1)}`);
  console.log('| way | gate-side CPU ms/event (user + system) | blocks | clients CPU ms/event |');
  console.log('|---|---|---|---|');
  for (const way of Object.keys(rows) as Way[]) {
    const r = rows[way];
    const total = r.map((x) => x.user + x.system);
    console.log(
      `| ${way} | ${mean(total).toFixed(2)} (${mean(r.map((x) => x.user)).toFixed(2)} + ${mean(r.map((x) => x.system)).toFixed(2)}) | ${total.map((t) => t.toFixed(2)).join(' / ')} | ${mean(r.map((x) => x.clients)).toFixed(2)} |`,
    );
  }
  child.kill();
  wss.close();
}

if (process.argv[2] === 'clients') clients(Number(process.argv[3]));
else await server();
