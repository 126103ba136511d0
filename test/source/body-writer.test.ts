import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { concat, Observable, of, Subject, throwError } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeChunk, encodeLastChunk } from '../../protocols/http/write-request.js';
import {
  type BodyEncoding,
  type BodyOutput,
  BodyWriter,
  type BodyWriterOptions,
  chunkWritten,
  disposeBody,
  type OutgoingBody,
} from '../../source/body-writer.js';
import { CorkedOutput } from '../../source/corked-output.js';
import type { Deferred } from '../../source/deferred.js';
import type { Failure } from '../../source/failure.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { StringTransport } from '../../source/testing/string-transport.js';

const test = checkClean(suite('source/body-writer'));

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);

const chunked: BodyEncoding = { chunk: encodeChunk, end: () => encodeLastChunk() };

/** Lets promise callbacks and the event loop run a few turns (no timers, no sleeping). */
async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await nextTurn();
}

/** What a Deferred has come to: fired with a value, failed, or not yet. */
function outcome<T>(d: Deferred<T>) {
  const box: { fired: boolean; value: T | undefined; failure: Failure | undefined } = {
    fired: false,
    value: undefined,
    failure: undefined,
  };
  d.addCallbacks(
    (value) => {
      box.fired = true;
      box.value = value;
      return value;
    },
    (failure: Failure) => {
      box.failure = failure;
    },
  );
  return box;
}

/** Starts a writer of `body` to a fresh StringTransport, and follows its `done`. */
function write(body: OutgoingBody, options?: BodyWriterOptions, output?: (t: StringTransport) => BodyOutput) {
  const transport = new StringTransport();
  const writer = new BodyWriter(body, output?.(transport) ?? transport, options);
  const done = outcome(writer.done);
  writer.start();
  return { writer, transport, done };
}

/** An Observable that records whether it is subscribed to. */
function watched<T>(source: Observable<T>) {
  const state = { subscribed: 0, unsubscribed: 0 };
  const observable = new Observable<T>((subscriber) => {
    state.subscribed++;
    const subscription = source.subscribe(subscriber);
    return () => {
      state.unsubscribed++;
      subscription.unsubscribe();
    };
  });
  return Object.assign(state, { observable });
}

/** An async iterable of `chunks` that records each pull, and whether it was ended early. */
function pulled(chunks: readonly (Uint8Array | string | number)[], gate?: Promise<void>) {
  const state = { pulls: 0, returned: false };
  async function* generate(): AsyncGenerator<Uint8Array | string> {
    try {
      for (const chunk of chunks) {
        state.pulls++;
        yield chunk as Uint8Array | string;
      }
      if (gate !== undefined) await gate;
    } finally {
      state.returned = true;
    }
  }
  return Object.assign(state, { iterable: generate() });
}

test('writes bytes at once, and done fires with their count', () => {
  const { transport, done } = write(bytes('abc'));
  assert.is(transport.text(), 'abc');
  assert.is(transport.writes.length, 1);
  assert.equal(done, { fired: true, value: 3, failure: undefined });
  transport.loseConnection();
});

test('writes a string at once as UTF-8, counting its bytes', () => {
  const { transport, done } = write('héllo €');
  assert.equal(new Uint8Array(transport.value()), bytes('héllo €'));
  assert.is(done.value, 10);
  transport.loseConnection();
});

test('an empty string or empty bytes write nothing, and done fires with 0', () => {
  for (const body of ['', new Uint8Array(0)]) {
    const { transport, done } = write(body);
    assert.is(transport.writes.length, 0);
    assert.is(done.value, 0);
    transport.loseConnection();
  }
});

test("writes an Observable's values as they come, strings as UTF-8; done fires at its completion", () => {
  const subject = new Subject<Uint8Array | string>();
  const { transport, done } = write(subject);
  subject.next('é');
  assert.is(transport.text(), 'é');
  subject.next(bytes('xy'));
  assert.is(transport.text(), 'éxy');
  assert.not.ok(done.fired);
  subject.complete();
  assert.is(done.value, 4);
  transport.loseConnection();
});

