import { setImmediate as settle } from 'node:timers/promises';
import { of, Subject } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpHeaders } from '../../../protocols/http/headers.js';
import type { ParseEvent, ResponseHead } from '../../../protocols/http/message.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import type { HttpRequest } from '../../../protocols/http/request.js';
import type { HttpResponse } from '../../../protocols/http/response.js';
import { type HttpHandler, httpServer } from '../../../protocols/http/server.js';
import { Deferred } from '../../../source/deferred.js';
import { logRecords$ } from '../../../source/log.js';
import { checkClean, StringTransport, trackedClock } from '../../../source/testing/index.js';

// What a server sends besides a final response: informational (1xx) responses before it
// (`HttpRequest.sendInformational`), and trailer fields after a chunked body (`HttpResponse.trailers`);
// and what tells a handler its client went away (`HttpRequest.signal`), which a proxy needs too.
const test = checkClean(suite('protocols/http/server (informational responses, trailers, signal)'));

function serve(handler: HttpHandler) {
  const app = httpServer(handler, { clock: trackedClock() });
  const transport = new StringTransport({ allowHalfOpen: true });
  app.serve(transport);
  return transport;
}

/** The parse events of what the server wrote, for requests made with `methods`. */
function events(
  transport: StringTransport,
  methods: readonly string[] = ['GET'],
): ParseEvent<ResponseHead>[] {
  const parser = new ResponseParser();
  for (const method of methods) parser.expect(method);
  return parser.push(transport.value());
}

const get = (target: string, version = '1.1') => `GET ${target} HTTP/${version}\r\nHost: x\r\n\r\n`;
const hints = { Link: '</style.css>; rel=preload; as=style' };

test('sendInformational writes a 103 Early Hints before the final response', async () => {
  let sent: boolean | undefined;
  const transport = serve(async (request) => {
    sent = request.sendInformational(103, hints);
    await settle();
    return { body: 'final' };
  });
  transport.receive(get('/'));
  assert.is(sent, true);
  assert.is(
    transport.text(),
    'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n\r\n',
    'the hints leave before the handler answers',
  );
  await settle();
  await settle();
  const [interim, final] = events(transport);
  assert.ok(interim?.type === 'head' && interim.interim === true && interim.head.status === 103);
  assert.ok(final?.type === 'head' && final.head.status === 200);
  transport.loseConnection();
});

test('sendInformational: several, then the final response; none once the final head is out', async () => {
  let request: HttpRequest | undefined;
  const body = new Subject<string>();
  const transport = serve((r) => {
    request = r;
    r.sendInformational(102);
    r.sendInformational(103, hints);
    return { body };
  });
  transport.receive(get('/'));
  body.next('a');
  assert.is(request!.sendInformational(103, hints), false, 'not after the final head');
  body.complete();
  const statuses = events(transport).flatMap((event) => (event.type === 'head' ? [event.head.status] : []));
  assert.equal(statuses, [102, 103, 200]);
  transport.loseConnection();
});

test('sendInformational: not to an HTTP/1.0 client, nor while an earlier pipelined response is pending', async () => {
  const sent: boolean[] = [];
  const first = new Deferred<HttpResponse>();
  const transport = serve((request) => {
    sent.push(request.sendInformational(103, hints));
    return request.target === '/slow' ? first : { body: request.target };
  });
  transport.receive(`${get('/old', '1.0').replace('\r\n\r\n', '\r\nConnection: keep-alive\r\n\r\n')}`);
  transport.receive(get('/slow') + get('/second'));
  assert.equal(sent, [false, true, false]);
  first.callback({ body: 'slow' });
  const statuses = events(transport, ['GET', 'GET', 'GET']).flatMap((event) =>
    event.type === 'head' ? [event.head.status] : [],
  );
  assert.equal(statuses, [200, 103, 200, 200]);
  transport.loseConnection();
});

test('sendInformational refuses 100, 101, final statuses and fields that could inject a line', () => {
  const errors: string[] = [];
  const transport = serve((request) => {
    for (const [status, headers] of [
      [100, undefined],
      [101, undefined],
      [200, undefined],
      [103, { Link: 'a\r\nX-Injected: 1' }],
    ] as const) {
      try {
        request.sendInformational(status, headers);
      } catch (error) {
        errors.push((error as Error).name);
      }
    }
    return { body: 'ok' };
  });
  transport.receive(get('/'));
  assert.equal(errors, ['TypeError', 'TypeError', 'TypeError', 'TypeError']);
  assert.ok(transport.text().startsWith('HTTP/1.1 200 OK\r\n'), 'nothing was written before the answer');
  transport.loseConnection();
});

