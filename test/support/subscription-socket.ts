// A raw graphql-transport-ws socket with one taskAvailable subscription, that keeps its close code and
// reason: for tests of what the gate does to sockets (revocations end them with 4403).
import WebSocket from 'ws';

export interface OpenSocket {
  ws: WebSocket;
  /** the close code and reason, whenever it closes */
  closed: Promise<{ code: number; reason: string }>;
  /** connection acknowledged and a subscription running */
  ready: Promise<void>;
}

/** A graphql-transport-ws socket that authenticates with `params` and subscribes to taskAvailable. */
export function openSocket(base: string, params: Record<string, unknown>): OpenSocket {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/graphql`, 'graphql-transport-ws');
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  const ready = new Promise<void>((resolve, reject) => {
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: params })));
    ws.on('message', (data) => {
      if (JSON.parse(String(data)).type !== 'connection_ack') return;
      ws.send(
        JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { taskAvailable { taskId } }' } }),
      );
      resolve();
    });
    ws.on('error', reject);
    void closed.then(({ code, reason }) => reject(new Error(`closed before ready: ${code} ${reason}`)));
  });
  ready.catch(() => {});
  return { ws, closed, ready };
}
