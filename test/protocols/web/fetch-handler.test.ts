import { Hono } from 'hono';
import { deleteCookie, setCookie } from 'hono/cookie';
import { streamText } from 'hono/streaming';
import { Response as UndiciResponse } from 'undici';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type FetchContext, fetchHandler } from '../../../protocols/web/fetch-handler.js';
import { Deferred, formatAddress } from '../../../source/index.js';
import { checkClean } from '../../../source/testing/index.js';
import { answered, answers, collectLog, head, only, serve, turns, until } from './_framework-serve.js';

const test = checkClean(suite('protocols/web/fetch-handler'));

type Env = { Bindings: FetchContext };

/** A Hono app with the routes most tests use. */
function notesApp(): Hono<Env> {
  const app = new Hono<Env>();
  const notes = new Map<string, { text: string }>();
  app.get('/notes/:id', (c) => {
    const note = notes.get(c.req.param('id'));
    return note === undefined ? c.json({ error: 'no such note' }, 404) : c.json(note);
  });
  app.post('/notes/:id', async (c) => {
    const note = await c.req.json<{ text: string }>();
    notes.set(c.req.param('id'), note);
    return c.json({ saved: c.req.param('id'), length: note.text.length }, 201);
  });
  app.get('/whoami', (c) =>
    c.json({
      url: c.req.url,
      peer: formatAddress(c.env.remoteAddress),
      secure: c.env.secure,
      accept: c.req.header('accept'),
    }),
  );
  return app;
}

test('routes by method and path, and takes and gives JSON bodies', async () => {
  const transport = serve(fetchHandler(notesApp().fetch));
  const body = JSON.stringify({ text: 'hello' });
  transport.receive(
    head('POST', '/notes/7', `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`) + body,
  );
  let answer = await answered(transport, 'POST');
  assert.is(answer.status, 201);
  assert.is(answer.headers.get('content-type'), 'application/json');
  assert.equal(JSON.parse(answer.body), { saved: '7', length: 5 });
  transport.clear();
  transport.receive(head('GET', '/notes/7'));
  answer = await answered(transport);
  assert.equal(JSON.parse(answer.body), { text: 'hello' });
  transport.clear();
  transport.receive(head('GET', '/notes/8'));
  answer = await answered(transport);
  assert.is(answer.status, 404);
  assert.equal(JSON.parse(answer.body), { error: 'no such note' });
  transport.loseConnection();
});

test("the framework's own 404 reaches the client", async () => {
  const transport = serve(fetchHandler(notesApp().fetch));
  transport.receive(head('DELETE', '/nowhere'));
  const answer = await answered(transport, 'DELETE');
  assert.is(answer.status, 404);
  assert.is(answer.body, '404 Not Found');
  transport.loseConnection();
});

test('the Request has the URL, repeated headers joined, the peer and TLS in its context', async () => {
  const transport = serve(fetchHandler(notesApp().fetch), true);
  transport.receive(head('GET', '/whoami?x=1', 'Accept: text/html\r\naccept: application/json\r\n'));
  const answer = await answered(transport);
  assert.equal(JSON.parse(answer.body), {
    url: 'https://example.test/whoami?x=1',
    peer: '127.0.0.1:5000',
    secure: true,
    accept: 'text/html, application/json',
  });
  transport.loseConnection();
});

test('several Set-Cookie fields and a repeated header go out one field each', async () => {
  const app = new Hono();
  app.get('/login', (c) => {
    setCookie(c, 'session', 'abc', { httpOnly: true, sameSite: 'Lax', path: '/' });
    setCookie(c, 'theme', 'dark', { path: '/' });
    deleteCookie(c, 'old');
    c.header('Vary', 'Accept');
    c.header('Link', '</a.css>; rel=preload', { append: true });
    c.header('Link', '</b.js>; rel=preload', { append: true });
    return c.text('welcome');
  });
  const transport = serve(fetchHandler(app.fetch));
  transport.receive(head('GET', '/login'));
  const answer = await answered(transport);
  assert.equal(answer.headers.getAll('set-cookie'), [
    'session=abc; Path=/; HttpOnly; SameSite=Lax',
    'theme=dark; Path=/',
    'old=; Max-Age=0; Path=/',
  ]);
  assert.is(answer.headers.get('link'), '</a.css>; rel=preload, </b.js>; rel=preload');
  assert.is(answer.body, 'welcome');
  transport.loseConnection();
});

test("a streamed response (Hono's streamText) reaches the client as it is written, chunked", async () => {
  const go = new Deferred<void>();
  const app = new Hono();
  app.get('/ticks', (c) =>
    streamText(c, async (stream) => {
      await stream.write('first\n');
      await go;
      await stream.write('second\n');
    }),
  );
  const transport = serve(fetchHandler(app.fetch));
  transport.receive(head('GET', '/ticks'));
  await until(() => transport.text().includes('first\n'), 'the first chunk');
  let answer = only(transport);
  assert.is(answer.headers.get('transfer-encoding'), 'chunked');
  assert.not.ok(answer.complete, 'the response is not over before the stream ends');
  assert.not.match(transport.text(), 'second');
  go.callback(undefined);
  answer = await answered(transport);
  assert.is(answer.body, 'first\nsecond\n');
  transport.loseConnection();
});