test('gathers the values an Observable emits synchronously into one write when the output corks', () => {
  const later = new Subject<string>();
  const { transport, done } = write(concat(of('a', 'b', 'c'), later), {}, (t) => new CorkedOutput(t));
  assert.equal(
    transport.writes.map((w) => decoder.decode(w)),
    ['abc'],
  );
  later.next('d'); // after subscribe: not corked, written on its own
  later.next('e');
  assert.equal(
    transport.writes.map((w) => decoder.decode(w)),
    ['abc', 'd', 'e'],
  );
  later.complete();
  assert.is(done.value, 5);
  const plain = write(of('a', 'b', 'c'));
  assert.is(plain.transport.writes.length, 3, 'an output without cork gets one write per value');
  transport.loseConnection();
  plain.transport.loseConnection();
});

test('an Observable fed by a connection pauses that connection while the output is blocked, and resumes it on the drain', () => {
  const input = new StringTransport({ allowHalfOpen: true });
  const { transport: output, done } = write(input.data$);
  input.receive('a');
  assert.is(output.text(), 'a');
  assert.ok(input.reading);
  output.setWriteBlocked(true);
  input.receive('b'); // the write returns false while the input is the active producer
  assert.not.ok(input.reading);
  input.receive('c');
  assert.is(output.text(), 'ab', 'c waits in the paused input');
  output.setWriteBlocked(false);
  assert.ok(input.reading);
  assert.is(output.text(), 'abc');
  input.receiveEnd();
  assert.is(done.value, 3);
  input.loseConnection();
  output.loseConnection();
});

test('reads an async iterable only as fast as the output drains: the next chunk is pulled after drained()', async () => {
  const source = pulled(['a', 'b', 'c']);
  const transport = new StringTransport();
  transport.setWriteBlocked(true);
  const writer = new BodyWriter(source.iterable, transport);
  const done = outcome(writer.done);
  writer.start();
  await settle();
  assert.is(source.pulls, 1);
  assert.is(transport.text(), 'a');
  transport.setWriteBlocked(false); // drained: b is pulled, and written (true), then c
  await settle();
  assert.is(source.pulls, 3);
  assert.is(transport.text(), 'abc');
  assert.is(done.value, 3);
  transport.loseConnection();
});

test('reads an async iterable only as fast as a CorkedOutput drains: its uncork tells the buffer is full', async () => {
  const source = pulled(['a', 'b', 'c']);
  const transport = new StringTransport();
  transport.setWriteBlocked(true);
  const writer = new BodyWriter(source.iterable, new CorkedOutput(transport), { encoding: chunked });
  const done = outcome(writer.done);
  writer.start();
  await settle();
  assert.is(source.pulls, 1);
  assert.equal(
    transport.writes.map((w) => decoder.decode(w)),
    ['1\r\na\r\n'],
  );
  transport.setWriteBlocked(false);
  await settle();
  assert.is(source.pulls, 3);
  assert.is(transport.writes.length, 4, 'one write per chunk, and the end on its own');
  assert.is(done.value, 3);
  transport.loseConnection();
});

test('reads a Node Readable only as fast as the output drains', async () => {
  let reads = 0;
  const readable = new Readable({
    highWaterMark: 1,
    read() {
      reads++;
      this.push(reads <= 4 ? `chunk${reads}` : null);
    },
  });
  const transport = new StringTransport();
  transport.setWriteBlocked(true);
  const writer = new BodyWriter(readable, transport);
  const done = outcome(writer.done);
  writer.start();
  await settle(10);
  assert.is(transport.writes.length, 1, 'one chunk written, then the writer waits for the drain');
  assert.ok(reads <= 2, `the Readable was read ${reads} times: no further than its own small buffer`);
  transport.setWriteBlocked(false);
  await settle(10);
  assert.is(transport.text(), 'chunk1chunk2chunk3chunk4');
  assert.is(done.value, 24);
  transport.loseConnection();
});

