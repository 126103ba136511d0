import { setImmediate as nextTurn } from 'node:timers/promises';
import { take } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type BodySource, BodyStream, type BodyStreamOptions } from '../../source/body-stream.js';
import type { Deferred } from '../../source/deferred.js';
import { BodyConsumedError, BodyTooLargeError, CancelledError, ConnectionLost } from '../../source/errors.js';
import { activeProducer } from '../../source/producer.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { StringTransport } from '../../source/testing/string-transport.js';
import { chunkings } from '../support/chunkings.js';
import { failureOf } from '../support/failure-of.js';
import { collectGarbage } from '../support/gc.js';
import { recordStream } from '../support/record-stream.js';

const test = checkClean(suite('source/body-stream'));

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const text = (chunk: Uint8Array) => decoder.decode(chunk);

/** A body source that records what the stream asks of it, in order. */
function recordingSource() {
  const calls: string[] = [];
  const source: BodySource = {
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    reading: () => calls.push('reading'),
    abandon: (reason: Error) => calls.push(`abandon: ${reason.constructor.name}`),
  };
  return { source, calls };
}

/** A stream fed by a recording source. */
function fed(options: Omit<BodyStreamOptions, 'source'> = {}) {
  const { source, calls } = recordingSource();
  return { body: new BodyStream({ ...options, source }), calls };
}

/** Reads the stream with for await to the end; resolves with the chunks and what it threw. */
async function iterate(body: AsyncIterable<Uint8Array>) {
  const chunks: string[] = [];
  try {
    for await (const chunk of body) chunks.push(text(chunk));
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined as unknown };
}

/** The result a Deferred fired with, if it has. */
function resultOf<T>(d: Deferred<T>): T | undefined {
  let result: T | undefined;
  d.addCallback((value) => {
    result = value;
    return value;
  });
  return result;
}

const sample = bytes('hello, body stream');

test('an observer gets every pushed chunk in order, then the end, at every chunking', () => {
  for (const { label, chunks } of chunkings(sample)) {
    const body = new BodyStream();
    const seen = recordStream(body);
    for (const chunk of chunks) body.push(chunk);
    assert.not.ok(seen.completed, label);
    body.end();
    assert.is(seen.chunks.join(''), 'hello, body stream', label);
    assert.equal(
      seen.chunks,
      chunks.filter((chunk) => chunk.byteLength > 0).map(text),
      `${label}: one delivery per non-empty chunk`,
    );
    assert.ok(seen.completed, label);
  }
});

test('an async reader gets every chunk in order and ends with the body, at every chunking', async () => {
  for (const { label, chunks } of chunkings(sample)) {
    const body = new BodyStream();
    const reading = iterate(body);
    for (const chunk of chunks) body.push(chunk);
    body.end();
    const { chunks: read, error } = await reading;
    assert.is(read.join(''), 'hello, body stream', label);
    assert.is(error, undefined, label);
  }
});

test('a failure errors the observer after the chunks before it', () => {
  const body = new BodyStream();
  const seen = recordStream(body);
  body.push(bytes('a'));
  const reset = new ConnectionLost('reset');
  body.fail(reset);
  assert.equal(seen.chunks, ['a']);
  assert.is(seen.error, reset);
  assert.not.ok(seen.completed);
});

test('pushes after the end or a failure, empty chunks, and a second end or fail are ignored', () => {
  const ended = new BodyStream();
  const seenEnded = recordStream(ended);
  ended.push(new Uint8Array(0));
  ended.push(bytes('x'));
  ended.end();
  ended.push(bytes('late'));
  ended.fail(new ConnectionLost());
  ended.end();
  assert.equal(seenEnded.chunks, ['x']);
  assert.ok(seenEnded.completed);
  assert.is(seenEnded.error, undefined);
  const failed = new BodyStream();
  const seenFailed = recordStream(failed);
  const first = new ConnectionLost('first');
  failed.fail(first);
  failed.fail(new ConnectionLost('second'));
  failed.end();
  failed.push(bytes('late'));
  assert.is(seenFailed.error, first);
  assert.equal(seenFailed.chunks, []);
  assert.not.ok(seenFailed.completed);
});

