import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type FtpReply, ReplyDecoder } from '../../protocols/ftp/reply.js';
import { ReplyError } from '../../protocols/ftp/reply-error.js';
import { isExpectedCode, ReplyChannel } from '../../source/_reply-channel.js';
import type { Connection } from '../../source/connection.js';
import type { Deferred } from '../../source/deferred.js';
import { ConnectionDone, ConnectionLost, TimeoutError } from '../../source/errors.js';
import { connectedPair } from '../../source/testing/connected-pair.js';
import { checkClean, trackedClock } from '../../source/testing/dirty-reactor.js';
import { StringTransport } from '../../source/testing/string-transport.js';
import { chunkings } from '../support/chunkings.js';
import { failureOf, resultOf } from '../support/failure-of.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const test = checkClean(suite('source/_reply-channel'));

/** The error the test protocol gives a server that does not keep to it. */
class Misbehaved extends Error {}

/** A channel of FTP replies (the decoder is FTP's; the rest is the test's) on `connection`. */
function channelOn(connection: Connection, maxUnasked = 4) {
  const clock = trackedClock();
  const channel = new ReplyChannel<FtpReply>(connection, clock, {
    protocol: 'FTP',
    decoder: () => new ReplyDecoder(),
    maxUnasked,
    replyError: (message) => new Misbehaved(message),
    timedOut: (seconds, label) => new TimeoutError(`no reply to ${label} in ${seconds} s`, { seconds }),
  });
  return { clock, channel };
}

/** A channel on a StringTransport the test plays the server on. */
function opened(maxUnasked = 4) {
  const transport = new StringTransport({ side: 'client' });
  return { transport, ...channelOn(transport, maxUnasked) };
}

const codeOf = (reply: Deferred<FtpReply>): number => resultOf(reply).code;

/** What `d` failed with, checked to be a `type`. */
function errorOf<E>(d: Deferred<unknown>, type: abstract new (...args: never[]) => E): E {
  const error = failureOf(d)?.value;
  assert.instance(error, type);
  return error as E;
}

test('replies that came before anybody asked are handed out in order', () => {
  const { transport, channel } = opened();
  transport.receive('220 hello\r\n331 password?\r\n');
  assert.is(channel.unasked, 2);
  assert.is(codeOf(channel.next(5)), 220);
  assert.is(codeOf(channel.next(5)), 331);
  assert.is(channel.unasked, 0);
  channel.close();
});

test('replies that come after the waits answer them in order', () => {
  const { transport, channel } = opened();
  const first = channel.next(5);
  const second = channel.next(5);
  assert.not.ok(first.called);
  transport.receive('220 hello\r\n');
  assert.is(codeOf(first), 220);
  assert.not.ok(second.called);
  transport.receive('331 password?\r\n');
  assert.is(codeOf(second), 331);
  channel.close();
});

test('replies split at every byte are matched in order, the waits asked before or after them', () => {
  const input = Buffer.from('220-hello\r\n there\r\n220 end\r\n331 password?\r\n230 in\r\n');
  for (const { label, chunks } of chunkings(input)) {
    const { transport, channel } = opened();
    const early = [channel.next(5), channel.next(5)];
    for (const chunk of chunks) transport.receive(chunk);
    const late = channel.next(5);
    assert.equal([...early, late].map(codeOf), [220, 331, 230], label);
    assert.equal(resultOf(early[0]!).lines, ['hello', ' there', 'end'], label);
    channel.close();
  }
});

test("a wait's callback may ask for the next reply while the replies of one chunk are handed out", () => {
  const { transport, channel } = opened();
  const codes: number[] = [];
  channel.next(5).addCallback((reply) => {
    codes.push(reply.code);
    channel.next(5).addCallback((next) => codes.push(next.code));
  });
  transport.receive('150 opening\r\n226 done\r\n');
  assert.equal(codes, [150, 226]);
  assert.is(channel.unasked, 0);
  channel.close();
});

test("a wait's callback that closes the channel leaves the rest of the chunk unread", () => {
  const { transport, channel } = opened();
  channel.next(5).addCallback(() => {
    channel.close();
  });
  transport.receive('221 bye\r\n200 after the end\r\n');
  assert.instance(channel.closedReason, ConnectionDone);
  assert.is(channel.unasked, 0);
});

