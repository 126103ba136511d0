import { setImmediate as nextTurn } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CloseReason, Connection } from '../../../source/connection.js';
import { ConnectionDone, ConnectionLost } from '../../../source/errors.js';
import { type LogRecord, logRecords$ } from '../../../source/log.js';
import type { Pausable } from '../../../source/producer.js';
import { connectedPair } from '../../../source/testing/connected-pair.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { outcomeOf } from '../../support/failure-of.js';
import { throwawayCertificate } from '../../support/throwaway-certificate.js';

const test = checkClean(suite('source/testing/connected-pair'));

/** What a connection's data$ delivered, and how it finished. */
function record(connection: Connection) {
  const seen = { text: '', chunks: 0, completed: false, error: undefined as unknown };
  connection.data$.subscribe({
    next: (chunk) => {
      seen.text += Buffer.from(chunk).toString('latin1');
      seen.chunks++;
    },
    complete: () => {
      seen.completed = true;
    },
    error: (error: unknown) => {
      seen.error = error;
    },
  });
  return seen;
}

/** Collects log records until `stop()` (so expected warnings do not reach the console). */
function captureLogs() {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((record) => records.push(record));
  return { records, stop: () => subscription.unsubscribe() };
}

/** The reason a connection closed with, once it has. */
function closedReason(connection: Connection) {
  const box: { reason: CloseReason | undefined } = { reason: undefined };
  connection.closed.addCallback((reason) => {
    box.reason = reason;
    return reason;
  });
  return box;
}

test('delivers bytes both ways, one event-loop turn later', async () => {
  const { client, server, flush } = connectedPair();
  const atServer = record(server);
  const atClient = record(client);
  assert.ok(client.write('hello '));
  client.write(new TextEncoder().encode('server'));
  assert.is(atServer.text, '', 'nothing arrives synchronously');
  await flush();
  assert.is(atServer.text, 'hello server');
  server.write('hi client');
  await flush();
  assert.is(atClient.text, 'hi client');
  client.abort();
  await flush();
});

test('ends have memory addresses, or the ones given, and sides', async () => {
  const plain = connectedPair();
  assert.equal(plain.client.localAddress, { type: 'memory', name: 'client' });
  assert.equal(plain.client.remoteAddress, { type: 'memory', name: 'server' });
  assert.equal(plain.server.localAddress, { type: 'memory', name: 'server' });
  assert.equal(plain.server.remoteAddress, { type: 'memory', name: 'client' });
  assert.is(plain.client.side, 'client');
  assert.is(plain.server.side, 'server');
  assert.not.ok(plain.client.secure);
  const unix = { type: 'unix', path: '/tmp/x.sock' } as const;
  const named = connectedPair({
    clientAddress: { type: 'memory', name: 'a' },
    serverAddress: unix,
    secure: true,
  });
  assert.equal(named.client.remoteAddress, unix);
  assert.equal(named.server.remoteAddress, { type: 'memory', name: 'a' });
  assert.ok(named.client.secure && named.server.secure);
  for (const pair of [plain, named]) {
    pair.client.abort();
    pair.server.abort();
  }
  await plain.flush();
});

test('a reader that does not read makes write() return false and pauses the producer; drain resumes it', async () => {
  const { client, server, flush } = connectedPair({ highWaterMark: 64 });
  const states: string[] = [];
  const producer: Pausable = {
    pauseProducing: () => states.push('paused'),
    resumeProducing: () => states.push('resumed'),
  };
  client.registerProducer(producer);
  const chunk = 'x'.repeat(32);
  let written = 0;
  let accepted = true;
  for (let i = 0; i < 100 && accepted; i++) {
    accepted = client.write(chunk);
    written++;
    await flush();
  }
  assert.not.ok(accepted, 'write() returned false once both buffers were full');
  assert.ok(written > 2, 'the first writes went into the buffers');
  assert.equal(states, ['paused']);
  let drained = false;
  client.drained().addCallback(() => {
    drained = true;
  });
  await flush();
  assert.not.ok(drained, 'no drain while nobody reads');
  const atServer = record(server);
  await flush();
  assert.ok(drained);
  assert.equal(states, ['paused', 'resumed']);
  assert.is(atServer.text, chunk.repeat(written));
  client.abort();
  await flush();
});

test('an echo server stops reading when its client does not read the replies', async () => {
  const { client, server, flush } = connectedPair({ highWaterMark: 64, server: { readHighWaterMark: 64 } });
  const logs = captureLogs();
  server.data$.subscribe(server);
  let accepted = true;
  let sent = 0;
  for (let i = 0; i < 200 && accepted; i++) {
    accepted = client.write('y'.repeat(32));
    sent += 32;
    await flush();
  }
  assert.not.ok(accepted, 'the backpressure reached the client through the echo server');
  const atClient = record(client);
  for (let i = 0; i < 10 && atClient.text.length < sent; i++) await flush();
  assert.is(atClient.text.length, sent, 'every byte came back once the client read');
  client.abort();
  await flush();
  logs.stop();
  assert.equal(
    logs.records.map((record) => record.message),
    ['connection with memory:client lost: connection lost: read ECONNRESET'],
  );
});

