import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { nodeHandler } from '../../../protocols/web/node-handler.js';
import { Deferred } from '../../../source/index.js';
import { checkClean } from '../../../source/testing/index.js';
import { answered, answers, collectLog, head, only, serve, turns, until } from './_framework-serve.js';

const test = checkClean(suite('protocols/web/node-handler'));

/** An Express app with the routes most tests use (errors answered quietly: env `test`). */
function notesApp(): express.Express {
  const app = express();
  app.set('env', 'test');
  const notes = new Map<string, { text: string }>();
  app.use(express.json());
  app.get('/notes/:id', (req, res) => {
    const note = notes.get(req.params.id);
    if (note === undefined) res.status(404).json({ error: 'no such note' });
    else res.json(note);
  });
  app.post('/notes/:id', (req, res) => {
    const note = req.body as { text: string };
    notes.set(req.params.id, note);
    res.status(201).json({ saved: req.params.id, length: note.text.length });
  });
  app.get('/whoami', (req, res) => {
    req.setTimeout(1000); // the server's timeouts rule: these do nothing, and do not throw
    req.socket.setNoDelay(true).setKeepAlive(true);
    res.json({
      url: req.url,
      originalUrl: req.originalUrl,
      baseUrl: req.baseUrl,
      ip: req.ip,
      protocol: req.protocol,
      secure: req.secure,
      version: req.httpVersion,
      accept: req.headers.accept,
      raw: req.rawHeaders,
    });
  });
  app.get('/boom', () => {
    throw new Error('route secret');
  });
  return app;
}

