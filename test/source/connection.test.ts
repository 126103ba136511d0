import { Observable, Subject, take } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type CloseReason, type Connection, UnsupportedTransportError } from '../../source/connection.js';
import type { Deferred } from '../../source/deferred.js';
import { ConnectionDone, ConnectionLost } from '../../source/errors.js';
import { type LogRecord, logRecords$ } from '../../source/log.js';
import type { Pausable } from '../../source/producer.js';
import { connectedPair } from '../../source/testing/connected-pair.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { StringTransport } from '../../source/testing/string-transport.js';
import { recordStream } from '../support/record-stream.js';

const test = checkClean(suite('source/connection'));

function text(chunk: Uint8Array): string {
  return Buffer.from(chunk).toString();
}

/** Reads a connection with for await to the end; resolves with the chunks and what it threw. */
async function readAll(connection: Connection) {
  const chunks: string[] = [];
  try {
    for await (const chunk of connection) chunks.push(text(chunk));
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined as unknown };
}

/** The reason a connection closed with, once it has (undefined until then). */
function closedReason(connection: Connection) {
  const box: { reason: CloseReason | undefined } = { reason: undefined };
  connection.closed.addCallback((reason) => {
    box.reason = reason;
    return reason;
  });
  return box;
}

/** What a promise rejected with (fails the test if it fulfilled). */
async function rejection(promise: PromiseLike<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.unreachable('it should have failed');
  return undefined;
}

/** A producer (Twisted's IPushProducer) that records when it is paused and resumed. */
function recordingProducer() {
  const calls: string[] = [];
  const producer: Pausable = {
    pauseProducing: () => calls.push('pause'),
    resumeProducing: () => calls.push('resume'),
  };
  return { producer, calls };
}

/** Collects log records until `stop()` (so expected warnings do not reach the console). */
function captureLogs() {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((record) => records.push(record));
  return { records, stop: () => subscription.unsubscribe() };
}

// reading: consumers

test('does not read before the first data$ subscriber, then hands it everything received meanwhile', () => {
  const transport = new StringTransport();
  transport.receive('one ');
  transport.receive('two');
  assert.not.ok(transport.reading, 'no consumer: not reading');
  const seen = recordStream(transport.data$);
  assert.ok(transport.reading);
  assert.equal(seen.chunks, ['one ', 'two']);
  transport.loseConnection();
});

test('starts reading on the first pull of an async iterator, not when the iterator is made', async () => {
  const transport = new StringTransport();
  transport.receive('early');
  const iterator = transport[Symbol.asyncIterator]();
  assert.not.ok(transport.reading, 'made but not pulled: not reading');
  const first = await iterator.next();
  assert.ok(transport.reading);
  assert.is(text(first.value as Uint8Array), 'early');
  await iterator.return();
  transport.loseConnection();
});

test('pauses reading when the last consumer leaves, and keeps what arrives for the next one', () => {
  const transport = new StringTransport();
  const first = recordStream(transport.data$);
  const second = recordStream(transport.data$);
  transport.receive('a');
  first.unsubscribe();
  assert.ok(transport.reading, 'one consumer is left');
  second.unsubscribe();
  assert.not.ok(transport.reading);
  transport.receive('b');
  transport.receive('c');
  const third = recordStream(transport.data$);
  assert.equal(first.chunks, ['a']);
  assert.equal(second.chunks, ['a']);
  assert.equal(third.chunks, ['b', 'c'], 'nothing received meanwhile was lost');
  transport.loseConnection();
});

test('a subscriber that leaves after the first of several waiting chunks leaves the rest for the next one', () => {
  const transport = new StringTransport();
  transport.receive('one');
  transport.receive('two');
  transport.receive('three');
  const first: string[] = [];
  transport.data$.pipe(take(1)).subscribe((chunk) => first.push(text(chunk)));
  assert.equal(first, ['one']);
  assert.not.ok(transport.reading, 'the only consumer left');
  const next = recordStream(transport.data$);
  assert.equal(next.chunks, ['two', 'three'], 'nothing received before was lost');
  transport.loseConnection();
});

test('gives every chunk to each of several data$ subscribers', () => {
  const transport = new StringTransport();
  const all = [recordStream(transport.data$), recordStream(transport.data$), recordStream(transport.data$)];
  transport.receive('x');
  transport.receive('y');
  for (const seen of all) assert.equal(seen.chunks, ['x', 'y']);
  transport.loseConnection();
  for (const seen of all) assert.ok(seen.completed);
});

