import { from } from 'ix/asynciterable';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decode } from '../../../operators/async/decode.js';
import { LineDecoder } from '../../../operators/lines.js';
import { HttpParseError } from '../../../protocols/http/http-error.js';
import type { ParseEvent, RequestHead, ResponseHead } from '../../../protocols/http/message.js';
import { RequestParser } from '../../../protocols/http/parse-request.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { bytes, messages } from '../../protocols/http/_feed.js';
import { chunkings } from '../../support/chunkings.js';
import { Words } from '../_words.js';
import { collect, manualSource, settle } from './_sources.js';

const test = checkClean(suite('operators/async/decode'));

const pipelined =
  'GET /1 HTTP/1.1\r\nHost: a\r\n\r\n' +
  'POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc' +
  'PUT /3 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n' +
  'DELETE /4 HTTP/1.1\r\nHost: a\r\n\r\n';

test('yields the frames each chunk completes in order, then those of end()', async () => {
  const source = manualSource([bytes('a,b'), bytes(''), bytes('c,'), bytes('d')], { ends: true });
  const { values, error } = await collect(decode(() => new Words())(source));
  assert.is(error, undefined);
  assert.equal(values, ['a', 'bc', 'd']);
  assert.is(source.returns, 0);
});

test('throws a decoder error after the frames before it, and releases the source', async () => {
  let decoder: Words | undefined;
  const source = manualSource([bytes('a,'), bytes('b,c!,d,'), bytes('e,')]);
  const { values, error } = await collect(decode(() => (decoder = new Words()))(source));
  assert.equal(values, ['a', 'b']);
  assert.is((error as Error).message, 'bad word');
  assert.is(source.returns, 1);
  assert.equal(decoder?.calls, ['push a,', 'push b,c!,d,']);
});

test('throws the error end() throws after the frames before it', async () => {
  const source = manualSource([bytes('a,half')], { ends: true });
  const { values, error } = await collect(decode(() => new Words(true))(source));
  assert.equal(values, ['a']);
  assert.is((error as Error).message, 'cut short');
  assert.is(source.returns, 0);
});

test('passes a source error on as it is, without ending the decoder or releasing the source', async () => {
  let decoder: Words | undefined;
  const source = manualSource([bytes('a,b')]);
  const failure = new Error('connection lost');
  source.fail(failure);
  const { values, error } = await collect(decode(() => (decoder = new Words()))(source));
  assert.equal(values, ['a']);
  assert.is(error, failure);
  assert.is(source.returns, 0);
  assert.equal(decoder?.calls, ['push a,b']);
});

test('releases the source when the consumer stops early, without ending the decoder', async () => {
  let decoder: Words | undefined;
  const source = manualSource([bytes('a,b,'), bytes('c,')]);
  for await (const word of decode(() => (decoder = new Words()))(source)) {
    assert.is(word, 'a');
    break;
  }
  assert.is(source.returns, 1);
  assert.equal(decoder?.calls, ['push a,b,']);
});

test('makes one decoder per iteration, when the first value is asked for', async () => {
  const chunks = [bytes('a'), bytes('b,c')];
  const reiterable: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => manualSource(chunks, { ends: true })[Symbol.asyncIterator](),
  };
  const made: Words[] = [];
  const words = decode(() => {
    const decoder = new Words();
    made.push(decoder);
    return decoder;
  })(reiterable);
  const first = words[Symbol.asyncIterator]();
  const second = words[Symbol.asyncIterator]();
  assert.is(made.length, 0);
  assert.equal(await first.next(), { value: 'ab', done: false });
  assert.equal(await second.next(), { value: 'ab', done: false });
  assert.equal(await first.next(), { value: 'c', done: false });
  assert.is(made.length, 2);
  assert.equal(made[0]!.calls, ['push a', 'push b,c', 'end']);
  assert.equal(made[1]!.calls, ['push a', 'push b,c']);
  assert.equal(await second.next(), { value: 'c', done: false });
  assert.equal((await collect({ [Symbol.asyncIterator]: () => second })).values, []);
  assert.equal((await collect(words)).values, ['ab', 'c']);
  assert.is(made.length, 3);
});

