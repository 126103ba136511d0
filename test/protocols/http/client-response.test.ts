import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ClientResponse } from '../../../protocols/http/client-response.js';
import { HttpHeaders } from '../../../protocols/http/headers.js';
import { type BodySource, BodyStream } from '../../../source/body-stream.js';
import type { Deferred } from '../../../source/deferred.js';
import {
  BodyConsumedError,
  BodyTooLargeError,
  CancelledError,
  ConnectionLost,
} from '../../../source/errors.js';
import type { Failure } from '../../../source/failure.js';
import { activeProducer } from '../../../source/producer.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { StringTransport } from '../../../source/testing/string-transport.js';

const test = checkClean(suite('protocols/http/client-response'));

const encoder = new TextEncoder();
const bytes = (text: string) => encoder.encode(text);

/** A body source that records what the body asks of it. */
function recordingSource() {
  const calls: string[] = [];
  const source: BodySource = {
    pause: () => calls.push('pause'),
    resume: () => calls.push('resume'),
    abandon: (reason: Error) => calls.push(`abandon: ${reason.constructor.name}`),
  };
  return { source, calls };
}

/** A response whose body is a stream of `highWaterMark` bytes, fed by a recording source. */
function response(highWaterMark = 10) {
  const body = new BodyStream({ highWaterMark });
  const { source, calls } = recordingSource();
  body.feedFrom(source);
  const head = { version: '1.1', status: 200, reason: 'OK', headers: new HttpHeaders({ A: '1' }) } as const;
  return { response: new ClientResponse(head, 'http://example.test/', body), body, calls };
}

/** The failure a Deferred errbacked with, if it has (handled here). */
function failureOf(d: Deferred<unknown>): Failure | undefined {
  let failure: Failure | undefined;
  d.addErrback((f) => {
    failure = f;
  });
  return failure;
}

test('carries the head and the URL', () => {
  const { response: r } = response();
  assert.is(r.status, 200);
  assert.is(r.reason, 'OK');
  assert.is(r.version, '1.1');
  assert.is(r.headers.get('a'), '1');
  assert.is(r.url, 'http://example.test/');
});

test('holds chunks that come before the reader, pausing the source past the high-water mark', async () => {
  const { response: r, body, calls } = response(10);
  body.push(bytes('12345'));
  assert.equal(calls, []);
  body.push(bytes('67890'));
  assert.equal(calls, ['pause']);
  body.push(bytes('more')); // the rest of the chunk being delivered still fits
  body.end();
  const chunks: string[] = [];
  for await (const chunk of r.body) chunks.push(new TextDecoder().decode(chunk));
  assert.equal(chunks, ['12345', '67890', 'more']);
  assert.equal(calls, ['pause', 'resume'], 'a body that ended lifts its pause on the source');
});

test('an async reader that falls behind pauses the source, and resumes it as it catches up', async () => {
  const { response: r, body, calls } = response(10);
  const iterator = r.body[Symbol.asyncIterator]();
  const first = iterator.next();
  body.push(bytes('012345'));
  assert.equal((await first).value, bytes('012345'));
  body.push(bytes('012345'));
  assert.equal(calls, []);
  body.push(bytes('6789'));
  assert.equal(calls, ['pause']);
  await iterator.next();
  assert.equal(calls, ['pause', 'resume']);
  body.end();
  assert.equal((await iterator.next()).value, bytes('6789'));
  assert.ok((await iterator.next()).done);
});

test('an observer whose write blocks pauses the body until the connection it writes to drains', () => {
  const { response: r, body, calls } = response(1000);
  const sink = new StringTransport();
  r.body.subscribe(sink);
  body.push(bytes('a'));
  assert.is(sink.text(), 'a');
  sink.setWriteBlocked(true);
  body.push(bytes('b')); // this write returns false: the body is the active producer, and is paused
  assert.equal(calls, ['pause']);
  body.push(bytes('c'));
  assert.is(sink.text(), 'ab', 'c waits in the body');
  sink.setWriteBlocked(false);
  assert.is(sink.text(), 'abc');
  assert.equal(calls, ['pause', 'resume']);
  body.end();
  assert.ok(sink.closedByProtocol, 'the observer completed');
});

test('chunks are delivered with the body as the active producer', () => {
  const { response: r, body } = response();
  let producer: unknown;
  r.body.subscribe(() => {
    producer = activeProducer();
  });
  body.push(bytes('x'));
  assert.is(producer, body);
  body.end();
});

