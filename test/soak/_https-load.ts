/**
 * The soak's HTTPS clients, against the hello app over a `tls:` endpoint: the HTTP clients of the
 * soak over TLS (but one), and the handshake's own hostile ones: a reset mid-handshake, a stall in it
 * (cut by the server's handshake timeout), and garbage instead of a ClientHello (closed).
 */
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { type Attempt, type Behaviour, wrongAnswer } from './_attempt.js';
import { httpBehaviours } from './_http-load.js';

/** The server's handshake timeout, in milliseconds (see _soak-servers.ts). */
const handshakeTimeout = 2000;

let made: Promise<Buffer> | undefined;

/**
 * The bytes of a ClientHello as `node:tls` sends it, made once per process by a TLS client on a
 * stream that goes nowhere: sent whole or in part, it makes the server do its half of a handshake.
 */
function clientHello(): Promise<Buffer> {
  made ??= (async () => {
    let written: (chunk: Buffer) => void = () => {};
    const promise = new Promise<Buffer>((resolve) => {
      written = resolve;
    });
    // the first write is the ClientHello; it is never acknowledged, so nothing more is sent
    const nowhere = new Duplex({ read() {}, write: (chunk: Buffer) => written(chunk) });
    const client = tlsConnect({ socket: nowhere, servername: 'localhost' });
    client.on('error', () => {});
    try {
      return await promise;
    } finally {
      client.destroy();
      nowhere.destroy();
    }
  })();
  return made;
}

/** A ClientHello with all but its record and handshake headers scrambled: a server must reject it. */
function scrambled(hello: Buffer, attempt: Attempt): Buffer {
  const bytes = Buffer.from(hello);
  for (let i = 9; i < bytes.length; i++) bytes[i] = attempt.between(0, 255);
  return bytes;
}

/**
 * The HTTP clients run over TLS, but one. Left out: a reset mid-request, as the server begins its
 * answer a turn later. Node's TLS socket (20.20), half-open as HTTP asks, then sometimes never
 * learns of the reset: its write stays pending and it neither errors nor closes, and the HTTP
 * server, which sets no deadline while its client does not take what it is sent, keeps the
 * connection for good.
 */
const overTls = httpBehaviours.filter((behaviour) => behaviour.name !== 'http reset mid-request');

export const httpsBehaviours: readonly Behaviour[] = [
  ...overTls.map((behaviour) => ({ ...behaviour, name: behaviour.name.replace(/^http /, 'https ') })),
  {
    name: 'https reset mid-handshake',
    weight: 10,
    async run(attempt) {
      const peer = await attempt.connect({ tls: false });
      const hello = await clientHello();
      if (attempt.random() < 0.5) {
        peer.write(hello.subarray(0, attempt.between(1, hello.length - 1)));
        await attempt.pause(attempt.between(0, 10));
      } else {
        peer.write(hello);
        await peer.takeBytes(1, attempt.deadline); // the server's flight has begun
      }
      peer.reset();
      return 'reset';
    },
  },
  {
    name: 'https stall in the handshake',
    long: true,
    weight: 5,
    async run(attempt) {
      const peer = await attempt.connect({ tls: false });
      const hello = await clientHello();
      const whole = attempt.random() < 0.5;
      peer.write(whole ? hello : hello.subarray(0, attempt.between(1, hello.length - 1)));
      const stalled = Date.now();
      await peer.serverClose(attempt.deadline);
      const after = Date.now() - stalled;
      if (after < handshakeTimeout / 2) throw wrongAnswer(`a stalled handshake closed after ${after} ms`);
      return 'cut';
    },
  },
  {
    name: 'https garbage instead of a ClientHello',
    weight: 5,
    async run(attempt) {
      const peer = await attempt.connect({ tls: false });
      const clearText = attempt.random() < 0.5;
      peer.write(
        clearText ? 'GET / HTTP/1.1\r\nHost: soak\r\n\r\n' : scrambled(await clientHello(), attempt),
      );
      await peer.serverClose(attempt.deadline);
      return 'refused';
    },
  },
];
