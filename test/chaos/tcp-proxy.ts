// A loopback TCP proxy the chaos suite puts between workers and a gate, so it can cut every connection
// (the worker's WebSocket included) without touching either side.
import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  /** Where new connections go (a restarted gate listens on a new port). */
  setTarget(target: URL): void;
  /** Destroys every open connection; new ones are accepted again at once. */
  dropAll(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(initialTarget: URL): Promise<TcpProxy> {
  let target = initialTarget;
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    open.add(client);
    open.add(upstream);
    const forget = () => {
      open.delete(client);
      open.delete(upstream);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', forget).on('close', forget);
    upstream.on('error', forget).on('close', forget);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    setTarget: (next) => {
      target = next;
    },
    dropAll: () => {
      const n = open.size;
      for (const socket of open) socket.destroy();
      open.clear();
      return n;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