test('an observer that comes after the end gets the chunks that waited, then the end; after a failure, then the error', () => {
  const ended = new BodyStream();
  ended.push(bytes('a'));
  ended.push(bytes('b'));
  ended.end();
  const seen = recordStream(ended);
  assert.equal(seen.chunks, ['a', 'b']);
  assert.ok(seen.completed);
  const failed = new BodyStream();
  failed.push(bytes('a'));
  const reset = new ConnectionLost('reset');
  failed.fail(reset);
  const late = recordStream(failed);
  assert.equal(late.chunks, ['a']);
  assert.is(late.error, reset);
});

test('an async reader gets the chunks that arrived before a failure, then the error, also while it waits', async () => {
  const body = new BodyStream();
  body.push(bytes('first'));
  body.push(bytes('second'));
  const reset = new ConnectionLost('reset');
  body.fail(reset);
  assert.equal(await iterate(body), { chunks: ['first', 'second'], error: reset });
  const waiting = new BodyStream();
  const reading = iterate(waiting);
  waiting.push(bytes('a'));
  await Promise.resolve();
  waiting.fail(reset); // while the reader waits for more
  const stillWaiting = nextTurn().then(() => 'still waiting');
  assert.equal(await Promise.race([reading, stillWaiting]), { chunks: ['a'], error: reset });
});

test('a second subscriber gets BodyConsumedError, and the first reads on', () => {
  const body = new BodyStream();
  const first = recordStream(body);
  const second = recordStream(body);
  assert.instance(second.error, BodyConsumedError);
  body.push(bytes('a'));
  body.end();
  assert.equal(first.chunks, ['a']);
  assert.ok(first.completed);
});

test('a second for await throws BodyConsumedError, during the first and after it', async () => {
  const body = new BodyStream();
  const first = body[Symbol.asyncIterator]();
  const pending = first.next();
  assert.instance((await iterate(body)).error, BodyConsumedError);
  body.push(bytes('a'));
  body.end();
  assert.is(text((await pending).value as Uint8Array), 'a');
  assert.ok((await first.next()).done);
  assert.instance((await iterate(body)).error, BodyConsumedError);
});

test('readAll after any read, and any read after readAll, fails with BodyConsumedError', async () => {
  const subscribed = new BodyStream();
  recordStream(subscribed);
  assert.instance(failureOf(subscribed.readAll())?.value, BodyConsumedError);
  const iterated = new BodyStream();
  iterated.end();
  await iterate(iterated);
  assert.instance(failureOf(iterated.readAll())?.value, BodyConsumedError);
  const readWhole = new BodyStream();
  readWhole.end();
  assert.equal(resultOf(readWhole.readAll()), new Uint8Array(0));
  assert.instance(failureOf(readWhole.readAll())?.value, BodyConsumedError);
  assert.instance(recordStream(readWhole).error, BodyConsumedError);
  assert.instance((await iterate(readWhole)).error, BodyConsumedError);
});

test('chunks that come before the reader wait, and the source is paused once highWaterMark bytes do, at every chunking', async () => {
  const twenty = bytes('0123456789abcdefghij');
  for (const { label, chunks } of chunkings(twenty)) {
    const { body, calls } = fed({ highWaterMark: 10 });
    let waiting = 0;
    for (const chunk of chunks) {
      const wasBelow = waiting < 10;
      body.push(chunk);
      waiting += chunk.byteLength;
      if (wasBelow && waiting >= 10) assert.equal(calls, ['pause'], `${label}: paused at ${waiting} bytes`);
      else if (waiting < 10) assert.equal(calls, [], `${label}: not paused at ${waiting} bytes`);
    }
    assert.equal(calls, ['pause'], `${label}: paused once`);
    const seen = recordStream(body);
    assert.is(seen.chunks.join(''), '0123456789abcdefghij', `${label}: nothing was lost`);
    assert.equal(calls, ['pause', 'reading', 'resume'], `${label}: resumed once the reader caught up`);
    body.end();
  }
});