test('only the awaited wait is timed: the one behind it gets its seconds once it is awaited', () => {
  const { transport, clock, channel } = opened();
  const first = channel.next(10, 'USER');
  const second = channel.next(3, 'PASS');
  clock.advance(9);
  assert.not.ok(second.called, 'the second wait is not timed while the first is awaited');
  transport.receive('331 password?\r\n');
  assert.is(codeOf(first), 331);
  clock.advance(2.5);
  assert.not.ok(second.called, 'its 3 seconds count from when the first reply came');
  clock.advance(0.5);
  const error = errorOf(second, TimeoutError);
  assert.is(error.message, 'no reply to PASS in 3 s');
  assert.ok(transport.aborted);
  assert.equal(clock.getDelayedCalls(), []);
});

test("asking for another reply does not move the awaited one's deadline", () => {
  const { clock, channel } = opened();
  const first = channel.next(10, 'LIST');
  clock.advance(6);
  const second = channel.next(10, 'NOOP');
  clock.advance(4);
  assert.is(failureOf(first)?.value.message, 'no reply to LIST in 10 s');
  assert.instance(failureOf(second)?.value, TimeoutError);
});

test('a timeout fails every wait, and every later one, with the same reason', () => {
  const { clock, channel } = opened();
  const waits = [channel.next(1, 'NOOP'), channel.next(60, 'STAT')];
  clock.advance(1);
  const reason = channel.closedReason;
  assert.instance(reason, TimeoutError);
  for (const wait of waits) assert.is(failureOf(wait)?.value, reason);
  assert.is(failureOf(channel.next(5))?.value, reason);
  assert.is(failureOf(channel.command('NOOP', 5))?.value, reason);
});

test('a reply answering the awaited wait stops its clock', () => {
  const { transport, clock, channel } = opened();
  const reply = channel.next(10);
  transport.receive('200 ok\r\n');
  clock.advance(60);
  assert.is(codeOf(reply), 200);
  assert.is(channel.closedReason, undefined);
  channel.close();
});

test("replies nobody asked for wait up to maxUnasked; one more fails the channel with the protocol's error", () => {
  const { transport, channel } = opened(2);
  transport.receive('200 a\r\n200 b\r\n');
  assert.is(channel.unasked, 2);
  assert.is(channel.closedReason, undefined);
  transport.receive('200 c\r\n');
  const reason = channel.closedReason;
  assert.instance(reason, Misbehaved);
  assert.is(reason?.message, 'the FTP server sent more than 2 replies nobody asked for');
  assert.ok(transport.aborted);
  assert.is(channel.unasked, 0, 'the kept replies are dropped');
  assert.is(failureOf(channel.next(5))?.value, reason);
});

test('replies answering waits do not count against maxUnasked', () => {
  const { transport, channel } = opened(1);
  const waits = [channel.next(5), channel.next(5), channel.next(5)];
  transport.receive('200 a\r\n200 b\r\n200 c\r\n200 d\r\n');
  assert.equal(waits.map(codeOf), [200, 200, 200]);
  assert.is(channel.unasked, 1);
  assert.is(channel.closedReason, undefined);
  channel.close();
});

test('a line with a CR or an LF is refused, naming the protocol, and nothing is written', () => {
  const { transport, channel } = opened();
  assert.throws(
    () => channel.send(['NOOP', 'USER a\r\nDELE x']),
    (error: unknown) =>
      error instanceof TypeError && error.message === 'an FTP command cannot hold a CR or an LF',
  );
  assert.instance(failureOf(channel.command('CWD a\nb', 5))?.value, TypeError);
  assert.is(transport.text(), '');
  assert.is(channel.closedReason, undefined, 'the channel stays open');
  channel.send(['USER a', 'PASS b']);
  assert.is(transport.text(), 'USER a\r\nPASS b\r\n', 'several lines go in one write');
  assert.is(transport.writes.length, 1);
  channel.close();
});

test('a reply the decoder cannot read fails the channel after the replies before it', () => {
  const { transport, channel } = opened();
  const first = channel.next(5);
  const second = channel.next(5);
  transport.receive('200 ok\r\nnot a reply\r\n');
  assert.is(codeOf(first), 200);
  assert.instance(failureOf(second)?.value, ReplyError);
  assert.ok(transport.aborted);
});