test('a subscriber that unsubscribes, even while a chunk is delivered, does not disturb the others', () => {
  const transport = new StringTransport();
  const before = recordStream(transport.data$);
  const leaving: string[] = [];
  const subscription = transport.data$.subscribe((chunk) => {
    leaving.push(text(chunk));
    subscription.unsubscribe();
  });
  const after = recordStream(transport.data$);
  transport.receive('first');
  transport.receive('second');
  assert.equal(leaving, ['first']);
  assert.equal(before.chunks, ['first', 'second']);
  assert.equal(after.chunks, ['first', 'second'], 'the subscriber after the one leaving got the chunk too');
  transport.loseConnection();
});

// the peer's FIN

test("the peer's FIN completes data$ and ends async iterators, after the bytes before it", async () => {
  const transport = new StringTransport({ allowHalfOpen: true });
  const seen = recordStream(transport.data$);
  const read = readAll(transport);
  transport.receive('a');
  transport.receive('b');
  transport.receiveEnd();
  assert.equal(seen.chunks, ['a', 'b']);
  assert.ok(seen.completed);
  assert.equal(await read, { chunks: ['a', 'b'], error: undefined });
  transport.close();
});

test('a consumer that comes after the FIN completes at once', async () => {
  const transport = new StringTransport({ allowHalfOpen: true });
  transport.receiveEnd();
  recordStream(transport.data$);
  const late = recordStream(transport.data$);
  assert.ok(late.completed);
  assert.equal(await readAll(transport), { chunks: [], error: undefined });
  transport.close();
});

test('without allowHalfOpen the FIN closes the connection cleanly, after what was written on the end', async () => {
  const { client, server, flush } = connectedPair();
  const atClient = recordStream(client.data$);
  const atServer: string[] = [];
  server.data$.subscribe({
    next: (chunk) => atServer.push(text(chunk)),
    complete: () => {
      atServer.push('FIN');
      server.write('the answer');
    },
    error: (error: unknown) => atServer.push(`error: ${error}`),
  });
  client.write('the question');
  client.end();
  await flush();
  assert.equal(atServer, ['the question', 'FIN']);
  assert.not.ok(server.writable);
  assert.equal(atClient.chunks, ['the answer'], 'the answer got out before the close');
  assert.ok(atClient.completed);
  assert.instance(await server.closed, ConnectionDone);
  assert.instance(await client.closed, ConnectionDone);
});

test('with allowHalfOpen the FIN leaves the connection open and writable', () => {
  const transport = new StringTransport({ allowHalfOpen: true });
  const seen = recordStream(transport.data$);
  const closed = closedReason(transport);
  transport.receiveEnd();
  assert.ok(seen.completed);
  assert.ok(transport.writable);
  assert.ok(transport.write('still talking'));
  assert.is(transport.text(), 'still talking');
  assert.not.ok(transport.closedByProtocol);
  assert.is(closed.reason, undefined);
  transport.close();
  assert.instance(closed.reason, ConnectionDone);
});

// closing: reasons

test('a reset errors data$ and async iterators with the ConnectionLost, and closed fires with it', async () => {
  const transport = new StringTransport();
  const seen = recordStream(transport.data$);
  const iterator = transport[Symbol.asyncIterator]();
  const pending = iterator.next();
  const closed = closedReason(transport);
  const reset = new ConnectionLost('reset by peer');
  transport.loseConnection(reset);
  assert.is(seen.error, reset);
  assert.not.ok(seen.completed);
  assert.is(await rejection(pending), reset);
  assert.is(closed.reason, reset);
});

test('an async iterator yields the bytes received before a reset, then throws it', async () => {
  const transport = new StringTransport();
  const read = readAll(transport);
  transport.receive('a');
  transport.receive('b');
  transport.loseConnection(new ConnectionLost('reset by peer'));
  const { chunks, error } = await read;
  assert.equal(chunks, ['a', 'b']);
  assert.instance(error, ConnectionLost);
});

test('a clean close completes data$, ends async iterators, and closed fires with ConnectionDone', async () => {
  const transport = new StringTransport();
  const seen = recordStream(transport.data$);
  const read = readAll(transport);
  const closed = closedReason(transport);
  transport.receive('last');
  transport.loseConnection();
  assert.ok(seen.completed);
  assert.is(seen.error, undefined);
  assert.equal(await read, { chunks: ['last'], error: undefined });
  assert.instance(closed.reason, ConnectionDone);
});

