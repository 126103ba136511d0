import { once } from 'node:events';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTLSServer } from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Connection } from '../../../source/connection.js';
import { UnsupportedTransportError } from '../../../source/connection.js';
import { connect } from '../../../source/endpoints.js';
import {
  AlreadySecureError,
  CertificateError,
  ConnectionLost,
  SpindleError,
  TLSHandshakeError,
} from '../../../source/errors.js';
import { checkClean, trackedClock } from '../../../source/testing/dirty-reactor.js';
import { connectError } from '../../../source/transports/_connect-socket.js';
import { connectTCP } from '../../../source/transports/tcp.js';
import { connectTLS } from '../../../source/transports/tls.js';
import { rejectionOf } from '../../support/failure-of.js';
import { throwawayCertificate } from '../../support/throwaway-certificate.js';

const test = checkClean(suite('source/transports/tls-errors'));
const { key, cert } = throwawayCertificate();

/** A server on 127.0.0.1 whose sockets are all destroyed on `close()`. */
interface Peer {
  readonly port: number;
  close(): Promise<void>;
}

async function peer(server: NetServer): Promise<Peer> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {}); // the client going away mid-handshake is expected here
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A plain TCP server (node:net), handling each socket with `onSocket`. */
const plainPeer = (onSocket: (socket: Socket) => void) => peer(createNetServer(onSocket));

/** Connects with `tls:` to 127.0.0.1:`port`, trusting the throwaway certificate. */
function connectTLSTo(port: number) {
  const tls = { ca: cert, servername: 'localhost' };
  return connectTLS({ type: 'tls', host: '127.0.0.1', port, tls }, {}, trackedClock());
}

/**
 * A plain-TCP connection to a STARTTLS server: it sends `STARTTLS`, waits for the go-ahead, and
 * keeps a `data$` consumer (so the handshake reads) whose end is `ended`.
 */
async function startTLSReady(port: number): Promise<{ conn: Connection; ended: Promise<unknown> }> {
  const conn = await connectTCP({ type: 'tcp', host: '127.0.0.1', port }, {}, trackedClock());
  let greeted!: () => void;
  const greeting = new Promise<void>((resolve) => {
    greeted = resolve;
  });
  const ended = new Promise<unknown>((resolve) => {
    conn.data$.subscribe({ next: () => greeted(), error: resolve, complete: () => resolve(undefined) });
  });
  conn.write('STARTTLS\r\n');
  await greeting;
  return { conn, ended };
}

/** A STARTTLS server that says yes, then handles what comes next (the ClientHello) with `then`. */
function startTLSPeer(then: (socket: Socket) => void): Promise<Peer> {
  return plainPeer((socket) => {
    socket.once('data', () => {
      socket.write('220 go ahead\r\n');
      socket.once('data', () => then(socket));
    });
  });
}

test('tls: to a plain TCP server that answers in clear text fails with TLSHandshakeError, not OpenSSL text', async () => {
  const server = await plainPeer((socket) => {
    socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  });
  const error = await rejectionOf(connectTLSTo(server.port));
  assert.ok(error instanceof TLSHandshakeError, String(error));
  assert.ok(error instanceof SpindleError);
  assert.is((error as TLSHandshakeError).code, 'SPINDLE_TLS_HANDSHAKE');
  assert.is((error as TLSHandshakeError).reason, 'ERR_SSL_WRONG_VERSION_NUMBER');
  assert.is(error.message, `127.0.0.1:${server.port} did not answer in TLS (is it a plain TCP server?)`);
  assert.not.match(error.message, 'openssl');
  assert.is((error.cause as { code?: string }).code, 'ERR_SSL_WRONG_VERSION_NUMBER');
  await server.close();
});

test('a tls: endpoint description to a plain server that greets first gets the same typed error', async () => {
  const server = await plainPeer((socket) => {
    socket.write('220 smtp.test ESMTP ready\r\n');
  });
  const error = await rejectionOf(connect(`tls:host=127.0.0.1:port=${server.port}`));
  assert.ok(error instanceof TLSHandshakeError, String(error));
  assert.is(error.message, `127.0.0.1:${server.port} did not answer in TLS (is it a plain TCP server?)`);
  await server.close();
});

test('tls: to a server that closes the socket at once fails with "closed during the TLS handshake"', async () => {
  const server = await plainPeer((socket) => socket.end());
  const error = await rejectionOf(connectTLSTo(server.port));
  assert.ok(error instanceof TLSHandshakeError, String(error));
  assert.is((error as TLSHandshakeError).reason, 'ECONNRESET');
  assert.is(
    error.message,
    `the connection to 127.0.0.1:${server.port} closed during the TLS handshake (ECONNRESET)`,
  );
  await server.close();
});