test('a large upload is streamed: the connection is not read past what the app has taken', async () => {
  const size = 1024 * 1024;
  const go = new Deferred<void>();
  let firstRead = 0;
  const app = new Hono();
  app.put('/upload', async (c) => {
    const reader = c.req.raw.body!.getReader();
    const first = await reader.read();
    firstRead = first.value!.byteLength;
    await go;
    let total = firstRead;
    for (let step = await reader.read(); !step.done; step = await reader.read())
      total += step.value.byteLength;
    return c.json({ total });
  });
  const transport = serve(fetchHandler(app.fetch));
  transport.receive(head('PUT', '/upload', `Content-Length: ${size}\r\n`));
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  for (let sent = 0; sent < size; sent += chunk.byteLength) transport.receive(chunk);
  await until(() => firstRead > 0, 'the first read');
  assert.not.ok(transport.reading, 'the connection is paused while the app does not read');
  go.callback(undefined);
  const answer = await answered(transport, 'PUT');
  assert.equal(JSON.parse(answer.body), { total: size });
  assert.ok(transport.reading);
  transport.loseConnection();
});

test('a response stream is read only as fast as the connection takes it', async () => {
  let pulls = 0;
  const chunks = 64;
  const transport = serve(
    fetchHandler(
      () =>
        new Response(
          new ReadableStream<Uint8Array>(
            {
              pull(controller) {
                pulls++;
                controller.enqueue(new Uint8Array(16 * 1024).fill(0x62));
                if (pulls === chunks) controller.close();
              },
            },
            { highWaterMark: 0 },
          ),
        ),
    ),
  );
  transport.setWriteBlocked(true);
  transport.receive(head('GET', '/big'));
  await until(() => pulls > 0, 'the first pull');
  await turns(20);
  assert.ok(pulls <= 2, `${pulls} chunks read while the connection could not write`);
  transport.setWriteBlocked(false);
  await until(() => pulls === chunks, 'the last pull');
  const answer = await answered(transport);
  assert.is(answer.body.length, chunks * 16 * 1024);
  transport.loseConnection();
});

test('a chunked request body arrives whole, and a GET has none', async () => {
  const app = new Hono();
  app.all('/echo', async (c) =>
    c.text(`${c.req.method} ${c.req.raw.body === null ? 'no body' : await c.req.text()}`),
  );
  const transport = serve(fetchHandler(app.fetch));
  transport.receive(
    `${head('POST', '/echo', 'Transfer-Encoding: chunked\r\n')}3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n`,
  );
  assert.is((await answered(transport, 'POST')).body, 'POST abcde');
  transport.clear();
  transport.receive(head('GET', '/echo'));
  assert.is((await answered(transport)).body, 'GET no body');
  transport.loseConnection();
});

test('a request body the app cancels is let go: answered, then the connection closes', async () => {
  let first = '';
  const transport = serve(
    fetchHandler(async (request) => {
      const reader = request.body!.getReader();
      first = Buffer.from((await reader.read()).value!).toString();
      await reader.cancel();
      return new Response('enough', { status: 413, headers: { 'Content-Length': '6' } });
    }),
  );
  transport.receive(`${head('POST', '/upload', 'Transfer-Encoding: chunked\r\n')}5\r\nhello\r\n`);
  const answer = await answered(transport, 'POST');
  assert.is(first, 'hello');
  assert.equal([answer.status, answer.body], [413, 'enough']);
  assert.is(answer.headers.get('connection'), 'close', 'the rest of the body will not be read');
  assert.ok(transport.ended);
  transport.receiveEnd();
});

test("a Response from another fetch implementation (undici's) is taken too", async () => {
  const transport = serve(
    fetchHandler(
      () =>
        new UndiciResponse('from undici', {
          headers: [
            ['Set-Cookie', 'a=1'],
            ['Set-Cookie', 'b=2'],
          ],
        }) as unknown as Response,
    ),
  );
  transport.receive(head('GET', '/'));
  const answer = await answered(transport);
  assert.is(answer.body, 'from undici');
  assert.equal(answer.headers.getAll('set-cookie'), ['a=1', 'b=2']);
  transport.loseConnection();
});

test('HEAD gets the headers of GET and no body', async () => {
  const transport = serve(fetchHandler(notesApp().fetch));
  transport.receive(head('HEAD', '/whoami'));
  await until(() => transport.text().includes('\r\n\r\n'), 'the head');
  const answer = only(transport, 'HEAD');
  assert.is(answer.status, 200);
  assert.is(answer.headers.get('content-type'), 'application/json');
  assert.ok(transport.text().endsWith('\r\n\r\n'), 'nothing after the head');
  transport.loseConnection();
});