test('a consumer that comes after the close completes at once, or errors with the reset', async () => {
  const clean = new StringTransport();
  clean.loseConnection();
  assert.ok(recordStream(clean.data$).completed);
  assert.equal(await readAll(clean), { chunks: [], error: undefined });

  const reset = new StringTransport();
  const lost = new ConnectionLost('reset by peer');
  reset.loseConnection(lost);
  assert.is(recordStream(reset.data$).error, lost);
  assert.is((await readAll(reset)).error, lost);
});

// closed

test("closed gives a Deferred of its own per read: a callback on one does not change another's result", () => {
  const transport = new StringTransport();
  const first = transport.closed;
  const second = transport.closed;
  assert.is.not(first, second);
  const results: unknown[] = [];
  first.addCallback(() => 'replaced').addCallback((result) => results.push(result));
  second.addCallback((result) => results.push(result));
  transport.loseConnection();
  assert.is(results[0], 'replaced');
  assert.instance(results[1], ConnectionDone);
});

test('closed read after the close fires at once with the reason, still one Deferred per read', () => {
  const transport = new StringTransport();
  const reset = new ConnectionLost('reset by peer');
  transport.loseConnection(reset);
  const first = transport.closed;
  assert.ok(first.called);
  const results: unknown[] = [];
  first.addCallback(() => 'replaced').addCallback((result) => results.push(result));
  transport.closed.addCallback((result) => results.push(result));
  assert.equal(results, ['replaced', reset]);
});

// writing and closing

test('write() after end(), close() or abort() returns false and writes nothing; writable follows', () => {
  const finishes: [string, (transport: StringTransport) => void][] = [
    ['end', (transport) => transport.end()],
    ['close', (transport) => transport.close()],
    ['abort', (transport) => transport.abort()],
  ];
  for (const [name, finish] of finishes) {
    const transport = new StringTransport({ closeImmediately: false });
    assert.ok(transport.writable, name);
    assert.ok(transport.write('before'), name);
    finish(transport);
    assert.not.ok(transport.writable, name);
    assert.not.ok(transport.write('after'), name);
    assert.is(transport.text(), 'before', name);
    transport.abort();
  }
});

test('end() half-closes: it sends the FIN, and reading goes on', () => {
  const transport = new StringTransport();
  const seen = recordStream(transport.data$);
  const closed = closedReason(transport);
  transport.end();
  assert.ok(transport.ended);
  assert.not.ok(transport.closedByProtocol);
  transport.receive('the reply');
  assert.equal(seen.chunks, ['the reply']);
  assert.is(closed.reason, undefined, 'still open');
  transport.loseConnection();
});

test('close() makes the connection unwritable at once; every Deferred it gave fires once it is closed', () => {
  const transport = new StringTransport({ closeImmediately: false });
  const first = transport.close();
  const second = transport.close();
  assert.not.ok(transport.writable);
  assert.ok(transport.closedByProtocol);
  assert.not.ok(first.called || second.called, 'still closing');
  transport.loseConnection();
  assert.ok(first.called && second.called);
  assert.ok(transport.close().called, 'a close() after the close fires at once');
});

test('close() on a connection the peer closed already fires at once and asks the transport for nothing', () => {
  const transport = new StringTransport();
  transport.loseConnection();
  const closing = transport.close();
  assert.ok(closing.called);
  assert.not.ok(transport.closedByProtocol);
});

test('close() delivers the bytes written before it, then the peer sees the end', async () => {
  const { client, server, flush } = connectedPair();
  const atServer = recordStream(server.data$);
  client.write('all ');
  client.write('of it');
  const closing = client.close();
  assert.not.ok(closing.called);
  await flush();
  assert.equal(atServer.chunks.join(''), 'all of it');
  assert.ok(atServer.completed);
  assert.ok(closing.called);
  assert.instance(await client.closed, ConnectionDone);
  assert.instance(await server.closed, ConnectionDone);
});