/** The trailers of the only response written, and its body. */
function trailersOf(transport: StringTransport): { body: string; trailers: HttpHeaders | undefined } {
  let body = '';
  let trailers: HttpHeaders | undefined;
  for (const event of events(transport)) {
    if (event.type === 'body') body += Buffer.from(event.data).toString();
    else if (event.type === 'end') trailers = event.trailers;
  }
  return { body, trailers };
}

test('trailers given up front go in the last chunk of a chunked body', () => {
  const transport = serve(() => ({ body: of('ab', 'c'), trailers: { 'Server-Timing': 'db;dur=53' } }));
  transport.receive(get('/'));
  assert.ok(transport.text().endsWith('0\r\nServer-Timing: db;dur=53\r\n\r\n'));
  const { body, trailers } = trailersOf(transport);
  assert.is(body, 'abc');
  assert.is(trailers?.get('server-timing'), 'db;dur=53');
  transport.loseConnection();
});

test('trailers from a function are asked for once the body has ended', () => {
  const body = new Subject<string>();
  let checksum = '';
  let asked = 0;
  const transport = serve(() => ({
    body,
    trailers: () => {
      asked++;
      return { 'X-Checksum': checksum };
    },
  }));
  transport.receive(get('/'));
  body.next('part');
  checksum = 'after-the-body';
  assert.is(asked, 0);
  body.complete();
  assert.is(asked, 1);
  assert.is(trailersOf(transport).trailers?.get('x-checksum'), 'after-the-body');
  transport.loseConnection();
});

test('trailers are dropped when the body does not go chunked (known size, Content-Length, HTTP/1.0)', () => {
  const trailers = { 'X-Dropped': 'yes' };
  const transport = serve((request) =>
    request.target === '/bytes'
      ? { body: 'whole', trailers }
      : { headers: { 'Content-Length': '2' }, body: of('ab'), trailers },
  );
  transport.receive(get('/bytes') + get('/length'));
  assert.not.match(transport.text(), 'X-Dropped');
  const old = serve(() => ({ body: of('ab'), trailers }));
  old.receive(get('/', '1.0'));
  assert.not.match(old.text(), 'X-Dropped');
  assert.match(old.text(), '\r\n\r\nab');
  transport.loseConnection();
  old.loseConnection();
});

test('a framing field among the trailers drops the connection (the response is cut) and is logged', () => {
  const logged: string[] = [];
  const subscription = logRecords$.subscribe((record) =>
    logged.push((record.error as Error | undefined)?.message ?? ''),
  );
  const transport = serve(() => ({ body: of('ab'), trailers: { 'Content-Length': '2' } }));
  transport.receive(get('/'));
  subscription.unsubscribe();
  assert.not.match(transport.text(), '0\r\n');
  assert.ok(transport.aborted, 'the connection is dropped');
  assert.equal(logged, ['Content-Length is not allowed in trailers']);
});

test('request.signal aborts when the client goes away before the response is out, not after', async () => {
  const signals: AbortSignal[] = [];
  const pending = new Deferred<HttpResponse>();
  const transport = serve((request) => {
    signals.push(request.signal);
    return request.target === '/fast' ? { body: 'fast' } : pending;
  });
  transport.receive(get('/fast') + get('/slow'));
  assert.equal(
    signals.map((signal) => signal.aborted),
    [false, false],
  );
  transport.loseConnection();
  assert.equal(
    signals.map((signal) => signal.aborted),
    [false, true],
  );
  assert.is((signals[1]!.reason as Error).name, 'ConnectionDone');
  pending.callback({ body: 'too late' });
});

test('request.signal read only after the client left is aborted already', async () => {
  let request: HttpRequest | undefined;
  const pending = new Deferred<HttpResponse>();
  const transport = serve((r) => {
    request = r;
    return pending;
  });
  transport.receive(get('/'));
  transport.loseConnection();
  assert.ok(request!.signal.aborted);
  pending.callback({});
});

test.run();
