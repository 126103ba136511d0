import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningDemo, runScript, startDemo } from '../support/demo-process.js';
import { type DigResult, dig, parseDig } from '../support/dig.js';
import { freePort } from '../support/peer-process.js';

const test = suite('demos/dns-lookup');
const zoneFile = fileURLToPath(new URL('../protocols/dns/fixtures/example.test.zone', import.meta.url));
let server: RunningDemo;

test.before(async () => {
  server = await startDemo(
    'demos/dns-server.ts',
    ['--zone', zoneFile, '--listen', 'udp:0:interface=127.0.0.1'],
    {
      listening: 2,
    },
  );
});

test.after(async () => {
  await server.stop();
});

/** Runs dns-lookup against the server demo; its exit code and output. */
const lookup = (args: readonly string[]) =>
  runScript('demos/dns-lookup.ts', [...args, '--server', `127.0.0.1:${server.port}`]);

/** What dig users read in an answer: everything but the id, the timing and the server line. */
const reading = (result: DigResult) => ({
  status: result.status,
  flags: result.flags,
  answer: [...result.answer].sort((a, b) => a.data.localeCompare(b.data)),
  authority: result.authority,
  additional: [...result.additional].sort((a, b) => a.data.localeCompare(b.data)),
  ednsUdpSize: result.ednsUdpSize,
});

test('prints what dig prints for the same question: header, flags, EDNS, sections', async () => {
  const questions = [
    ['www.example.test', 'A'],
    ['example.test', 'MX'],
    ['www.example.test', 'TXT'],
    ['files.example.test', 'A'],
    ['nope.example.test', 'AAAA'],
  ];
  for (const question of questions) {
    const run = await lookup(question);
    assert.is(run.code, 0, question.join(' '));
    assert.is(run.stderr, '');
    const ours = parseDig(run.stdout);
    assert.equal(reading(ours), reading(await dig(server.port, question)), question.join(' '));
    assert.is(ours.transport, 'UDP');
  }
});

test('the lines a dig user looks for', async () => {
  const run = await lookup(['www.example.test']);
  const lines = run.stdout.split('\n');
  assert.is(lines[0], '; <<>> spindle dns-lookup <<>> www.example.test A');
  assert.match(run.stdout, /\n;; ->>HEADER<<- opcode: QUERY, status: NOERROR, id: \d+\n/);
  assert.match(run.stdout, /\n;; flags: qr aa rd; QUERY: 1, ANSWER: 1, AUTHORITY: 0, ADDITIONAL: 1\n/);
  assert.match(run.stdout, /\n;; QUESTION SECTION:\n;www\.example\.test\.\s+IN\s+A\n/);
  assert.match(run.stdout, /\n;; ANSWER SECTION:\nwww\.example\.test\.\s+3600\s+IN\s+A\s+127\.0\.0\.1\n/);
  assert.match(
    run.stdout,
    new RegExp(`\\n;; SERVER: 127\\.0\\.0\\.1#${server.port}\\(127\\.0\\.0\\.1\\) \\(UDP\\)\\n`),
  );
});

test('--tcp asks over TCP', async () => {
  const run = await lookup(['mail.example.test', 'AAAA', '--tcp']);
  assert.is(run.code, 0);
  const reply = parseDig(run.stdout);
  assert.is(reply.transport, 'TCP');
  assert.equal(
    reply.answer.map((record) => record.data),
    ['::1'],
  );
});

test('an unknown type, or no name: one line and exit 2', async () => {
  const unknown = await lookup(['www.example.test', 'BOGUS']);
  assert.equal([unknown.code, unknown.stdout, unknown.stderr], [2, '', 'dns-lookup: unknown type BOGUS\n']);
  const nameless = await runScript('demos/dns-lookup.ts', []);
  assert.equal([nameless.code, nameless.stdout, nameless.stderr], [2, '', 'dns-lookup: give a NAME\n']);
});

test('no server there: a communications error, exit 9 as dig', async () => {
  const port = await freePort();
  const run = await runScript('demos/dns-lookup.ts', [
    'www.example.test',
    '--server',
    `127.0.0.1:${port}`,
    '--tcp',
  ]);
  assert.is(run.code, 9);
  assert.match(
    run.stderr,
    new RegExp(`^;; communications error to 127\\.0\\.0\\.1#${port}\\(127\\.0\\.0\\.1\\) \\(TCP\\): `),
  );
  assert.is(run.stderr.split('\n').length, 2, 'one line');
});

test.run();