test('a failure reaches a paused observer at once', () => {
  const { response: r, body } = response();
  let error: unknown;
  const seen: string[] = [];
  r.body.subscribe({ next: (chunk) => seen.push(String(chunk)), error: (e) => (error = e) });
  body.pauseProducing();
  body.push(bytes('queued'));
  body.fail(new ConnectionLost('reset'));
  assert.instance(error, ConnectionLost);
  assert.equal(seen, []);
});

test('an async reader gets the chunks that arrived before the failure, then the error', async () => {
  const { response: r, body } = response();
  body.push(bytes('first'));
  body.fail(new ConnectionLost('reset'));
  const seen: string[] = [];
  try {
    for await (const chunk of r.body) seen.push(new TextDecoder().decode(chunk));
    assert.unreachable('the loop should throw');
  } catch (error) {
    assert.instance(error, ConnectionLost);
  }
  assert.equal(seen, ['first']);
});

test('a reader leaving before the end abandons the body; one leaving after does not', async () => {
  const early = response();
  early.body.push(bytes('a'));
  for await (const _ of early.response.body) break;
  assert.equal(early.calls, ['abandon: CancelledError']);
  const late = response();
  const subscription = late.response.body.subscribe(() => {});
  late.body.end();
  subscription.unsubscribe();
  assert.equal(late.calls, []);
});

test('unsubscribing abandons the body; later chunks are dropped', () => {
  const { response: r, body, calls } = response();
  const seen: number[] = [];
  const subscription = r.body.subscribe((chunk) => seen.push(chunk.byteLength));
  body.push(bytes('ab'));
  subscription.unsubscribe();
  body.push(bytes('cd'));
  assert.equal(seen, [2]);
  assert.equal(calls, ['abandon: CancelledError']);
});

test('the body can be read only once', async () => {
  const { response: r, body } = response();
  body.end();
  assert.is(await r.text(), '');
  let error: unknown;
  r.body.subscribe({ error: (e) => (error = e) });
  assert.instance(error, BodyConsumedError);
  try {
    await r.body[Symbol.asyncIterator]().next();
    assert.unreachable('a second iteration should throw');
  } catch (e) {
    assert.instance(e, BodyConsumedError);
  }
});

test('text() decodes UTF-8 split across chunks; json() parses', async () => {
  const split = response();
  const euro = encoder.encode('€');
  const reading = split.response.text();
  split.body.push(euro.subarray(0, 1));
  split.body.push(euro.subarray(1));
  split.body.end();
  assert.is(await reading, '€');
  const json = response();
  json.body.push(bytes('{"a":'));
  json.body.push(bytes('[1]}'));
  json.body.end();
  assert.equal(await json.response.json(), { a: [1] });
  const bad = response();
  bad.body.push(bytes('not json'));
  bad.body.end();
  assert.instance(failureOf(bad.response.json())?.value, SyntaxError);
});

test('reading whole stops at maxLength, abandoning the body', () => {
  const { response: r, body, calls } = response();
  const reading = r.arrayBuffer({ maxLength: 4 });
  body.push(bytes('abc'));
  body.push(bytes('de'));
  const failure = failureOf(reading);
  assert.instance(failure?.value, BodyTooLargeError);
  assert.equal(calls, ['abandon: BodyTooLargeError']);
});

test('cancelling a whole read abandons the body with CancelledError', () => {
  const { response: r, calls } = response();
  const reading = r.bytes();
  reading.cancel();
  assert.instance(failureOf(reading)?.value, CancelledError);
  assert.equal(calls, ['abandon: CancelledError']);
});

test('discard() reads to the end; past maxLength it abandons, and fires all the same', () => {
  const whole = response();
  const discarding = whole.response.discard();
  whole.body.push(bytes('ignored'));
  assert.not.ok(discarding.called);
  whole.body.end();
  assert.ok(discarding.called);
  assert.equal(whole.calls, []);
  const long = response();
  const stopped = long.response.discard({ maxLength: 3 });
  long.body.push(bytes('abcd'));
  assert.ok(stopped.called);
  assert.equal(long.calls, ['abandon: BodyTooLargeError']);
  const failed = response();
  const settled = failed.response.discard();
  failed.body.fail(new ConnectionLost());
  assert.ok(settled.called, 'a failed body is discarded too');
});

test.run();
