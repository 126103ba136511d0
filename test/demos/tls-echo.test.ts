import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startDemo, within } from '../support/demo-process.js';

const test = suite('demos/tls-echo');
const listenArgs = ['--listen', 'tls:0:interface=127.0.0.1'];

/** Sends `payload` over TLS trusting `ca`, half-closes, and returns what came back. */
async function tlsRoundTrip(port: number, ca: Buffer, payload: Buffer): Promise<Buffer> {
  const socket = connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  await within(10, 'the TLS handshake', once(socket, 'secureConnect'));
  assert.ok(socket.authorized, 'the server certificate is not trusted');
  socket.end(payload);
  await within(10, 'the echo to end', once(socket, 'end'));
  socket.destroy();
  return Buffer.concat(chunks);
}

test('without --cert, makes a throwaway certificate, echoes over TLS, and removes it at shutdown', async () => {
  const demo = await startDemo('demos/tls-echo.ts', listenArgs);
  try {
    const [notice, listening] = demo.output;
    const cert = /throwaway self-signed certificate for localhost: (\S+)$/.exec(notice!)?.[1];
    assert.ok(cert, `no certificate path in "${notice}"`);
    assert.match(listening!, /^listening on tls:\d+:interface=127\.0\.0\.1$/);
    const payload = Buffer.alloc(256 * 1024, 'secret ');
    const echoed = await tlsRoundTrip(demo.port, readFileSync(cert), payload);
    assert.ok(echoed.equals(payload), 'the echoed bytes differ from the payload');
    assert.equal(await demo.stop(), { code: 0, signal: null });
    assert.not.ok(existsSync(cert), 'the throwaway certificate is still there');
  } finally {
    await demo.stop();
  }
});

test('uses the --cert and --key given, and a client that does not trust them is refused', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'spindle-test-tls-'));
  const [cert, key] = [join(folder, 'cert.pem'), join(folder, 'key.pem')];
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
      ...['-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'],
      ...['-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'],
    ],
    { stdio: 'ignore' },
  );
  const demo = await startDemo('demos/tls-echo.ts', [...listenArgs, '--cert', cert, '--key', key]);
  try {
    assert.is(demo.output.length, 1, 'it made a certificate of its own');
    const echoed = await tlsRoundTrip(demo.port, readFileSync(cert), Buffer.from('over tls\n'));
    assert.is(echoed.toString(), 'over tls\n');
    const untrusting = connect({ host: '127.0.0.1', port: demo.port, servername: 'localhost' });
    const [error] = await within(10, 'the handshake to fail', once(untrusting, 'error'));
    assert.is((error as { code?: string }).code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    untrusting.destroy();
    assert.equal(await demo.stop(), { code: 0, signal: null });
    assert.ok(existsSync(cert), 'the demo removed a certificate it did not make');
  } finally {
    await demo.stop();
    rmSync(folder, { recursive: true, force: true });
  }
});

test.run();
