import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { startDemo, within } from '../support/demo-process.js';

// `spindle ftp`, `dns`, `smtp`, `echo`, `chat` and `portforward`, run for real and driven by
// curl, dig and swaks over 127.0.0.1.
const test = suite('interop/cli-servers');
const run = promisify(execFile);
const anyPort = ['--listen', 'tcp:0:interface=127.0.0.1'];
let folder: string;

/** What `command args…` prints on stdout. */
async function output(command: string, ...args: string[]): Promise<string> {
  return (await run(command, args, { timeout: 20_000 })).stdout;
}

/** Sends `text` on a new connection to `port` and reads until `done` holds of what came back. */
async function converse(port: number, text: string, done: (reply: string) => boolean): Promise<string> {
  const socket = connect(port, '127.0.0.1');
  let reply = '';
  const enough = new Promise<void>((resolve, reject) => {
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (done(reply)) resolve();
    });
    socket.once('close', () =>
      done(reply) ? resolve() : reject(new Error(`closed after ${JSON.stringify(reply)}`)),
    );
  });
  socket.write(text);
  try {
    await within(10, `a reply from port ${port}`, enough);
    return reply;
  } finally {
    socket.destroy();
  }
}

test.before(() => {
  folder = mkdtempSync(join(tmpdir(), 'spindle-cli-servers-'));
});

test.after(() => rmSync(folder, { recursive: true, force: true }));

test('ftp: anonymous users download and list; --user users upload (curl ftp://)', async () => {
  const root = join(folder, 'ftp');
  await run('mkdir', ['-p', join(root, 'in')]);
  writeFileSync(join(root, 'readme.txt'), 'read me\n');
  const upload = join(folder, 'upload.txt');
  writeFileSync(upload, 'uploaded\n');
  const ftp = await startDemo('source/cli.ts', ['ftp', '--root', root, '--user', 'alice:s3cret', ...anyPort]);
  try {
    const url = `ftp://127.0.0.1:${ftp.port}`;
    assert.is(await output('curl', '-sS', `${url}/readme.txt`), 'read me\n');
    assert.match(await output('curl', '-sS', `${url}/`), /readme\.txt/);
    await run('curl', ['-sS', '-T', upload, `ftp://alice:s3cret@127.0.0.1:${ftp.port}/in/`], {
      timeout: 20_000,
    });
    assert.is(readFileSync(join(root, 'in', 'upload.txt'), 'utf8'), 'uploaded\n');
    await run('curl', ['-sS', '-T', upload, `${url}/in/anonymous.txt`], { timeout: 20_000 }).then(
      () => assert.unreachable('anonymous users may not upload'),
      (error: Error) => assert.match(error.message, /550|553|530/),
    );
  } finally {
    assert.equal(await ftp.stop(), { code: 0, signal: null });
  }
});

test('dns: a zone over UDP and TCP on one port (dig), and DNS over HTTPS (curl)', async () => {
  const zone = join(folder, 'example.test.zone');
  writeFileSync(
    zone,
    '$ORIGIN example.test.\n$TTL 60\n@ SOA ns hostmaster 1 2 3 4 60\n  NS ns\nns A 127.0.0.1\nwww A 192.0.2.7\n',
  );
  const dns = await startDemo(
    'source/cli.ts',
    [
      'dns',
      '--zone',
      zone,
      '--listen',
      'udp:0:interface=127.0.0.1',
      '--doh',
      '/dns-query',
      '--doh-listen',
      'tcp:0:interface=127.0.0.1',
    ],
    { listening: 3 },
  );
  try {
    const udp = dns.endpoints.find((endpoint) => endpoint.startsWith('udp:'))!;
    const port = udp.split(':')[1]!;
    assert.ok(dns.endpoints.includes(udp.replace(/^udp:/, 'tcp:')), 'TCP on the same port');
    const web = dns.endpoints.find(
      (endpoint) => endpoint.startsWith('tcp:') && endpoint.split(':')[1] !== port,
    );
    assert.is(await output('dig', '@127.0.0.1', '-p', port, '+short', 'www.example.test'), '192.0.2.7\n');
    assert.is(
      await output('dig', '@127.0.0.1', '-p', port, '+short', '+tcp', 'www.example.test'),
      '192.0.2.7\n',
    );
    // the DNS message for www.example.test A, id 0, RD set, base64url as RFC 8484 says
    const query = Buffer.from(
      '00000100000100000000000003777777076578616d706c65047465737400000100 01'.replace(/ /g, ''),
      'hex',
    );
    const doh = await run(
      'curl',
      [
        '-sS',
        '--fail',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code} %{content_type}',
        `http://127.0.0.1:${web!.split(':')[1]}/dns-query?dns=${query.toString('base64url')}`,
      ],
      { timeout: 20_000 },
    );
    assert.is(doh.stdout, '200 application/dns-message');
  } finally {
    assert.equal(await dns.stop(), { code: 0, signal: null });
  }
});

