import { Readable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpRequest } from '../../../protocols/http/request.js';
import { respond } from '../../../protocols/http/response.js';
import type { HttpHandler } from '../../../protocols/http/server.js';
import { Resource, type ResourceChild, resource, resourceHandler } from '../../../protocols/web/resource.js';
import type { WebRequest } from '../../../protocols/web/web-request.js';
import { checkClean } from '../../../source/testing/index.js';
import { ask, askEach } from './_ask.js';

const test = checkClean(suite('protocols/web/resource'));

/** A handler that answers with where it stands: `prepath | postpath | path | target`. */
const where = (request: WebRequest) =>
  respond(
    200,
    JSON.stringify({
      prepath: request.prepath,
      postpath: request.postpath,
      path: request.path,
      target: request.target,
    }),
  );

const site = resource({
  GET: () => respond(200, 'home\n'),
  children: {
    users: resource({
      GET: () => respond(200, 'users\n'),
      POST: async (request) => respond(201, `made ${await request.text()}\n`),
      PROPFIND: () => respond(207, ''),
    }),
    docs: resource({ GET: where, children: { '': resource({ GET: () => respond(200, 'docs index\n') }) } }),
    about: resource({ GET: where }),
    files: resource({ leaf: true, GET: where }),
    'caf\u00e9': resource({ GET: () => respond(200, 'coffee\n') }),
    shelf: resource({ children: { book: resource({ GET: where }) } }),
  },
});

test('answers a method with its handler, and another with 405 and Allow', async () => {
  assert.is((await ask(site, '/users')).body, 'users\n');
  const made = await ask(site, '/users', 'POST', 'Content-Length: 3\r\n\r\nAda');
  assert.is(made.status, 201);
  assert.is(made.body, 'made Ada\n');
  assert.is((await ask(site, '/users', 'PROPFIND')).status, 207);
  const refused = await ask(site, '/users', 'DELETE');
  assert.is(refused.status, 405);
  assert.is(refused.headers.get('allow'), 'GET, HEAD, POST, PROPFIND, OPTIONS');
  assert.is((await ask(site, '/users', 'get')).status, 405, 'methods are case-sensitive');
});

test('a handler below the tree sees the request signal and can send an informational response', async () => {
  let signal: AbortSignal | undefined;
  const site = resource({
    children: {
      page: (request) => {
        signal = request.signal;
        request.sendInformational(103, { Link: '</a.css>; rel=preload' });
        return respond(200, 'page\n');
      },
    },
  });
  const { status, wire } = await ask(site, '/page');
  assert.is(status, 200);
  assert.match(wire, /^HTTP\/1\.1 103 Early Hints\r\nLink: <\/a\.css>; rel=preload\r\n\r\nHTTP\/1\.1 200 /);
  assert.instance(signal, AbortSignal);
});

test('answers HEAD from the GET handler: the same head, no body', async () => {
  const answer = await ask(site, '/users', 'HEAD');
  assert.is(answer.status, 200);
  assert.is(answer.headers.get('content-length'), '6');
  assert.ok(answer.wire.endsWith('\r\n\r\n'), answer.wire);
});

test('answers HEAD from a GET handler that streams: the head alone, the stream closed unread', async () => {
  const streams: Readable[] = [];
  const tree = resource({
    GET: () => {
      const stream = Readable.from(['a', 'b']);
      streams.push(stream);
      return { body: stream };
    },
  });
  const answer = await ask(tree, '/', 'HEAD');
  assert.is(answer.headers.get('transfer-encoding'), 'chunked');
  assert.ok(answer.wire.endsWith('\r\n\r\n'), answer.wire);
  assert.is(streams.length, 1);
  assert.ok(streams[0]!.destroyed);
});

