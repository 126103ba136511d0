import { once } from 'node:events';
import { createServer, connect as netConnect } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { echo } from '../../protocols/wire/index.js';
import type { InetAddress } from '../../source/address.js';
import { Clock } from '../../source/clock.js';
import { CannotListenError, EndpointSyntaxError } from '../../source/errors.js';
import { listenService } from '../../source/listen-service.js';
import { Reactor } from '../../source/reactor.js';
import type { ListenOptions } from '../../source/server.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { MemoryReactor } from '../../source/testing/memory-reactor.js';
import { rejectionOf } from '../support/failure-of.js';
import { captureLogs } from '../support/recording-services.js';

/** Real sockets on 127.0.0.1, timers on a virtual clock; the check closes what a failed test left. */
const reactor = new Reactor({ clock: new Clock() as never });
const test = checkClean(suite('source/listen-service'), { reactors: [reactor] });

test('listens when started, fires once listening, and its stop closes the server gracefully', async () => {
  const web = listenService('tcp:0:interface=127.0.0.1', echo, { name: 'web', reactor });
  assert.is(web.server, undefined);
  await web.startService();
  const server = web.server!;
  const { port } = (await server.address) as InetAddress;
  assert.ok(port > 0);
  const socket = netConnect(port, '127.0.0.1');
  await once(socket, 'connect');
  socket.write('ping');
  const [echoed] = (await once(socket, 'data')) as [Buffer];
  assert.is(echoed.toString(), 'ping');
  const stopped = web.stopService();
  await once(socket, 'end'); // closed gracefully, not reset
  socket.end();
  await stopped;
  assert.ok(server.closed.called);
  assert.is(web.server, undefined);
  assert.is(reactor.servers.size, 0);
});

test('a port in use fails the start with CannotListenError, logged once, by the server', async () => {
  const holder = createServer().listen(0, '127.0.0.1');
  await once(holder, 'listening');
  const { port } = holder.address() as { port: number };
  const logs = captureLogs();
  try {
    const web = listenService(`tcp:${port}:interface=127.0.0.1`, echo, { reactor });
    const error = await rejectionOf(web.startService());
    assert.instance(error, CannotListenError);
    assert.is(web.state, 'stopped');
    assert.is(web.server, undefined);
    assert.equal(logs.lines(), [
      `error [spindle.server] cannot listen on tcp:${port}:interface=127.0.0.1: the address is in use by another server (EADDRINUSE)`,
    ]);
  } finally {
    logs.stop();
    holder.close();
  }
});

test('the endpoint is read at once: a mistake throws EndpointSyntaxError, a udp: one TypeError', () => {
  assert.throws(
    () => listenService('tcp:port=nope', echo),
    (e: unknown) => e instanceof EndpointSyntaxError,
  );
  assert.throws(
    () => listenService('udp:5353', echo),
    (e: unknown) => e instanceof TypeError && e.message.includes('udp:5353 is a UDP endpoint'),
  );
});

test('listens with the options given, on the reactor given', async () => {
  const memory = new MemoryReactor();
  const web = listenService({ type: 'tcp', port: 8080 }, echo, { reactor: memory, maxConnections: 5 });
  await web.startService();
  assert.equal(
    memory.listens.map((call) => [
      call.endpoint,
      (call.options as ListenOptions).maxConnections,
      call.protocol,
    ]),
    [[{ type: 'tcp', port: 8080 }, 5, echo]],
  );
  assert.is(web.endpoint.type, 'tcp');
  assert.is(web.protocol, echo);
  await web.stopService();
});

test.run();
