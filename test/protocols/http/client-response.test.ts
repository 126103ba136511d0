import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ClientResponse } from '../../../protocols/http/client-response.js';
import { HttpHeaders } from '../../../protocols/http/headers.js';
import { type BodySource, BodyStream, type BodyStreamOptions } from '../../../source/body-stream.js';
import { BodyTooLargeError, CancelledError } from '../../../source/errors.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { failureOf } from '../../support/failure-of.js';

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

/** A response whose body is a stream (of `highWaterMark` 10 unless told), fed by a recording source. */
function response(options: BodyStreamOptions = {}) {
  const body = new BodyStream({ highWaterMark: 10, ...options });
  const { source, calls } = recordingSource();
  body.feedFrom(source);
  const head = { version: '1.1', status: 200, reason: 'OK', headers: new HttpHeaders({ A: '1' }) } as const;
  return { response: new ClientResponse(head, 'http://example.test/', body), body, calls };
}

test('carries the head and the URL', () => {
  const { response: r } = response();
  assert.is(r.status, 200);
  assert.is(r.reason, 'OK');
  assert.is(r.version, '1.1');
  assert.is(r.headers.get('a'), '1');
  assert.is(r.url, 'http://example.test/');
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

test('bytes(), text(), json() and arrayBuffer() read at most 16 MiB unless told otherwise', () => {
  const limit = 16 * 1024 * 1024;
  for (const read of ['bytes', 'text', 'json', 'arrayBuffer'] as const) {
    const tooLong = response({ declaredLength: limit + 1 });
    const failure = failureOf(tooLong.response[read]());
    assert.instance(failure?.value, BodyTooLargeError, read);
    assert.is((failure?.value as BodyTooLargeError | undefined)?.maxLength, limit, read);
    const fits = response({ declaredLength: limit });
    const reading = fits.response[read]();
    assert.not.ok(reading.called, `${read}: a body of 16 MiB is read`);
    reading.cancel();
    failureOf(reading);
  }
});

test('arrayBuffer() holds exactly the body, when its one chunk is a view into a bigger buffer', () => {
  const { response: r, body } = response();
  const reading = r.arrayBuffer();
  body.push(bytes('[body]').subarray(1, 5));
  body.end();
  let buffer: ArrayBuffer | undefined;
  reading.addCallback((result) => {
    buffer = result;
    return result;
  });
  assert.is(new TextDecoder().decode(buffer), 'body');
});

test('cancelling a whole read abandons the body with CancelledError', () => {
  const { response: r, calls } = response();
  const reading = r.bytes();
  reading.cancel();
  assert.instance(failureOf(reading)?.value, CancelledError);
  assert.equal(calls, ['abandon: CancelledError']);
});

test('discard() reads to the end by default; with maxLength it abandons a longer body, and fires all the same', () => {
  const whole = response();
  const discarding = whole.response.discard();
  whole.body.push(new Uint8Array(64 * 1024));
  assert.not.ok(discarding.called);
  whole.body.end();
  assert.ok(discarding.called);
  assert.equal(whole.calls, [], 'read, never abandoned');
  const long = response();
  const stopped = long.response.discard({ maxLength: 3 });
  long.body.push(bytes('abc'));
  assert.not.ok(stopped.called);
  long.body.push(bytes('d'));
  assert.ok(stopped.called);
  assert.equal(long.calls, ['abandon: BodyTooLargeError']);
});

test.run();
