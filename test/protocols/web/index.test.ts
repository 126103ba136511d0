import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { respond } from '../../../protocols/http/response.js';
import * as web from '../../../protocols/web/index.js';
import { checkClean } from '../../../source/testing/index.js';
import { ask } from './_ask.js';

const test = checkClean(suite('protocols/web/index'));

test('exports the resource tree, the router, redirects and cookies by name', () => {
  for (const name of [
    'Resource',
    'resource',
    'resourceHandler',
    'router',
    'redirect',
    'redirectTo',
    'parseCookies',
    'requestCookies',
    'serializeCookie',
    'withCookies',
  ]) {
    assert.type((web as Record<string, unknown>)[name], 'function', name);
  }
});

test('the entry example serves', async () => {
  const api = web.router().get('/users/:id', (request) => respond(200, `user ${request.params.id}\n`));
  const site = web.resource({
    GET: () => respond(200, 'home\n'),
    children: { api, old: web.redirect('/', 301) },
  });
  assert.is((await ask(site, '/api/users/7')).body, 'user 7\n');
  assert.is((await ask(site, '/old')).headers.get('location'), '/');
  assert.is((await ask(site, '/')).body, 'home\n');
});

test.run();
