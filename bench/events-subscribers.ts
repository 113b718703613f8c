// bench:events' subscribers, in a worker thread of their own (bench/events.ts starts it): 1,000 sockets' messages
// are most of the bench's work, and on the same thread they delayed the producer's ticks (the rate it reached was
// the bench's, not the gate's). Each subscriber is a lean client: graphql-ws's protocol over `ws` by hand
// (connection_init → ack → subscribe; the gate's keep-alive is WebSocket ping/pong, which ws answers) or an SSE
// stream, and each `next` message is read only as far as its taskId (a byte search, not JSON.parse of the whole
// message); anything else (ack, error, complete) is parsed in full. An event counts when its message arrives:
// latency = arrival − when the producer sent the mutation that made it (epoch ms from both threads' clocks).
import { parentPort, workerData } from 'node:worker_threads';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';

export interface SubscribersSetup {
  base: string;
  transport: 'ws' | 'sse';
  subscribers: number;
  key: string;
  query: string;
}

/** main → worker; each `ask` is answered with a message carrying the same `ask` */
export type Request =
  | { type: 'sent'; taskId: string; at: number }
  | { type: 'missing'; ask: number; taskId: string }
  | { type: 'delivered'; ask: number }
  | { type: 'finish'; ask: number };

export interface Finished {
  latencies: Float64Array;
  /** per event whose mutation answered: [taskId, first arrival − sent, last arrival − sent] (with several
   * subscriber threads, bench/events.ts merges them: the path to the first socket, and the fan-out after it) */
  arrivals: Array<[string, number, number]>;
  delivered: number;
  duplicates: number;
}

const now = () => performance.timeOrigin + performance.now();
const TASK_ID = Buffer.from('"taskId":"');

/** Every subscriber's receipts: who got which event (once), and the latency of each receipt. */
class Receipts {
  latencies: number[] = [];
  delivered = 0;
  duplicates = 0;
  private readonly sentAt = new Map<string, number>();
  /** arrivals of events whose mutation has not answered yet (or probes) */
  private readonly early = new Map<string, number[]>();
  private readonly got = new Map<string, { by: Uint8Array; count: number; first: number; last: number }>();

  constructor(private readonly subscribers: number) {}

  receive(subscriber: number, taskId: string, at: number) {
    let event = this.got.get(taskId);
    if (!event) this.got.set(taskId, (event = { by: new Uint8Array(this.subscribers), count: 0, first: at, last: at }));
    if (event.by[subscriber]) {
      this.duplicates++;
      return;
    }
    event.by[subscriber] = 1;
    event.count++;
    event.last = at;
    const sent = this.sentAt.get(taskId);
    if (sent === undefined) {
      const list = this.early.get(taskId);
      if (list) list.push(at);
      else this.early.set(taskId, [at]);
      return;
    }
    this.delivered++;
    this.latencies.push(at - sent);
  }

  sent(taskId: string, at: number) {
    this.sentAt.set(taskId, at);
    for (const arrived of this.early.get(taskId) ?? []) {
      this.delivered++;
      this.latencies.push(arrived - at);
    }
    this.early.delete(taskId);
  }

  missing(taskId: string) {
    return this.subscribers - (this.got.get(taskId)?.count ?? 0);
  }

  /** First and last arrival − sent, per event whose mutation answered. */
  arrivals(): Array<[string, number, number]> {
    const arrivals: Array<[string, number, number]> = [];
    for (const [taskId, event] of this.got) {
      const sent = this.sentAt.get(taskId);
      if (sent !== undefined) arrivals.push([taskId, event.first - sent, event.last - sent]);
    }
    return arrivals;
  }
}

/** WebSockets connecting at once: 1,000 connection_inits together each look their key up, and under load some
 * of those lookups failed (the gate closes with 4403); the bench opens them as a ramp, not a burst. */
const CONNECTING = 50;

function wsSubscriber(setup: SubscribersSetup, i: number, receipts: Receipts, subscribed: () => void): WebSocket {
  const ws = new WebSocket(`${setup.base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws', {
    skipUTF8Validation: true,
  });
  ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { apiKey: setup.key } })));
  ws.on('message', (data: Buffer) => {
    const at = now();
    const start = data.indexOf(TASK_ID);
    if (start !== -1) {
      const from = start + TASK_ID.length;
      return receipts.receive(i, data.toString('latin1', from, data.indexOf(0x22, from)), at);
    }
    const message = JSON.parse(String(data)) as { type: string; payload?: unknown };
    if (message.type === 'connection_ack') {
      ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: setup.query } }));
      subscribed();
    } else if (message.type === 'ping') ws.send(JSON.stringify({ type: 'pong' }));
    else console.error(`subscriber ${i}:`, String(data).slice(0, 300));
  });
  ws.on('error', (e) => console.error(`subscriber ${i}:`, e.message));
  ws.on('close', (code, reason) => {
    if (code !== 1000) console.error(`subscriber ${i} closed: ${code} ${reason}`);
    subscribed(); // (a no-op once it has) so the next ones open
  });
  return ws;
}

function sseSubscriber(setup: SubscribersSetup, i: number, receipts: Receipts, agent: Agent, signal: AbortSignal) {
  void (async () => {
    const res = await undiciFetch(`${setup.base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'x-api-key': setup.key },
      body: JSON.stringify({ query: setup.query }),
      signal,
      dispatcher: agent,
    });
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of res.body!) {
      const at = now();
      buffered += decoder.decode(chunk, { stream: true });
      for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
        const message = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        const start = message.indexOf('"taskId":"');
        if (start !== -1) receipts.receive(i, message.slice(start + 10, message.indexOf('"', start + 10)), at);
      }
    }
  })().catch((e) => {
    if ((e as Error).name !== 'AbortError') console.error(`SSE subscriber ${i}:`, e);
  });
}

if (parentPort) {
  const port = parentPort;
  const setup = workerData as SubscribersSetup;
  const receipts = new Receipts(setup.subscribers);
  const sockets: WebSocket[] = [];
  const agent = new Agent({ connections: null, keepAliveTimeout: 1000 });
  const controller = new AbortController();
  let next = 0;
  const openNext = () => {
    if (next >= setup.subscribers) return;
    const i = next++;
    let done = false;
    sockets.push(wsSubscriber(setup, i, receipts, () => done || ((done = true), openNext())));
  };
  if (setup.transport === 'ws') for (let i = 0; i < CONNECTING; i++) openNext();
  else for (let i = 0; i < setup.subscribers; i++) sseSubscriber(setup, i, receipts, agent, controller.signal);
  port.on('message', async (request: Request) => {
    if (request.type === 'sent') return receipts.sent(request.taskId, request.at);
    if (request.type === 'missing')
      return port.postMessage({ ask: request.ask, value: receipts.missing(request.taskId) });
    if (request.type === 'delivered') return port.postMessage({ ask: request.ask, value: receipts.delivered });
    for (const ws of sockets) ws.close(1000);
    controller.abort();
    await agent.close().catch(() => {});
    const latencies = Float64Array.from(receipts.latencies);
    const value: Finished = {
      latencies,
      arrivals: receipts.arrivals(),
      delivered: receipts.delivered,
      duplicates: receipts.duplicates,
    };
    port.postMessage({ ask: request.ask, value }, [latencies.buffer]);
  });
}
