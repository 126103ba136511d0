import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type ChatOptions, chat } from '../../../protocols/chat/line-chat.js';
import type { Session } from '../../../source/protocol.js';
import { checkClean, StringTransport } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/chat/line-chat'));

/** A chat whose turns run one at a time on `turn()`, and its clients on StringTransports. */
function room(options: ChatOptions = {}) {
  let next: (() => void) | undefined;
  const app = chat({
    scheduler: (work) => {
      assert.is(next, undefined, 'one turn scheduled at a time');
      next = work;
      return undefined;
    },
    ...options,
  });
  const clients: StringTransport[] = [];
  const sessions = new Map<StringTransport, Session>();
  /** A new client: connected, asked its name (at the end of the turn). */
  const connect = () => {
    const client = new StringTransport();
    clients.push(client);
    const session = app.serve(client);
    if (session !== undefined) sessions.set(client, session);
    return client;
  };
  /** Runs the room's next turn, if one is scheduled. */
  const turn = () => {
    const work = next;
    next = undefined;
    work?.();
  };
  /** A new client, joined as `name` and cleared. */
  const join = (name: string) => {
    const client = connect();
    client.receive(`${name}\n`);
    turn();
    assert.match(client.text(), `Welcome, ${name}!\r\n`);
    client.clear();
    return client;
  };
  /** Everyone leaves; the last turn runs, and no other is left to run. */
  const end = () => {
    for (const client of clients) if (!client.closedByProtocol) client.loseConnection();
    turn();
    turn();
    assert.is(next, undefined, 'the room is quiet once everyone left');
  };
  return { connect, join, turn, end, sessions };
}

/** The lines a client was sent since it was last cleared. */
const linesOf = (client: StringTransport) => client.text().split('\r\n').slice(0, -1);

test('asks a name, welcomes it and tells the others, at the end of the turn', () => {
  const { connect, join, turn, end } = room();
  const alice = join('alice');
  const bob = connect();
  assert.is(bob.text(), '', 'nothing is written before the turn ends');
  turn();
  assert.is(bob.text(), "What's your name?\r\n");
  bob.receive('alice\r\n');
  turn();
  assert.match(bob.text(), 'Name taken, please choose another.\r\n');
  bob.receive('bob\n');
  turn();
  assert.match(bob.text(), 'Welcome, bob!\r\n');
  assert.equal(linesOf(alice), ['* bob has joined']);
  end();
});

test('what one turn says to a client goes out in one write', () => {
  const { join, turn, end } = room();
  const alice = join('alice');
  const bob = join('bob');
  alice.clear();
  bob.receive('one\ntwo\r\nthree\n');
  const before = alice.writes.length;
  turn();
  assert.is(alice.writes.length, before + 1);
  assert.equal(linesOf(alice), ['<bob> one', '<bob> two', '<bob> three']);
  assert.is(bob.text(), '', 'never back to the sender');
  end();
});

test('a conversation comes out the same at every chunk size', () => {
  const input = 'carol\nhello there\r\nhow are you?\n\n/quit\n';
  let expected: string[] | undefined;
  for (let size = 1; size <= input.length; size++) {
    const { connect, join, turn, end } = room({ linesPerTurn: 2 });
    const alice = join('alice');
    const carol = connect();
    for (let at = 0; at < input.length; at += size) {
      carol.receive(input.slice(at, at + size));
      turn();
    }
    for (let i = 0; i < 5; i++) turn();
    assert.ok(carol.closedByProtocol, `${size}-byte chunks: /quit closed it`);
    assert.match(carol.text(), /Welcome, carol!\r\nBye!\r\n$/, `${size}-byte chunks`);
    expected ??= linesOf(alice);
    assert.equal(linesOf(alice), expected, `${size}-byte chunks`);
    end();
  }
  assert.equal(expected, [
    '* carol has joined',
    '<carol> hello there',
    '<carol> how are you?',
    '<carol> ',
    '* carol has left',
  ]);
});

