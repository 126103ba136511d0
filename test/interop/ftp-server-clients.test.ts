import { execFile } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ftpServer } from '../../protocols/ftp/server.js';
import { ftpUsers } from '../../protocols/ftp/users.js';
import { type InetAddress, listen, type Server } from '../../source/index.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

// Two more clients against the Spindle server: lftp and Python's ftplib (FTP and FTP_TLS), each a
// child process with a time limit (killed by its PID past it).
const run = promisify(execFile);
const test = suite('interop/ftp-server-clients');
const ftplibSession = fileURLToPath(new URL('../support/ftplib-session.py', import.meta.url));

const dir = mkdtempSync(join(tmpdir(), 'spindle-ftp-clients-'));
const root = join(dir, 'root');
const { key, cert } = throwawayCertificate();
const caFile = join(dir, 'ca.pem');
let plain: Server<InetAddress>;
let secure: Server<InetAddress>;

test.before(async () => {
  mkdirSync(root);
  writeFileSync(join(root, 'hello.txt'), 'hello over ftp\n');
  writeFileSync(join(root, 'big.bin'), '');
  truncateSync(join(root, 'big.bin'), 64 * 1024 * 1024); // sparse, for an ABOR midway
  writeFileSync(caFile, cert);
  const checker = ftpUsers({ alice: { password: 'secret' } });
  plain = listen('tcp:0:interface=127.0.0.1', ftpServer({ root, checker }));
  secure = listen(
    'tcp:0:interface=127.0.0.1',
    ftpServer({ root, checker, tls: { key, cert }, requireTls: true }),
  );
  await Promise.all([plain.address, secure.address]);
});

test.after(async () => {
  await Promise.all([plain.close({ gracePeriod: 1 }), secure.close({ gracePeriod: 1 })]);
  rmSync(dir, { recursive: true, force: true });
});

async function lftp(port: number, settings: string, commands: string): Promise<string> {
  const script = `set net:max-retries 1; set net:timeout 10; ${settings}; ${commands}; bye`;
  const { stdout } = await run('lftp', ['-e', script, '-u', 'alice,secret', `ftp://127.0.0.1:${port}`], {
    timeout: 30_000,
  });
  return stdout;
}

test('lftp: ls, get, put (clear)', async () => {
  const port = (await plain.address).port;
  const got = join(dir, 'lftp-got.txt');
  const upload = join(dir, 'lftp-up.txt');
  writeFileSync(upload, 'from lftp\n');
  const out = await lftp(
    port,
    'set ftp:ssl-allow no',
    `ls; get hello.txt -o ${got}; put ${upload} -o lftp-up.txt`,
  );
  assert.match(out, /hello\.txt/);
  assert.match(out, /big\.bin/);
  assert.is(readFileSync(got, 'utf8'), 'hello over ftp\n');
  assert.is(readFileSync(join(root, 'lftp-up.txt'), 'utf8'), 'from lftp\n');
});

test('lftp: ls, get, put over FTPS (ssl-force, PROT P)', async () => {
  const port = (await secure.address).port;
  const got = join(dir, 'lftp-tls-got.txt');
  const upload = join(dir, 'lftp-tls-up.txt');
  writeFileSync(upload, 'from lftp over tls\n');
  const settings = `set ftp:ssl-force true; set ftp:ssl-protect-data true; set ssl:ca-file ${caFile}`;
  const out = await lftp(port, settings, `ls; get hello.txt -o ${got}; put ${upload} -o lftp-tls-up.txt`);
  assert.match(out, /hello\.txt/);
  assert.is(readFileSync(got, 'utf8'), 'hello over ftp\n');
  assert.is(readFileSync(join(root, 'lftp-tls-up.txt'), 'utf8'), 'from lftp over tls\n');
});

/** What ftplib-session.py saw. */
interface FtplibSeen {
  readonly [reply: string]: unknown;
  readonly mlsd: Record<string, { type: string; size?: string }>;
  readonly mlsd_facts: Record<string, Record<string, string>>;
}

async function ftplib(port: number, ca?: string): Promise<FtplibSeen> {
  const args = [ftplibSession, String(port), ...(ca === undefined ? [] : [ca])];
  const { stdout } = await run('/usr/bin/python3', args, { timeout: 30_000 });
  return JSON.parse(stdout) as FtplibSeen;
}

function checkFtplib(seen: FtplibSeen): void {
  assert.match(String(seen.welcome), /^220 /);
  assert.match(String(seen.login), /^230 /);
  assert.is(seen.mlsd['hello.txt']?.type, 'file');
  assert.is(seen.mlsd['hello.txt']?.size, '15');
  assert.is(seen.mlsd['big.bin']?.size, String(64 * 1024 * 1024));
  // OPTS MLST size;modify; then MLSD: only those facts (ftplib keys them as sent, lower-case)
  assert.equal(Object.keys(seen.mlsd_facts['hello.txt'] ?? {}).sort(), ['modify', 'size']);
  assert.is(seen.retr, 'hello over ftp\n');
  assert.is(seen.retr_rest, 'over ftp\n', 'REST 6 then RETR');
  assert.match(String(seen.stor), /^226 /);
  assert.is(seen.size, 100_000);
  assert.match(String(seen.rename), /^250 /);
  assert.ok((seen.names_after_rename as string[]).includes('moved.bin'));
  assert.match(String(seen.delete), /^250 /);
  assert.is(seen.mkd, '/made');
  assert.match(String(seen.rmd), /^250 /);
  assert.ok(seen.received_before_abort, 'the download had begun');
  assert.match(String(seen.abort), /^426 /, 'ABOR cut the transfer off');
  assert.match(String(seen.after_abort), /^226 /, 'then said so');
  assert.match(String(seen.noop), /^200 /, 'and the session goes on');
  assert.match(String(seen.quit), /^221 /);
  assert.not.ok(readdirSync(root).includes('moved.bin'));
  assert.not.ok(readdirSync(root).includes('made'));
}

test('Python ftplib: MLSD, RETR with rest=, STOR, rename, delete, MKD/RMD, abort midway', async () => {
  checkFtplib(await ftplib((await plain.address).port));
});

test('Python ftplib FTP_TLS with prot_p: the same session over TLS', async () => {
  const seen = await ftplib((await secure.address).port, caFile);
  assert.match(String(seen.prot), /^200 /);
  checkFtplib(seen);
});

test.run();
