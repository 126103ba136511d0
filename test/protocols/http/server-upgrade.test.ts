import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { HttpHandler } from '../../../protocols/http/server.js';
import { httpServer } from '../../../protocols/http/server.js';
import { type Connection, Deferred } from '../../../source/index.js';
import { checkClean, StringTransport, trackedClock } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/http/server-upgrade'));

const upgradeRequest = 'GET /echo HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: echo\r\n\r\n';

/** An app that switches to an echo protocol, recording what the upgrade was handed. */
function echoUpgrade(handed: { connection?: Connection; head?: string }, session?: unknown): HttpHandler {
  return () => ({
    status: 101,
    headers: { Connection: 'Upgrade', Upgrade: 'echo' },
    upgrade: (connection, head) => {
      handed.connection = connection;
      handed.head = Buffer.from(head).toString();
      connection.write(head);
      connection.data$.subscribe(connection);
      return session;
    },
  });
}

function serve(handler: HttpHandler) {
  const clock = trackedClock();
  const app = httpServer(handler, { clock, idleTimeout: 5, headerTimeout: 10 });
  const transport = new StringTransport({ allowHalfOpen: true });
  const session = app.serve(transport);
  return { clock, transport, session };
}

test('writes the 101 head as given, then hands over the connection and the bytes sent after the request', () => {
  const handed: { connection?: Connection; head?: string } = {};
  const { transport } = serve(echoUpgrade(handed));
  transport.receive(`${upgradeRequest}early bytes`);
  assert.is(handed.connection, transport);
  assert.is(handed.head, 'early bytes');
  assert.is(
    transport.text(),
    'HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly bytes',
  );
  transport.clear();
  transport.receive('GET / HTTP/1.1\r\n\r\n'); // no longer HTTP: echoed
  assert.is(transport.text(), 'GET / HTTP/1.1\r\n\r\n');
  transport.loseConnection();
});

test('the same at every split of the request and what follows it', () => {
  const input = Buffer.from(`${upgradeRequest}abc`);
  for (let at = 0; at <= input.length; at++) {
    const handed: { head?: string } = {};
    const { transport } = serve(echoUpgrade(handed));
    transport.receive(input.subarray(0, at));
    transport.receive(input.subarray(at));
    assert.match(
      transport.text(),
      /^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*\r\n\r\nabc$/,
      `split at ${at}`,
    );
    transport.loseConnection();
  }
});

test("HTTP's timeouts stop at the switch: the connection stays open long past them", () => {
  const { transport, clock } = serve(echoUpgrade({}));
  transport.receive(upgradeRequest);
  clock.advance(3600);
  assert.not.ok(transport.closedByProtocol || transport.ended);
  transport.receive('still here');
  assert.match(transport.text(), /still here$/);
  transport.loseConnection();
});

test('a 101 for a request that did not ask to upgrade answers 500, and HTTP goes on', () => {
  const { transport } = serve(echoUpgrade({}));
  transport.receive('GET / HTTP/1.1\r\nHost: a\r\n\r\n');
  assert.match(transport.text(), /^HTTP\/1\.1 500 Internal Server Error\r\n/);
  assert.not.ok(transport.closedByProtocol);
  transport.loseConnection();
});

test('an upgrade with another status answers 500; a declined upgrade parses the held bytes as HTTP', () => {
  const { transport } = serve((request) =>
    request.target === '/bad'
      ? { status: 200, upgrade: () => undefined }
      : { body: `plain ${request.target}` },
  );
  transport.receive(`${upgradeRequest.replace('/echo', '/bad')}`);
  assert.match(transport.text(), /^HTTP\/1\.1 500 /);
  transport.clear();
  transport.receive(`${upgradeRequest}GET /next HTTP/1.1\r\nHost: a\r\n\r\n`);
  assert.match(transport.text(), /plain \/echo[\s\S]*plain \/next$/);
  transport.loseConnection();
});

test("draining the server drains the upgraded protocol's session", async () => {
  const drained = new Deferred<void>();
  let asked = false;
  const session = {
    drain: () => {
      asked = true;
      return drained;
    },
  };
  const { transport, session: http } = serve(echoUpgrade({}, session));
  transport.receive(upgradeRequest);
  const result = http.drain(10) as Deferred<void>;
  assert.ok(asked);
  drained.callback(undefined);
  assert.is(await result, undefined);
  transport.loseConnection();
});

test.run();
