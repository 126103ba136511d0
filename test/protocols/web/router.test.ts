import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { respond } from '../../../protocols/http/response.js';
import type { HttpHandler } from '../../../protocols/http/server.js';
import { resource } from '../../../protocols/web/resource.js';
import { router } from '../../../protocols/web/router.js';
import type { WebHandler } from '../../../protocols/web/web-request.js';
import { checkClean } from '../../../source/testing/index.js';
import { ask, askEach } from './_ask.js';

const test = checkClean(suite('protocols/web/router'));

/** A handler answering with its name, its params, prepath, postpath and path. */
const named =
  (name: string): WebHandler =>
  (request) =>
    respond(
      200,
      JSON.stringify({
        name,
        params: { ...request.params },
        prepath: request.prepath,
        postpath: request.postpath,
        path: request.path,
      }),
    );

async function seen(handler: HttpHandler, target: string, method = 'GET') {
  const answer = await ask(handler, target, method);
  assert.is(answer.status, 200, `${method} ${target}: ${answer.body}`);
  return JSON.parse(answer.body) as {
    name: string;
    params: Record<string, string>;
    prepath: string[];
    postpath: string[];
    path: string;
  };
}

test('gives the :name parameters, percent-decoded, a %2F kept inside its segment', async () => {
  const app = router().get('/users/:id/posts/:post', named('post'));
  assert.equal(await seen(app, '/users/Ada%20L/posts/a%2Fb'), {
    name: 'post',
    params: { id: 'Ada L', post: 'a/b' },
    prepath: ['users', 'Ada L', 'posts', 'a/b'],
    postpath: [],
    path: '/',
  });
  assert.is((await ask(app, '/users/7/posts/a/b')).status, 404, 'a parameter is one segment');
  assert.is((await ask(app, '/users//posts/1')).status, 404, 'a parameter is never empty');
});

test('prefers literal text to a parameter, and a parameter to the wildcard, whatever the order', async () => {
  const app = router()
    .get('/files/*', named('wildcard'))
    .get('/users/:id', named('param'))
    .get('/users/me', named('text'))
    .get('/files/:name', named('file'))
    .get('/files', named('exact'));
  assert.is((await seen(app, '/users/me')).name, 'text');
  assert.is((await seen(app, '/users/7')).name, 'param');
  assert.is((await seen(app, '/files/a')).name, 'file');
  assert.is((await seen(app, '/files/a/b')).name, 'wildcard');
  assert.is((await seen(app, '/files')).name, 'exact');
});

test('among equally specific routes, the first added wins', async () => {
  const app = router().get('/a/:x', named('first')).get('/a/:y', named('second'));
  assert.is((await seen(app, '/a/1')).name, 'first');
});

test('a method only a less specific route has still goes to it', async () => {
  const app = router().get('/users/me', named('me')).delete('/users/:id', named('delete'));
  assert.equal((await seen(app, '/users/me', 'DELETE')).params, { id: 'me' });
  assert.is((await seen(app, '/users/me')).name, 'me');
});

test('answers 405 with the Allow of every route matching the path, OPTIONS with 204, no match with 404', async () => {
  const app = router()
    .get('/users/:id', named('get'))
    .put('/users/:id', named('put'))
    .on('PROPFIND', '/users/me', named('find'))
    .post('/users', named('post'));
  const refused = await ask(app, '/users/me', 'PATCH');
  assert.is(refused.status, 405);
  assert.is(refused.headers.get('allow'), 'GET, HEAD, PUT, PROPFIND, OPTIONS');
  const options = await ask(app, '/users/7', 'OPTIONS');
  assert.is(options.status, 204);
  assert.is(options.headers.get('allow'), 'GET, HEAD, PUT, OPTIONS');
  assert.is((await ask(app, '/nothing')).status, 404);
  assert.is((await ask(app, '/users/7', 'get')).status, 405, 'methods are case-sensitive');
});

test('answers HEAD from the GET route, unless a HEAD route is as specific', async () => {
  const app = router()
    .get('/a', () => respond(200, 'twelve bytes'))
    .get('/b', () => respond(200, 'b'))
    .head('/b', () => ({ headers: { 'X-Head': 'own' } }));
  const head = await ask(app, '/a', 'HEAD');
  assert.is(head.headers.get('content-length'), '12');
  assert.ok(head.wire.endsWith('\r\n\r\n'));
  assert.is((await ask(app, '/b', 'HEAD')).headers.get('x-head'), 'own');
});

