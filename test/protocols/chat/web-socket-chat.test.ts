import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type ChatRoomOptions, chatRoom } from '../../../protocols/chat/web-socket-chat.js';
import { httpServer } from '../../../protocols/http/server.js';
import { Opcode } from '../../../protocols/websocket/frame.js';
import { checkClean, StringTransport, trackedClock } from '../../../source/testing/index.js';
import { frames } from '../websocket/_frames.js';
import { clientFrame, handshake, serverFrames } from '../websocket/_server.js';

const test = checkClean(suite('protocols/chat/web-socket-chat'));

/** A room whose turns run one at a time on `turn()`, served over HTTP to StringTransports. */
function room(options: ChatRoomOptions = {}) {
  let next: (() => void) | undefined;
  const clock = trackedClock();
  const app = httpServer(
    chatRoom({
      clock,
      scheduler: (work) => {
        next = work;
        return undefined;
      },
      ...options,
    }),
    { clock },
  );
  const clients: StringTransport[] = [];
  /** A client with its WebSocket open. */
  const connect = () => {
    const client = new StringTransport({ allowHalfOpen: true });
    clients.push(client);
    app.serve(client);
    client.receive(handshake());
    assert.match(client.text(), /^HTTP\/1\.1 101 /);
    client.clear();
    return client;
  };
  const turn = () => {
    const work = next;
    next = undefined;
    work?.();
  };
  const end = () => {
    for (const client of clients) if (!client.closedByProtocol) client.loseConnection();
    turn();
    assert.is(next, undefined, 'the room is quiet once everyone left');
  };
  return { connect, turn, end };
}

/** The text messages a client was sent since it was last cleared. */
const texts = (client: StringTransport) =>
  serverFrames(client)
    .filter((frame) => frame.opcode === Opcode.text)
    .map((frame) => frame.data);

test('a message goes to everyone, the sender included, at the end of the turn: one write per member', () => {
  const { connect, turn, end } = room();
  const alice = connect();
  const bob = connect();
  alice.receive(frames(clientFrame(Opcode.text, 'hello'), clientFrame(Opcode.text, 'again')));
  assert.is(bob.writes.length, 0, 'nothing before the turn ends');
  turn();
  for (const client of [alice, bob]) {
    assert.is(client.writes.length, 1);
    assert.equal(texts(client), ['hello', 'again']);
  }
  end();
});

test('a member whose connection is full misses messages, is not read, and is told how many when it drains', () => {
  const { connect, turn, end } = room();
  const alice = connect();
  const slow = connect();
  slow.setWriteBlocked(true);
  alice.receive(clientFrame(Opcode.text, 'first'));
  turn();
  assert.equal(texts(slow), ['first']);
  const writes = slow.writes.length;
  for (let i = 0; i < 100; i++) {
    alice.receive(clientFrame(Opcode.text, `missed ${i}`));
    turn();
  }
  assert.is(slow.writes.length, writes, 'nothing written to it, nor kept for it, while full');
  assert.not.ok(slow.reading);
  assert.ok(alice.reading, 'it slows no sender (its full buffer once paused whoever was talking)');
  slow.receive(clientFrame(Opcode.text, 'unheard'));
  turn();
  alice.clear();
  slow.clear();
  slow.setWriteBlocked(false);
  turn();
  assert.equal(texts(slow), ['* 100 messages dropped while you were not reading', 'unheard']);
  assert.equal(texts(alice), ['unheard'], 'read again once drained');
  end();
});

test('a flooder is handled messagesPerTurn messages a turn, and another member’s message gets through in the next turn', () => {
  const { connect, turn, end } = room({ messagesPerTurn: 2 });
  const listener = connect();
  const flooder = connect();
  flooder.receive(frames(...Array.from({ length: 20 }, (_, i) => clientFrame(Opcode.text, `flood ${i}`))));
  assert.not.ok(flooder.reading, 'messages beyond the budget wait; their sender is not read');
  turn();
  listener.clear();
  listener.receive(clientFrame(Opcode.text, 'me too'));
  turn();
  assert.equal(texts(listener), ['flood 4', 'me too']);
  for (let i = 0; i < 20 && !flooder.reading; i++) turn();
  assert.ok(flooder.reading, 'read again once its messages are handled');
  assert.equal(
    texts(listener).slice(2),
    Array.from({ length: 15 }, (_, i) => `flood ${i + 5}`),
  );
  end();
});

test('a binary message closes its sender’s socket with 1003', () => {
  const { connect, turn, end } = room();
  const mallory = connect();
  mallory.receive(clientFrame(Opcode.binary, Uint8Array.from([1])));
  turn();
  assert.equal(serverFrames(mallory), [{ opcode: Opcode.close, data: '1003 text messages only' }]);
  end();
});

test.run();