test('end() delivers EOF after the bytes before it; a half-open peer may still write', async () => {
  const { client, server, flush } = connectedPair({ server: { allowHalfOpen: true } });
  const atServer = record(server);
  const atClient = record(client);
  client.write('last words');
  client.end();
  assert.not.ok(client.writable);
  await flush();
  assert.is(atServer.text, 'last words');
  assert.ok(atServer.completed);
  assert.ok(server.writable, 'half-closed: the server may still answer');
  server.write('answer');
  server.close();
  await flush();
  assert.is(atClient.text, 'answer');
  assert.ok(atClient.completed);
  assert.instance(await client.closed, ConnectionDone);
  assert.instance(await server.closed, ConnectionDone);
});

test('a peer that is not half-open closes once it has read the EOF', async () => {
  const { client, server, flush } = connectedPair();
  const atServer = record(server);
  const atClient = record(client);
  client.write('request');
  client.end();
  await flush();
  assert.is(atServer.text, 'request');
  assert.ok(atServer.completed && atClient.completed);
  assert.instance(await server.closed, ConnectionDone);
  assert.instance(await client.closed, ConnectionDone);
});

test('close() closes both ends cleanly once the peer has read the rest', async () => {
  const { client, server, flush } = connectedPair();
  const clientReason = closedReason(client);
  const serverReason = closedReason(server);
  client.write('bye');
  const closing = client.close();
  await flush();
  assert.is(serverReason.reason, undefined, 'the server has not read the EOF yet: still open');
  const atServer = record(server);
  await flush();
  assert.is(atServer.text, 'bye');
  assert.ok(atServer.completed);
  assert.ok(closing.called);
  assert.instance(clientReason.reason, ConnectionDone);
  assert.instance(serverReason.reason, ConnectionDone);
});

test('abort() resets the peer: its data$ errors and closed fires with ConnectionLost', async () => {
  const { client, server, flush } = connectedPair();
  const atServer = record(server);
  client.abort();
  await flush();
  assert.instance(atServer.error, ConnectionLost);
  assert.match((atServer.error as Error).message, /ECONNRESET/);
  assert.instance(await server.closed, ConnectionLost);
  assert.instance(await client.closed, ConnectionLost);
});

test('aborting with bytes in flight drops them and frees the blocked writer', async () => {
  const { client, server, flush } = connectedPair({ highWaterMark: 16 });
  while (client.write('z'.repeat(16))) await flush();
  await flush();
  server.abort();
  client.write('dropped');
  client.end();
  await flush();
  assert.instance(await client.closed, ConnectionLost);
  assert.instance(await server.closed, ConnectionLost);
});

test('writing to a peer that is gone fails the connection (EPIPE)', async () => {
  const { client, server, flush } = connectedPair();
  client.write('into the void');
  server.abort();
  await flush();
  const reason = await client.closed;
  assert.instance(reason, ConnectionLost);
  assert.is(reason.message, 'connection lost: write EPIPE');
});

test('flush() rejects when the ends never stop talking', async () => {
  const { client, server, flush } = connectedPair();
  const logs = captureLogs();
  client.data$.subscribe(client);
  server.data$.subscribe(server);
  client.write('ping');
  try {
    await flush();
    assert.unreachable('flush should have given up');
  } catch (error) {
    assert.match((error as Error).message, /still busy after 1000 turns/);
  }
  client.abort();
  await flush();
  logs.stop();
  assert.is(logs.records.length, 2, 'both echo pipelines dropped their connection');
});

test('the tap sees each chunk on the wire, with the side that sent it', async () => {
  const wire: string[] = [];
  const { client, server, flush } = connectedPair({
    tap: (from, chunk) => wire.push(`${from}:${Buffer.from(chunk).toString()}`),
  });
  record(server);
  record(client);
  client.write('a');
  await flush();
  server.write('b');
  await flush();
  assert.equal(wire, ['client:a', 'server:b']);
  client.abort();
  await flush();
});

test('startTLS on both ends upgrades the pair to real TLS, in memory', async () => {
  const { key, cert } = throwawayCertificate();
  const wire: Buffer[] = [];
  const { client, server, flush } = connectedPair({ tap: (_from, chunk) => wire.push(Buffer.from(chunk)) });
  const atServer = record(server);
  const atClient = record(client);
  client.write('STARTTLS\r\n');
  await flush();
  assert.is(atServer.text, 'STARTTLS\r\n');
  const clientReady = client.startTLS({ ca: cert, servername: 'localhost' });
  const serverReady = server.startTLS({ key, cert });
  await flush();
  assert.ok(clientReady.called && serverReady.called, 'both handshakes are done');
  await clientReady;
  await serverReady;
  assert.ok(client.secure && server.secure);
  wire.length = 0;
  client.write('the secret password');
  server.write('the secret reply');
  await flush();
  assert.is(atServer.text, 'STARTTLS\r\nthe secret password');
  assert.is(atClient.text, 'the secret reply');
  const raw = Buffer.concat(wire).toString('latin1');
  assert.ok(raw.length > 0, 'bytes crossed the wire');
  assert.not.ok(raw.includes('secret'), 'the wire carries no plaintext');
  client.close();
  await flush();
  assert.ok(atServer.completed);
  assert.instance(await client.closed, ConnectionDone);
  assert.instance(await server.closed, ConnectionDone);
});

