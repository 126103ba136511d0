import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { lines } from '../../operators/index.js';
import { type Connection, listen, protocol } from '../../source/index.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const test = suite('interop/starttls-openssl');
const { key, cert } = throwawayCertificate();
const dir = mkdtempSync(join(tmpdir(), 'spindle-starttls-'));
writeFileSync(join(dir, 'cert.pem'), cert);
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** Just enough ESMTP for `openssl s_client -starttls smtp`: a plain connection upgraded mid-stream. */
function miniSmtp(conn: Connection): void {
  conn.write('220 spindle ESMTP\r\n');
  let upgraded = false;
  conn.data$.pipe(lines()).subscribe({
    next: (line) => {
      if (/^EHLO /i.test(line)) {
        conn.write(`250-spindle\r\n250 ${upgraded ? 'OK' : 'STARTTLS'}\r\n`);
      } else if (/^STARTTLS$/i.test(line) && !upgraded) {
        conn.write('220 Ready to start TLS\r\n');
        upgraded = true;
        conn.startTLS({ key, cert });
      } else {
        conn.write(`250 echo: ${line}${conn.secure ? ' (secure)' : ''}\r\n`);
      }
    },
    error: () => conn.abort(),
  });
}

test('openssl s_client -starttls smtp upgrades a plain connection and verifies the certificate', async () => {
  const server = listen('tcp:0:interface=127.0.0.1', protocol(miniSmtp));
  const { port } = await server.address;
  const client = spawn(
    'openssl',
    [
      's_client',
      '-starttls',
      'smtp',
      '-connect',
      `127.0.0.1:${port}`,
      '-CAfile',
      join(dir, 'cert.pem'),
      '-servername',
      'localhost',
      '-verify_return_error',
      '-brief',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
  };
  client.stdout.on('data', collect);
  client.stderr.on('data', collect);
  const limit = setTimeout(() => client.kill('SIGKILL'), 10_000);
  while (!output.includes('Verification: OK')) {
    if (client.exitCode !== null) break;
    await once(client.stderr, 'data');
  }
  client.stdin.write('PING\r\n');
  while (!output.includes('250 echo: PING (secure)') && client.exitCode === null) {
    await Promise.race([once(client.stdout, 'data'), once(client, 'exit')]);
  }
  client.stdin.end();
  if (client.exitCode === null) {
    client.kill();
    await once(client, 'exit');
  }
  clearTimeout(limit);
  await server.close({ gracePeriod: 0 });
  assert.match(output, 'Verification: OK');
  assert.match(output, 'Peer certificate: CN = localhost');
  assert.match(output, '250 echo: PING (secure)');
});

test.run();