test('throws the reason of an already aborted signal without touching the source or making a decoder', async () => {
  let made = 0;
  const source = manualSource([bytes('a,')], { ends: true });
  const operator = decode(
    () => {
      made++;
      return new Words();
    },
    { signal: AbortSignal.abort() },
  );
  const { values, error } = await collect(operator(source));
  assert.equal(values, []);
  assert.instance(error, DOMException);
  assert.is((error as DOMException).name, 'AbortError');
  assert.is(source.nexts, 0);
  assert.is(made, 0);
});

test('throws the signal reason at the next chunk after an abort, and releases the source', async () => {
  const controller = new AbortController();
  let decoder: Words | undefined;
  const source = manualSource([bytes('a,')]);
  const iterator = decode(() => (decoder = new Words()), { signal: controller.signal })(source)[
    Symbol.asyncIterator
  ]();
  assert.equal(await iterator.next(), { value: 'a', done: false });
  const next = iterator.next().then(
    () => undefined,
    (error: unknown) => error,
  );
  await settle();
  controller.abort(new Error('stop'));
  source.push(bytes('b,'));
  assert.is(((await next) as Error).message, 'stop');
  assert.is(source.returns, 1);
  assert.equal(decoder?.calls, ['push a,']);
});

test("plugs into ix's pipe, and releases the source through it when the consumer stops early", async () => {
  const source = manualSource([bytes('one\ntw'), bytes('o\n')]);
  for await (const line of from(source).pipe(decode(() => new LineDecoder({ delimiter: '\n' })))) {
    assert.is(line, 'one');
    break;
  }
  assert.is(source.returns, 1);
  const { values } = await collect(
    from([bytes('one\ntw'), bytes('o\n')]).pipe(decode(() => new LineDecoder({ delimiter: '\n' }))),
  );
  assert.equal(values, ['one', 'two']);
});

test('runs RequestParser: pipelined requests give the same events at every split as in one push', async () => {
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
    const { values, error } = await collect(
      decode(() => new RequestParser())(manualSource(chunks, { ends: true })),
    );
    assert.is(error, undefined, label);
    const events: ParseEvent<RequestHead>[] = values;
    assert.equal(messages(events), whole, label);
  }
});

test('runs RequestParser: a bad request throws after the events of the requests before it, at every split', async () => {
  for (const { label, chunks } of chunkings(bytes('GET /1 HTTP/1.1\r\nHost: a\r\n\r\nBAD\r\n'))) {
    const source = manualSource(chunks, { ends: true });
    const { values, error } = await collect(decode(() => new RequestParser())(source));
    assert.equal(
      values.map((event) => event.type),
      ['head', 'end'],
      label,
    );
    assert.instance(error, HttpParseError, label);
    assert.is((error as HttpParseError).status, 400, label);
  }
});

test("runs ResponseParser, told each request's method through the reference create returned", async () => {
  const source = manualSource<Uint8Array>();
  const parser = new ResponseParser();
  const iterator = decode(() => parser)(source)[Symbol.asyncIterator]();
  parser.expect('HEAD');
  source.push(bytes('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n'));
  const events: ParseEvent<ResponseHead>[] = [];
  for (let n = 0; n < 2; n++) events.push((await iterator.next()).value as ParseEvent<ResponseHead>);
  parser.expect('GET');
  source.push(bytes('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi'));
  source.end();
  events.push(...(await collect({ [Symbol.asyncIterator]: () => iterator })).values);
  assert.equal(
    messages(events).map((message) => [message.head.status, message.body, message.ended]),
    [
      [200, '', true],
      [200, 'hi', true],
    ],
  );
});

test.run();
