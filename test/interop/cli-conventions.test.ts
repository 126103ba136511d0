import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runScript } from '../support/demo-process.js';

// The conventions of the `spindle` command, run for real as a child process: help, version,
// exit code 2 for a bad command line (one line naming the option), 1 for a server that cannot
// start (one line saying what and where), never a stack for an expected failure.
const test = suite('interop/cli-conventions');
const cli = (...args: string[]) => runScript('source/cli.ts', args);
const commands = ['web', 'ftp', 'dns', 'smtp', 'echo', 'chat', 'portforward', 'demo'];
let folder: string;

test.before(() => {
  folder = mkdtempSync(join(tmpdir(), 'spindle-cli-'));
});

test.after(() => rmSync(folder, { recursive: true, force: true }));

/** Asserts a run exited with `code` after one line on stderr matching `line`, nothing on stdout. */
function saidOnce(
  run: { code: number | null; stdout: string; stderr: string },
  code: number,
  line: RegExp,
): void {
  assert.is(run.code, code, `exit code; stderr: ${run.stderr}`);
  assert.is(run.stdout, '');
  assert.is(run.stderr.trimEnd().split('\n').length, 1, `one line, got: ${run.stderr}`);
  assert.match(run.stderr, line);
  assert.not.match(run.stderr, /\n\s+at /, 'no stack');
}

test('--help lists every command; --version prints the version', async () => {
  const help = await cli('--help');
  assert.is(help.code, 0);
  for (const name of commands) assert.match(help.stdout, new RegExp(`^  ${name} +\\S`, 'm'));
  const none = await cli();
  assert.is(none.stdout, help.stdout, 'no command: the help');
  const version = await cli('--version');
  assert.is(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('COMMAND --help shows the usage, every option with its default, and an example', async () => {
  for (const name of commands) {
    const run = await cli(name, '--help');
    assert.is(run.code, 0, name);
    assert.match(run.stdout, new RegExp(`^Usage: spindle ${name}`));
    assert.match(run.stdout, /\nOptions:\n/);
    assert.match(run.stdout, /--log-format FORMAT/);
    assert.match(run.stdout, /\nExamples?:\n {2}spindle /);
  }
  const web = (await cli('web', '--help')).stdout.replace(/\s+/g, ' ');
  assert.match(web, /--path DIR the folder to serve \(default: \.\)/);
  assert.match(web, /default: tcp:8080:interface=127\.0\.0\.1\)/);
});

test('an unknown command or option exits 2 with one line naming it', async () => {
  saidOnce(await cli('nope'), 2, /^spindle: unknown command "nope" \(spindle --help lists the commands\)$/m);
  saidOnce(await cli('--nope'), 2, /^spindle: unknown option --nope/);
  saidOnce(
    await cli('web', '--bogus'),
    2,
    /^spindle web: unknown option --bogus \(spindle web --help lists the options\)$/m,
  );
  saidOnce(await cli('echo', 'extra'), 2, /^spindle echo: unexpected argument "extra"/);
});

test('a bad value exits 2 with one line naming the option and what it takes', async () => {
  saidOnce(
    await cli('web', '--workers', '0'),
    2,
    /^spindle web: --workers takes a whole number from 1 to 256, not "0"$/m,
  );
  saidOnce(
    await cli('web', '--grace', 'soon'),
    2,
    /^spindle web: --grace takes a number from 0 to 86400, not "soon"$/m,
  );
  saidOnce(
    await cli('web', '--log-format', 'xml'),
    2,
    /^spindle web: --log-format takes text, json, not "xml"$/m,
  );
  saidOnce(await cli('web', '--path'), 2, /^spindle web: --path needs a value \(DIR\)$/m);
  saidOnce(await cli('web', '--listen', 'tcp:http'), 2, /^spindle web: .*tcp:http/m);
  saidOnce(await cli('ftp', '--root', folder, '--passive-ports', '9-1'), 2, /--passive-ports takes A-B/);
  saidOnce(
    await cli('ftp', '--root', folder, '--user', 'alice'),
    2,
    /--user takes name:password, not "alice"/,
  );
  saidOnce(await cli('ftp'), 2, /^spindle ftp: --root DIR is required$/m);
  saidOnce(await cli('smtp', '--maildir', folder), 2, /^spindle smtp: --domain NAME is required/m);
  saidOnce(await cli('dns'), 2, /^spindle dns: give at least one --zone FILE or --forward IP$/m);
  saidOnce(
    await cli('dns', '--forward', 'resolver.example'),
    2,
    /--forward takes IP, IP:PORT or \[IPv6\]:PORT/,
  );
  saidOnce(await cli('portforward'), 2, /^spindle portforward: --to HOST:PORT is required$/m);
  saidOnce(await cli('portforward', '--to', 'nowhere'), 2, /--to takes HOST:PORT/);
});

test('a port in use exits 1 with one line saying what and where', async () => {
  const taken = createServer().listen(0, '127.0.0.1');
  await once(taken, 'listening');
  const { port } = taken.address() as AddressInfo;
  try {
    const run = await cli('echo', '--listen', `tcp:${port}:interface=127.0.0.1`);
    saidOnce(
      run,
      1,
      new RegExp(`cannot listen on tcp:${port}:interface=127\\.0\\.0\\.1: the address is in use`),
    );
  } finally {
    taken.close();
  }
});

test('an unreadable zone, a missing folder or certificate exits 1 with one line saying which', async () => {
  const zone = join(folder, 'broken.zone');
  writeFileSync(zone, '$ORIGIN example.test.\n@ SOA ns hostmaster 1 2 3 4 5\nwww A not-an-address\n');
  saidOnce(
    await cli('dns', '--zone', zone, '--listen', 'udp:0:interface=127.0.0.1'),
    1,
    new RegExp(`^spindle dns: ${zone}:3: `, 'm'),
  );
  saidOnce(
    await cli('dns', '--zone', join(folder, 'absent.zone')),
    1,
    /^spindle dns: .*absent\.zone: cannot read it: no such file \(ENOENT\)$/m,
  );
  saidOnce(
    await cli('web', '--path', join(folder, 'absent')),
    1,
    /^spindle web: --path .*absent: not a folder$/m,
  );
  saidOnce(
    await cli('ftp', '--root', join(folder, 'absent')),
    1,
    /^spindle ftp: --root .*absent: not a folder$/m,
  );
  saidOnce(
    await cli('echo', '--listen', `tls:0:interface=127.0.0.1:certKey=${join(folder, 'absent.pem')}`),
    1,
    /cannot read the certKey file ".*absent\.pem"/,
  );
  saidOnce(
    await cli('smtp', '--maildir', folder, '--domain', 'example.test', '--tls-cert', join(folder, 'no.pem')),
    1,
    /cannot read --tls-cert .*no\.pem/,
  );
});

test.run();
