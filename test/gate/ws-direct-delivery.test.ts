// The frames a shared group's direct members are sent (server/graphql/ws-direct-delivery.ts) are built by the gate,
// not by ws: a real ws client must read each as the one text message graphql-ws would have sent, at every length
// form of the frame header (7-bit, 16-bit, 64-bit) and with multi-byte UTF-8 in the payload.
import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { operationDelivery, textFrame } from '../../server/graphql/ws-direct-delivery.ts';

let server: WebSocketServer;
let client: WebSocket;
let serverSide: WebSocket;

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const connected = once(server, 'connection');
  client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  [serverSide] = (await connected) as [WebSocket];
  await once(client, 'open');
});

afterAll(async () => {
  client.close();
  await new Promise((resolve) => server.close(resolve));
});

describe('textFrame', () => {
  it('is read by a ws client as head + payload + "}", one text message, at every header length', async () => {
    const head = Buffer.from('{"id":"op-ї","type":"next","payload":');
    const raw = (serverSide as unknown as { _socket: Socket })._socket;
    // total lengths around the 125 / 126 and 65,535 / 65,536 boundaries of the length field
    const sizes = [
      0,
      1,
      125 - head.length - 1,
      126 - head.length - 1,
      0xffff - head.length - 1,
      0x10000 - head.length - 1,
      200_000,
    ];
    for (const size of sizes) {
      // `size` bytes: a two-byte letter first (when it fits), then ASCII
      const payload =
        size < 2 ? Buffer.alloc(size, 'x') : Buffer.concat([Buffer.from('ж'), Buffer.alloc(size - 2, 'x')]);
      const received = once(client, 'message');
      raw.write(textFrame(head, payload));
      const [data, isBinary] = (await received) as [Buffer, boolean];
      expect(isBinary).toBe(false);
      expect(data.equals(Buffer.concat([head, payload, Buffer.from('}')]))).toBe(true);
    }
    // and ws' own frames on the same socket still read in order around ours
    const messages: string[] = [];
    client.on('message', (data) => messages.push(String(data)));
    serverSide.send('before');
    raw.write(textFrame(head, Buffer.from('1')));
    serverSide.send('after');
    await expect.poll(() => messages).toEqual(['before', `${head}1}`, 'after']);
  });

  it("operationDelivery writes graphql-ws's next message as a frame of its own, not through ws' send()", async () => {
    let sent = 0;
    const send = serverSide.send.bind(serverSide);
    serverSide.send = ((...args: Parameters<typeof send>) => {
      sent++;
      return send(...args);
    }) as typeof send;
    try {
      const json = JSON.stringify({ data: { taskEvents: { seq: '7', taskId: 'ї' } } });
      const received = once(client, 'message');
      operationDelivery(serverSide, 'op-1').deliver({ json: () => json, utf8: () => Buffer.from(json) });
      const [data] = (await received) as [Buffer];
      expect(JSON.parse(String(data))).toEqual({ id: 'op-1', type: 'next', payload: JSON.parse(json) });
      expect(sent).toBe(0);
    } finally {
      serverSide.send = send;
    }
  });
});