test('an async reader that falls behind pauses the source, and resumes it as it catches up', async () => {
  const { body, calls } = fed({ highWaterMark: 10 });
  const iterator = body[Symbol.asyncIterator]();
  const first = iterator.next();
  body.push(bytes('012345'));
  assert.equal((await first).value, bytes('012345'));
  body.push(bytes('012345'));
  assert.equal(calls, ['reading']);
  body.push(bytes('6789'));
  assert.equal(calls, ['reading', 'pause']);
  await iterator.next();
  assert.equal(calls, ['reading', 'pause', 'resume']);
  body.end();
  assert.equal((await iterator.next()).value, bytes('6789'));
  assert.ok((await iterator.next()).done);
});

test('highWaterMark 0 pauses the source while any byte waits unread, and resumes it once none does (it stayed paused for good)', async () => {
  const { body, calls } = fed({ highWaterMark: 0 });
  const iterator = body[Symbol.asyncIterator]();
  const first = iterator.next();
  assert.equal(calls, ['reading'], 'an empty stream does not pause its source');
  body.push(bytes('a'));
  assert.equal(calls, ['reading', 'pause']);
  assert.is(text((await first).value as Uint8Array), 'a');
  assert.equal(calls, ['reading', 'pause', 'resume'], 'nothing waits once the reader took it');
  body.push(bytes('b'));
  assert.is(text((await iterator.next()).value as Uint8Array), 'b');
  assert.equal(calls, ['reading', 'pause', 'resume', 'pause', 'resume']);
  const observed = fed({ highWaterMark: 0 });
  const seen = recordStream(observed.body);
  observed.body.push(bytes('c'));
  assert.equal(seen.chunks, ['c']);
  assert.equal(observed.calls, ['reading']);
  observed.body.end();
  await iterator.return();
});

test('once the bytes have ended or failed, a pause on the source is lifted though nobody read them', () => {
  const ended = fed({ highWaterMark: 4 });
  ended.body.push(bytes('full'));
  assert.equal(ended.calls, ['pause']);
  ended.body.end();
  assert.equal(ended.calls, ['pause', 'resume']);
  assert.equal(recordStream(ended.body).chunks, ['full'], 'the bytes still wait for the reader');
  const failed = fed({ highWaterMark: 4 });
  failed.body.push(bytes('full'));
  failed.body.fail(new ConnectionLost());
  assert.equal(failed.calls, ['pause', 'resume']);
  recordStream(failed.body);
});

test('chunks are delivered to an observer with the stream as the active producer', () => {
  const body = new BodyStream();
  const producers: unknown[] = [];
  body.subscribe(() => producers.push(activeProducer()));
  body.push(bytes('direct')); // delivered as it comes
  body.pauseProducing();
  body.push(bytes('queued'));
  body.resumeProducing(); // delivered from the queue
  assert.equal(producers, [body, body]);
  assert.is(activeProducer(), undefined, 'only while delivering');
  body.end();
});

test('an observer whose write blocks pauses the stream and its source until the connection it writes to drains', () => {
  const { body, calls } = fed({ highWaterMark: 1000 });
  const sink = new StringTransport();
  body.subscribe(sink);
  body.push(bytes('a'));
  assert.is(sink.text(), 'a');
  sink.setWriteBlocked(true);
  body.push(bytes('b')); // this write returns false: the stream is the active producer, and is paused
  assert.equal(calls, ['reading', 'pause']);
  body.push(bytes('c'));
  body.push(bytes('d'));
  assert.is(sink.text(), 'ab', 'c and d wait in the stream');
  sink.setWriteBlocked(false);
  assert.is(sink.text(), 'abcd');
  assert.equal(calls, ['reading', 'pause', 'resume']);
  body.end();
  assert.ok(sink.closedByProtocol, 'the observer completed');
});

