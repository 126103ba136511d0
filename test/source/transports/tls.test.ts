import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer, connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { TLSSocket, connect as tlsConnect } from 'node:tls';
import { firstValueFrom, map, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lines } from '../../../operators/index.js';
import { describeEndpoint, type InetAddress } from '../../../source/address.js';
import { Clock } from '../../../source/clock.js';
import type { Connection } from '../../../source/connection.js';
import { Deferred } from '../../../source/deferred.js';
import { gatherResults } from '../../../source/deferred-list.js';
import { connect, listen } from '../../../source/endpoints.js';
import { CertificateError, ConnectionDone, ConnectionLost } from '../../../source/errors.js';
import { type LogRecord, logRecords$ } from '../../../source/log.js';
import { type Protocol, protocol } from '../../../source/protocol.js';
import { Reactor } from '../../../source/reactor.js';
import type { ListenOptions } from '../../../source/server.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import type { NetServerAdapter } from '../../../source/transports/net-server-adapter.js';
import type { StreamConnection } from '../../../source/transports/stream-connection.js';
import { within } from '../../support/demo-process.js';
import { outcomeOf } from '../../support/failure-of.js';
import { throwawayCertificate } from '../../support/throwaway-certificate.js';

/** The reactor of the shutdown tests: its virtual clock holds grace periods still in real time. */
const clock = new Clock();
const reactor = new Reactor({ clock: clock as never });
const test = checkClean(suite('source/transports/tls'), { reactors: [reactor] });
const { key, cert } = throwawayCertificate();
const text = (chunks: Uint8Array[]) => Buffer.concat(chunks).toString();

const echo = protocol((conn: Connection) => conn.data$.subscribe(conn));

/** A TLS server on 127.0.0.1 on the virtual-clock reactor, and its `node:tls` server. */
async function tlsServer(serve: Protocol, options: ListenOptions = {}) {
  const server = listen({ type: 'tls', port: 0, host: '127.0.0.1', tls: { key, cert } }, serve, {
    reactor,
    ...options,
  });
  const { port } = await server.address;
  return { server, port, net: (server as NetServerAdapter<InetAddress>).netServer };
}

/** A TLS client of `port` on 127.0.0.1 that trusts the throwaway certificate. */
const trustingClient = (port: number) =>
  connect({ type: 'tls', host: '127.0.0.1', port, tls: { ca: cert, servername: 'localhost' } });

/** A plain TCP client that connects and never starts a TLS handshake; fires once the server took it. */
async function silentClient(
  port: number,
  net: NetServerAdapter['netServer'],
  localAddress = '127.0.0.1',
): Promise<Socket> {
  const accepted = once(net, 'connection');
  const socket = netConnect({ port, host: '127.0.0.1', localAddress });
  socket.on('error', () => {}); // a reset from the server is what some of these tests expect
  await within(5, 'the TCP accept', accepted);
  return socket;
}

/** Fires once `condition()` holds, checking once per event-loop turn; fails after 5 s waiting for `what`. */
async function waitFor(what: string, condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out after 5 s waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Whether `socket` has closed (its `close` fired), bounded. */
const closedSocket = (socket: Socket, what: string) =>
  socket.closed ? Promise.resolve() : within(5, what, once(socket, 'close'));

test('a tls: server and client exchange bytes over a verified TLS 1.2+ connection', async () => {
  const server = listen({ type: 'tls', port: 0, host: '127.0.0.1', tls: { key, cert } }, echo);
  const { port } = await server.address;
  const client = await trustingClient(port);
  assert.ok(client.secure);
  const reply = firstValueFrom(client.data$.pipe(toArray()));
  client.write('over tls');
  client.end();
  assert.is(text(await reply), 'over tls');
  await server.close();
});

test('endpoint strings read the certificate files; the client verifies against caCerts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-tls-'));
  writeFileSync(join(dir, 'cert.pem'), cert);
  writeFileSync(join(dir, 'key.pem'), key);
  const server = listen(
    `tls:0:certKey=${join(dir, 'cert.pem')}:privateKey=${join(dir, 'key.pem')}:interface=127.0.0.1`,
    echo,
  );
  const { port } = await server.address;
  const client = await connect(
    `tls:host=127.0.0.1:port=${port}:caCerts=${join(dir, 'cert.pem')}:hostname=localhost`,
  );
  const reply = firstValueFrom(client.data$.pipe(toArray()));
  client.write('from strings');
  client.end();
  assert.is(text(await reply), 'from strings');
  await server.close();
  rmSync(dir, { recursive: true });
});