test('encoding.chunk and encoding.end frame the body: HTTP chunked coding on the wire', async () => {
  const fromObservable = write(of('hello', '', bytes(' world')), { encoding: chunked });
  assert.is(fromObservable.transport.text(), '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n');
  assert.is(fromObservable.done.value, 11, 'done counts body bytes, not framing');
  const fromIterable = write(pulled(['ab', 'c']).iterable, { encoding: chunked });
  await settle();
  assert.is(fromIterable.transport.text(), '2\r\nab\r\n1\r\nc\r\n0\r\n\r\n');
  assert.is(fromIterable.done.value, 3);
  const empty = write('', { encoding: chunked });
  assert.is(empty.transport.text(), '0\r\n\r\n', 'an empty body is still ended');
  for (const w of [fromObservable, fromIterable, empty]) w.transport.loseConnection();
});

test('encoding.length: a body longer than declared fails with TypeError, the chunk that passes it unwritten, the source let go', () => {
  const subject = new Subject<string>();
  const source = watched(subject);
  const { transport, done } = write(source.observable, { encoding: { length: 4 } });
  subject.next('abc');
  subject.next('de');
  assert.is(transport.text(), 'abc');
  assert.instance(done.failure?.value, TypeError);
  assert.equal([source.subscribed, source.unsubscribed], [1, 1]);
  transport.loseConnection();
});

test('encoding.length: a body shorter than declared fails with TypeError at its end, which is not written', () => {
  const { transport, done } = write(of('abc'), { encoding: { length: 5, end: () => '<end>' } });
  assert.is(transport.text(), 'abc');
  assert.instance(done.failure?.value, TypeError);
  assert.not.ok(done.fired);
  const exact = write(of('ab', 'cde'), { encoding: { length: 5, end: () => '<end>' } });
  assert.is(exact.transport.text(), 'abcde<end>');
  assert.is(exact.done.value, 5);
  transport.loseConnection();
  exact.transport.loseConnection();
});

test('begin runs once, before the first byte, and what it writes precedes the body', () => {
  const subject = new Subject<Uint8Array | string>();
  let begun = 0;
  const transport = new StringTransport();
  const writer = new BodyWriter(subject, transport, {
    begin: () => {
      begun++;
      transport.write('[head]');
      return undefined;
    },
  });
  writer.start();
  assert.is(begun, 0, 'not at start');
  subject.next('');
  subject.next(new Uint8Array(0));
  assert.is(begun, 0, 'not for empty chunks');
  assert.not.ok(writer.started);
  subject.next('a');
  assert.is(begun, 1);
  assert.ok(writer.started);
  subject.next('b');
  subject.complete();
  assert.is(begun, 1);
  assert.is(transport.text(), '[head]ab');
  transport.loseConnection();
});

test('begin runs at the end of an empty body, before what ends it', async () => {
  const bodies: [string, OutgoingBody][] = [
    ['an empty string', ''],
    ['empty bytes', new Uint8Array(0)],
    ['an empty Observable', of<string>()],
    ['an Observable of an empty string', of('')],
    ['an empty async iterable', pulled([]).iterable],
  ];
  for (const [label, body] of bodies) {
    const transport = new StringTransport();
    let begun = 0;
    const writer = new BodyWriter(body, transport, {
      begin: () => {
        begun++;
        transport.write('[head]');
        return { end: () => '[end]' };
      },
    });
    const done = outcome(writer.done);
    writer.start();
    await settle();
    assert.is(transport.text(), '[head][end]', label);
    assert.is(begun, 1, label);
    assert.ok(writer.started, label);
    assert.is(done.value, 0, label);
    transport.loseConnection();
  }
});

test("what begin returns is the body's encoding", () => {
  const { transport, done } = write(of('hi'), { begin: () => chunked });
  assert.is(transport.text(), '2\r\nhi\r\n0\r\n\r\n');
  assert.is(done.value, 2);
  transport.loseConnection();
});

test('a throw from begin fails the writer with that error, nothing of the body written, the source let go', async () => {
  const refused = new TypeError('invalid head');
  const begin = () => {
    throw refused;
  };
  const forBytes = write('body', { begin });
  assert.is(forBytes.done.failure?.value, refused);
  assert.is(forBytes.transport.writes.length, 0);
  const subject = new Subject<string>();
  const observed = watched(subject);
  const forObservable = write(observed.observable, { begin });
  subject.next('body');
  assert.is(forObservable.done.failure?.value, refused);
  assert.is(forObservable.transport.writes.length, 0);
  assert.is(observed.unsubscribed, 1);
  const iterated = pulled(['body', 'more']);
  const forIterable = write(iterated.iterable, { begin });
  await settle();
  assert.is(forIterable.done.failure?.value, refused);
  assert.is(forIterable.transport.writes.length, 0);
  assert.ok(iterated.returned);
  assert.is(iterated.pulls, 1);
  for (const w of [forBytes, forObservable, forIterable]) w.transport.loseConnection();
});

