import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { redirect, redirectTo } from '../../../protocols/web/redirect.js';
import { resource } from '../../../protocols/web/resource.js';
import { checkClean } from '../../../source/testing/index.js';
import { ask } from './_ask.js';

const test = checkClean(suite('protocols/web/redirect'));

test('answers with the status, Location and an HTML page linking to it', async () => {
  const answer = await ask(redirect('/new'), '/old');
  assert.is(answer.status, 302);
  assert.is(answer.headers.get('location'), '/new');
  assert.is(answer.headers.get('content-type'), 'text/html; charset=utf-8');
  assert.match(answer.body, '<a href="/new">/new</a>');
  for (const status of [301, 302, 303, 307, 308] as const) {
    assert.is((await ask(redirect('/new', status), '/old', 'POST', 'Content-Length: 0\r\n')).status, status);
  }
});

test('resolves a relative location against the request URL, not the mount point', async () => {
  const site = resource({ children: { a: resource({ children: { b: redirect('../list?page=2#top') } }) } });
  assert.is((await ask(site, '/a/b/c')).headers.get('location'), '/a/list?page=2#top');
  assert.is((await ask(redirect('next'), '/dir/page')).headers.get('location'), '/dir/next');
});

test('keeps another origin absolute, a scheme-relative one included', async () => {
  const answers = await Promise.all(
    [
      'https://example.test/x',
      'http://other.test/x',
      '//evil.test/x',
      '/\\evil.test/x',
      '/.//evil.test/x',
      'http://example.test:81/',
    ].map((location) => ask(redirect(location), '/')),
  );
  assert.equal(
    answers.map((answer) => answer.headers.get('location')),
    [
      'https://example.test/x',
      'http://other.test/x',
      'http://evil.test/x',
      'http://evil.test/x',
      'http://example.test//evil.test/x',
      'http://example.test:81/',
    ],
  );
});

test('percent-encodes the location and escapes it in the page', async () => {
  const answer = await ask(redirect('/caf\u00e9 "x"/?a=1&b=<script>\'&c'), '/');
  const location = '/caf%C3%A9%20%22x%22/?a=1&b=%3Cscript%3E%27&c';
  assert.is(answer.headers.get('location'), location);
  assert.match(answer.body, `<a href="${location.replaceAll('&', '&amp;').replace("'", '&#39;')}">`);
  assert.not.match(answer.body, '<script');
});

test('links only http and https locations', async () => {
  const answer = await ask(redirect('javascript:alert(1)//"<b>'), '/');
  assert.is(answer.headers.get('location'), 'javascript:alert(1)//"<b>');
  assert.not.match(answer.body, '<a ');
  assert.match(answer.body, 'javascript:alert(1)//&quot;&lt;b&gt;');
});

test('answers HEAD without a body', async () => {
  const answer = await ask(redirect('/new', 301), '/', 'HEAD');
  assert.is(answer.status, 301);
  assert.ok(answer.wire.endsWith('\r\n\r\n'));
});

test('redirectTo answers from inside a handler', async () => {
  const answer = await ask(
    (request) => redirectTo(request, `/done?from=${encodeURIComponent(request.path)}`, 303),
    '/form',
  );
  assert.is(answer.status, 303);
  assert.is(answer.headers.get('location'), '/done?from=%2Fform');
});

test('refuses a status that is not a redirect and a location that never resolves', () => {
  assert.throws(() => redirect('/x', 200 as never), RangeError);
  assert.throws(() => redirect('/x', 304 as never), RangeError);
  assert.throws(() => redirect('http://[bad'), TypeError);
});

test.run();
