import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { SessionLink } from '../../source/_session-link.js';
import { checkClean, trackedClock } from '../../source/testing/dirty-reactor.js';
import { StringTransport } from '../../source/testing/string-transport.js';

const test = checkClean(suite('source/_session-link'));

/** A link over a StringTransport on a tracked clock, recording what it tells its session. */
function linked() {
  const transport = new StringTransport({ allowHalfOpen: true });
  const clock = trackedClock();
  const heard: string[] = [];
  const link = new SessionLink(transport, clock, {
    received: (chunk) => heard.push(`bytes ${Buffer.from(chunk).toString()}`),
    pump: () => heard.push('pump'),
    lost: () => heard.push('lost'),
    expired: () => heard.push(`expired at ${clock.seconds()}`),
  });
  return { transport, clock, heard, link };
}

test('greets, then hands the bytes the peer sends to the session', () => {
  const { transport, heard, link } = linked();
  assert.is(link.state, 'new');
  assert.ok(link.start(() => transport.write('220 ready\r\n')));
  assert.is(link.state, 'reading');
  assert.is(transport.text(), '220 ready\r\n');
  transport.receive('NOOP\r\n');
  assert.equal(heard, ['bytes NOOP\r\n']);
  transport.loseConnection();
});

test('the peer FIN ends the link and lets the session act on it', () => {
  const { transport, heard, link } = linked();
  link.start(() => undefined);
  transport.receive('QUIT\r\n');
  transport.receiveEnd();
  assert.ok(link.ended);
  assert.is(link.state, 'ended');
  assert.equal(heard, ['bytes QUIT\r\n', 'pump']);
  transport.loseConnection();
});

test('drain marks it draining, lets the session act, and fires once the connection is closed', () => {
  const { transport, heard, link } = linked();
  link.start(() => undefined);
  let drained = false;
  link.drain().addCallback(() => {
    drained = true;
  });
  assert.ok(link.draining);
  assert.equal(heard, ['pump']);
  assert.not.ok(drained);
  transport.loseConnection();
  assert.ok(drained);
});

test('the loss stops the reading and the deadline, and tells the session once', () => {
  const { transport, clock, heard, link } = linked();
  link.start(() => undefined);
  link.deadline.set(clock.seconds() + 30);
  transport.loseConnection();
  assert.is(link.state, 'closed');
  assert.not.ok(link.ended);
  assert.equal(heard, ['pump', 'lost'], 'the bytes end first, then the connection is lost');
  assert.equal(clock.getDelayedCalls(), [], 'the deadline is cancelled');
});

test('a connection gone before the start is neither greeted nor read', () => {
  const { transport, heard, link } = linked();
  transport.loseConnection();
  let greeted = false;
  assert.not.ok(
    link.start(() => {
      greeted = true;
    }),
  );
  assert.not.ok(greeted);
  assert.is(link.state, 'closed');
  assert.equal(heard, ['lost']);
});

test('the deadline runs on the clock and tells the session when it passes', () => {
  const { transport, clock, heard, link } = linked();
  link.start(() => undefined);
  link.deadline.set(10);
  clock.advance(9);
  assert.equal(heard, []);
  clock.advance(1);
  assert.equal(heard, ['expired at 10']);
  transport.loseConnection();
});

test('pauseReading reaches the connection only when it changes', () => {
  const { transport, link } = linked();
  link.start(() => undefined);
  const calls: string[] = [];
  const pause = transport.pause.bind(transport);
  const resume = transport.resume.bind(transport);
  transport.pause = () => {
    calls.push('pause');
    pause();
  };
  transport.resume = () => {
    calls.push('resume');
    resume();
  };
  link.pauseReading(false);
  link.pauseReading(true);
  link.pauseReading(true);
  assert.not.ok(transport.reading);
  link.pauseReading(false);
  link.pauseReading(false);
  assert.ok(transport.reading);
  assert.equal(calls, ['pause', 'resume']);
  transport.loseConnection();
});

test('reading pauses while the connection cannot write (it is its own producer)', () => {
  const { transport, link } = linked();
  link.start(() => undefined);
  transport.setWriteBlocked(true);
  transport.write('250 ok\r\n');
  assert.not.ok(transport.reading);
  transport.setWriteBlocked(false);
  assert.ok(transport.reading);
  transport.loseConnection();
});

test.run();
