import { config as rxjsConfig, Subscriber } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closePayload } from '../../../protocols/websocket/close-code.js';
import { Opcode } from '../../../protocols/websocket/frame.js';
import { MessageDecoder, type WebSocketMessage } from '../../../protocols/websocket/message-decoder.js';
import { MessageInflater } from '../../../protocols/websocket/per-message-deflate.js';
import type { WebSocket } from '../../../protocols/websocket/websocket.js';
import { checkClean } from '../../../source/testing/index.js';
import { frames } from './_frames.js';
import { clientFrame, openWebSocket, serverFrames } from './_server.js';

const test = checkClean(suite('protocols/websocket/websocket-batching'));

const echo = (socket: WebSocket) => socket.messages$.subscribe(socket);

test('the echoes of the frames of one read leave in one write, in order', () => {
  const { transport } = openWebSocket(echo);
  const sent = Array.from({ length: 20 }, (_, i) => `message ${i}`);
  transport.receive(frames(...sent.map((text, i) => clientFrame(i % 2 ? Opcode.binary : Opcode.text, text))));
  assert.is(transport.writes.length, 1);
  assert.equal(
    serverFrames(transport).map((frame) => frame.data),
    sent,
  );
  transport.loseConnection();
});

test("a ping's pong leaves with the echoes, in the order of the frames", () => {
  const { transport } = openWebSocket(echo);
  transport.receive(
    frames(
      clientFrame(Opcode.text, 'a'),
      clientFrame(Opcode.ping, 'x'),
      clientFrame(Opcode.text, 'b'),
      clientFrame(Opcode.ping, 'y'),
    ),
  );
  assert.is(transport.writes.length, 1);
  assert.equal(serverFrames(transport), [
    { opcode: Opcode.text, data: 'a' },
    { opcode: Opcode.pong, data: 'x' },
    { opcode: Opcode.text, data: 'b' },
    { opcode: Opcode.pong, data: 'y' },
  ]);
  transport.loseConnection();
});

test("the peer's close, or a broken frame, after messages: the echoes and our close frame leave in one write, then the connection closes", () => {
  const endings: [Uint8Array, string][] = [
    [clientFrame(Opcode.close, closePayload(1000)), '1000 '],
    [clientFrame(0x3, 'x'), '1002 '],
  ];
  for (const [ending, close] of endings) {
    const { transport } = openWebSocket(echo);
    transport.receive(frames(clientFrame(Opcode.text, 'a'), clientFrame(Opcode.text, 'b'), ending));
    assert.is(transport.writes.length, 1);
    assert.equal(serverFrames(transport), [
      { opcode: Opcode.text, data: 'a' },
      { opcode: Opcode.text, data: 'b' },
      { opcode: Opcode.close, data: close },
    ]);
    assert.ok(transport.closedByProtocol);
    transport.loseConnection();
  }
});

test('a reply sent later (after a promise, or on the clock) goes out in a write of its own, not held', async () => {
  const { transport, clock } = openWebSocket((socket) =>
    socket.messages$.subscribe({
      next: (message) => {
        socket.send(message);
        if (message !== 'later') return;
        void Promise.resolve().then(() => socket.send('from a promise'));
        clock.callLater(1, () => socket.send('from the clock'));
      },
      error: () => undefined, // the connection is lost at the end
    }),
  );
  transport.receive(frames(clientFrame(Opcode.text, 'now'), clientFrame(Opcode.text, 'later')));
  assert.is(transport.writes.length, 1);
  await Promise.resolve();
  assert.is(transport.writes.length, 2);
  clock.advance(1);
  assert.is(transport.writes.length, 3);
  assert.equal(
    serverFrames(transport).map((frame) => frame.data),
    ['now', 'later', 'from a promise', 'from the clock'],
  );
  transport.loseConnection();
});

