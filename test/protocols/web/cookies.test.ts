import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HttpHeaders } from '../../../protocols/http/headers.js';
import { respond } from '../../../protocols/http/response.js';
import {
  type CookieAttributes,
  parseCookies,
  requestCookies,
  serializeCookie,
  withCookies,
} from '../../../protocols/web/cookies.js';
import { checkClean } from '../../../source/testing/index.js';
import { ask } from './_ask.js';

const test = checkClean(suite('protocols/web/cookies'));

test('parses name=value pairs, trimming spaces and tabs and dropping quotes', () => {
  assert.equal(
    [...parseCookies('a=1;b=2 ;\tc = "three" ; d=; e=""')],
    [
      ['a', '1'],
      ['b', '2'],
      ['c', 'three'],
      ['d', ''],
      ['e', ''],
    ],
  );
  assert.equal(parseCookies(undefined).size, 0);
  assert.equal(parseCookies('').size, 0);
});

test('skips invalid pairs and keeps the first of a name', () => {
  const cookies = parseCookies(
    'sid=new; bad name=1; =nameless; novalue; ctl=a\u0001b; q="in"side"; bs=a\\b; utf=caf\u00e9; (x)=1; sid=old; ok=fine',
  );
  assert.equal(
    [...cookies],
    [
      ['sid', 'new'],
      ['ok', 'fine'],
    ],
  );
});

test('takes the spaces and commas inside a value that scripts set', () => {
  assert.equal([...parseCookies('list=a, b,c; json={"a":1}')], [['list', 'a, b,c']]);
});

test('does not percent-decode values', () => {
  assert.is(parseCookies('x=a%20b').get('x'), 'a%20b');
});

test('reads every Cookie field of a request', async () => {
  let seen: Map<string, string> | undefined;
  await ask(
    (request) => {
      seen = requestCookies(request);
      return {};
    },
    '/',
    'GET',
    'Cookie: a=1; b=2\r\nCookie: c=3; a=4\r\n',
  );
  assert.equal(
    [...seen!],
    [
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
    ],
  );
});

test('serializes every attribute, in order', () => {
  const attributes: CookieAttributes = {
    expires: new Date(Date.UTC(2026, 9, 21, 7, 28, 0)),
    maxAge: 3600,
    domain: 'example.test',
    path: '/app',
    secure: true,
    httpOnly: true,
    sameSite: 'None',
  };
  assert.is(
    serializeCookie('sid', 'abc123', attributes),
    'sid=abc123; Expires=Wed, 21 Oct 2026 07:28:00 GMT; Max-Age=3600; Domain=example.test; Path=/app; Secure; HttpOnly; SameSite=None',
  );
  assert.is(serializeCookie('a', ''), 'a=');
  assert.is(serializeCookie('a', '"quoted"', { sameSite: 'Strict' }), 'a="quoted"; SameSite=Strict');
  assert.is(serializeCookie('gone', '', { maxAge: -5 }), 'gone=; Max-Age=0');
  assert.is(serializeCookie('__Host-id', '1', { secure: true, path: '/' }), '__Host-id=1; Path=/; Secure');
});

test('round-trips every cookie-octet, and encodeURIComponent output of any text', () => {
  let octets = '';
  for (let code = 0x21; code < 0x7f; code++)
    if (!'",;\\'.includes(String.fromCharCode(code))) octets += String.fromCharCode(code);
  const text = encodeURIComponent('caf\u00e9; "quoted", \\ \u{1f600}');
  const header = [serializeCookie('all', octets), serializeCookie('text', text)]
    .map((field) => field.split('; ')[0])
    .join('; ');
  const cookies = parseCookies(header);
  assert.is(cookies.get('all'), octets);
  assert.is(decodeURIComponent(cookies.get('text')!), 'caf\u00e9; "quoted", \\ \u{1f600}');
});

test('refuses names that are not tokens and values that are not cookie-octets', () => {
  for (const name of ['', 'a b', 'a=b', 'a;b', 'caf\u00e9', '(x)']) {
    assert.throws(() => serializeCookie(name, 'v'), TypeError, JSON.stringify(name));
  }
  for (const value of [
    'a b',
    'a;b',
    'a,b',
    'a"b',
    'a\\b',
    '"a b"',
    'caf\u00e9',
    'a\r\nSet-Cookie: x=1',
    '"',
  ]) {
    assert.throws(() => serializeCookie('n', value), TypeError, JSON.stringify(value));
  }
});

test('refuses attributes a browser would drop or misread', () => {
  const refusals: [string, CookieAttributes, typeof TypeError | typeof RangeError][] = [
    ['a', { sameSite: 'None' }, TypeError],
    ['a', { sameSite: 'none' as never, secure: true }, TypeError],
    ['__Secure-a', {}, TypeError],
    ['__secure-a', { path: '/' }, TypeError],
    ['__Host-a', { secure: true }, TypeError],
    ['__Host-a', { secure: true, path: '/', domain: 'example.test' }, TypeError],
    ['a', { domain: 'example.test; Secure' }, TypeError],
    ['a', { domain: 'bad_host' }, TypeError],
    ['a', { path: 'relative' }, TypeError],
    ['a', { path: '/a;b' }, TypeError],
    ['a', { path: '/caf\u00e9' }, TypeError],
    ['a', { maxAge: 1.5 }, RangeError],
    ['a', { maxAge: Number.NaN }, RangeError],
    ['a', { expires: new Date(Number.NaN) }, RangeError],
  ];
  for (const [name, attributes, type] of refusals) {
    assert.throws(
      () => serializeCookie(name, 'v', attributes),
      type,
      `${name} ${JSON.stringify(attributes)}`,
    );
  }
  assert.throws(() => serializeCookie('big', 'x'.repeat(4094)), RangeError);
  assert.is(serializeCookie('big', 'x'.repeat(4093)).length, 4097);
});

test('sets several Set-Cookie fields on a response, keeping its headers', async () => {
  const handler = () =>
    withCookies(respond(200, 'signed in\n', { 'Content-Type': 'text/plain' }), [
      { name: 'sid', value: 'abc', path: '/', httpOnly: true, secure: true, sameSite: 'Lax' },
      { name: 'theme', value: 'dark', maxAge: 60 },
    ]);
  const answer = await ask(handler, '/');
  assert.is(answer.body, 'signed in\n');
  assert.is(answer.headers.get('content-type'), 'text/plain');
  assert.equal(answer.headers.getAll('set-cookie'), [
    'sid=abc; Path=/; Secure; HttpOnly; SameSite=Lax',
    'theme=dark; Max-Age=60',
  ]);
  const more = withCookies({ headers: new HttpHeaders([['Set-Cookie', 'old=1']]) }, [
    { name: 'new', value: '2' },
  ]);
  assert.equal(new HttpHeaders(more.headers).getAll('set-cookie'), ['old=1', 'new=2']);
});

test.run();
