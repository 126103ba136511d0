import { from, Subject, take } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decode } from '../../operators/decode.js';
import { LineDecoder } from '../../operators/lines.js';
import { HttpParseError, HttpTruncatedError } from '../../protocols/http/http-error.js';
import type { ParseEvent, RequestHead, ResponseHead } from '../../protocols/http/message.js';
import { RequestParser } from '../../protocols/http/parse-request.js';
import { ResponseParser } from '../../protocols/http/parse-response.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { bytes, messages } from '../protocols/http/_feed.js';
import { chunkings } from '../support/chunkings.js';
import { record } from './_record.js';
import { Words } from './_words.js';

const test = checkClean(suite('operators/decode'));

const pipelined =
  'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n' +
  'POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc' +
  'PUT /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n' +
  'DELETE /4 HTTP/1.1\r\nHost: a\r\n\r\n';

test('emits the frames each chunk completes in order, then those of end(), then completes', () => {
  const seen = record(
    from([bytes('a,b'), bytes(''), bytes('c,'), bytes('d')]).pipe(decode(() => new Words())),
  );
  assert.equal(seen.values, ['a', 'bc', 'd']);
  assert.ok(seen.completed);
});

test('emits a decoder error after the frames before it, and unsubscribes the upstream', () => {
  const source = new Subject<Uint8Array>();
  const seen = record(source.pipe(decode(() => new Words())));
  source.next(bytes('a,'));
  source.next(bytes('b,c!,d,'));
  assert.equal(seen.values, ['a', 'b']);
  assert.is((seen.error as Error).message, 'bad word');
  assert.not.ok(source.observed);
});

test('does not use the decoder again after it threw, even on a synchronous source', () => {
  let decoder: Words | undefined;
  const seen = record(
    from([bytes('a,!'), bytes('b,'), bytes('c')]).pipe(decode(() => (decoder = new Words()))),
  );
  assert.equal(seen.values, ['a']);
  assert.is((seen.error as Error).message, 'bad word');
  assert.equal(decoder?.calls, ['push a,!']);
});

test('emits the error end() throws after the frames before it', () => {
  const source = new Subject<Uint8Array>();
  const seen = record(source.pipe(decode(() => new Words(true))));
  source.next(bytes('a,half'));
  source.complete();
  assert.equal(seen.values, ['a']);
  assert.is((seen.error as Error).message, 'cut short');
  assert.not.ok(seen.completed);
});

test('passes an upstream error on as it is, without ending the decoder', () => {
  const source = new Subject<Uint8Array>();
  let decoder: Words | undefined;
  const seen = record(source.pipe(decode(() => (decoder = new Words()))));
  source.next(bytes('a,b'));
  const failure = new Error('connection lost');
  source.error(failure);
  assert.equal(seen.values, ['a']);
  assert.is(seen.error, failure);
  assert.equal(decoder?.calls, ['push a,b']);
});

test('unsubscribes the upstream when the downstream unsubscribes', () => {
  const source = new Subject<Uint8Array>();
  const seen = record(source.pipe(decode(() => new Words())));
  assert.ok(source.observed);
  seen.subscription.unsubscribe();
  assert.not.ok(source.observed);
});

test('stops pushing a synchronous source to the decoder once the downstream has had enough', () => {
  let decoder: Words | undefined;
  const seen = record(
    from([bytes('a,b,'), bytes('c,')]).pipe(
      decode(() => (decoder = new Words())),
      take(1),
    ),
  );
  assert.equal(seen.values, ['a']);
  assert.ok(seen.completed);
  assert.equal(decoder?.calls, ['push a,b,']);
});

test('makes one decoder per subscription', () => {
  const source = new Subject<Uint8Array>();
  let made = 0;
  const words = decode(() => {
    made++;
    return new Words();
  });
  assert.is(made, 0);
  const first = record(source.pipe(words));
  source.next(bytes('a'));
  const second = record(source.pipe(words));
  source.next(bytes('b,'));
  assert.is(made, 2);
  assert.equal(first.values, ['ab']);
  assert.equal(second.values, ['b']);
});

test('runs a framing decoder: LineDecoder at every split', () => {
  for (const { label, chunks } of chunkings(bytes('one\r\ntwo\r\n\r\nrest'))) {
    const seen = record(from(chunks).pipe(decode(() => new LineDecoder())));
    assert.equal(seen.values, ['one', 'two', ''], label);
    assert.ok(seen.completed, label);
  }
});

test('runs RequestParser: pipelined requests give the same events at every split as in one push', () => {
  const whole = messages(new RequestParser().push(bytes(pipelined)));
  assert.equal(
    whole.map((message) => [message.head.method, message.head.target, message.body, message.ended]),
    [
      ['GET', '/1', '', true],
      ['POST', '/2', 'abc', true],
      ['PUT', '/3', 'x', true],
      ['DELETE', '/4', '', true],
    ],
  );
  for (const { label, chunks } of chunkings(bytes(pipelined))) {
    const seen = record(from(chunks).pipe(decode(() => new RequestParser())));
    const events: ParseEvent<RequestHead>[] = seen.values;
    assert.equal(messages(events), whole, label);
    assert.ok(seen.completed, label);
  }
});

test('runs RequestParser: a bad request errors after the events of the requests before it, at every split', () => {
  for (const { label, chunks } of chunkings(bytes(`GET /1 HTTP/1.1\r\nHost: a\r\n\r\nBAD\r\n`))) {
    const seen = record(from(chunks).pipe(decode(() => new RequestParser())));
    assert.equal(
      seen.values.map((event) => event.type),
      ['head', 'end'],
      label,
    );
    assert.instance(seen.error, HttpParseError, label);
    assert.is((seen.error as HttpParseError).status, 400, label);
  }
});

test('runs RequestParser: input that ends mid-request errors with HttpTruncatedError', () => {
  const seen = record(
    from([bytes('GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HT')]).pipe(decode(() => new RequestParser())),
  );
  assert.equal(
    seen.values.map((event) => event.type),
    ['head', 'end'],
  );
  assert.instance(seen.error, HttpTruncatedError);
});

test("runs ResponseParser, told each request's method through the reference create returned", () => {
  const source = new Subject<Uint8Array>();
  const parser = new ResponseParser();
  const seen = record(source.pipe(decode(() => parser)));
  parser.expect('HEAD');
  source.next(bytes('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'));
  parser.expect('GET');
  source.next(bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'));
  const events: ParseEvent<ResponseHead>[] = seen.values;
  assert.equal(
    messages(events).map((message) => [message.head.status, message.body, message.ended]),
    [
      [200, '', true],
      [200, 'hi', true],
    ],
  );
  source.next(bytes('HTTP/1.1 204 No Content\r\n\r\n'));
  assert.instance(seen.error, HttpParseError, 'a response no request was expected for');
});

test.run();