test('abort() drops the bytes still queued and resets the peer', async () => {
  const { client, server, flush } = connectedPair();
  const atServer = recordStream(server.data$);
  client.write('never delivered');
  client.abort();
  assert.not.ok(client.writable);
  await flush();
  assert.equal(atServer.chunks, []);
  assert.instance(atServer.error, ConnectionLost);
  assert.instance(await client.closed, ConnectionLost);
  assert.instance(await server.closed, ConnectionLost);
});

test('abort() while close() waits closes at once, with ConnectionLost', () => {
  const transport = new StringTransport({ closeImmediately: false });
  const closing = transport.close();
  const closed = closedReason(transport);
  transport.abort();
  assert.ok(transport.aborted);
  assert.ok(closing.called);
  assert.instance(closed.reason, ConnectionLost);
});

// backpressure

test('a write that returns false during a delivery pauses the delivering connection until the writer drains', () => {
  const source = new StringTransport();
  const sink = new StringTransport();
  source.data$.subscribe(sink); // a proxy
  sink.setWriteBlocked(true);
  source.receive('one');
  assert.is(sink.text(), 'one');
  assert.not.ok(source.reading, 'the source is paused');
  source.receive('two');
  assert.is(sink.text(), 'one', 'held at the source');
  sink.setWriteBlocked(false);
  assert.ok(source.reading);
  assert.is(sink.text(), 'onetwo');
  source.loseConnection();
  assert.ok(sink.closedByProtocol, 'the end of the source closed the sink');
});

test('a write that returns false outside any delivery pauses no connection', () => {
  const source = new StringTransport();
  const sink = new StringTransport();
  recordStream(source.data$);
  sink.setWriteBlocked(true);
  assert.not.ok(sink.write('x'));
  assert.ok(source.reading);
  source.loseConnection();
  sink.abort();
});

test('a connection delivering to two blocked writers stays paused until both have drained', () => {
  const source = new StringTransport();
  const left = new StringTransport();
  const right = new StringTransport();
  source.data$.subscribe(left);
  source.data$.subscribe(right);
  left.setWriteBlocked(true);
  right.setWriteBlocked(true);
  source.receive('x');
  assert.not.ok(source.reading);
  left.setWriteBlocked(false);
  assert.not.ok(source.reading, 'one writer is still blocked');
  right.setWriteBlocked(false);
  assert.ok(source.reading);
  source.receive('y');
  assert.is(left.text(), 'xy');
  assert.is(right.text(), 'xy');
  source.loseConnection();
});

test('registerProducer: a blocked write pauses the registered producer once; the drain resumes it', () => {
  const transport = new StringTransport();
  const { producer, calls } = recordingProducer();
  transport.registerProducer(producer);
  assert.ok(transport.write('fits'));
  assert.equal(calls, []);
  transport.setWriteBlocked(true);
  assert.not.ok(transport.write('full'));
  transport.write('fuller');
  assert.equal(calls, ['pause']);
  transport.setWriteBlocked(false);
  assert.equal(calls, ['pause', 'resume']);
  transport.abort();
});

test('registerProducer while blocked pauses at once; unregisterProducer resumes it and ends the pauses', () => {
  const transport = new StringTransport();
  const { producer, calls } = recordingProducer();
  transport.setWriteBlocked(true);
  transport.write('full');
  transport.registerProducer(producer);
  assert.equal(calls, ['pause']);
  transport.unregisterProducer();
  assert.equal(calls, ['pause', 'resume']);
  transport.setWriteBlocked(false);
  transport.setWriteBlocked(true);
  transport.write('full again');
  transport.setWriteBlocked(false);
  assert.equal(calls, ['pause', 'resume'], 'no longer paused or resumed');
  transport.abort();
});

test('drained() fires at once when writes are not blocked, and after the drain when they are', () => {
  const transport = new StringTransport();
  assert.ok(transport.drained().called);
  transport.setWriteBlocked(true);
  transport.write('full');
  const first = transport.drained();
  const second = transport.drained();
  assert.not.ok(first.called || second.called);
  transport.setWriteBlocked(false);
  assert.ok(first.called && second.called);
  assert.ok(transport.drained().called);
  transport.abort();
});