test('closing fails every wait, now and later, cancels the deadline and closes the connection', () => {
  const { transport, clock, channel } = opened();
  const waits = [channel.next(5), channel.next(5)];
  let closed = false;
  channel.close().addCallback(() => {
    closed = true;
  });
  for (const wait of waits) {
    const error = errorOf(wait, ConnectionDone);
    assert.is(error.message, 'the FTP client closed the connection');
  }
  assert.instance(failureOf(channel.next(5))?.value, ConnectionDone);
  assert.ok(closed);
  assert.ok(transport.closedByProtocol);
  assert.not.ok(transport.aborted);
  assert.equal(clock.getDelayedCalls(), []);
});

test("the peer's FIN fails every wait, now and later, and drops the connection", () => {
  const { transport, channel } = opened();
  const wait = channel.next(5);
  transport.receiveEnd();
  const error = errorOf(wait, ConnectionDone);
  assert.is(error.message, 'the FTP server closed the connection');
  assert.ok(transport.aborted);
  assert.is(failureOf(channel.next(5))?.value, error);
});

test("the connection's loss fails every wait with its reason", () => {
  const { transport, channel } = opened();
  const waits = [channel.next(5), channel.next(5)];
  transport.loseConnection(new ConnectionLost('reset by peer'));
  for (const wait of waits) {
    const error = errorOf(wait, ConnectionLost);
    assert.is(error.message, 'reset by peer');
  }
});

test('a cancelled wait keeps its place: the reply owed to it is dropped, the next goes to the next wait', () => {
  const { transport, channel } = opened();
  const cancelled = channel.next(5);
  const next = channel.next(5);
  cancelled.cancel();
  failureOf(cancelled);
  transport.receive('250 for the cancelled one\r\n257 for the next\r\n');
  assert.is(codeOf(next), 257);
  channel.close();
});

test("startTLS after a reply read in the clear past the go-ahead fails the channel with the protocol's error", () => {
  const { transport, channel } = opened();
  const goAhead = channel.next(5);
  transport.receive('234 go ahead\r\n200 injected\r\n');
  assert.is(codeOf(goAhead), 234);
  const error = errorOf(channel.startTLS({}, 'AUTH TLS'), Misbehaved);
  assert.is(error.message, 'the FTP server sent replies in the clear after its reply to AUTH TLS');
  assert.ok(transport.aborted);
  assert.is(errorOf(channel.next(5), Misbehaved), error);
});

test("startTLS from the go-ahead's callback fails the channel when the same chunk holds a reply after it", () => {
  const { transport, channel } = opened();
  let upgrade: Deferred<void> | undefined;
  channel.next(5).addCallback(() => {
    upgrade = channel.startTLS({}, 'AUTH TLS');
  });
  transport.receive('234 go ahead\r\n200 injected\r\n');
  errorOf(upgrade!, Misbehaved);
  assert.is(channel.unasked, 0, 'the injected reply is not kept for the next wait');
  assert.ok(transport.aborted);
});

test('startTLS drops the part of a reply read in the clear: the first reply over TLS is read whole', async () => {
  const { key, cert } = throwawayCertificate();
  const pair = connectedPair();
  const { channel } = channelOn(pair.client);
  const goAhead = channel.next(5);
  pair.server.write('234 go ahead\r\n200 inj');
  await pair.flush();
  assert.is(codeOf(goAhead), 234);
  await Promise.all([
    pair.server.startTLS({ key, cert }),
    channel.startTLS({ ca: cert, servername: 'localhost' }, 'AUTH TLS'),
  ]);
  const reply = channel.next(5);
  pair.server.write('200 secure\r\n');
  await pair.flush();
  assert.equal(resultOf(reply).lines, ['secure']);
  await channel.close();
  await pair.flush();
});

test('isExpectedCode takes whole codes, or a digit for the class', () => {
  assert.ok(isExpectedCode(250, [250]));
  assert.ok(isExpectedCode(251, [2]));
  assert.ok(isExpectedCode(354, [250, 354]));
  assert.not.ok(isExpectedCode(251, [250]));
  assert.not.ok(isExpectedCode(450, [2, 3]));
  assert.not.ok(isExpectedCode(220, []));
});

test.run();
