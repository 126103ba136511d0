import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningDemo, runScript, startDemo } from '../support/demo-process.js';
import { dig } from '../support/dig.js';
import { startDnsmasq } from '../support/dnsmasq-peer.js';

const test = suite('demos/dns-server');
const zoneFile = fileURLToPath(new URL('../protocols/dns/fixtures/example.test.zone', import.meta.url));
const listenArgs = ['--listen', 'udp:0:interface=127.0.0.1'];
let demo: RunningDemo;

test.before(async () => {
  demo = await startDemo('demos/dns-server.ts', ['--zone', zoneFile, ...listenArgs], { listening: 2 });
});

test.after(async () => {
  await demo.stop();
});

test('one udp: endpoint: prints listening on UDP and on TCP, the same port', () => {
  assert.equal(demo.output, [
    `listening on udp:${demo.port}:interface=127.0.0.1`,
    `listening on tcp:${demo.port}:interface=127.0.0.1`,
  ]);
});

test('dig: the zone file given, over UDP and over TCP, authoritatively', async () => {
  for (const transport of ['+notcp', '+tcp']) {
    const reply = await dig(demo.port, ['mail.example.test', 'A', transport]);
    assert.is(reply.status, 'NOERROR');
    assert.equal(reply.flags, ['qr', 'aa', 'rd']);
    assert.equal(reply.answer, [
      { name: 'mail.example.test.', ttl: 3600, class: 'IN', type: 'A', data: '127.0.0.25' },
    ]);
    assert.is(reply.transport, transport === '+tcp' ? 'TCP' : 'UDP');
  }
  const nx = await dig(demo.port, ['nope.example.test', 'A']);
  assert.is(nx.status, 'NXDOMAIN');
  assert.equal(
    nx.authority.map((record) => record.type),
    ['SOA'],
  );
  assert.is((await dig(demo.port, ['elsewhere.test', 'A'])).status, 'REFUSED');
});

test('without --zone, the built-in example.test; with --forward, the other names from upstream', async () => {
  const dnsmasq = await startDnsmasq({ addresses: [{ name: 'dm.test', ip: '127.0.0.12' }] });
  let builtIn: RunningDemo | undefined;
  try {
    builtIn = await startDemo(
      'demos/dns-server.ts',
      [...listenArgs, '--forward', `127.0.0.1:${dnsmasq.port}`],
      {
        listening: 2,
      },
    );
    const txt = await dig(builtIn.port, ['example.test', 'TXT']);
    assert.is(txt.answer.map((record) => record.data).join(), '"served by Spindle"');
    assert.ok(txt.flags.includes('aa'), txt.flags.join(' '));
    const forwarded = await dig(builtIn.port, ['www.dm.test', 'A']);
    assert.is(forwarded.status, 'NOERROR');
    assert.equal(forwarded.flags, ['qr', 'rd', 'ra']);
    assert.is(forwarded.answer.map((record) => record.data).join(), '127.0.0.12');
  } finally {
    await builtIn?.stop();
    await dnsmasq.stop();
  }
});

test('a zone file that does not load: one line naming the file, line and reason, exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-dns-demo-'));
  try {
    const cases = [
      [
        'bad-address.zone',
        '$ORIGIN bad.test.\n$TTL 60\n@ SOA ns host 1 2 3 4 5\nwww A 300.1.1.1\n',
        '4: bad IPv4 address "300.1.1.1"',
      ],
      ['open-paren.zone', '$ORIGIN bad.test.\n$TTL 60\n@ SOA ns host ( 1 2 3 4 5\n', "3: '(' never closed"],
      [
        'cname.zone',
        '$ORIGIN bad.test.\n$TTL 60\n@ SOA ns host 1 2 3 4 5\nw CNAME a\nw A 127.0.0.1\n',
        '5: CNAME beside other data (RFC 2181 section 10.1)',
      ],
    ];
    for (const [name, text, where] of cases) {
      const file = join(dir, name!);
      writeFileSync(file, text!);
      const run = await runScript('demos/dns-server.ts', ['--zone', file, ...listenArgs]);
      assert.is(run.code, 1, name);
      assert.is(run.stdout, '', name);
      assert.is(run.stderr, `dns-server: cannot load a zone: ${file}:${where}\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('exits with status 0 on SIGTERM', async () => {
  assert.equal(await demo.stop(), { code: 0, signal: null });
});

test.run();