test("tls: to a server that echoes the ClientHello back names OpenSSL's reason, briefly", async () => {
  const server = await plainPeer((socket) => socket.pipe(socket));
  const error = await rejectionOf(connectTLSTo(server.port));
  assert.ok(error instanceof TLSHandshakeError, String(error));
  assert.is((error as TLSHandshakeError).reason, 'ERR_SSL_UNEXPECTED_MESSAGE');
  assert.is(
    error.message,
    `the TLS handshake with 127.0.0.1:${server.port} failed: unexpected message (ERR_SSL_UNEXPECTED_MESSAGE)`,
  );
  await server.close();
});

test('a refused certificate is still a CertificateError, not a TLSHandshakeError', async () => {
  const server = await peer(createTLSServer({ key, cert }, (socket) => socket.end()));
  const tls = { servername: 'localhost' }; // no CA: the self-signed certificate is refused
  const attempt = connectTLS({ type: 'tls', host: '127.0.0.1', port: server.port, tls }, {}, trackedClock());
  const error = await rejectionOf(attempt);
  assert.ok(error instanceof CertificateError, String(error));
  assert.not.ok(error instanceof TLSHandshakeError);
  await server.close();
});

test('connectError types handshake failures only for TLS attempts; a TCP reset stays as Node reported it', () => {
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  assert.is(connectError(reset, '127.0.0.1:1'), reset);
  const typed = connectError(reset, '127.0.0.1:1', true);
  assert.ok(typed instanceof TLSHandshakeError);
  assert.is(typed.cause, reset);
  const other = Object.assign(new Error('odd'), { code: 'EHOSTUNREACH' });
  assert.is(connectError(other, '127.0.0.1:1', true), other);
});

test('startTLS to a STARTTLS server that goes on in clear text fails with TLSHandshakeError', async () => {
  const server = await startTLSPeer((socket) => socket.write('500 what is this?\r\n'));
  const { conn, ended } = await startTLSReady(server.port);
  const error = await rejectionOf(conn.startTLS({ ca: cert, servername: 'localhost' }));
  assert.ok(error instanceof TLSHandshakeError, String(error));
  assert.is((error as TLSHandshakeError).reason, 'ERR_SSL_WRONG_VERSION_NUMBER');
  assert.is(error.message, `127.0.0.1:${server.port} did not answer in TLS (did it agree to start TLS?)`);
  const lost = await ended;
  assert.ok(lost instanceof ConnectionLost, String(lost));
  assert.is((lost as ConnectionLost).cause, error, 'data$ fails with the same typed error as its cause');
  assert.not.match((lost as Error).message, 'openssl');
  assert.is((await conn.closed).cause, error);
  await server.close();
});

test('startTLS to a STARTTLS server that closes the socket fails with "closed during the TLS handshake"', async () => {
  const server = await startTLSPeer((socket) => socket.end());
  const { conn, ended } = await startTLSReady(server.port);
  const error = await rejectionOf(conn.startTLS({ ca: cert, servername: 'localhost' }));
  assert.ok(error instanceof TLSHandshakeError, String(error));
  assert.is((error as TLSHandshakeError).reason, 'ECONNRESET');
  assert.is(
    error.message,
    `the connection to 127.0.0.1:${server.port} closed during the TLS handshake (ECONNRESET)`,
  );
  await ended; // the peer's FIN completes data$
  const reason = await conn.closed;
  assert.ok(reason instanceof ConnectionLost, String(reason));
  assert.is(reason.cause, error, 'the connection is lost with the same typed error as its cause');
  await server.close();
});

test('startTLS on a connection already using TLS fails with AlreadySecureError', async () => {
  const server = await peer(createTLSServer({ key, cert }, (socket) => socket.on('data', () => {})));
  const conn = await connectTLSTo(server.port);
  const error = await rejectionOf(conn.startTLS({}));
  assert.ok(error instanceof AlreadySecureError, String(error));
  assert.not.ok(error instanceof UnsupportedTransportError);
  assert.is((error as AlreadySecureError).code, 'SPINDLE_ALREADY_SECURE');
  assert.is(error.message, 'the connection is already using TLS');
  assert.ok(conn.secure, 'the connection is untouched');
  conn.abort();
  await conn.closed;
  await server.close();
});

test.run();
