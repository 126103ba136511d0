import { once } from 'node:events';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { WebSocketServer, WebSocket as WsClient } from 'ws';
import { httpServer } from '../../protocols/http/server.js';
import { connectWebSocket } from '../../protocols/websocket/connect-web-socket.js';
import type { WebSocketMessage } from '../../protocols/websocket/message-decoder.js';
import { webSocketHandler } from '../../protocols/websocket/web-socket-handler.js';
import type { WebSocket } from '../../protocols/websocket/websocket.js';
import { listen, type Server } from '../../source/index.js';

const test = suite('interop/websocket');

/** A Spindle server on 127.0.0.1 echoing messages, except `close <code>`, which closes with that code. */
async function spindleServer(
  options: { perMessageDeflate?: boolean } = {},
): Promise<{ server: Server; url: string }> {
  const onConnect = (socket: WebSocket) => {
    socket.messages$.subscribe((message) => {
      if (typeof message === 'string' && message.startsWith('close '))
        socket.close(Number(message.slice(6)), 'asked');
      else socket.send(message);
    });
  };
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    httpServer(
      webSocketHandler(onConnect, {
        perMessageDeflate: options.perMessageDeflate ?? true,
        selectProtocol: (p) => p[0],
      }),
    ),
  );
  const address = await server.address;
  if (address.type !== 'tcp') throw new Error('not tcp');
  return { server, url: `ws://127.0.0.1:${address.port}/echo` };
}

/** Opens a `ws` client and collects what it receives. */
async function wsClient(url: string, options: { perMessageDeflate: boolean; protocols?: string[] }) {
  const client = new WsClient(url, options.protocols ?? [], { perMessageDeflate: options.perMessageDeflate });
  const received: { data: Buffer; binary: boolean }[] = [];
  client.on('message', (data, binary) => received.push({ data: data as Buffer, binary }));
  await once(client, 'open');
  const waitFor = async (count: number) => {
    while (received.length < count) await once(client, 'message');
  };
  return { client, received, waitFor };
}

for (const deflate of [false, true]) {
  test(`ws client → Spindle server${deflate ? ', permessage-deflate' : ''}: text, binary, fragmented and large messages`, async () => {
    const { server, url } = await spindleServer();
    const { client, received, waitFor } = await wsClient(url, {
      perMessageDeflate: deflate,
      protocols: ['chat'],
    });
    assert.is(client.protocol, 'chat');
    assert.is(client.extensions.includes('permessage-deflate'), deflate);
    const large = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < large.length; i++) large[i] = (i * 7) & 0xff;
    client.send('héllo wörld');
    client.send(Buffer.from([0, 1, 2, 255]));
    client.send('frag', { fin: false });
    client.send('ment', { fin: false });
    client.send('ed €', { fin: true });
    client.send(large);
    client.send('x'.repeat(200_000));
    await waitFor(5);
    assert.equal(received[0], { data: Buffer.from('héllo wörld'), binary: false });
    assert.equal(received[1], { data: Buffer.from([0, 1, 2, 255]), binary: true });
    assert.is(received[2]!.data.toString(), 'fragmented €');
    assert.ok(received[3]!.binary && received[3]!.data.equals(large));
    assert.is(received[4]!.data.toString(), 'x'.repeat(200_000));
    client.ping('are you there');
    const [pong] = await once(client, 'pong');
    assert.is(String(pong), 'are you there');
    client.close(4001, 'bye now');
    const [code] = await once(client, 'close');
    assert.is(code, 4001);
    await server.close();
  });
}

test('ws client → Spindle server: the server closes with a code; invalid UTF-8 closes with 1007', async () => {
  const { server, url } = await spindleServer({ perMessageDeflate: false });
  const first = await wsClient(url, { perMessageDeflate: false });
  first.client.send('close 4321');
  const [code, reason] = await once(first.client, 'close');
  assert.is(code, 4321);
  assert.is(String(reason), 'asked');
  const second = await wsClient(url, { perMessageDeflate: false });
  // ws sends a Buffer given as text as it is: not UTF-8
  second.client.send(Buffer.from([0xc3, 0x28]), { binary: false });
  const [invalid] = await once(second.client, 'close');
  assert.is(invalid, 1007);
  await server.close();
});

for (const deflate of [false, true]) {
  test(`Spindle client → ws server${deflate ? ', permessage-deflate' : ''}: messages, ping, close codes`, async () => {
    const wss = new WebSocketServer({
      host: '127.0.0.1',
      port: 0,
      perMessageDeflate: deflate ? { threshold: 0 } : false,
    });
    await once(wss, 'listening');
    const closes: number[] = [];
    wss.on('connection', (peer) => {
      peer.on('message', (data, binary) => {
        if (String(data) === 'please close') peer.close(4444, 'as asked');
        else peer.send(data, { binary });
      });
      peer.on('close', (code) => closes.push(code));
    });
    const port = (wss.address() as { port: number }).port;
    const socket = await connectWebSocket(`ws://127.0.0.1:${port}/x`, {
      protocols: ['v1'],
      perMessageDeflate: deflate ? { threshold: 0 } : false,
    });
    assert.is(socket.compressed, deflate);
    const large = new Uint8Array(2 * 1024 * 1024).map((_, i) => i % 251);
    socket.send('grüße');
    socket.send(Uint8Array.from([9, 8, 7]));
    socket.send(large);
    socket.ping('p');
    const seen: WebSocketMessage[] = [];
    for await (const message of socket) {
      seen.push(message);
      if (seen.length === 3) break;
    }
    assert.is(seen[0], 'grüße');
    assert.equal(Uint8Array.from(seen[1] as Uint8Array), Uint8Array.from([9, 8, 7]));
    assert.ok(Buffer.from(seen[2] as Uint8Array).equals(Buffer.from(large)));
    const info = await socket.close(1000, 'finished');
    assert.equal(info, { code: 1000, reason: 'finished', wasClean: true }); // ws echoes the reason
    // the server closes with its own code
    const second = await connectWebSocket(`ws://127.0.0.1:${port}/y`, { perMessageDeflate: deflate });
    second.send('please close');
    assert.equal(await second.closed, { code: 4444, reason: 'as asked', wasClean: true });
    for (let wait = 0; closes.length < 2 && wait < 100; wait++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(closes.sort(), [1000, 4444]);
    wss.close();
  });
}

test('Spindle client: a handshake a ws server refuses fails with the status', async () => {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, verifyClient: () => false });
  await once(wss, 'listening');
  const port = (wss.address() as { port: number }).port;
  let failure: unknown;
  try {
    await connectWebSocket(`ws://127.0.0.1:${port}/`);
  } catch (error) {
    failure = error;
  }
  assert.match(String(failure), /401/);
  wss.close();
});

test.run();
