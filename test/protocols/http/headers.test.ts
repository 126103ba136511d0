import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HttpHeaders } from '../../../protocols/http/headers.js';
import { RequestParser } from '../../../protocols/http/parse-request.js';
import { bytes } from './_feed.js';

const test = suite('protocols/http/headers');

/** The headers of a parsed request: fields still undecoded spans of the head's text. */
function parsed(fields: string): HttpHeaders {
  const [event] = new RequestParser().push(bytes(`GET / HTTP/1.1\r\nHost: a\r\n${fields}\r\n`));
  if (event?.type !== 'head') throw new Error('no head');
  return event.head.headers;
}

test('builds from pairs, records (arrays become several fields) and other headers', () => {
  const fromPairs = new HttpHeaders([
    ['Accept', 'a'],
    ['accept', 'b'],
  ]);
  assert.equal(fromPairs.raw(), [
    ['Accept', 'a'],
    ['accept', 'b'],
  ]);
  const fromRecord = new HttpHeaders({ 'Content-Type': 'text/plain', 'Set-Cookie': ['a=1', 'b=2'] });
  assert.equal(fromRecord.raw(), [
    ['Content-Type', 'text/plain'],
    ['Set-Cookie', 'a=1'],
    ['Set-Cookie', 'b=2'],
  ]);
  const copy = new HttpHeaders(fromRecord);
  copy.delete('set-cookie');
  assert.is(fromRecord.size, 3);
  assert.is(copy.size, 1);
  assert.is(new HttpHeaders().size, 0);
  assert.is(new HttpHeaders(new Map([['a', '1']])).get('A'), '1');
});

test('copies parsed headers', () => {
  const copy = new HttpHeaders(parsed('X-A: 1\r\n'));
  assert.equal(copy.raw(), [
    ['Host', 'a'],
    ['X-A', '1'],
  ]);
});

test('looks names up without regard to case, joining duplicates but not Set-Cookie', () => {
  for (const headers of [
    new HttpHeaders([
      ['Vary', 'a'],
      ['VARY', 'b'],
      ['Set-Cookie', 'x=1'],
      ['set-cookie', 'y=2'],
    ]),
    parsed('Vary: a\r\nVARY: b\r\nSet-Cookie: x=1\r\nset-cookie: y=2\r\n'),
  ]) {
    assert.is(headers.get('vary'), 'a, b');
    assert.equal(headers.getAll('Vary'), ['a', 'b']);
    assert.is(headers.get('Set-Cookie'), 'x=1');
    assert.equal(headers.getAll('SET-COOKIE'), ['x=1', 'y=2']);
    assert.ok(headers.has('vAry'));
    assert.not.ok(headers.has('var'));
    assert.is(headers.get('nope'), undefined);
    assert.equal(headers.getAll('nope'), []);
  }
});

test('does not confuse ^ and ~, which differ only in the case bit', () => {
  const headers = new HttpHeaders([['x^y', '1']]);
  assert.not.ok(headers.has('x~y'));
  assert.ok(headers.has('X^Y'));
});

test('set replaces every field of the name at the place of the first', () => {
  const headers = new HttpHeaders([
    ['a', '1'],
    ['b', '2'],
    ['A', '3'],
    ['c', '4'],
  ]);
  assert.is(headers.set('A', '5'), headers);
  assert.equal(headers.raw(), [
    ['A', '5'],
    ['b', '2'],
    ['c', '4'],
  ]);
  headers.set('d', '6');
  assert.equal(headers.raw().at(-1), ['d', '6']);
  const fromWire = parsed('X-A: 1\r\n');
  fromWire.set('host', 'b');
  assert.equal(fromWire.raw(), [
    ['host', 'b'],
    ['X-A', '1'],
  ]);
});

test('append adds at the end; delete removes every field of the name', () => {
  const headers = parsed('X-A: 1\r\nx-a: 2\r\n');
  headers.append('X-B', '3');
  assert.is(headers.size, 4);
  assert.ok(headers.delete('x-A'));
  assert.not.ok(headers.delete('x-a'));
  assert.equal(headers.raw(), [
    ['Host', 'a'],
    ['X-B', '3'],
  ]);
});

test('iterates lowercase names with their values, duplicates included', () => {
  assert.equal(
    [...parsed('Content-Type: text/plain\r\nX-A: 1\r\nx-a: 2\r\n')],
    [
      ['host', 'a'],
      ['content-type', 'text/plain'],
      ['x-a', '1'],
      ['x-a', '2'],
    ],
  );
});

test('serialises to wire lines', () => {
  assert.is(String(new HttpHeaders({ Host: 'a', 'X-B': ['1', '2'] })), 'Host: a\r\nX-B: 1\r\nX-B: 2\r\n');
  assert.is(String(parsed('')), 'Host: a\r\n');
});

test('refuses invalid names and values, so nothing can be injected', () => {
  for (const [name, value] of [
    ['', 'x'],
    ['Bad Name', 'x'],
    ['Bad:Name', 'x'],
    ['X-Ünicode', 'x'],
    ['X', 'a\r\nSet-Cookie: evil=1'],
    ['X', 'a\nb'],
    ['X', 'a\rb'],
    ['X', 'nul\0'],
    ['X', 'del\x7f'],
    ['X', 'snowman ☃'],
  ] as const) {
    assert.throws(() => new HttpHeaders([[name, value]]), TypeError, `${JSON.stringify([name, value])}`);
    assert.throws(() => new HttpHeaders().append(name, value), TypeError);
    assert.throws(() => new HttpHeaders().set(name, value), TypeError);
  }
  assert.throws(() => new HttpHeaders({ X: 3 as unknown as string }), TypeError);
  new HttpHeaders([['X', 'tab\tand obs-text é ÿ']]);
});

test.run();