test('a flooder is handled linesPerTurn lines a turn, not read meanwhile, and cannot starve a joining client', () => {
  const { connect, join, turn, end } = room({ linesPerTurn: 4 });
  const listener = join('listener');
  const flooder = join('flooder');
  listener.clear();
  flooder.receive(Array.from({ length: 100 }, (_, i) => `flood ${i}\n`).join(''));
  assert.equal(linesOf(listener), [], 'nothing written before the turn ends');
  assert.not.ok(flooder.reading, 'lines beyond the turn’s budget wait; their sender is not read');
  const joiner = connect();
  turn(); // the prompt
  assert.is(joiner.text(), "What's your name?\r\n");
  const before = linesOf(listener).length;
  assert.is(before, 8, 'four lines at once (the budget left), four in the turn');
  joiner.receive('joiner\n');
  assert.not.ok(joiner.reading, 'the turn’s budget is spent: its line waits too');
  turn();
  assert.match(
    joiner.text(),
    'Welcome, joiner!\r\n',
    'welcomed in the next turn, between the flooder’s lines',
  );
  const seen = linesOf(listener).slice(before);
  assert.is(seen.length, 4, 'linesPerTurn lines in the turn: three of the flooder’s, then the join');
  assert.ok(seen.includes('* joiner has joined'));
  let turns = 2;
  for (; !flooder.reading && turns < 100; turns++) turn();
  assert.ok(flooder.reading, 'read again once its lines are handled');
  const flooded = linesOf(listener).filter((line) => line.startsWith('<flooder>'));
  assert.equal(
    flooded,
    Array.from({ length: 100 }, (_, i) => `<flooder> flood ${i}`),
    'every line, in order',
  );
  assert.ok(turns >= 100 / 4, `${turns} turns for 100 lines at 4 a turn`);
  end();
});

test('the lines before a client’s FIN are all handled, then its connection closes', () => {
  const { join, turn, end } = room({ linesPerTurn: 3 });
  const listener = join('listener');
  const leaver = join('leaver');
  listener.clear();
  leaver.receive(Array.from({ length: 10 }, (_, i) => `line ${i}\n`).join(''));
  leaver.receiveEnd();
  for (let i = 0; i < 6; i++) turn();
  assert.ok(leaver.closedByProtocol);
  assert.equal(linesOf(listener), [
    ...Array.from({ length: 10 }, (_, i) => `<leaver> line ${i}`),
    '* leaver has left',
  ]);
  end();
});

test('a client whose connection is full misses messages, is not read, and is told how many when it drains', () => {
  const { join, turn, end } = room();
  const alice = join('alice');
  const slow = join('slow');
  alice.clear();
  slow.setWriteBlocked(true);
  alice.receive('first\n');
  turn();
  assert.equal(linesOf(slow), ['<alice> first'], 'written: that write filled its buffer');
  const writes = slow.writes.length;
  for (let i = 0; i < 1000; i++) {
    alice.receive(`missed ${i}\n`);
    turn();
  }
  assert.is(slow.writes.length, writes, 'nothing written to it, nor kept for it, while full');
  assert.not.ok(slow.reading, 'a client that does not read is not read either');
  slow.receive('unheard\n');
  turn();
  assert.equal(linesOf(alice), [], 'its lines wait in its socket');
  slow.clear();
  slow.setWriteBlocked(false);
  turn();
  assert.equal(linesOf(slow), ['* 1000 messages dropped while you were not reading']);
  assert.equal(linesOf(alice), ['<slow> unheard'], 'read again once drained');
  alice.receive('caught up?\n');
  turn();
  assert.equal(linesOf(slow).slice(-1), ['<alice> caught up?']);
  end();
});

test('a line over 1024 bytes drops its sender only, after the lines before it', () => {
  const { join, turn, end } = room();
  const alice = join('alice');
  const mallory = join('mallory');
  alice.clear();
  mallory.receive(`before\n${'x'.repeat(2000)}`);
  turn();
  assert.match(mallory.text(), /\* Line too long, goodbye\.\r\n$/);
  assert.ok(mallory.closedByProtocol);
  assert.equal(linesOf(alice), ['<mallory> before', '* mallory has left']);
  end();
});

test('draining (the server closing) says goodbye and closes; a client that does not read is cut at once', () => {
  const { join, turn, end, sessions } = room();
  const reader = join('reader');
  const stuck = join('stuck');
  stuck.setWriteBlocked(true);
  reader.receive('fill it\n');
  turn();
  reader.clear();
  for (const [, session] of sessions) session.drain(10);
  assert.match(reader.text(), '* The server is shutting down, goodbye.\r\n');
  assert.not.ok(reader.aborted);
  assert.ok(stuck.aborted, 'nothing to wait for: it does not read');
  end();
});

test.run();