test('smtp: swaks delivers into the Maildir, foreign domains are refused', async () => {
  const maildir = join(folder, 'mail');
  const smtp = await startDemo('source/cli.ts', [
    'smtp',
    '--maildir',
    maildir,
    '--domain',
    'example.test',
    ...anyPort,
  ]);
  try {
    const port = String(smtp.port);
    const sent = await output(
      'swaks',
      '--server',
      '127.0.0.1',
      '--port',
      port,
      '--from',
      'me@example.test',
      '--to',
      'you@example.test',
      '--body',
      'hi from swaks',
    );
    assert.match(sent, /<- {2}250 /);
    const delivered = readdirSync(join(maildir, 'example.test', 'you', 'new'));
    assert.is(delivered.length, 1);
    assert.match(
      readFileSync(join(maildir, 'example.test', 'you', 'new', delivered[0]!), 'utf8'),
      /hi from swaks/,
    );
    const relay = await run(
      'swaks',
      ['--server', '127.0.0.1', '--port', port, '--to', 'someone@elsewhere.test'],
      { timeout: 20_000 },
    ).then(
      () => '',
      (error: { stdout: string }) => error.stdout,
    );
    assert.match(relay, /<\*\* 550 /);
  } finally {
    assert.equal(await smtp.stop(), { code: 0, signal: null });
  }
});

test('echo, chat and portforward', async () => {
  const echo = await startDemo('source/cli.ts', ['echo', ...anyPort]);
  const chat = await startDemo('source/cli.ts', ['chat', ...anyPort]);
  const forward = await startDemo('source/cli.ts', [
    'portforward',
    '--to',
    `127.0.0.1:${echo.port}`,
    ...anyPort,
  ]);
  try {
    assert.is(await converse(echo.port, 'ping\n', (reply) => reply === 'ping\n'), 'ping\n');
    assert.match(
      await converse(chat.port, 'alice\n', (reply) => reply.includes('Welcome')),
      /^What's your name\?\r\nWelcome, alice!\r\n/,
    );
    assert.is(await converse(forward.port, 'through\n', (reply) => reply === 'through\n'), 'through\n');
  } finally {
    for (const server of [forward, chat, echo]) assert.equal(await server.stop(), { code: 0, signal: null });
  }
});

test('portforward to an address that refuses: the client is closed, and a warning logged', async () => {
  const gone: Server = createServer().listen(0, '127.0.0.1');
  await once(gone, 'listening');
  const { port } = gone.address() as AddressInfo;
  gone.close();
  await once(gone, 'close');
  const forward = await startDemo('source/cli.ts', ['portforward', '--to', `127.0.0.1:${port}`, ...anyPort]);
  try {
    assert.is(
      await converse(forward.port, 'hello\n', () => false).catch((error: Error) => error.message),
      'closed after ""',
    );
    assert.match(
      forward.stderr,
      /^WARN .* \[spindle\.portforward\] cannot forward 127\.0\.0\.1:\d+ to tcp:host=127\.0\.0\.1:port=\d+: connection refused/m,
    );
  } finally {
    await forward.stop();
  }
});

test.run();