test('a client that does not trust the certificate fails to connect', async () => {
  const server = listen({ type: 'tls', port: 0, host: '127.0.0.1', tls: { key, cert } }, echo);
  const { port } = await server.address;
  try {
    await connect({ type: 'tls', host: '127.0.0.1', port, tls: { servername: 'localhost' } });
    assert.unreachable();
  } catch (error) {
    assert.ok(error instanceof CertificateError, String(error));
    assert.is((error as CertificateError).reason, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.is(((error as CertificateError).cause as { code?: string }).code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  }
  await server.close();
});

test('TLS older than 1.2 is refused by default', async () => {
  const server = listen({ type: 'tls', port: 0, host: '127.0.0.1', tls: { key, cert } }, echo);
  const { port } = await server.address;
  const socket = tlsConnect({
    port,
    host: '127.0.0.1',
    ca: cert,
    servername: 'localhost',
    maxVersion: 'TLSv1.1',
    minVersion: 'TLSv1',
  });
  const [error] = (await once(socket, 'error')) as [Error & { code?: string }];
  assert.ok(error.code !== undefined, 'the handshake failed');
  await server.close();
});

test('startTLS upgrades an accepted plain connection mid-stream (a Node TLS client on the other end)', async () => {
  const server = listen(
    'tcp:0:interface=127.0.0.1',
    protocol((conn) => {
      let upgraded = false;
      conn.data$
        .pipe(
          lines(),
          map((line) => line),
        )
        .subscribe((line) => {
          if (!upgraded && line === 'STARTTLS') {
            conn.write('220 go ahead\r\n');
            upgraded = true;
            conn.startTLS({ key, cert }).addCallback(() => conn.write(`secure=${conn.secure}\r\n`));
          } else {
            conn.write(`echo ${line}\r\n`);
          }
        });
    }),
  );
  const { port } = await server.address;
  const raw = netConnect(port, '127.0.0.1');
  await once(raw, 'connect');
  raw.write('STARTTLS\r\n');
  const [banner] = (await once(raw, 'data')) as [Buffer];
  assert.is(banner.toString(), '220 go ahead\r\n');
  const secure = tlsConnect({ socket: raw, ca: cert, servername: 'localhost' });
  await once(secure, 'secureConnect');
  assert.ok(secure.authorized);
  const received: Buffer[] = [];
  secure.on('data', (chunk: Buffer) => received.push(chunk));
  secure.write('hello\r\n');
  while (!Buffer.concat(received).toString().includes('echo hello\r\n')) await once(secure, 'data');
  assert.is(Buffer.concat(received).toString(), 'secure=true\r\necho hello\r\n');
  secure.end();
  await once(secure, 'close');
  await server.close();
});

test('startTLS on the client side upgrades a connection to a STARTTLS server', async () => {
  const plain = createNetServer((socket: Socket) => {
    socket.once('data', () => {
      socket.write('220 ready\r\n');
      const secure = new TLSSocket(socket, { isServer: true, key, cert });
      secure.on('data', (chunk: Buffer) => secure.write(`tls:${chunk.toString()}`));
      secure.on('end', () => secure.end());
    });
  });
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
  const { port } = plain.address() as { port: number };
  const conn = await connect(`tcp:127.0.0.1:${port}`);
  const received: string[] = [];
  conn.data$.subscribe((chunk) => received.push(Buffer.from(chunk).toString()));
  conn.write('STARTTLS\r\n');
  while (received.length === 0) await new Promise((resolve) => setImmediate(resolve));
  assert.equal(received, ['220 ready\r\n']);
  await conn.startTLS({ ca: cert, servername: 'localhost' });
  assert.ok(conn.secure);
  conn.write('ping');
  while (received.length < 2) await new Promise((resolve) => setImmediate(resolve));
  assert.is(received[1], 'tls:ping');
  conn.end();
  await conn.closed;
  await new Promise((resolve) => plain.close(resolve));
});

test('startTLS with role: the side that connected plays the TLS server, the side that accepted the client (FTP active mode)', async () => {
  const accepted = new Deferred<Connection>();
  const server = listen('tcp:0:interface=127.0.0.1', { allowHalfOpen: false });
  server.connections$.subscribe((conn) => accepted.callback(conn));
  const { port } = await server.address;
  const opened = await connect(`tcp:127.0.0.1:${port}`);
  const taken = await accepted;
  const handshakes = gatherResults([
    opened.startTLS({ key, cert, role: 'server' }),
    taken.startTLS({ ca: cert, servername: 'localhost', role: 'client' }),
  ]);
  await handshakes;
  assert.ok(opened.secure && taken.secure);
  const reply = firstValueFrom(taken.data$);
  opened.write('over tls, roles swapped');
  assert.is(Buffer.from(await reply).toString(), 'over tls, roles swapped');
  opened.abort();
  taken.abort();
  await server.close();
});

const closings = [
  ['closes', (connection: Connection) => void connection.close()],
  ['ends', (connection: Connection) => connection.end()],
  ['aborts', (connection: Connection) => connection.abort()],
] as const;

/** When an end closes: before `startTLS`, this many event-loop turns into the handshake, or once it is done. */
const moments = ['before', 0, 1, 2, 3, 'after'] as const;

for (const side of ['server', 'client'] as const) {
  for (const [how, shut] of closings) {
    test(`over TCP, the ${side} ${how} its end before, during or right after the startTLS handshake: both Deferreds settle, both ends close`, async () => {
      const server = listen('tcp:0:interface=127.0.0.1', { allowHalfOpen: false });
      let accepted = new Deferred<Connection>();
      server.connections$.subscribe((conn) => accepted.callback(conn));
      const { port } = await server.address;
      for (const moment of moments) {
        accepted = new Deferred<Connection>();
        const pair = { client: await connect(`tcp:127.0.0.1:${port}`), server: await accepted };
        for (const end of [pair.client, pair.server]) end.data$.subscribe({ error: () => {} });
        const closed = { client: outcomeOf(pair.client.closed), server: outcomeOf(pair.server.closed) };
        if (moment === 'before') shut(pair[side]);
        const handshakes = {
          client: outcomeOf(pair.client.startTLS({ ca: cert, servername: 'localhost' })),
          server: outcomeOf(pair.server.startTLS({ key, cert })),
        };
        const at = `${side} ${how} at ${moment}`;
        const ends = ['client', 'server'] as const;
        const settled = () => ends.every((end) => handshakes[end].current.state !== 'pending');
        if (moment === 'after') await waitFor(`${at}: the handshakes`, settled);
        else if (moment !== 'before') for (let turn = 0; turn < moment; turn++) await nextTurn();
        if (moment !== 'before') shut(pair[side]);
        await waitFor(`${at}: both startTLS Deferreds to settle`, settled);
        await waitFor(`${at}: both ends to close`, () =>
          ends.every((end) => closed[end].current.state === 'fired'),
        );
        // The aborting end says so; its peer sees what it would without TLS: Node's destroy()
        // sends a FIN, so ConnectionDone, unless a write crossed it and drew a reset.
        const own = closed[side].current;
        if (how === 'aborts' && own.state === 'fired') assert.instance(own.value, ConnectionLost, at);
      }
      await server.close();
    });
  }
}

test('startTLS fails on a connection already secure, and a failed handshake errbacks', async () => {
  const server = listen({ type: 'tls', port: 0, host: '127.0.0.1', tls: { key, cert } }, echo);
  const { port } = await server.address;
  const client = await trustingClient(port);
  try {
    await client.startTLS({});
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, 'already using TLS');
  }
  client.abort();
  await server.close();

  const plain = createNetServer((socket: Socket) => {
    socket.once('data', () => {
      socket.write('220 ready\r\n');
      new TLSSocket(socket, { isServer: true, key, cert }).on('error', () => {});
    });
  });
  plain.listen(0, '127.0.0.1');
  await once(plain, 'listening');
  const conn = await connect(`tcp:127.0.0.1:${(plain.address() as { port: number }).port}`);
  const replies: string[] = [];
  conn.data$.subscribe({ next: (chunk) => replies.push(Buffer.from(chunk).toString()), error: () => {} });
  conn.write('STARTTLS\r\n');
  while (replies.length === 0) await new Promise((resolve) => setImmediate(resolve));
  try {
    await conn.startTLS({ servername: 'localhost' }); // no CA: the self-signed certificate is refused
    assert.unreachable();
  } catch (error) {
    assert.ok(error instanceof CertificateError, String(error));
    assert.is((error as CertificateError).reason, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  }
  conn.abort();
  await new Promise((resolve) => plain.close(resolve));
});

test('a tls: server describes its address as tls:', async () => {
  const { server, port } = await tlsServer(echo);
  const address: InetAddress = await server.address;
  assert.is(address.tls, true);
  assert.is(describeEndpoint(address), `tls:${port}:interface=127.0.0.1`);
  await server.close();
});

test('close() drops a client that never starts its handshake at once, not after the 120 s handshake timeout', async () => {
  const { server, port, net } = await tlsServer(echo);
  const silent = await silentClient(port, net);
  const started = performance.now();
  await within(5, 'the server to close', server.close().toPromise());
  const elapsed = performance.now() - started;
  assert.ok(elapsed < 1000, `closing took ${elapsed.toFixed(0)} ms`);
  await closedSocket(silent, 'the silent client to be dropped');
  assert.is(server.stats.accepted, 0, 'a handshake never done is no connection');
  assert.is(clock.getDelayedCalls().length, 0, 'no grace timer: nothing was in flight');
});

test('a client that half-closes in its handshake is dropped at once, by a protocol that takes half-close too', async () => {
  // The handshake can never finish: Node would keep a half-open socket until its handshake timeout (120 s).
  const { server, port, net } = await tlsServer(
    protocol((conn) => conn.data$.subscribe(conn), { halfClose: true }),
  );
  const logging = logRecords$.subscribe(() => {}); // the failed handshake's debug record
  const halfClosed = await silentClient(port, net);
  halfClosed.resume();
  halfClosed.end();
  await closedSocket(halfClosed, 'the server to drop the client');
  logging.unsubscribe();
  assert.is(server.stats.accepted, 0, 'a handshake never done is no connection');
  await within(5, 'the server to close', server.close().toPromise());
});

test("a client's half-close after its handshake reaches a protocol that takes half-close, which answers a turn later", async () => {
  const countThenAnswer = protocol(
    (conn) => {
      let bytes = 0;
      conn.data$.subscribe({
        next: (chunk) => {
          bytes += chunk.length;
        },
        complete: () =>
          setImmediate(() => {
            conn.write(`${bytes} bytes\n`);
            conn.close();
          }),
      });
    },
    { halfClose: true },
  );
  const { server, port } = await tlsServer(countThenAnswer);
  const client = await trustingClient(port);
  const reply = firstValueFrom(client.data$.pipe(toArray()));
  client.write('12345');
  client.end();
  assert.is(text(await within(5, 'the answer', reply)), '5 bytes\n');
  await within(5, 'the server to close', server.close().toPromise());
});

test('after the handshake, the TLS socket is half-open only for a protocol that takes half-close', async () => {
  // Node's TLS socket, half-open, can miss a reset that comes while its write is pending: it then
  // neither errors nor closes. A protocol that does not take half-close has no use for the risk.
  const sockets: boolean[] = [];
  for (const halfClose of [false, true]) {
    const { server, port } = await tlsServer(protocol((conn) => conn.data$.subscribe(conn), { halfClose }));
    const client = await trustingClient(port);
    await waitFor('the server to accept', () => server.connections.size === 1);
    const [accepted] = server.connections as Set<StreamConnection>;
    sockets.push((accepted!.stream as TLSSocket).allowHalfOpen);
    client.abort();
    await within(5, 'the server to close', server.close().toPromise());
  }
  assert.equal(sockets, [false, true]);
});

test('a socket still in its TLS handshake counts against maxConnections', async () => {
  const { server, port, net } = await tlsServer(echo, { maxConnections: 1 });
  const records: LogRecord[] = [];
  const logging = logRecords$.subscribe((record) => records.push(record));
  const first = await silentClient(port, net);
  const second = await silentClient(port, net);
  const peer = `127.0.0.1:${second.localPort}`;
  await closedSocket(second, 'the second client to be refused');
  logging.unsubscribe();
  assert.not.ok(first.closed, 'the first, still handshaking, is kept');
  assert.equal(server.stats, { accepted: 0, refused: 1, lost: 0 });
  assert.equal(
    records.filter((record) => record.level !== 'debug').map((r) => [r.level, r.message, r.fields?.peer]),
    [['warn', `refusing the connection from ${peer}: 1 connections open`, peer]],
  );
  await within(5, 'the server to close', server.close().toPromise());
  await closedSocket(first, 'the first client to be dropped');
});

test('a socket in its TLS handshake counts against maxConnectionsPerPeer; another peer host still comes', async () => {
  const { server, port, net } = await tlsServer(echo, { maxConnectionsPerPeer: 1 });
  const logging = logRecords$.subscribe(() => {}); // the refusal's warning is expected
  const first = await silentClient(port, net);
  const second = await silentClient(port, net);
  await closedSocket(second, 'the second client from 127.0.0.1 to be refused');
  const other = await silentClient(port, net, '127.0.0.2');
  logging.unsubscribe();
  assert.not.ok(first.closed, 'the first, still handshaking, is kept');
  assert.not.ok(other.closed, 'a client from 127.0.0.2 is kept');
  assert.equal(server.stats, { accepted: 0, refused: 1, lost: 0 });
  first.destroy();
  const open = () => new Promise<number>((resolve) => net.getConnections((_, count) => resolve(count)));
  for (let tries = 0; (await open()) > 1; tries++) {
    if (tries === 500) throw new Error('the server kept the first client');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const third = await silentClient(port, net);
  await within(5, 'the server to close', server.close().toPromise());
  for (const socket of [other, third]) await closedSocket(socket, 'a handshaking client to be dropped');
  assert.is(server.stats.refused, 1, 'the third came once the first had gone');
});

test('close() lets an established TLS connection drain before the grace period instead of dropping it', async () => {
  const draining = new Deferred<void>();
  const deadlines: number[] = [];
  const drainedEcho: Protocol = {
    serve: (conn) => {
      conn.data$.subscribe(conn);
      return {
        drain: (deadline) => {
          deadlines.push(deadline);
          return draining;
        },
      };
    },
  };
  const { server, port } = await tlsServer(drainedEcho, { gracePeriod: 30 });
  const client = await trustingClient(port);
  await waitFor('the server to accept', () => server.connections.size === 1);
  const closing = server.close();
  assert.equal(deadlines, [clock.seconds() + 30]);
  clock.advance(29.9); // short of the grace period
  const replies: string[] = [];
  client.data$.subscribe((chunk) => replies.push(Buffer.from(chunk).toString()));
  client.write('still answered');
  await waitFor('the echo while draining', () => replies.join('') === 'still answered');
  assert.ok(client.writable);
  assert.not.ok(closing.called);
  draining.callback(undefined);
  assert.instance(await within(5, 'the client to be closed', client.closed.toPromise()), ConnectionDone);
  await within(5, 'the server to close', closing.toPromise());
  assert.equal(server.stats, { accepted: 1, refused: 0, lost: 0 });
});

test.run();
