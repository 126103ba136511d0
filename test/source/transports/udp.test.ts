import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { firstValueFrom, take, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { listen } from '../../../source/endpoints.js';
import { CannotListenError } from '../../../source/errors.js';
import { type LogRecord, logRecords$ } from '../../../source/log.js';
import { reactor } from '../../../source/reactor.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import type { Datagram } from '../../../source/transports/udp.js';
import { rejectionOf } from '../../support/failure-of.js';

const test = checkClean(suite('source/transports/udp'));

test('datagrams$ delivers datagrams with their sender, and send answers them', async () => {
  const port = listen('udp:0:interface=127.0.0.1');
  const address = await port.address;
  assert.is(address.type, 'udp');
  port.datagrams$.subscribe(({ data, address: from, port: fromPort }) => port.send(data, from, fromPort));
  const client = createSocket('udp4');
  client.bind(0, '127.0.0.1');
  await once(client, 'listening');
  client.send('ping', address.port, '127.0.0.1');
  const [reply, info] = (await once(client, 'message')) as [Buffer, { port: number }];
  assert.is(reply.toString(), 'ping');
  assert.is(info.port, address.port);
  client.close();
  await port.close();
});

test('write sends a datagram without waiting, and a datagram it cannot send is dropped, the port going on', async () => {
  const port = listen('udp:0:interface=127.0.0.1');
  const address = await port.address;
  port.datagrams$.subscribe(({ data, address: from, port: fromPort }) => {
    port.write(Buffer.alloc(70_000), from, fromPort); // over UDP's limit: EMSGSIZE, dropped
    port.write(data, from, fromPort);
  });
  const client = createSocket('udp4');
  client.bind(0, '127.0.0.1');
  await once(client, 'listening');
  client.send('ping', address.port, '127.0.0.1');
  const [reply] = (await once(client, 'message')) as [Buffer];
  assert.is(reply.toString(), 'ping');
  client.close();
  await port.close();
});

test('for await pulls datagrams; past maxQueued they are dropped and counted', async () => {
  const port = listen('udp:0:interface=127.0.0.1', { maxQueued: 2 });
  const { port: number } = await port.address;
  const iterator = port[Symbol.asyncIterator]();
  const first = iterator.next(); // subscribes, and waits
  const client = createSocket('udp4');
  for (const n of [1, 2, 3, 4, 5]) client.send(`d${n}`, number, '127.0.0.1');
  const got: string[] = [Buffer.from(((await first).value as Datagram).data).toString()];
  while (got.length + port.dropped < 5) {
    const next = await iterator.next();
    got.push(Buffer.from((next.value as Datagram).data).toString());
  }
  assert.is(got[0], 'd1');
  assert.ok(got.length >= 3, 'the queue holds maxQueued while the reader is away');
  assert.is(got.length + port.dropped, 5);
  await iterator.return?.(undefined);
  client.close();
  await port.close();
});

test('close completes datagrams$ and fires closed', async () => {
  const port = listen('udp:0:interface=127.0.0.1');
  await port.address;
  const all = firstValueFrom(port.datagrams$.pipe(take(10), toArray()));
  const closed = port.closed;
  await port.close();
  await closed;
  assert.equal(await all, []);
});

test('multicast join and leave, broadcast and TTL settings apply to the socket', async () => {
  const port = listen('udp:0', { reuseAddress: true, broadcast: true });
  await port.address;
  port.joinGroup('239.255.0.1');
  port.setMulticastLoopback(true);
  port.setMulticastTTL(1);
  port.setBroadcast(false);
  port.leaveGroup('239.255.0.1');
  await port.close();
});

test('binding a port in use errbacks the address with CannotListenError, logged once, and closes the port', async () => {
  const first = listen('udp:0:interface=127.0.0.1');
  const { port } = await first.address;
  const records: LogRecord[] = [];
  const logging = logRecords$.subscribe((record) => records.push(record));
  const second = listen(`udp:${port}:interface=127.0.0.1`);
  await second.closed;
  logging.unsubscribe();
  const message = `cannot listen on udp:${port}:interface=127.0.0.1: the address is in use by another server (EADDRINUSE)`;
  assert.equal(
    records.map((record) => `${record.level} ${record.message}`),
    [`error ${message}`],
  );
  const failure = await rejectionOf(second.address);
  assert.instance(failure, CannotListenError);
  assert.is((failure as CannotListenError).reason, 'EADDRINUSE');
  assert.is(failure.message, message);
  assert.not.ok(reactor.servers.has(second), 'the reactor forgot the failed port');
  assert.ok(reactor.servers.has(first));
  await first.close();
});

test.run();