test('a handler that throws, rejects or answers no Response gets a 500, and is logged', async () => {
  const log = collectLog();
  const failing = new Hono();
  failing.get('/route-throws', () => {
    throw new Error('route secret');
  });
  failing.onError((error) => {
    throw error; // Hono's own error page is Hono's business: this app lets the error out
  });
  const handlers: Record<string, (request: Request) => Response | PromiseLike<Response>> = {
    '/throws': () => {
      throw new Error('thrown secret');
    },
    '/rejects': () => Promise.reject(new Error('rejected secret')),
    '/not-a-response': () => ({ status: 200 }) as unknown as Response,
    '/route-throws': (request) => failing.fetch(request),
  };
  const transport = serve(fetchHandler((request) => handlers[new URL(request.url).pathname]!(request)));
  for (const path of Object.keys(handlers)) {
    transport.clear();
    transport.receive(head('GET', path));
    const answer = await answered(transport);
    assert.is(answer.status, 500, path);
    assert.not.match(transport.text(), 'secret');
  }
  log.stop();
  const errors = log.records.filter((record) => record.level === 'error');
  assert.equal(
    errors.map((record) => record.fields?.target),
    Object.keys(handlers),
  );
  assert.match((errors[0]!.error as Error).message, 'thrown secret');
  assert.match((errors[2]!.error as Error).message, 'not a Response');
  transport.loseConnection();
});

test('a response stream that fails before its first chunk is a 500; after it, the connection is cut', async () => {
  const log = collectLog();
  const transport = serve(
    fetchHandler((request) => {
      const early = request.url.endsWith('/early');
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (!early && controller.desiredSize !== null) controller.enqueue(Buffer.from('partial'));
          controller.error(new Error('stream broke'));
        },
      });
      return new Response(body);
    }),
  );
  transport.receive(head('GET', '/early'));
  assert.is((await answered(transport)).status, 500);
  transport.clear();
  transport.receive(head('GET', '/late'));
  await until(() => transport.aborted, 'the abort');
  log.stop();
  const answer = only(transport);
  assert.is(answer.status, 200);
  assert.not.ok(answer.complete, 'a cut response never looks complete');
  assert.is(log.records.filter((record) => record.level === 'error').length, 2);
});

test("a client that goes away aborts the Request's signal and cancels the response stream", async () => {
  let signal: AbortSignal | undefined;
  const aborted = new Deferred<void>();
  const app = new Hono();
  app.get('/forever', (c) => {
    signal = c.req.raw.signal;
    return streamText(c, async (stream) => {
      stream.onAbort(() => aborted.callback(undefined));
      await stream.write('tick\n');
      await aborted; // ticks until the client leaves
    });
  });
  const transport = serve(fetchHandler(app.fetch));
  transport.receive(head('GET', '/forever'));
  await until(() => transport.text().includes('tick'), 'the first tick');
  assert.not.ok(signal!.aborted);
  transport.loseConnection();
  await until(() => signal!.aborted && aborted.called, 'the abort');
});

test("a client that goes away during the upload errors the body and aborts the Request's signal", async () => {
  let signal: AbortSignal | undefined;
  let failure: unknown;
  const transport = serve(
    fetchHandler(async (request) => {
      signal = request.signal;
      try {
        await request.text();
      } catch (error) {
        failure = error;
      }
      return new Response('never seen');
    }),
  );
  transport.receive(`${head('POST', '/upload', 'Content-Length: 100\r\n')}only part`);
  await until(() => signal !== undefined, 'the handler');
  transport.loseConnection();
  await until(() => failure !== undefined, 'the failed read');
  assert.ok(signal!.aborted);
});

test('basePath: the app sees its own paths under the mount, and nothing outside it', async () => {
  const transport = serve(fetchHandler(notesApp().fetch, { basePath: '/api/' }));
  transport.receive(head('GET', '/api/whoami?q=1'));
  assert.is(JSON.parse((await answered(transport)).body).url, 'http://example.test/whoami?q=1');
  for (const outside of ['/apiary/whoami', '/whoami', '/%61pi/whoami']) {
    transport.clear();
    transport.receive(head('GET', outside));
    const answer = await answered(transport);
    assert.is(answer.status, 404, outside);
    assert.is(answer.body, '404 Not Found\n');
  }
  transport.clear();
  transport.receive(head('GET', '/api'));
  assert.is((await answered(transport)).status, 404, 'Hono has no route at /');
  transport.loseConnection();
  assert.throws(() => fetchHandler(notesApp().fetch, { basePath: 'api' }), /starts with \//);
});

test('pipelined requests get their answers in order', async () => {
  const transport = serve(fetchHandler(notesApp().fetch));
  transport.receive(head('GET', '/notes/1') + head('GET', '/whoami') + head('GET', '/notes/2'));
  await until(() => answers(transport.value(), ['GET', 'GET', 'GET'])[2]?.complete === true, 'three answers');
  assert.equal(
    answers(transport.value(), ['GET', 'GET', 'GET']).map((answer) => answer.status),
    [404, 200, 404],
  );
  transport.loseConnection();
});

test.run();