test('a failure reaches a paused observer at once, dropping the chunks that wait', () => {
  const { body, calls } = fed();
  const seen = recordStream(body);
  body.pauseProducing();
  body.push(bytes('queued'));
  const reset = new ConnectionLost('reset');
  body.fail(reset);
  assert.is(seen.error, reset);
  assert.equal(seen.chunks, []);
  body.resumeProducing();
  assert.equal(seen.chunks, [], 'nothing comes after the error');
  assert.equal(calls, ['reading', 'pause', 'resume']);
});

test('the end reaches a paused observer only after the chunks that wait', () => {
  const body = new BodyStream();
  const seen = recordStream(body);
  body.pauseProducing();
  body.push(bytes('queued'));
  body.end();
  assert.not.ok(seen.completed);
  body.resumeProducing();
  assert.equal(seen.chunks, ['queued']);
  assert.ok(seen.completed);
});

test('unsubscribing before the end abandons the body: the source is told and later chunks are dropped', () => {
  const { body, calls } = fed({ highWaterMark: 4 });
  const seen: number[] = [];
  const subscription = body.subscribe((chunk) => seen.push(chunk.byteLength));
  body.push(bytes('ab'));
  subscription.unsubscribe();
  body.push(bytes('cdefgh')); // dropped, not kept: the source is not paused for it
  body.end();
  assert.equal(seen, [2]);
  assert.equal(calls, ['reading', 'abandon: CancelledError']);
  assert.not.ok(body.reading);
});

test('an abandoned body keeps neither the chunks that waited nor those pushed after', async () => {
  const body = new BodyStream();
  const refs = (() => {
    const subscription = body.subscribe(() => {});
    body.pauseProducing(); // the observer's consumer is blocked: chunks wait
    const waiting = bytes('waiting');
    body.push(waiting);
    subscription.unsubscribe();
    const later = bytes('later');
    body.push(later);
    return [new WeakRef(waiting), new WeakRef(later)];
  })();
  await collectGarbage();
  assert.equal(
    refs.map((ref) => ref.deref()),
    [undefined, undefined],
  );
  body.end();
});

test('a subscriber that leaves on its first chunk (take(1)) abandons the body, with chunks still waiting', () => {
  const { body, calls } = fed();
  body.push(bytes('a'));
  body.push(bytes('b'));
  const seen: string[] = [];
  body.pipe(take(1)).subscribe((chunk) => seen.push(text(chunk)));
  assert.equal(seen, ['a']);
  assert.equal(calls, ['reading', 'abandon: CancelledError']);
});

test('a paused observer that unsubscribes abandons the body and lifts its pause on the source', () => {
  const { body, calls } = fed({ highWaterMark: 1000 });
  const sink = new StringTransport();
  const subscription = body.subscribe(sink);
  sink.setWriteBlocked(true);
  body.push(bytes('a'));
  body.push(bytes('b'));
  subscription.unsubscribe();
  assert.equal(calls, ['reading', 'pause', 'abandon: CancelledError', 'resume']);
  sink.setWriteBlocked(false);
  assert.is(sink.text(), 'a', 'what waited was dropped');
  sink.loseConnection();
});

test('breaking out of for await before the end abandons the body; leaving after the end does not', async () => {
  const early = fed();
  early.body.push(bytes('a'));
  early.body.push(bytes('b'));
  for await (const _ of early.body) break;
  assert.equal(early.calls, ['reading', 'abandon: CancelledError']);
  early.body.push(bytes('c'));
  assert.not.ok(early.body.reading);
  const late = fed();
  const subscription = late.body.subscribe(() => {});
  late.body.end();
  subscription.unsubscribe();
  assert.equal(late.calls, ['reading']);
  const lateLoop = fed();
  lateLoop.body.push(bytes('a'));
  lateLoop.body.push(bytes('b'));
  lateLoop.body.end();
  for await (const _ of lateLoop.body) break; // the body arrived whole: only the rest of the reading is skipped
  assert.equal(lateLoop.calls, ['reading']);
});