test('an OPTIONS route or an all route answers OPTIONS itself', async () => {
  const app = router()
    .options('/cors', () => ({ status: 200, headers: { 'Access-Control-Allow-Methods': 'GET' } }))
    .all('/any', (request) => respond(200, request.method));
  assert.is((await ask(app, '/cors', 'OPTIONS')).headers.get('access-control-allow-methods'), 'GET');
  const methods = await Promise.all(['DELETE', 'OPTIONS', 'BREW'].map((method) => ask(app, '/any', method)));
  assert.equal(
    methods.map((answer) => answer.body),
    ['DELETE', 'OPTIONS', 'BREW'],
  );
});

test('a route for the method wins over an all route as specific', async () => {
  const app = router().all('/x', named('all')).get('/x', named('get'));
  assert.is((await seen(app, '/x')).name, 'get');
  assert.is((await seen(app, '/x', 'POST')).name, 'all');
});

test('a trailing slash is optional, but kept under the wildcard', async () => {
  const app = router()
    .get('/users', named('users'))
    .get('/', named('root'))
    .get('/static/*', named('static'));
  assert.equal((await seen(app, '/users/')).postpath, ['']);
  assert.equal((await seen(app, '/users')).postpath, []);
  assert.is((await seen(app, '/')).name, 'root');
  assert.is((await ask(app, '/users//')).status, 404);
  const files = await seen(app, '/static/css/');
  assert.equal([files.prepath, files.postpath, files.path], [['static'], ['css', ''], '/css/']);
  const bare = await seen(app, '/static');
  assert.equal([bare.postpath, bare.path], [[], '/']);
});

test('refuses bad escapes and dot segments in the path as the resource tree does', async () => {
  const app = router().get('/*', named('all'));
  const answers = await askEach(app, ['/%zz', '/a/%2e%2e/b', '/a/../b']);
  assert.equal(
    answers.map((answer) => answer.status),
    [400, 404, 404],
  );
});

test('literal text in a pattern is compared decoded', async () => {
  const app = router().get('/caf\u00e9/:x', named('coffee')).get('/a%20b', named('space'));
  assert.is((await seen(app, '/caf%C3%A9/1')).name, 'coffee');
  assert.is((await seen(app, '/a%20b')).name, 'space');
});

test('a handler under the wildcard sees the path from its mount point; a nested router keeps the outer params', async () => {
  const inner = router().get('/posts/:post', named('inner'));
  const outer = router().all('/users/:id/*', inner);
  assert.equal(await seen(outer, '/users/7/posts/9'), {
    name: 'inner',
    params: { id: '7', post: '9' },
    prepath: ['users', '7', 'posts', '9'],
    postpath: [],
    path: '/',
  });
  assert.is((await ask(outer, '/users/7/other')).status, 404);
});

test('nests with resource trees both ways', async () => {
  const tree = resource({ children: { api: router().get('/v1/:thing', named('routed')) } });
  const routed = await seen(tree, '/api/v1/cats');
  assert.equal([routed.params, routed.prepath], [{ thing: 'cats' }, ['api', 'v1', 'cats']]);
  const app = router().all(
    '/site/*',
    resource({ children: { page: resource({ leaf: true, GET: named('page') }) } }),
  );
  const page = await seen(app, '/site/page/a%2Fb');
  assert.equal([page.prepath, page.postpath, page.path], [['site', 'page'], ['a/b'], '/a%2Fb']);
});

test('refuses bad patterns and methods', () => {
  const app = router();
  const handler = named('x');
  for (const pattern of ['users', '/a/:', '/a/:x/:x', '/a/*/b', '/a//b', '/%zz', '/a/:1x']) {
    assert.throws(() => app.get(pattern, handler), TypeError, pattern);
  }
  assert.throws(() => app.on('BAD METHOD', '/', handler), TypeError);
  assert.is(app.get('/ok', handler), app, 'adding a route gives the router back');
});

test.run();