test('messages that waited for their reader are handed out, and echoed, in one write when it subscribes', () => {
  const { transport, sockets } = openWebSocket();
  transport.receive(frames(clientFrame(Opcode.text, 'a'), clientFrame(Opcode.text, 'b')));
  echo(sockets[0]!);
  assert.is(transport.writes.length, 1);
  assert.equal(
    serverFrames(transport).map((frame) => frame.data),
    ['a', 'b'],
  );
  transport.loseConnection();
});

/** A subscriber written as a `Subscriber` subclass, as old operators were: rxjs does not guard it, so its throw reaches the socket. */
class EchoUnlessBoom extends Subscriber<WebSocketMessage> {
  constructor(private readonly _socket: WebSocket) {
    super();
  }

  protected override _next(message: WebSocketMessage): void {
    if (message === 'boom') throw new Error('boom');
    this._socket.send(message);
  }

  protected override _error(): void {} // the connection is lost at the end
}

test('a subscriber that throws: what the read gathered before still leaves, and the socket is not left corked', async () => {
  const reported: unknown[] = [];
  rxjsConfig.onUnhandledError = (error) => reported.push(error);
  try {
    const { transport, sockets } = openWebSocket((socket) =>
      socket.messages$.subscribe(new EchoUnlessBoom(socket)),
    );
    transport.receive(
      frames(clientFrame(Opcode.ping, 'p'), clientFrame(Opcode.text, 'a'), clientFrame(Opcode.text, 'boom')),
    );
    assert.is(transport.writes.length, 1);
    assert.equal(serverFrames(transport), [
      { opcode: Opcode.pong, data: 'p' },
      { opcode: Opcode.text, data: 'a' },
    ]);
    assert.ok(sockets[0]!.send('later'));
    assert.is(transport.writes.length, 2, 'written at once');
    transport.loseConnection();
  } finally {
    // rxjs reports the throw it caught around the socket's reading on a timer of its own
    await new Promise((resolve) => setTimeout(resolve, 0));
    rxjsConfig.onUnhandledError = null;
  }
  assert.equal(
    reported.map((error) => (error as Error).message),
    ['boom'],
  );
});

test("a user's cork inside a hand-out nests: what it gathers leaves with the hand-out's write", () => {
  const uncorked: boolean[] = [];
  const { transport } = openWebSocket((socket) =>
    socket.messages$.subscribe({
      next: (message) => {
        socket.cork();
        socket.send(message);
        socket.send(`${message}!`);
        uncorked.push(socket.uncork());
      },
      error: () => undefined,
    }),
  );
  transport.receive(frames(clientFrame(Opcode.text, 'a'), clientFrame(Opcode.text, 'b')));
  assert.is(transport.writes.length, 1);
  assert.equal(
    serverFrames(transport).map((frame) => frame.data),
    ['a', 'a!', 'b', 'b!'],
  );
  assert.equal(uncorked, [true, true]);
  transport.loseConnection();
});

test("a user's cork holds what it gathers within a hand-out, past 64 KiB too, and its sends say what the last write found", () => {
  const kilobyte = 'k'.repeat(1024);
  const answers = new Set<boolean>();
  let uncorked: boolean | undefined;
  const { transport, sockets } = openWebSocket((socket) =>
    socket.messages$.subscribe({
      next: () => {
        socket.cork();
        for (let i = 0; i < 100; i++) answers.add(socket.send(kilobyte));
        uncorked = socket.uncork();
      },
      error: () => undefined,
    }),
  );
  transport.setWriteBlocked(true);
  assert.not.ok(sockets[0]!.send('from a timer'));
  transport.receive(clientFrame(Opcode.text, 'go'));
  assert.equal([...answers], [false]);
  assert.is(uncorked, false);
  assert.is(transport.writes.length, 2);
  assert.is(serverFrames(transport).length, 101);
  transport.loseConnection();
});

