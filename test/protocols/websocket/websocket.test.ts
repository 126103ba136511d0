import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closePayload } from '../../../protocols/websocket/close-code.js';
import { Opcode } from '../../../protocols/websocket/frame.js';
import type { WebSocketMessage } from '../../../protocols/websocket/message-decoder.js';
import type { WebSocket, WebSocketCloseInfo } from '../../../protocols/websocket/websocket.js';
import { WebSocketError } from '../../../protocols/websocket/websocket-error.js';
import { checkClean } from '../../../source/testing/index.js';
import { chunkings } from '../../support/chunkings.js';
import { frames } from './_frames.js';
import { clientFrame, openWebSocket, serverFrames } from './_server.js';

const test = checkClean(suite('protocols/websocket/websocket'));

const echo = (socket: WebSocket) => socket.messages$.subscribe(socket);

test("echoes text and binary messages, fragmented or not, at every chunking, with a ping answered between: each read's replies in one write", () => {
  const input = frames(
    clientFrame(Opcode.text, 'hello'),
    clientFrame(Opcode.binary, Uint8Array.from([1, 2, 250]), false),
    clientFrame(Opcode.ping, 'are you there'),
    clientFrame(Opcode.continuation, Uint8Array.from([3])),
  );
  for (const { label, chunks } of chunkings(input)) {
    const { transport } = openWebSocket(echo);
    for (const chunk of chunks) {
      const writes = transport.writes.length;
      transport.receive(chunk); // a copy of its own: the decoder unmasks in place
      assert.ok(transport.writes.length - writes <= 1, `${label}: one write per read`);
    }
    assert.equal(
      serverFrames(transport),
      [
        { opcode: Opcode.text, data: 'hello' },
        { opcode: Opcode.pong, data: 'are you there' },
        { opcode: Opcode.binary, data: Buffer.from([1, 2, 250, 3]).toString('latin1') },
      ],
      label,
    );
    transport.loseConnection();
  }
});

test("the peer's close is answered with its code, the server closes the connection, and messages$ completes", async () => {
  const { transport, sockets } = openWebSocket();
  const socket = sockets[0]!;
  const seen: WebSocketMessage[] = [];
  let completed = false;
  socket.messages$.subscribe({ next: (m) => seen.push(m), complete: () => (completed = true) });
  transport.receive(
    frames(clientFrame(Opcode.text, 'last'), clientFrame(Opcode.close, closePayload(1001, 'leaving'))),
  );
  assert.equal(serverFrames(transport), [{ opcode: Opcode.close, data: '1001 ' }]);
  assert.ok(transport.closedByProtocol);
  assert.equal(seen, ['last']);
  assert.ok(completed);
  assert.is(socket.send('too late'), false);
  transport.loseConnection();
  assert.equal(await socket.closed, { code: 1001, reason: 'leaving', wasClean: true });
  assert.is(socket.state, 'closed');
});

test('close() sends a close frame, sends nothing after, and completes when the peer answers', async () => {
  const { transport, sockets } = openWebSocket();
  const socket = sockets[0]!;
  const closing = socket.close(4000, 'done here');
  assert.is(socket.state, 'closing');
  assert.is(socket.send('ignored'), false);
  assert.equal(serverFrames(transport), [{ opcode: Opcode.close, data: '4000 done here' }]);
  transport.receive(clientFrame(Opcode.close, closePayload(4000)));
  assert.ok(transport.closedByProtocol);
  transport.loseConnection();
  assert.equal(await closing, { code: 4000, reason: '', wasClean: true });
});

test('a peer that never answers our close is dropped after closeTimeout (1006)', async () => {
  const { transport, sockets, clock } = openWebSocket(() => undefined, { closeTimeout: 3 });
  const closing = sockets[0]!.close();
  clock.advance(2.9);
  assert.not.ok(transport.aborted);
  clock.advance(0.1);
  assert.ok(transport.aborted);
  const info: WebSocketCloseInfo = await closing;
  assert.is(info.code, 1006);
  assert.not.ok(info.wasClean);
});

test('input that breaks the protocol is answered with its close code, and messages$ errors with it', async () => {
  const cases: [Uint8Array, number][] = [
    [clientFrame(0x3, 'x'), 1002],
    [clientFrame(Opcode.text, Uint8Array.from([0xff])), 1007],
    [clientFrame(Opcode.binary, 'x'.repeat(100)), 1009],
  ];
  for (const [input, code] of cases) {
    const { transport, sockets } = openWebSocket(() => undefined, { maxMessageBytes: 64 });
    const socket = sockets[0]!;
    let failure: unknown;
    socket.messages$.subscribe({ error: (error) => (failure = error) });
    transport.receive(input);
    assert.is(serverFrames(transport)[0]?.data.slice(0, 4), String(code));
    assert.ok(transport.closedByProtocol);
    assert.instance(failure, WebSocketError);
    assert.is((failure as WebSocketError).closeCode, code);
    transport.loseConnection();
    assert.equal((await socket.closed).code, code);
  }
});

