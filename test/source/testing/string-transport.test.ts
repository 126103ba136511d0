import { map } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { UnsupportedTransportError } from '../../../source/connection.js';
import { ConnectionDone, ConnectionLost } from '../../../source/errors.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { StringTransport } from '../../../source/testing/string-transport.js';

const test = checkClean(suite('source/testing/string-transport'));

/** What a transport's data$ delivered, and how it finished. */
function record(transport: StringTransport) {
  const seen = { chunks: [] as string[], completed: false, error: undefined as unknown };
  transport.data$.subscribe({
    next: (chunk) => seen.chunks.push(Buffer.from(chunk).toString()),
    complete: () => {
      seen.completed = true;
    },
    error: (error: unknown) => {
      seen.error = error;
    },
  });
  return seen;
}

test('records every write synchronously, as bytes, until clear()', () => {
  const transport = new StringTransport();
  const bytes = Uint8Array.of(1, 2, 3);
  assert.ok(transport.write('héllo '));
  assert.ok(transport.write(bytes));
  bytes[0] = 9;
  assert.is(transport.writes.length, 2);
  assert.equal([...transport.writes[1]!], [1, 2, 3], 'the record is a copy');
  assert.equal([...transport.value()], [...Buffer.from('héllo '), 1, 2, 3]);
  transport.clear();
  assert.is(transport.text(), '');
  transport.write('next');
  assert.is(transport.text(), 'next');
  transport.abort();
});

test('receive() delivers synchronously to data$ subscribers', () => {
  const transport = new StringTransport();
  transport.data$.pipe(map((chunk) => Buffer.from(chunk).toString().toUpperCase())).subscribe(transport);
  transport.receive('hello');
  assert.is(transport.text(), 'HELLO');
  transport.receive(new TextEncoder().encode(' again'));
  assert.is(transport.text(), 'HELLO AGAIN');
  transport.loseConnection();
});

test('receive() feeds async iterators, and the FIN ends them', async () => {
  const transport = new StringTransport();
  const read = (async () => {
    const chunks: string[] = [];
    for await (const chunk of transport) chunks.push(Buffer.from(chunk).toString());
    return chunks;
  })();
  transport.receive('a');
  transport.receive('b');
  transport.receiveEnd();
  assert.equal(await read, ['a', 'b']);
});

test('bytes received before anyone reads wait, in order, and the FIN comes after them', () => {
  const transport = new StringTransport({ allowHalfOpen: true });
  transport.receive('one ');
  transport.receive('two');
  transport.receiveEnd();
  assert.not.ok(transport.reading);
  const seen = record(transport);
  assert.equal(seen.chunks, ['one ', 'two']);
  assert.ok(seen.completed);
  assert.ok(transport.writable, 'half-open: still writable after the FIN');
  transport.close();
});

test('pause() holds received bytes until resume()', () => {
  const transport = new StringTransport();
  const seen = record(transport);
  assert.ok(transport.reading);
  transport.pause();
  assert.not.ok(transport.reading);
  transport.receive('held');
  assert.equal(seen.chunks, []);
  transport.resume();
  assert.equal(seen.chunks, ['held']);
  transport.abort();
});

test('a consumer that pauses and resumes while handling a chunk gets the rest in order', () => {
  const transport = new StringTransport();
  const seen: string[] = [];
  transport.data$.subscribe((chunk) => {
    seen.push(Buffer.from(chunk).toString());
    transport.pause();
    transport.resume();
  });
  transport.pause();
  transport.receive('a');
  transport.receive('b');
  transport.resume();
  assert.equal(seen, ['a', 'b']);
  transport.loseConnection();
});

test("the peer's FIN closes a connection that is not half-open, as close() does", () => {
  const transport = new StringTransport();
  const seen = record(transport);
  let reason: unknown;
  transport.closed.addCallback((why) => {
    reason = why;
  });
  transport.receive('QUIT');
  transport.receiveEnd();
  assert.ok(seen.completed);
  assert.ok(transport.closedByProtocol);
  assert.instance(reason, ConnectionDone);
  assert.throws(() => transport.receive('more'), /after the peer ended/);
});

test('receive() on a closed connection throws', () => {
  const transport = new StringTransport();
  transport.loseConnection();
  assert.throws(() => transport.receive('late'), /closed connection/);
});