test('a HEAD or OPTIONS handler of its own wins', async () => {
  const own = resource({
    GET: () => respond(200, 'long body\n'),
    HEAD: () => ({ headers: { 'X-Head': 'own' } }),
    OPTIONS: () => ({ status: 200, headers: { 'Access-Control-Allow-Origin': '*' } }),
  });
  assert.is((await ask(own, '/', 'HEAD')).headers.get('x-head'), 'own');
  const options = await ask(own, '/', 'OPTIONS');
  assert.is(options.status, 200);
  assert.is(options.headers.get('access-control-allow-origin'), '*');
});

test('answers OPTIONS with 204 and Allow', async () => {
  const answer = await ask(site, '/users', 'OPTIONS');
  assert.is(answer.status, 204);
  assert.is(answer.headers.get('allow'), 'GET, HEAD, POST, PROPFIND, OPTIONS');
  assert.is(answer.body, '');
  assert.is((await ask(site, '*', 'OPTIONS')).status, 204, 'OPTIONS *');
});

test('answers 404 for a child that is not there, a prototype key included, and for a container', async () => {
  const targets = ['/nobody', '/users/7', '/constructor', '/__proto__', '/toString', '/shelf', '/shelf/'];
  const answers = await askEach(site, targets);
  assert.equal(
    answers.map((answer) => `${answer.status} ${answer.body}`),
    targets.map(() => '404 not found\n'),
  );
  assert.is((await ask(site, '/shelf/book')).status, 200);
});

test('a trailing slash goes to the index child, else to the resource itself', async () => {
  assert.is((await ask(site, '/docs/')).body, 'docs index\n');
  assert.equal(JSON.parse((await ask(site, '/docs')).body).postpath, []);
  const about = JSON.parse((await ask(site, '/about/')).body);
  assert.equal(about.prepath, ['about']);
  assert.equal(about.postpath, ['']);
  assert.is((await ask(site, '/')).body, 'home\n');
  assert.is((await ask(site, '/about//')).status, 404, 'an empty segment inside the path is a child name');
});

test('a leaf takes the rest of the path, decoded, and sees it as sent in path', async () => {
  const answer = JSON.parse((await ask(site, '/files/a%20b/c.txt?x=1')).body);
  assert.equal(answer, {
    prepath: ['files'],
    postpath: ['a b', 'c.txt'],
    path: '/a%20b/c.txt',
    target: '/files/a%20b/c.txt?x=1',
  });
  assert.equal(JSON.parse((await ask(site, '/files')).body).postpath, []);
  assert.equal(JSON.parse((await ask(site, '/files/')).body).postpath, ['']);
});

test('an encoded slash stays inside its segment', async () => {
  const answer = JSON.parse((await ask(site, '/files/a%2Fb/c%2fd')).body);
  assert.equal(answer.postpath, ['a/b', 'c/d']);
  assert.is(answer.path, '/a%2Fb/c%2fd');
  assert.is((await ask(site, '/users%2F')).status, 404, "'users/' is not 'users'");
});

test('children are named by decoded segments', async () => {
  assert.is((await ask(site, '/caf%C3%A9')).body, 'coffee\n');
  assert.is((await ask(site, '/%75sers')).body, 'users\n');
});

test('a NUL is decoded and kept: no child has it, a leaf sees it', async () => {
  assert.is((await ask(site, '/users%00')).status, 404);
  assert.equal(JSON.parse((await ask(site, '/files/a%00b')).body).postpath, ['a\u0000b']);
});