test('the connection lost without a close frame is 1006; the iterator throws it', async () => {
  const { transport, sockets } = openWebSocket();
  const socket = sockets[0]!;
  transport.receive(clientFrame(Opcode.text, 'one'));
  transport.loseConnection();
  const seen: WebSocketMessage[] = [];
  let failure: unknown;
  try {
    for await (const message of socket) seen.push(message);
  } catch (error) {
    failure = error;
  }
  assert.equal(seen, ['one']);
  assert.is((failure as WebSocketError).closeCode, 1006);
});

test('with pingInterval, a quiet peer is pinged, and dropped if it stays quiet another interval', () => {
  const { transport, sockets, clock } = openWebSocket(() => undefined, { pingInterval: 10 });
  clock.advance(10);
  assert.equal(serverFrames(transport), [{ opcode: Opcode.ping, data: '' }]);
  transport.receive(clientFrame(Opcode.pong, ''));
  transport.clear();
  clock.advance(10);
  assert.equal(serverFrames(transport), [{ opcode: Opcode.ping, data: '' }]);
  assert.not.ok(transport.aborted);
  clock.advance(10);
  assert.ok(transport.aborted);
  assert.is(sockets[0]!.state, 'closed');
});

test('observable path: a full connection pauses reading until it drains (the active producer)', () => {
  const { transport } = openWebSocket(echo);
  transport.setWriteBlocked(true);
  transport.receive(clientFrame(Opcode.text, 'a'));
  assert.not.ok(transport.reading);
  transport.receive(clientFrame(Opcode.text, 'b'));
  assert.equal(
    serverFrames(transport).map((f) => f.data),
    ['a'],
  );
  transport.setWriteBlocked(false);
  assert.ok(transport.reading);
  assert.equal(
    serverFrames(transport).map((f) => f.data),
    ['a', 'b'],
  );
  transport.loseConnection();
});

test('pull path: messages wait up to highWaterMark unread, then reading stops until the reader pulls', async () => {
  const { transport, sockets } = openWebSocket(() => undefined, { highWaterMark: 10 });
  const socket = sockets[0]!;
  transport.receive(clientFrame(Opcode.text, '12345'));
  assert.ok(transport.reading);
  transport.receive(frames(clientFrame(Opcode.text, '67890'), clientFrame(Opcode.text, 'later')));
  assert.not.ok(transport.reading);
  const iterator = socket[Symbol.asyncIterator]();
  assert.equal(await iterator.next(), { value: '12345', done: false });
  assert.not.ok(transport.reading); // 10 bytes still wait
  assert.equal(await iterator.next(), { value: '67890', done: false });
  assert.ok(transport.reading);
  assert.equal(await iterator.next(), { value: 'later', done: false });
  await iterator.return();
  transport.loseConnection();
});

test('messages are read once: a second reader gets an error', () => {
  const { transport, sockets } = openWebSocket(echo);
  let failure: unknown;
  sockets[0]!.messages$.subscribe({ error: (error) => (failure = error) });
  assert.match(String(failure), /another reader/);
  transport.loseConnection();
});

test('an observable piped into the socket is sent, and its completion closes with 1000', () => {
  const { transport, sockets } = openWebSocket();
  const socket = sockets[0]!;
  socket.next('one');
  socket.next(Uint8Array.from([9]));
  socket.complete();
  assert.equal(serverFrames(transport), [
    { opcode: Opcode.text, data: 'one' },
    { opcode: Opcode.binary, data: '\t' },
    { opcode: Opcode.close, data: '1000 ' },
  ]);
  transport.loseConnection();
});

test('cork gathers what is sent until uncork, which writes it in one write and says whether there is room for more', () => {
  const { transport, sockets } = openWebSocket();
  const socket = sockets[0]!;
  socket.cork();
  socket.send('one');
  socket.cork(); // corks nest
  socket.send(Uint8Array.from([2]));
  assert.ok(socket.uncork());
  socket.send('three');
  assert.is(transport.writes.length, 0, 'nothing written while corked');
  transport.setWriteBlocked(true);
  assert.not.ok(socket.uncork(), 'the connection is full');
  assert.is(transport.writes.length, 1);
  assert.equal(serverFrames(transport), [
    { opcode: Opcode.text, data: 'one' },
    { opcode: Opcode.binary, data: '\u0002' },
    { opcode: Opcode.text, data: 'three' },
  ]);
  transport.loseConnection();
});

test.run();