test('close() completes at once by default: closed fires with ConnectionDone', () => {
  const transport = new StringTransport();
  const seen = record(transport);
  transport.write('bye');
  const closing = transport.close();
  assert.ok(closing.called);
  assert.ok(transport.closedByProtocol);
  assert.not.ok(transport.ended);
  assert.not.ok(transport.writable);
  assert.ok(seen.completed);
  assert.not.ok(transport.write('dropped'));
  assert.is(transport.text(), 'bye');
});

test('with closeImmediately false, close() waits for loseConnection()', () => {
  const transport = new StringTransport({ closeImmediately: false });
  const closing = transport.close();
  assert.ok(transport.closedByProtocol);
  assert.not.ok(closing.called);
  transport.loseConnection();
  assert.ok(closing.called);
});

test('end() half-closes: ended is set and later writes are dropped', () => {
  const transport = new StringTransport();
  transport.write('last');
  transport.end();
  assert.ok(transport.ended);
  assert.not.ok(transport.closedByProtocol);
  assert.not.ok(transport.write('more'));
  assert.is(transport.text(), 'last');
  transport.loseConnection();
});

test('abort() closes at once with ConnectionLost and errors data$', () => {
  const transport = new StringTransport();
  const seen = record(transport);
  transport.abort();
  assert.ok(transport.aborted);
  assert.instance(seen.error, ConnectionLost);
});

test('loseConnection() is the peer closing or resetting', async () => {
  const clean = new StringTransport();
  clean.loseConnection();
  assert.instance(await clean.closed, ConnectionDone);

  const reset = new StringTransport();
  const seen = record(reset);
  const lost = new ConnectionLost('reset by peer');
  reset.receive('x');
  reset.loseConnection(lost);
  assert.is(await reset.closed, lost);
  assert.is(seen.error, lost);

  const other = new StringTransport();
  other.loseConnection(new Error('cable cut'));
  const reason = await other.closed;
  assert.instance(reason, ConnectionLost);
  assert.is(reason.message, 'connection lost: cable cut');
  assert.is((reason.cause as Error).message, 'cable cut');
});

test('a blocked write buffer pauses reading (backpressure) until it is unblocked', () => {
  const transport = new StringTransport();
  const seen = record(transport);
  transport.data$.subscribe((chunk) => transport.write(chunk)); // an echo
  transport.setWriteBlocked(true);
  transport.receive('first');
  assert.is(transport.text(), 'first', 'the write is recorded');
  assert.not.ok(transport.reading, 'the echo blocked: the transport paused as a producer');
  let drained = false;
  transport.drained().addCallback(() => {
    drained = true;
  });
  transport.receive('second');
  assert.equal(seen.chunks, ['first'], 'the second chunk waits');
  transport.setWriteBlocked(false);
  assert.ok(drained);
  assert.ok(transport.reading);
  assert.equal(seen.chunks, ['first', 'second']);
  assert.is(transport.text(), 'firstsecond');
  transport.setWriteBlocked(false);
  transport.loseConnection();
});

test('write() returns false while blocked', () => {
  const transport = new StringTransport();
  transport.setWriteBlocked(true);
  assert.not.ok(transport.write('x'));
  assert.is(transport.text(), 'x');
  transport.abort();
});

test('has memory addresses and the server side by default; options change them', () => {
  const plain = new StringTransport();
  assert.is(plain.side, 'server');
  assert.equal(plain.localAddress, { type: 'memory', name: 'local' });
  assert.equal(plain.remoteAddress, { type: 'memory', name: 'peer' });
  assert.not.ok(plain.secure);
  const peer = { type: 'tcp', host: '192.0.2.1', port: 4000, family: 'IPv4' } as const;
  const custom = new StringTransport({ side: 'client', remoteAddress: peer, secure: true });
  assert.is(custom.side, 'client');
  assert.equal(custom.remoteAddress, peer);
  assert.ok(custom.secure);
  plain.abort();
  custom.abort();
});

test('startTLS fails with UnsupportedTransportError', async () => {
  const transport = new StringTransport();
  try {
    await transport.startTLS({});
    assert.unreachable();
  } catch (error) {
    assert.instance(error, UnsupportedTransportError);
  }
  transport.abort();
});

test.run();