test('drained() asked for while a producer resumed by the drain refills the buffer waits for the next drain', () => {
  const transport = new StringTransport();
  const waiters: Deferred<void>[] = [];
  let bursts = 0;
  transport.registerProducer({
    pauseProducing: () => {},
    resumeProducing: () => {
      if (bursts++ > 0) return;
      transport.setWriteBlocked(true); // the burst it writes on resuming fills the buffer again
      if (!transport.write('burst')) waiters.push(transport.drained());
    },
  });
  transport.setWriteBlocked(true);
  transport.write('full');
  transport.setWriteBlocked(false); // drains: the producer resumes, writes, and is refused
  assert.is(waiters.length, 1, 'the producer asked for the next drain');
  assert.not.ok(transport.write('more'), 'the buffer is full again');
  assert.not.ok(waiters[0]!.called, 'no drain since it was asked for');
  transport.setWriteBlocked(false);
  assert.ok(waiters[0]!.called);
  transport.abort();
});

test('drained() waiters are released when the connection closes', () => {
  const transport = new StringTransport();
  transport.setWriteBlocked(true);
  transport.write('full');
  const waiting = transport.drained();
  transport.loseConnection(new ConnectionLost('reset by peer'));
  assert.ok(waiting.called);
  assert.ok(transport.drained().called);
});

// the async iterator

test('an async iterator pauses reading at readHighWaterMark unread bytes and resumes as the reader catches up', async () => {
  const transport = new StringTransport({ readHighWaterMark: 4 });
  const iterator = transport[Symbol.asyncIterator]();
  const first = iterator.next();
  assert.ok(transport.reading);
  transport.receive('ab');
  assert.ok(transport.reading, '2 bytes unread: below the mark');
  transport.receive('cd');
  assert.not.ok(transport.reading, '4 bytes unread: paused');
  transport.receive('ef');
  assert.is(text((await first).value as Uint8Array), 'ab');
  assert.not.ok(transport.reading, "'ab' was read, 'ef' came in: 4 unread again");
  assert.is(text((await iterator.next()).value as Uint8Array), 'cd');
  assert.ok(transport.reading, '2 bytes unread: reading again');
  assert.is(text((await iterator.next()).value as Uint8Array), 'ef');
  assert.ok(transport.reading);
  await iterator.return();
  transport.loseConnection();
});

test('breaking out of for await stops reading when no other consumer is left', async () => {
  const transport = new StringTransport();
  transport.receive('a');
  for await (const chunk of transport) {
    assert.is(text(chunk), 'a');
    break;
  }
  assert.not.ok(transport.reading);
  transport.receive('b');
  assert.equal(recordStream(transport.data$).chunks, ['b'], 'kept for the next consumer');
  transport.loseConnection();
});

test('breaking out of a paused async iterator lets the other consumers read on', async () => {
  const transport = new StringTransport({ readHighWaterMark: 2 });
  const other = recordStream(transport.data$);
  const iterator = transport[Symbol.asyncIterator]();
  const first = iterator.next();
  transport.receive('ab');
  assert.not.ok(transport.reading, 'the iterator holds 2 unread bytes');
  transport.receive('cd');
  assert.equal(other.chunks, ['ab'], 'the whole connection waits for its slowest consumer');
  await first;
  assert.not.ok(transport.reading, "'cd' came in: the iterator is full again");
  await iterator.return();
  assert.ok(transport.reading);
  transport.receive('ef');
  assert.equal(other.chunks, ['ab', 'cd', 'ef']);
  transport.loseConnection();
});

// send

test('send() writes each value of output$ and closes the connection when it completes', () => {
  const transport = new StringTransport();
  const output$ = new Subject<Uint8Array | string>();
  const closed = closedReason(transport);
  const subscription = transport.send(output$);
  output$.next('a');
  output$.next(Uint8Array.of(0x62));
  assert.is(transport.text(), 'ab');
  assert.not.ok(transport.closedByProtocol);
  output$.complete();
  assert.ok(subscription.closed);
  assert.ok(transport.closedByProtocol);
  assert.not.ok(transport.aborted);
  assert.instance(closed.reason, ConnectionDone);
});

test('send() aborts the connection when output$ errors, and logs the error at warn', () => {
  const transport = new StringTransport();
  const output$ = new Subject<string>();
  const closed = closedReason(transport);
  transport.send(output$);
  output$.next('partial');
  const logs = captureLogs();
  const boom = new Error('boom');
  output$.error(boom);
  logs.stop();
  assert.ok(transport.aborted);
  assert.instance(closed.reason, ConnectionLost);
  assert.is(logs.records.length, 1);
  const [warning] = logs.records;
  assert.is(warning!.level, 'warn');
  assert.is(warning!.namespace, 'spindle.connection');
  assert.is(warning!.message, 'dropping connection with memory:peer: boom');
  assert.is(warning!.error, boom);
  assert.equal(warning!.fields, { peer: 'memory:peer' });
});