test('answers 400 for a bad escape or escapes that are not UTF-8', async () => {
  const targets = ['/files/%zz', '/files/%', '/files/a%2', '/files/%ff', '/files/%c0%af', '/files/%ed%a0%80'];
  for (const answer of await askEach(site, targets)) {
    assert.is(answer.status, 400);
    assert.match(answer.body, /^bad percent-encoding in path segment "/);
  }
});

test('answers 404 for a dot segment, as sent or encoded, even below a leaf', async () => {
  const targets = ['/files/../users', '/files/./a', '/files/%2e%2e/etc', '/files/.%2E', '/%2e/users'];
  const answers = await askEach(site, targets);
  assert.equal(
    answers.map((answer) => answer.status),
    targets.map(() => 404),
  );
});

test('finds children with getChild, as an option or overridden', async () => {
  const names = new Map([['7', 'Ada']]);
  const byOption = resource({
    getChild: (segment) => {
      const name = names.get(segment);
      return name === undefined ? undefined : resource({ GET: () => respond(200, `${name}\n`) });
    },
  });
  assert.is((await ask(byOption, '/7')).body, 'Ada\n');
  assert.is((await ask(byOption, '/8')).status, 404);

  class Users extends Resource {
    override getChild(segment: string, request: HttpRequest): ResourceChild | undefined {
      return names.has(segment)
        ? () => respond(200, `${names.get(segment)} for ${request.target}\n`)
        : undefined;
    }
  }
  const root = new Resource();
  root.putChild('users', new Users({ GET: () => respond(200, 'all\n') }));
  const handler = resourceHandler(root);
  assert.is((await ask(handler, '/users/7')).body, 'Ada for /users/7\n');
  assert.is((await ask(handler, '/users')).body, 'all\n');
  assert.is((await ask(handler, '/users/9')).status, 404);
});

test('children put in take precedence over getChild', async () => {
  const root = new Resource({ getChild: () => () => respond(200, 'made\n') });
  root.putChild('fixed', () => respond(200, 'fixed\n'));
  const handler = resourceHandler(root);
  assert.is((await ask(handler, '/fixed')).body, 'fixed\n');
  assert.is((await ask(handler, '/other')).body, 'made\n');
});

test('a mounted handler answers the rest of the path, seen from its mount point', async () => {
  const seen: { path: string; target: string; url: string }[] = [];
  const plain: HttpHandler = (request) => {
    seen.push({ path: request.path, target: request.target, url: request.url.href });
    return respond(200, 'plain\n');
  };
  const tree = resource({ children: { api: plain } });
  await ask(tree, '/api/v1/users%2F7?q=1');
  await ask(tree, '/api');
  assert.equal(seen, [
    {
      path: '/v1/users%2F7',
      target: '/api/v1/users%2F7?q=1',
      url: 'http://example.test/api/v1/users%2F7?q=1',
    },
    { path: '/', target: '/api', url: 'http://example.test/api' },
  ]);
});

test('a tree mounted in a tree goes on from where the outer one stopped', async () => {
  const inner = resource({
    GET: where,
    children: { deep: resource({ leaf: true, GET: where }) },
  });
  const outer = resource({ children: { mount: inner } });
  const deep = JSON.parse((await ask(outer, '/mount/deep/a%2Fb')).body);
  assert.equal(deep.prepath, ['mount', 'deep']);
  assert.equal(deep.postpath, ['a/b']);
  assert.equal(JSON.parse((await ask(outer, '/mount/')).body).postpath, ['']);
  assert.equal(JSON.parse((await ask(outer, '/mount')).body).postpath, []);
  assert.is((await ask(outer, '/mount/%2e%2e')).status, 404);
});

test('a request body is read through the view, once', async () => {
  const tree = resource({
    children: {
      echo: resource({
        POST: async (request) => respond(200, await request.json<{ a: number }>().then((v) => `${v.a}`)),
      }),
    },
  });
  assert.is((await ask(tree, '/echo', 'POST', 'Content-Length: 7\r\n\r\n{"a":5}')).body, '5');
});

test('refuses options that are not handlers, and children no path can reach', () => {
  assert.throws(() => new Resource({ GET: 'hello' as never }), TypeError);
  assert.throws(() => new Resource({ 'BAD METHOD': () => ({}) } as never), TypeError);
  assert.throws(() => new Resource({ children: { 'a/b': () => ({}) } }), TypeError);
  assert.throws(() => new Resource().putChild('..', () => ({})), TypeError);
  assert.is(new Resource({ leaf: true }).isLeaf, true);
  assert.equal([...new Resource({ children: { a: () => ({}) } }).children.keys()], ['a']);
});

test.run();