test('readAll gives the whole body, at every chunking', () => {
  for (const { label, chunks } of chunkings(sample)) {
    const body = new BodyStream();
    const reading = body.readAll(sample.byteLength);
    for (const chunk of chunks) body.push(chunk);
    assert.not.ok(reading.called, label);
    body.end();
    assert.equal(resultOf(reading), sample, label);
  }
  const early = new BodyStream();
  early.push(bytes('ab'));
  early.push(bytes('cd'));
  early.end();
  assert.is(text(resultOf(early.readAll())!), 'abcd', 'chunks that came before it count too');
});

test('readAll refuses a body whose declared length is past the limit before reading it', () => {
  const { body, calls } = fed({ declaredLength: 11 });
  const reading = body.readAll(10);
  const failure = failureOf(reading);
  assert.instance(failure?.value, BodyTooLargeError);
  assert.is((failure?.value as BodyTooLargeError | undefined)?.maxLength, 10);
  assert.equal(calls, ['abandon: BodyTooLargeError'], 'abandoned without telling the source a reader came');
  body.push(bytes('x'));
  body.end();
  assert.instance(recordStream(body).error, BodyConsumedError);
  const fits = fed({ declaredLength: 10 });
  const whole = fits.body.readAll(10);
  fits.body.push(bytes('0123456789'));
  fits.body.end();
  assert.is(text(resultOf(whole)!), '0123456789');
});

test('readAll fails with BodyTooLargeError once the bytes pass the limit, abandoning the body, at every chunking', () => {
  const eleven = bytes('0123456789a');
  for (const { label, chunks } of chunkings(eleven)) {
    const { body, calls } = fed();
    const reading = body.readAll(10);
    let pushed = 0;
    for (const chunk of chunks) {
      body.push(chunk);
      pushed += chunk.byteLength;
      assert.is(reading.called, pushed > 10, `${label}: at ${pushed} bytes`);
    }
    assert.instance(failureOf(reading)?.value, BodyTooLargeError, label);
    assert.equal(calls, ['reading', 'abandon: BodyTooLargeError'], label);
    body.push(bytes('more'));
    body.end();
  }
});

test('readAll fails with the error that cut the body short', () => {
  const body = new BodyStream();
  const reading = body.readAll();
  body.push(bytes('part'));
  const reset = new ConnectionLost('reset');
  body.fail(reset);
  assert.is(failureOf(reading)?.value, reset);
});

test('cancelling readAll abandons the body with CancelledError', () => {
  const { body, calls } = fed();
  const reading = body.readAll();
  body.push(bytes('part'));
  reading.cancel();
  assert.instance(failureOf(reading)?.value, CancelledError);
  assert.equal(calls, ['reading', 'abandon: CancelledError']);
  body.end();
});

test('discard reads to the end and drops the bytes, at every chunking, firing only at the end', () => {
  for (const { label, chunks } of chunkings(sample)) {
    const { body, calls } = fed({ highWaterMark: 4 });
    const discarding = body.discard(sample.byteLength);
    for (const chunk of chunks) body.push(chunk);
    assert.not.ok(discarding.called, label);
    body.end();
    assert.ok(discarding.called, label);
    assert.equal(calls, ['reading'], `${label}: never paused nor abandoned`);
  }
});

test('discard past maxLength abandons the body with BodyTooLargeError, and fires all the same', () => {
  const { body, calls } = fed();
  const discarding = body.discard(3);
  body.push(bytes('abc'));
  assert.not.ok(discarding.called);
  body.push(bytes('d'));
  assert.ok(discarding.called);
  assert.is(failureOf(discarding), undefined);
  assert.equal(calls, ['reading', 'abandon: BodyTooLargeError']);
  body.push(bytes('e'));
  body.end();
});