test('send() stops, unsubscribing from output$, once the connection closes', () => {
  const transport = new StringTransport();
  const output$ = new Subject<string>();
  const subscription = transport.send(output$);
  output$.next('a');
  transport.loseConnection(new ConnectionLost('reset by peer'));
  assert.ok(subscription.closed);
  assert.not.ok(output$.observed);
  output$.next('b');
  assert.is(transport.text(), 'a');
});

test('send() on a closed connection unsubscribes from output$ at once', () => {
  const transport = new StringTransport();
  transport.loseConnection();
  const output$ = new Subject<string>();
  const subscription = transport.send(output$);
  assert.ok(subscription.closed);
  assert.not.ok(output$.observed);
});

// as an Observer

test('as an Observer, next() writes strings and bytes, and complete() closes after flushing them', async () => {
  const { client, server, flush } = connectedPair();
  const atServer = recordStream(server.data$);
  new Observable<Uint8Array | string>((subscriber) => {
    subscriber.next('ping ');
    subscriber.next(new TextEncoder().encode('pong'));
    subscriber.complete();
  }).subscribe(client);
  await flush();
  assert.is(atServer.chunks.join(''), 'ping pong');
  assert.ok(atServer.completed);
  assert.instance(await client.closed, ConnectionDone);
});

test('as an Observer, error() aborts the connection and logs a warning naming the peer', () => {
  const peer = { type: 'tcp', host: '192.0.2.7', port: 4000, family: 'IPv4' } as const;
  const transport = new StringTransport({ remoteAddress: peer });
  const logs = captureLogs();
  transport.error('gave up');
  logs.stop();
  assert.ok(transport.aborted);
  assert.equal(
    logs.records.map((record) => [record.level, record.message, record.fields]),
    [['warn', 'dropping connection with 192.0.2.7:4000: gave up', { peer: '192.0.2.7:4000' }]],
  );
});

// TLS

test('startTLS on a transport that cannot fails with UnsupportedTransportError', async () => {
  const transport = new StringTransport();
  const error = await rejection(transport.startTLS({}));
  assert.instance(error, UnsupportedTransportError);
  assert.is((error as UnsupportedTransportError).code, 'SPINDLE_UNSUPPORTED_TRANSPORT');
  assert.ok(transport.writable, 'the connection is left as it was');
  transport.abort();
});

// pause and resume

test('pause() holds incoming bytes until resume(), in order, even before the first consumer', () => {
  const transport = new StringTransport();
  transport.pause();
  const seen = recordStream(transport.data$);
  assert.not.ok(transport.reading, 'paused: a consumer does not start reading');
  transport.receive('a');
  transport.receive('b');
  assert.equal(seen.chunks, []);
  transport.resume();
  assert.ok(transport.reading);
  assert.equal(seen.chunks, ['a', 'b']);
  transport.loseConnection();
});

test('a pause by the user and a pause by backpressure are independent: reading resumes once both are lifted', () => {
  const source = new StringTransport();
  const sink = new StringTransport();
  source.data$.subscribe(sink);
  sink.setWriteBlocked(true);
  source.receive('one');
  source.pause();
  sink.setWriteBlocked(false);
  assert.not.ok(source.reading, 'drained, but the user paused it');
  source.resume();
  assert.ok(source.reading);

  sink.setWriteBlocked(true);
  source.receive('two');
  source.pause();
  source.resume();
  assert.not.ok(source.reading, 'resumed by the user, but the sink is still blocked');
  source.receive('three');
  sink.setWriteBlocked(false);
  assert.ok(source.reading);
  assert.is(sink.text(), 'onetwothree');
  source.loseConnection();
});

test("write's `written` is called once the transport lets the bytes go, and at once for a write dropped after close", () => {
  const transport = new StringTransport();
  let calls = 0;
  assert.ok(transport.write(new Uint8Array([1]), () => calls++));
  assert.is(calls, 1, 'a StringTransport records a copy: the bytes are free at once');
  transport.loseConnection();
  assert.not.ok(transport.write('b', () => calls++));
  assert.is(calls, 2, 'dropped: nothing holds them');
});

test.run();