const closings = [
  ['closes', (connection: Connection) => void connection.close()],
  ['ends', (connection: Connection) => connection.end()],
  ['aborts', (connection: Connection) => connection.abort()],
] as const;

for (const side of ['server', 'client'] as const) {
  for (const [how, shut] of closings) {
    test(`the ${side} ${how} its end during the TLS handshake, records in flight: the pair closes, the process does not crash`, async () => {
      const { key, cert } = throwawayCertificate();
      // Each turn of the handshake: the records crossing (and the peer's answer) differ at each.
      for (let turns = 0; turns <= 3; turns++) {
        const pair = connectedPair();
        record(pair.server);
        record(pair.client);
        const handshakes = [
          pair.client.startTLS({ ca: cert, servername: 'localhost' }),
          pair.server.startTLS({ key, cert }),
        ];
        for (const handshake of handshakes) handshake.addErrback(() => undefined);
        pair.client.write('x'.repeat(64 * 1024));
        for (let turn = 0; turn < turns; turn++) await nextTurn();
        shut(pair[side]);
        await pair.flush();
        for (const end of [pair.client, pair.server]) {
          const reason = closedReason(end).reason;
          assert.ok(
            reason instanceof ConnectionDone || reason instanceof ConnectionLost,
            `after ${turns} turns, the ${end.side} closed with ${String(reason)}`,
          );
        }
      }
    });
  }
}

/** When an end closes: before `startTLS`, this many event-loop turns into the handshake, or once it is done. */
const moments = ['before', 0, 1, 2, 3, 'after'] as const;

for (const side of ['server', 'client'] as const) {
  for (const [how, shut] of closings) {
    const peer = side === 'client' ? 'server' : 'client';
    test(`the ${side} ${how} its end before, during or right after the TLS handshake: both startTLS Deferreds settle, both ends close${how === 'aborts' ? `, the ${peer} with ConnectionLost` : ''}`, async () => {
      const { key, cert } = throwawayCertificate();
      for (const moment of moments) {
        const pair = connectedPair();
        record(pair.server);
        record(pair.client);
        const closed = { client: outcomeOf(pair.client.closed), server: outcomeOf(pair.server.closed) };
        if (moment === 'before') shut(pair[side]);
        const handshakes = {
          client: outcomeOf(pair.client.startTLS({ ca: cert, servername: 'localhost' })),
          server: outcomeOf(pair.server.startTLS({ key, cert })),
        };
        if (moment === 'after') await pair.flush();
        else if (moment !== 'before') for (let turn = 0; turn < moment; turn++) await nextTurn();
        if (moment !== 'before') shut(pair[side]);
        await pair.flush(); // bounded: rejects if the ends still talk after 1000 turns
        for (const end of ['client', 'server'] as const) {
          const at = `${side} ${how} at ${moment}`;
          assert.is.not(handshakes[end].current.state, 'pending', `${at}: the ${end}'s startTLS settled`);
          assert.is(closed[end].current.state, 'fired', `${at}: the ${end} closed`);
        }
        const peerClosed = closed[peer].current;
        if (how === 'aborts' && peerClosed.state === 'fired')
          assert.instance(
            peerClosed.value,
            ConnectionLost,
            `reset at ${moment}: the ${peer} closed with ${peerClosed.value}`,
          );
      }
    });
  }
}

test('a client that does not trust the certificate fails the handshake', async () => {
  const { key, cert } = throwawayCertificate();
  const { client, server, flush } = connectedPair();
  record(server);
  record(client);
  const clientReady = client.startTLS({ servername: 'localhost' });
  const serverReady = server.startTLS({ key, cert });
  const outcomes: string[] = [];
  clientReady.addErrback((failure) => {
    outcomes.push(`client: ${(failure.value as { reason?: string }).reason}`);
  });
  serverReady.addErrback(() => {
    outcomes.push('server failed');
  });
  await flush();
  assert.ok(outcomes.includes('client: DEPTH_ZERO_SELF_SIGNED_CERT'), outcomes.join());
  client.abort();
  server.abort();
  await flush();
});

test("bytes cross copied, and a write's callback fires once the peer has taken them: the writer may reuse its buffer then", async () => {
  const { client, server, flush } = connectedPair();
  const received: Uint8Array[] = [];
  server.data$.subscribe((chunk) => received.push(chunk));
  const buffer = new Uint8Array([1, 2, 3]);
  let written = false;
  client.write(buffer, () => {
    written = true;
  });
  assert.not.ok(written, 'not while the bytes are on their way');
  await flush();
  assert.ok(written);
  buffer.fill(9);
  assert.equal([...received[0]!], [1, 2, 3], "the peer's bytes are not the writer's memory");
  client.close();
  await flush();
});

test.run();
