import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CorkedOutput } from '../../source/corked-output.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { StringTransport } from '../../source/testing/string-transport.js';

const test = checkClean(suite('source/corked-output'));

const decoder = new TextDecoder();

/**
 * A CorkedOutput over a StringTransport whose writes are recorded as they were given (not
 * copied); `fills(data)` says which writes fill the connection's buffer (return false).
 */
function corked(fills: (data: Uint8Array | string) => boolean = () => false) {
  const transport = new StringTransport();
  const given: (Uint8Array | string)[] = [];
  const write = transport.write.bind(transport);
  transport.write = (data) => {
    given.push(data);
    return write(data) && !fills(data);
  };
  const output = new CorkedOutput(transport);
  const texts = () => transport.writes.map((w) => decoder.decode(w));
  return { transport, output, given, texts };
}

test('writes through at once when not corked, answering as the connection does', () => {
  const { transport, output, given } = corked();
  assert.ok(output.write('a'));
  const bytes = new Uint8Array([98]);
  assert.ok(output.write(bytes));
  assert.equal(given, ['a', bytes]);
  transport.setWriteBlocked(true);
  assert.not.ok(output.write('c'));
  transport.loseConnection();
});

test('gathers the strings written while corked into one string write', () => {
  const { transport, output, given } = corked();
  output.cork();
  assert.ok(output.write('HTTP/1.1 200 OK\r\n'));
  assert.ok(output.write('Content-Length: 2\r\n\r\n'));
  assert.ok(output.write('hi'));
  assert.equal(given, []);
  assert.ok(output.uncork());
  assert.equal(given, ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi']);
  transport.loseConnection();
});

test('mixes strings and bytes written while corked into one buffer, in order, strings as UTF-8', () => {
  const { transport, output, given, texts } = corked();
  output.cork();
  output.write('é-');
  output.write(new Uint8Array([0x41, 0x42]));
  output.write('-€');
  output.write(new Uint8Array([0x43]));
  output.uncork();
  assert.is(given.length, 1);
  assert.instance(given[0], Uint8Array);
  assert.equal(texts(), ['é-AB-€C']);
  transport.loseConnection();
});

test('one part of bytes gathered alone is written as it is', () => {
  const { transport, output, given } = corked();
  const part = new Uint8Array([1, 2, 3]);
  output.cork();
  output.write(part);
  output.uncork();
  assert.equal(given.length, 1);
  assert.is(given[0], part);
  transport.loseConnection();
});

test('parts of 16 KiB or more are written on their own, uncopied, between the batches around them', () => {
  const { transport, output, given, texts } = corked();
  const big = new Uint8Array(16 * 1024).fill(0x62); // 'b'
  const bigText = 'c'.repeat(16 * 1024);
  const almost = new Uint8Array(16 * 1024 - 1).fill(0x61); // 'a': batched
  output.cork();
  output.write('<');
  output.write(almost);
  output.write(big);
  output.write(bigText);
  output.write('>');
  output.write(new Uint8Array([0x21]));
  output.uncork();
  assert.is(given.length, 4);
  assert.is((given[0] as Uint8Array).byteLength, 1 + almost.byteLength, 'the small parts before, together');
  assert.is(given[1], big, 'the big part itself');
  assert.is((given[2] as Uint8Array).byteLength, bigText.length, 'a big string on its own');
  assert.equal(texts().slice(2), [bigText, '>!']);
  assert.is(texts().join(''), `<${'a'.repeat(almost.byteLength)}${'b'.repeat(big.byteLength)}${bigText}>!`);
  transport.loseConnection();
});

test('corks nest: only the outermost uncork writes', () => {
  const { transport, output, given } = corked();
  output.cork();
  output.write('a');
  output.cork();
  output.write('b');
  assert.ok(output.uncork());
  assert.equal(given, []);
  output.write('c');
  output.uncork();
  assert.equal(given, ['abc']);
  output.write('d');
  assert.equal(given, ['abc', 'd'], 'uncorked again: writes go through');
  transport.loseConnection();
});

test('an uncork with nothing gathered writes nothing', () => {
  const { transport, output, given } = corked();
  output.cork();
  assert.ok(output.uncork());
  output.cork();
  output.write('');
  assert.ok(output.uncork());
  assert.equal(given, []);
  transport.loseConnection();
});

test("the outermost uncork returns false when the connection's buffer is full, for text and for mixed parts", () => {
  const { transport, output } = corked();
  transport.setWriteBlocked(true);
  output.cork();
  assert.ok(output.write('gathered'), 'gathering always succeeds');
  assert.not.ok(output.uncork());
  output.cork();
  output.write('a');
  output.write(new Uint8Array([1]));
  assert.not.ok(output.uncork());
  output.cork();
  output.write(new Uint8Array(16 * 1024));
  output.write('tail');
  assert.not.ok(output.uncork(), 'any of the writes being refused counts');
  transport.setWriteBlocked(false);
  output.cork();
  output.write('a');
  assert.ok(output.uncork());
  transport.loseConnection();
  const big = new Uint8Array(16 * 1024);
  const bigFills = corked((data) => data === big);
  bigFills.output.cork();
  bigFills.output.write('head');
  bigFills.output.write(big);
  bigFills.output.write('tail');
  assert.not.ok(bigFills.output.uncork(), 'the big part, written on its own, filled it');
  assert.is(bigFills.given.length, 3);
  bigFills.transport.loseConnection();
});

test("drained() is the connection's: it fires once the buffer drains", () => {
  const { transport, output } = corked();
  assert.ok(output.drained().called, 'at once while nothing is blocked');
  transport.setWriteBlocked(true);
  output.write('x');
  const drained = output.drained();
  assert.not.ok(drained.called);
  transport.setWriteBlocked(false);
  assert.ok(drained.called);
  transport.loseConnection();
});

test("a part's `written` goes with its write uncorked, and, gathered, with the uncork's last write", () => {
  const transport = new StringTransport();
  const callbacks: { data: Uint8Array | string; written: (() => void) | undefined }[] = [];
  transport.write = (data, written) => {
    callbacks.push({ data, written });
    return true;
  };
  const output = new CorkedOutput(transport);
  const log: string[] = [];
  const part = new Uint8Array([1]);
  output.write(part, () => log.push('uncorked'));
  assert.is(callbacks[0]!.data, part);
  callbacks[0]!.written?.();
  assert.equal(log, ['uncorked']);
  const big = new Uint8Array(16 * 1024);
  output.cork();
  output.write('head', () => log.push('head'));
  output.write(big, () => log.push('big'));
  output.write(new Uint8Array([2]), () => log.push('small'));
  output.write('tail');
  output.uncork();
  assert.is(callbacks.length, 4, 'head, the big part, the small ones with the tail');
  assert.equal(
    callbacks.slice(1).map((c) => c.written !== undefined),
    [false, false, true],
    'only the last write carries them: writes leave in order',
  );
  assert.equal(log, ['uncorked'], 'none called before that write has left');
  callbacks[3]!.written?.();
  assert.equal(log, ['uncorked', 'head', 'big', 'small']);
  output.cork();
  output.write('', () => log.push('nothing'));
  output.uncork();
  assert.equal(log.at(-1), 'nothing', 'an uncork with nothing to write lets them go at once');
  transport.loseConnection();
});

test.run();