test("an uncork() with no cork() open changes nothing: the read's echoes still leave together, and later sends go out", () => {
  const { transport, sockets } = openWebSocket((socket) =>
    socket.messages$.subscribe({
      next: (message) => {
        assert.ok(socket.uncork());
        socket.send(message);
      },
      error: () => undefined,
    }),
  );
  transport.receive(frames(clientFrame(Opcode.text, 'a'), clientFrame(Opcode.text, 'b')));
  assert.is(transport.writes.length, 1);
  assert.ok(sockets[0]!.send('later'));
  assert.is(transport.writes.length, 2);
  assert.equal(
    serverFrames(transport).map((frame) => frame.data),
    ['a', 'b', 'later'],
  );
  transport.loseConnection();
});

test("while the connection is full, a hand-out's sends say so, and its write pauses reading until the connection drains", () => {
  const { transport, sockets } = openWebSocket();
  const socket = sockets[0]!;
  const answers: boolean[] = [];
  socket.messages$.subscribe({
    next: (message) => answers.push(socket.send(message)),
    error: () => undefined,
  });
  transport.setWriteBlocked(true);
  assert.not.ok(socket.send('from a timer'), 'the connection is full');
  assert.ok(transport.reading, 'a write from no delivery pauses no one');
  transport.receive(frames(clientFrame(Opcode.text, 'a'), clientFrame(Opcode.text, 'b')));
  assert.equal(answers, [false, false]);
  assert.is(transport.writes.length, 2);
  assert.not.ok(transport.reading);
  transport.setWriteBlocked(false);
  assert.ok(transport.reading);
  transport.receive(clientFrame(Opcode.text, 'c'));
  assert.equal(answers, [false, false, true]);
  assert.equal(
    serverFrames(transport).map((frame) => frame.data),
    ['from a timer', 'a', 'b', 'c'],
  );
  transport.loseConnection();
});

test('a sender that sends until told to wait is told so once the hand-out has gathered 64 KiB; what waits goes out, told there is room, once the connection drains', () => {
  const kilobyte = 'k'.repeat(1024); // a frame of 1028 bytes
  const answers: boolean[] = [];
  let sent = 0;
  const { transport } = openWebSocket((socket) =>
    socket.messages$.subscribe({
      next: (message) => {
        if (message !== 'flood') {
          answers.push(socket.send(message));
          return;
        }
        while (sent < 1000 && socket.send(kilobyte)) sent++;
      },
      error: () => undefined,
    }),
  );
  transport.setWriteBlocked(true);
  transport.receive(
    frames(clientFrame(Opcode.text, 'flood'), clientFrame(Opcode.text, 'x'), clientFrame(Opcode.text, 'y')),
  );
  assert.is(sent, 63, 'the 64th frame took the batch past 64 KiB: written, the connection said it was full');
  assert.is(transport.writes.length, 1);
  assert.is(serverFrames(transport).length, 64);
  assert.not.ok(transport.reading);
  assert.equal(answers, [], 'the messages after wait for the drain');
  transport.setWriteBlocked(false);
  assert.equal(answers, [true, true]);
  assert.is(transport.writes.length, 2);
  assert.equal(
    serverFrames(transport)
      .slice(64)
      .map((frame) => frame.data),
    ['x', 'y'],
  );
  assert.ok(transport.reading);
  transport.loseConnection();
});

test('with permessage-deflate, the compressed echoes of one read leave in one write and inflate in order', () => {
  const { transport } = openWebSocket(echo, {}, 'Sec-WebSocket-Extensions: permessage-deflate\r\n');
  const sent = Array.from({ length: 5 }, (_, i) => `${i} `.repeat(1000));
  transport.receive(frames(...sent.map((text) => clientFrame(Opcode.text, text))));
  assert.is(transport.writes.length, 1);
  const decoder = new MessageDecoder({ role: 'client', inflater: new MessageInflater(false) });
  const received = decoder.push(Uint8Array.from(transport.value()));
  assert.equal(
    received.map((event) => (event.type === 'message' ? event.data : event.type)),
    sent,
  );
  assert.ok(transport.value().length < sent.join('').length / 10, 'compressed');
  transport.loseConnection();
});

test.run();