test('discard of a body that waited past the source pause lifts the pause', () => {
  const { body, calls } = fed({ highWaterMark: 2 });
  body.push(bytes('abc'));
  const discarding = body.discard();
  assert.equal(calls, ['pause', 'reading', 'resume']);
  body.end();
  assert.ok(discarding.called);
});

test('discard fires when the body fails', () => {
  const body = new BodyStream();
  const discarding = body.discard();
  body.fail(new ConnectionLost());
  assert.ok(discarding.called);
  assert.is(failureOf(discarding), undefined);
});

test('discard when a reader has the body already fires at once, and the reader reads on', () => {
  const { body, calls } = fed();
  const seen = recordStream(body);
  const discarding = body.discard();
  assert.ok(discarding.called);
  body.push(bytes('a'));
  body.end();
  assert.equal(seen.chunks, ['a']);
  assert.ok(seen.completed);
  assert.equal(calls, ['reading']);
  const done = new BodyStream();
  done.end();
  recordStream(done);
  assert.ok(done.discard().called, 'a body read to its end');
});

test('reading is true while a reader reads a body still coming; ended once every byte has arrived', async () => {
  const body = new BodyStream();
  assert.not.ok(body.reading);
  assert.not.ok(body.ended);
  const seen = recordStream(body);
  assert.ok(body.reading);
  body.push(bytes('a'));
  assert.ok(body.reading);
  body.end();
  assert.not.ok(body.reading);
  assert.ok(body.ended);
  assert.ok(seen.completed);
  const failed = new BodyStream();
  recordStream(failed);
  failed.fail(new ConnectionLost());
  assert.not.ok(failed.reading);
  assert.not.ok(failed.ended, 'a failed body did not arrive whole');
  const behind = new BodyStream();
  const iterator = behind[Symbol.asyncIterator]();
  const first = iterator.next();
  assert.ok(behind.reading);
  behind.push(bytes('a'));
  behind.push(bytes('b'));
  behind.end();
  assert.not.ok(behind.reading, 'the bytes stopped coming, though the reader has some left to read');
  assert.ok(behind.ended);
  assert.is(text((await first).value as Uint8Array), 'a');
  assert.is(text((await iterator.next()).value as Uint8Array), 'b');
  assert.ok((await iterator.next()).done);
});

test('feedFrom connects a source after construction, pausing it at once when the stream is full', () => {
  const body = new BodyStream({ highWaterMark: 4 });
  body.push(bytes('abcd'));
  const { source, calls } = recordingSource();
  body.feedFrom(source);
  assert.equal(calls, ['pause']);
  const subscription = body.subscribe(() => {});
  assert.equal(calls, ['pause', 'reading', 'resume']);
  subscription.unsubscribe();
  assert.equal(calls, ['pause', 'reading', 'resume', 'abandon: CancelledError']);
});

test('the source is told when the reader comes (subscribe, for await, readAll, discard), not before', async () => {
  const subscribed = fed();
  subscribed.body.push(bytes('a'));
  assert.equal(subscribed.calls, []);
  recordStream(subscribed.body);
  assert.equal(subscribed.calls, ['reading']);
  const iterated = fed();
  const iterator = iterated.body[Symbol.asyncIterator]();
  assert.equal(iterated.calls, [], 'not when the iterator is made');
  const first = iterator.next();
  assert.equal(iterated.calls, ['reading'], 'at its first pull');
  iterated.body.end();
  assert.ok((await first).done);
  const whole = fed();
  whole.body.readAll();
  assert.equal(whole.calls, ['reading']);
  const discarded = fed();
  discarded.body.discard();
  assert.equal(discarded.calls, ['reading']);
  const refused = fed();
  recordStream(refused.body);
  recordStream(refused.body);
  assert.equal(refused.calls, ['reading'], 'a second reader that is refused does not count');
});

test.run();