test('started stays false when begin throws: nothing that precedes the body is out (it said the body had begun)', () => {
  const { writer, transport, done } = write(of('body'), {
    begin: () => {
      throw new TypeError('invalid head');
    },
  });
  assert.instance(done.failure?.value, TypeError);
  assert.not.ok(writer.started);
  transport.loseConnection();
});

test('an encoding given as an option stays when begin returns none (begin returning undefined dropped it)', () => {
  const { transport } = write(of('hi'), { encoding: chunked, begin: () => undefined });
  assert.is(transport.text(), '2\r\nhi\r\n0\r\n\r\n');
  transport.loseConnection();
});

test("done fails with the source's error: an Observable's, an async iterable's, a Readable's", async () => {
  const broken = new Error('source broke');
  const observable = write(
    concat(
      of('a'),
      throwError(() => broken),
    ),
  );
  assert.is(observable.done.failure?.value, broken);
  assert.is(observable.transport.text(), 'a');
  async function* failing() {
    yield 'a';
    throw broken;
  }
  const iterable = write(failing());
  await settle();
  assert.is(iterable.done.failure?.value, broken);
  assert.is(iterable.transport.text(), 'a');
  const readable = new Readable({ read() {} });
  const fromReadable = write(readable);
  readable.push('a');
  await settle();
  readable.destroy(broken);
  await settle();
  assert.is(fromReadable.done.failure?.value, broken);
  assert.is(fromReadable.transport.text(), 'a');
  for (const w of [observable, iterable, fromReadable]) w.transport.loseConnection();
});

test('done fails with TypeError for a chunk that is neither bytes nor a string, and the source is let go', async () => {
  const subject = new Subject<unknown>();
  const observed = watched(subject);
  const fromObservable = write(observed.observable as Observable<string>);
  subject.next('a');
  subject.next(42);
  assert.instance(fromObservable.done.failure?.value, TypeError);
  assert.is(observed.unsubscribed, 1);
  assert.is(fromObservable.transport.text(), 'a');
  const iterated = pulled(['a', 42, 'b']);
  const fromIterable = write(iterated.iterable);
  await settle();
  assert.instance(fromIterable.done.failure?.value, TypeError);
  assert.ok(iterated.returned);
  assert.is(fromIterable.transport.text(), 'a');
  const sync = new Subject<string>();
  const syncObserved = watched(concat(of('a', 42 as unknown as string, 'b'), sync));
  const synchronous = write(syncObserved.observable);
  assert.instance(synchronous.done.failure?.value, TypeError);
  assert.match(String(synchronous.done.failure?.value), 'chunk');
  assert.is(
    synchronous.transport.text(),
    'a',
    'nothing after the bad chunk, though it came in the same breath',
  );
  assert.is(syncObserved.unsubscribed, 1, 'unsubscribed once the subscription is known');
  const wrong = write(new ArrayBuffer(2) as unknown as Uint8Array);
  assert.instance(wrong.done.failure?.value, TypeError, 'a body of the wrong type');
  for (const w of [fromObservable, fromIterable, synchronous, wrong]) w.transport.loseConnection();
});

test('stop() unsubscribes from an Observable, and done never fires', () => {
  const subject = new Subject<string>();
  const observed = watched(subject);
  const { writer, transport, done } = write(observed.observable);
  subject.next('a');
  writer.stop();
  assert.is(observed.unsubscribed, 1);
  subject.next('b');
  subject.complete();
  assert.is(transport.text(), 'a');
  assert.equal(done, { fired: false, value: undefined, failure: undefined });
  transport.loseConnection();
});

