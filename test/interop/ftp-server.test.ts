import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connectFtp } from '../../protocols/ftp/client.js';
import { ftpServer } from '../../protocols/ftp/server.js';
import { ftpUsers } from '../../protocols/ftp/users.js';
import { type InetAddress, listen, type Server } from '../../source/index.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const run = promisify(execFile);
const test = suite('interop/ftp-server');

const root = mkdtempSync(join(tmpdir(), 'spindle-ftp-interop-'));
const payload = randomBytes(3 * 1024 * 1024 + 17);
writeFileSync(join(root, 'big.bin'), payload);
writeFileSync(join(root, 'hello.txt'), 'hello over ftp\n');
const upload = join(mkdtempSync(join(tmpdir(), 'spindle-ftp-upload-')), 'upload.bin');
writeFileSync(upload, randomBytes(2 * 1024 * 1024 + 5));

let server: Server<InetAddress>;
let port = 0;

test.before(async () => {
  server = listen(
    'tcp:0:interface=127.0.0.1',
    ftpServer({ root, checker: ftpUsers({ alice: { password: 'secret' } }) }),
  );
  port = (await server.address).port;
});

test.after(async () => {
  await server.close({ gracePeriod: 1 });
  rmSync(root, { recursive: true, force: true });
  rmSync(join(upload, '..'), { recursive: true, force: true });
});

async function curl(args: string[]): Promise<{ stdout: Buffer; stderr: string }> {
  const { stdout, stderr } = await run('curl', ['--silent', '--show-error', '--max-time', '20', ...args], {
    encoding: 'buffer',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { stdout, stderr: stderr.toString() };
}

test('curl downloads a file anonymously (EPSV, binary)', async () => {
  const { stdout } = await curl([`ftp://127.0.0.1:${port}/big.bin`]);
  assert.ok(stdout.equals(payload), `got ${stdout.length} bytes`);
});

test('curl downloads in ASCII mode and lists a folder', async () => {
  const { stdout } = await curl(['--use-ascii', `ftp://127.0.0.1:${port}/hello.txt`]);
  assert.is(stdout.toString(), 'hello over ftp\n', 'curl turns the CR LF back into LF');
  const listing = await curl([`ftp://127.0.0.1:${port}/`]);
  assert.match(listing.stdout.toString(), /^-rw-r--r-- .* 15 .* hello\.txt\r?$/m);
  const names = await curl(['--list-only', `ftp://127.0.0.1:${port}/`]);
  assert.equal(names.stdout.toString().trim().split(/\r?\n/).sort(), ['big.bin', 'hello.txt']);
});

test('curl -T uploads as alice; the file is in place, and no temporary file is left', async () => {
  await curl(['-T', upload, `ftp://alice:secret@127.0.0.1:${port}/incoming.bin`]);
  assert.ok(readFileSync(join(root, 'incoming.bin')).equals(readFileSync(upload)));
  assert.equal(
    readdirSync(root).filter((name) => name.startsWith('.')),
    [],
  );
});

test('curl in PASV mode (no EPSV), and an anonymous upload refused', async () => {
  const { stdout } = await curl(['--disable-epsv', `ftp://127.0.0.1:${port}/hello.txt`]);
  assert.is(stdout.toString(), 'hello over ftp\n');
  const refused = await curl(['-T', upload, `ftp://127.0.0.1:${port}/nope.bin`]).catch(
    (error: Error) => error,
  );
  assert.instance(refused, Error);
  assert.not.ok(readdirSync(root).includes('nope.bin'));
});

test('curl in active mode (--ftp-port 127.0.0.1): the server connects back to it', async () => {
  const { stdout } = await curl(['--ftp-port', '127.0.0.1', `ftp://127.0.0.1:${port}/big.bin`]);
  assert.ok(stdout.equals(payload), `got ${stdout.length} bytes`);
});

test('curl --ssl-reqd: AUTH TLS, PROT P, a download and an upload over TLS', async () => {
  const { key, cert } = throwawayCertificate();
  const ca = join(root, '..', `spindle-ftp-ca-${port}.pem`);
  writeFileSync(ca, cert);
  const secure = listen(
    'tcp:0:interface=127.0.0.1',
    ftpServer({
      root,
      checker: ftpUsers({ alice: { password: 'secret' } }),
      tls: { key, cert },
      requireTls: true,
    }),
  );
  try {
    const securePort = (await secure.address).port;
    const base = `ftp://alice:secret@localhost:${securePort}`;
    const tls = ['--ssl-reqd', '--cacert', ca, '--resolve', `localhost:${securePort}:127.0.0.1`];
    const { stdout } = await curl([...tls, `${base}/big.bin`]);
    assert.ok(stdout.equals(payload), `got ${stdout.length} bytes`);
    await curl([...tls, '-T', upload, `${base}/secure.bin`]);
    assert.ok(readFileSync(join(root, 'secure.bin')).equals(readFileSync(upload)));
    // active mode over TLS (curl cannot, with --resolve): the server opens the data connection
    // and still plays the TLS server, to Spindle's client
    const client = await connectFtp(
      { host: '127.0.0.1', port: securePort },
      { tls: { ca: cert, servername: 'localhost' }, mode: 'active' },
    );
    try {
      await client.login('alice', 'secret');
      const download = await (await client.retrieve('big.bin')).readAll();
      assert.ok(Buffer.from(download).equals(payload), `active: got ${download.length} bytes`);
    } finally {
      await client.quit();
    }
    const plain = await curl([`ftp://alice:secret@127.0.0.1:${securePort}/big.bin`]).catch(
      (error: Error) => error,
    );
    assert.instance(plain, Error, 'requireTls refuses a clear login');
  } finally {
    await secure.close({ gracePeriod: 1 });
    rmSync(ca, { force: true });
  }
});

test.run();