test('routes by method and path, and takes and gives JSON bodies', async () => {
  const transport = serve(nodeHandler(notesApp()));
  const body = JSON.stringify({ text: 'hello' });
  transport.receive(
    head('POST', '/notes/7', `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n`) + body,
  );
  let answer = await answered(transport, 'POST');
  assert.is(answer.status, 201);
  assert.is(answer.headers.get('content-type'), 'application/json; charset=utf-8');
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

test("Express's own 404 reaches the client, with one Date and no Connection or Keep-Alive from node", async () => {
  const transport = serve(nodeHandler(notesApp()));
  transport.receive(head('DELETE', '/nowhere'));
  const answer = await answered(transport, 'DELETE');
  assert.is(answer.status, 404);
  assert.match(answer.body, 'Cannot DELETE /nowhere');
  assert.equal(
    answer.headers.getAll('date'),
    ['Thu, 01 Jan 1970 00:00:00 GMT'],
    "the server's clock dates it",
  );
  assert.is(answer.headers.get('keep-alive'), undefined);
  assert.is(answer.headers.get('connection'), undefined);
  transport.loseConnection();
});

test('req has the URL, the version, the headers (raw and joined), the peer and TLS', async () => {
  const transport = serve(nodeHandler(notesApp()), true);
  transport.receive(head('GET', '/whoami?x=1', 'Accept: text/html\r\naccept: application/json\r\n'));
  const answer = await answered(transport);
  assert.equal(JSON.parse(answer.body), {
    url: '/whoami?x=1',
    originalUrl: '/whoami?x=1',
    baseUrl: '',
    ip: '127.0.0.1',
    protocol: 'https',
    secure: true,
    version: '1.1',
    accept: 'text/html, application/json',
    raw: ['Host', 'example.test', 'Accept', 'text/html', 'accept', 'application/json'],
  });
  transport.loseConnection();
});

test('several Set-Cookie fields and a repeated header go out one field each', async () => {
  const app = express();
  app.get('/login', (_req, res) => {
    res.cookie('session', 'abc', { httpOnly: true, sameSite: 'lax' });
    res.cookie('theme', 'dark');
    res.append('Link', ['</a.css>; rel=preload', '</b.js>; rel=preload']);
    res.send('welcome');
  });
  const transport = serve(nodeHandler(app));
  transport.receive(head('GET', '/login'));
  const answer = await answered(transport);
  assert.equal(answer.headers.getAll('set-cookie'), [
    'session=abc; Path=/; HttpOnly; SameSite=Lax',
    'theme=dark; Path=/',
  ]);
  assert.equal(answer.headers.getAll('link'), ['</a.css>; rel=preload', '</b.js>; rel=preload']);
  assert.is(answer.body, 'welcome');
  transport.loseConnection();
});

test('a response written over time reaches the client as it is written, chunked', async () => {
  const go = new Deferred<void>();
  const app = express();
  app.get('/ticks', async (_req, res) => {
    res.write('first\n');
    await go;
    res.end('second\n');
  });
  const transport = serve(nodeHandler(app));
  transport.receive(head('GET', '/ticks'));
  await until(() => transport.text().includes('first\n'), 'the first chunk');
  let answer = only(transport);
  assert.is(answer.headers.get('transfer-encoding'), 'chunked');
  assert.not.ok(answer.complete, 'the response is not over before res.end');
  go.callback(undefined);
  answer = await answered(transport);
  assert.is(answer.body, 'first\nsecond\n');
  transport.loseConnection();
});

test("the head goes out with the first bytes of the body, with the app's status message", async () => {
  const go = new Deferred<void>();
  const transport = serve(
    nodeHandler(async (_req, res) => {
      res.statusMessage = 'Working On It';
      res.writeHead(202, { 'Content-Type': 'text/plain' });
      res.flushHeaders();
      await go;
      res.write('working\n');
      await go;
      res.end('done');
    }),
  );
  transport.receive(head('GET', '/'));
  await turns(10);
  assert.is(transport.text(), '', 'a streamed body that has not begun holds its head back');
  go.callback(undefined);
  assert.is((await answered(transport)).body, 'working\ndone');
  assert.ok(transport.text().startsWith('HTTP/1.1 202 Working On It\r\n'));
  transport.loseConnection();
});

test("res.write returns false while the client is behind, and 'drain' comes as it catches up", async () => {
  const size = 1024 * 1024;
  let written = 0;
  let refusals = 0;
  const transport = serve(
    nodeHandler((_req, res) => {
      const chunk = Buffer.alloc(16 * 1024, 0x62);
      const more = () => {
        while (written < size) {
          written += chunk.byteLength;
          if (!res.write(chunk)) {
            refusals++;
            res.once('drain', more);
            return;
          }
        }
        res.end();
      };
      more();
    }),
  );
  transport.setWriteBlocked(true);
  transport.receive(head('GET', '/big'));
  await until(() => refusals > 0, 'the first refusal');
  await turns(20);
  assert.ok(written <= 256 * 1024, `${written} bytes written while the client took none`);
  transport.setWriteBlocked(false);
  const answer = await answered(transport);
  assert.is(answer.body.length, size);
  assert.ok(refusals > 1, 'written at the pace of the client');
  transport.loseConnection();
});

test('a large upload is streamed: the connection is not read past what the app has taken', async () => {
  const size = 1024 * 1024;
  const go = new Deferred<void>();
  let firstRead = 0;
  const app = express();
  app.put('/upload', (req, res) => {
    req.once('data', (chunk: Buffer) => {
      firstRead = chunk.byteLength;
      req.pause();
      let total = firstRead;
      void go.then(() => {
        req.on('data', (more: Buffer) => {
          total += more.byteLength;
        });
        req.on('end', () => res.json({ total }));
        req.resume();
      });
    });
  });
  const transport = serve(nodeHandler(app));
  transport.receive(head('PUT', '/upload', `Content-Length: ${size}\r\n`));
  const chunk = Buffer.alloc(16 * 1024, 0x61);
  for (let sent = 0; sent < size; sent += chunk.byteLength) transport.receive(chunk);
  await until(() => firstRead > 0, 'the first read');
  await turns(20);
  assert.not.ok(transport.reading, 'the connection is paused while the app does not read');
  go.callback(undefined);
  const answer = await answered(transport, 'PUT');
  assert.equal(JSON.parse(answer.body), { total: size });
  assert.ok(transport.reading);
  transport.loseConnection();
});

test('a chunked request body arrives whole through express.text()', async () => {
  const app = express();
  app.post('/echo', express.text(), (req, res) => {
    res.send(`${req.headers['transfer-encoding']}: ${req.body}`);
  });
  const transport = serve(nodeHandler(app));
  transport.receive(
    `${head('POST', '/echo', 'Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n')}3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n`,
  );
  assert.is((await answered(transport, 'POST')).body, 'chunked: abcde');
  transport.loseConnection();
});

test('a request with Expect: 100-continue gets one 100 Continue, from the Spindle server', async () => {
  const app = express();
  app.post('/echo', express.text(), (req, res) => res.send(`${req.headers.expect}: ${req.body}`));
  const transport = serve(nodeHandler(app));
  transport.receive(
    head('POST', '/echo', 'Content-Type: text/plain\r\nContent-Length: 5\r\nExpect: 100-continue\r\n'),
  );
  await until(() => transport.text().startsWith('HTTP/1.1 100 Continue\r\n\r\n'), 'the 100 Continue');
  transport.receive('hello');
  await until(() => transport.text().endsWith('undefined: hello'), 'the answer');
  assert.is(transport.text().split('100 Continue').length, 2, 'one 100 Continue');
  transport.loseConnection();
});

test('HEAD gets the headers of GET and no body', async () => {
  const transport = serve(nodeHandler(notesApp()));
  transport.receive(head('HEAD', '/whoami'));
  await until(() => transport.text().includes('\r\n\r\n'), 'the head');
  const answer = only(transport, 'HEAD');
  assert.is(answer.status, 200);
  assert.is(answer.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.ok(Number(answer.headers.get('content-length')) > 0, 'the length GET would have');
  assert.ok(transport.text().endsWith('\r\n\r\n'), 'nothing after the head');
  transport.loseConnection();
});

test('an HTTP/1.0 request gets its whole answer', async () => {
  const transport = serve(
    nodeHandler((_req, res) => {
      res.write('a');
      res.end('b');
    }),
  );
  transport.receive('GET / HTTP/1.0\r\n\r\n');
  await until(() => transport.ended, 'the end');
  assert.ok(transport.text().endsWith('\r\n\r\nab'));
  transport.receiveEnd();
});

test('a request with Connection: close is answered, then the connection ends', async () => {
  const transport = serve(nodeHandler(notesApp()));
  transport.receive(head('GET', '/notes/1', 'Connection: close\r\n'));
  await until(() => transport.ended, 'the end');
  const answer = only(transport);
  assert.is(answer.status, 404);
  assert.ok(answer.complete);
  assert.is(answer.headers.get('connection'), 'close');
  transport.receiveEnd();
});

test('a listener that throws or rejects before answering gets a 500, and is logged', async () => {
  const log = collectLog();
  const listeners: Record<string, (req: IncomingMessage, res: ServerResponse) => void | Promise<void>> = {
    '/throws': () => {
      throw new Error('thrown secret');
    },
    '/rejects': async () => {
      throw new Error('rejected secret');
    },
    '/destroys': (req) => {
      req.socket.destroy();
    },
    '/writes-garbage': (req) => {
      req.socket.write('not HTTP\r\n\r\n');
    },
  };
  const transport = serve(nodeHandler((req, res) => listeners[req.url!]!(req, res)));
  for (const path of Object.keys(listeners)) {
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
    Object.keys(listeners),
  );
  assert.match((errors[0]!.error as Error).message, 'thrown secret');
  assert.match((errors[2]!.error as Error).message, 'closed the connection before answering');
  assert.match((errors[3]!.error as Error).message, 'not HTTP/1.1');
  transport.loseConnection();
});

test("an Express route that throws is answered by Express's error handler", async () => {
  const transport = serve(nodeHandler(notesApp()));
  transport.receive(head('GET', '/boom'));
  const answer = await answered(transport);
  assert.is(answer.status, 500);
  assert.is(answer.reason, 'Internal Server Error');
  assert.match(answer.body, 'Error: route secret', "Express's development error page");
  transport.loseConnection();
});

test('a listener that fails after its head is out cuts the connection; after its end, it is logged', async () => {
  const log = collectLog();
  const go = new Deferred<void>();
  const transport = serve(
    nodeHandler(async (req, res) => {
      if (req.url === '/late') {
        res.write('partial');
        await go;
        throw new Error('failed mid-body');
      }
      res.end('whole');
      throw new Error('failed after the end');
    }),
  );
  transport.receive(head('GET', '/after'));
  assert.is((await answered(transport)).body, 'whole');
  transport.clear();
  transport.receive(head('GET', '/late'));
  await until(() => transport.text().includes('partial'), 'the partial body');
  go.callback(undefined);
  await until(() => transport.aborted, 'the abort');
  log.stop();
  const answer = only(transport);
  assert.is(answer.status, 200);
  assert.not.ok(answer.complete, 'a cut response never looks complete');
  const errors = log.records.filter((record) => record.level === 'error');
  assert.equal(
    errors.map((record) => [record.namespace, (record.error as Error).message]),
    [
      ['spindle.web', 'failed after the end'],
      ['spindle.http.server', 'failed mid-body'],
    ],
  );
});

test("a client that goes away mid-response closes res before 'finish'", async () => {
  const closed = new Deferred<boolean>();
  const transport = serve(
    nodeHandler((_req, res) => {
      res.on('close', () => closed.callback(res.writableFinished));
      res.write('tick\n'); // and never ends
    }),
  );
  transport.receive(head('GET', '/forever'));
  await until(() => transport.text().includes('tick'), 'the first tick');
  assert.not.ok(closed.called);
  transport.loseConnection();
  assert.is(await closed, false);
});

test("a client that goes away mid-upload makes req emit 'aborted'", async () => {
  const aborted = new Deferred<void>();
  const transport = serve(
    nodeHandler((req) => {
      req.on('aborted', () => aborted.callback(undefined));
      req.on('error', () => undefined);
      req.resume();
    }),
  );
  transport.receive(`${head('POST', '/upload', 'Content-Length: 100\r\n')}only part`);
  await turns(5);
  transport.loseConnection();
  await aborted;
});

test('basePath: the app sees its own paths, as Express mounts a sub-app, and nothing outside', async () => {
  const transport = serve(nodeHandler(notesApp(), { basePath: '/app' }));
  transport.receive(head('GET', '/app/whoami?q=1'));
  const seen = JSON.parse((await answered(transport)).body);
  assert.equal([seen.url, seen.originalUrl, seen.baseUrl], ['/whoami?q=1', '/app/whoami?q=1', '/app']);
  for (const outside of ['/apple/whoami', '/whoami', '/%61pp/whoami']) {
    transport.clear();
    transport.receive(head('GET', outside));
    const answer = await answered(transport);
    assert.is(answer.status, 404, outside);
    assert.is(answer.body, '404 Not Found\n');
  }
  transport.loseConnection();
});

test('pipelined requests get their answers in order', async () => {
  const transport = serve(nodeHandler(notesApp()));
  transport.receive(head('GET', '/notes/1') + head('GET', '/whoami') + head('GET', '/notes/2'));
  await until(() => answers(transport.value(), ['GET', 'GET', 'GET'])[2]?.complete === true, 'three answers');
  assert.equal(
    answers(transport.value(), ['GET', 'GET', 'GET']).map((answer) => answer.status),
    [404, 200, 404],
  );
  transport.loseConnection();
});

test.run();