test('stop() ends an async iterable with its return(), while the writer waits for the drain; done never fires', async () => {
  const iterated = pulled(['a', 'b', 'c']);
  const transport = new StringTransport();
  transport.setWriteBlocked(true);
  const writer = new BodyWriter(iterated.iterable, transport);
  const done = outcome(writer.done);
  writer.start();
  await settle();
  writer.stop();
  await settle();
  assert.ok(iterated.returned);
  transport.setWriteBlocked(false);
  await settle();
  assert.is(transport.text(), 'a');
  assert.is(iterated.pulls, 1);
  assert.equal(done, { fired: false, value: undefined, failure: undefined });
  transport.loseConnection();
});

test('stop() destroys a Readable at once, even while the writer waits for its next chunk; done never fires', async () => {
  const readable = new Readable({ read() {} }); // gives nothing until pushed to
  const { writer, transport, done } = write(readable);
  readable.push('a');
  await settle();
  assert.is(transport.text(), 'a');
  writer.stop();
  assert.ok(readable.destroyed);
  await settle();
  assert.equal(done, { fired: false, value: undefined, failure: undefined });
  transport.loseConnection();
});

test('stop() before start() leaves the source unread; after done it changes nothing', () => {
  const observed = watched(of('a'));
  const transport = new StringTransport();
  const writer = new BodyWriter(observed.observable, transport);
  const done = outcome(writer.done);
  writer.stop();
  writer.start();
  assert.is(observed.subscribed, 0);
  assert.not.ok(done.fired);
  const finished = write('x');
  finished.writer.stop();
  assert.is(finished.done.value, 1);
  transport.loseConnection();
  finished.transport.loseConnection();
});

test('started turns true when the body begins; bytes counts the body bytes written so far, before framing', () => {
  const subject = new Subject<string>();
  const transport = new StringTransport();
  const writer = new BodyWriter(subject, transport, { encoding: chunked });
  writer.start();
  assert.not.ok(writer.started);
  assert.is(writer.bytes, 0);
  subject.next('abc');
  assert.ok(writer.started);
  assert.is(writer.bytes, 3);
  subject.next('de');
  assert.is(writer.bytes, 5);
  subject.complete();
  assert.is(writer.bytes, 5);
  transport.loseConnection();
});

test('disposeBody destroys a Readable (or anything with destroy), and leaves anything else alone', () => {
  const readable = new Readable({ read() {} });
  disposeBody(readable);
  assert.ok(readable.destroyed);
  let calledOn: unknown;
  const custom = {
    destroy() {
      calledOn = this;
    },
  };
  disposeBody(custom);
  assert.is(calledOn, custom);
  for (const body of ['text', bytes('x'), of('x'), null, undefined, { destroy: 'not a function' }]) {
    disposeBody(body); // does not throw
  }
});

test("a body's chunks go back to it only once the output's write of them has left, strings never", async () => {
  const chunks = [bytes('a'), 'b', bytes('c')];
  const back: Uint8Array[] = [];
  const body = {
    async *[Symbol.asyncIterator]() {
      yield* chunks;
    },
    [chunkWritten]: (chunk: Uint8Array) => back.push(chunk),
  };
  const pending: (() => void)[] = [];
  const output = (transport: StringTransport): BodyOutput => ({
    write: (data, written) => {
      if (written !== undefined) pending.push(written);
      return transport.write(data);
    },
    drained: () => transport.drained(),
  });
  const { done, transport } = write(body, { encoding: chunked }, output);
  await settle();
  assert.ok(done.fired);
  assert.equal(back, [], 'none while its write is pending');
  assert.is(pending.length, 2, 'the two chunks of bytes, framed');
  for (const written of pending) written();
  assert.equal(back, [chunks[0], chunks[2]], 'each one the body gave, after its write');
  transport.loseConnection();
});

test('a body that does not take chunks back writes without a `written` callback', async () => {
  const seen: unknown[] = [];
  const output = (transport: StringTransport): BodyOutput => ({
    write: (data, written) => {
      seen.push(written);
      return transport.write(data);
    },
    drained: () => transport.drained(),
  });
  const { transport } = write(pulled([bytes('a')]).iterable, {}, output);
  await settle();
  assert.equal(seen, [undefined]);
  transport.loseConnection();
});

test.run();
