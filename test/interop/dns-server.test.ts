import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage } from '../../protocols/dns/decode-message.js';
import { dohHandler } from '../../protocols/dns/doh-handler.js';
import { encodeMessage } from '../../protocols/dns/encode-message.js';
import { type DnsListener, listenDns } from '../../protocols/dns/listen-dns.js';
import { emptyMessage, type Message } from '../../protocols/dns/message.js';
import { Rcode } from '../../protocols/dns/record-types.js';
import { Resolver } from '../../protocols/dns/resolver.js';
import { type DnsServer, type DnsServerOptions, dnsServer } from '../../protocols/dns/server.js';
import type { Zone } from '../../protocols/dns/zone.js';
import { loadZoneFile } from '../../protocols/dns/zone-file.js';
import { httpServer } from '../../protocols/http/server.js';
import { Clock } from '../../source/clock.js';
import type { ServerEndpoint } from '../../source/endpoint-description.js';
import { listen } from '../../source/endpoints.js';
import { Reactor } from '../../source/reactor.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { type DigRecord, type DigResult, dig } from '../support/dig.js';
import { type Dnsmasq, startDnsmasq } from '../support/dnsmasq-peer.js';
import { freePort } from '../support/peer-process.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

// A Spindle DNS server on real sockets (127.0.0.1, virtual time) asked by real clients: dig over
// UDP and TCP, kdig over TLS, curl over HTTPS; and forwarding to a real dnsmasq.
const run = promisify(execFile);
const clock = new Clock();
const reactor = new Reactor({ clock: clock as never });
const test = checkClean(suite('interop/dns-server'), { reactors: [reactor] });

const { key, cert } = throwawayCertificate(); // first: if openssl fails, no folder is left behind
const dir = mkdtempSync(join(tmpdir(), 'spindle-dns-interop-'));
const certFile = join(dir, 'cert.pem');
writeFileSync(certFile, cert);
/** The example zone with `big.example.test`, 100 A records: 1645 bytes, over 512 and 1232. */
const zoneFile = join(dir, 'example.test.zone');
const bigRecords = Array.from({ length: 100 }, (_, i) => `big IN A 192.0.2.${i + 1}`).join('\n');
writeFileSync(
  zoneFile,
  `${readFileSync(new URL('../protocols/dns/fixtures/example.test.zone', import.meta.url), 'utf8')}\n${bigRecords}\n`,
);

let zone: Zone;
let dnsmasq: Dnsmasq;

test.before(async () => {
  zone = await loadZoneFile(zoneFile);
  dnsmasq = await startDnsmasq({
    hostRecords: [{ names: ['host.lan.test'], ips: ['127.0.0.13'] }],
    locals: ['lan.test'],
  });
});

test.after(async () => {
  await dnsmasq?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `body` with a server for the zone listening on `endpoint`, closed afterwards. */
async function serving(
  body: (port: number, server: DnsServer) => Promise<void>,
  options: DnsServerOptions = {},
  endpoint: string | ServerEndpoint = 'udp:0:interface=127.0.0.1',
): Promise<void> {
  const server = dnsServer({ zones: [zone], clock, ...options });
  const listener: DnsListener = listenDns(endpoint, server, { reactor });
  try {
    const { port } = await listener.address;
    await body(port, server);
  } finally {
    await listener.close();
  }
}

const brief = (records: readonly DigRecord[]) =>
  records.map(({ name, type, data }) => `${name} ${type} ${data}`);

test('dig: A, AAAA, MX, TXT, SRV, CAA, SOA and NS over UDP, authoritative, with EDNS', async () => {
  const expected: [string, string, string[]][] = [
    ['example.test', 'A', ['example.test. A 127.0.0.1']],
    ['www.example.test', 'AAAA', ['www.example.test. AAAA ::1']],
    [
      'example.test',
      'MX',
      ['example.test. MX 10 mail.example.test.', 'example.test. MX 20 mail2.example.test.'],
    ],
    ['www.example.test', 'TXT', ['www.example.test. TXT "a web server" "with two strings"']],
    ['_sip._tcp.example.test', 'SRV', ['_sip._tcp.example.test. SRV 10 60 5060 sip.example.test.']],
    ['example.test', 'CAA', ['example.test. CAA 0 issue "ca.example"']],
    [
      'example.test',
      'SOA',
      ['example.test. SOA ns1.example.test. hostmaster.example.test. 2024060101 7200 900 604800 300'],
    ],
    ['example.test', 'NS', ['example.test. NS ns1.example.test.', 'example.test. NS ns2.example.test.']],
  ];
  await serving(async (port) => {
    for (const [name, type, answer] of expected) {
      const reply = await dig(port, [name, type]);
      assert.is(reply.status, 'NOERROR', `${name} ${type}`);
      assert.equal(reply.flags, ['qr', 'aa', 'rd'], `${name} ${type}`);
      assert.equal(brief(reply.answer).sort(), answer, `${name} ${type}`);
      assert.is(reply.transport, 'UDP');
      assert.is(reply.ednsUdpSize, 1232);
    }
    const ns2 = await dig(port, ['ns2.example.test', 'A']);
    assert.equal(ns2.answer, [
      { name: 'ns2.example.test.', ttl: 300, class: 'IN', type: 'A', data: '127.0.0.54' },
    ]);
  });
});

test('dig: a CNAME chain is followed inside the zone, a wildcard synthesised, glue for MX added', async () => {
  await serving(async (port) => {
    const chain = await dig(port, ['files.example.test', 'A']);
    assert.equal(brief(chain.answer), [
      'files.example.test. CNAME ftp.example.test.',
      'ftp.example.test. CNAME www.example.test.',
      'www.example.test. A 127.0.0.1',
    ]);
    const wild = await dig(port, ['anything.wild.example.test', 'TXT']);
    assert.equal(brief(wild.answer), ['anything.wild.example.test. TXT "synthesised"']);
    const mx = await dig(port, ['example.test', 'MX']);
    assert.ok(
      brief(mx.additional).includes('mail.example.test. A 127.0.0.25'),
      `no glue for mail.example.test: ${mx.text}`,
    );
  });
});

test('dig +tcp: the same answer over TCP; +noedns: no OPT record back; +dnssec: DO echoed', async () => {
  await serving(async (port) => {
    const reply = await dig(port, ['www.example.test', 'A', '+tcp']);
    assert.is(reply.transport, 'TCP');
    assert.equal(reply.flags, ['qr', 'aa', 'rd']);
    assert.equal(brief(reply.answer), ['www.example.test. A 127.0.0.1']);
    const plain = await dig(port, ['www.example.test', 'A', '+noedns']);
    assert.is(plain.ednsUdpSize, undefined);
    assert.equal(brief(plain.answer), ['www.example.test. A 127.0.0.1']);
    const dnssec = await dig(port, ['www.example.test', 'A', '+dnssec']);
    assert.match(dnssec.text, /\n; EDNS: version: 0, flags: do; udp: 1232\n/);
  });
});

test('dig +norec: still answered, authoritatively, RD clear and no RA', async () => {
  await serving(async (port) => {
    const reply = await dig(port, ['mail.example.test', 'AAAA', '+norec']);
    assert.is(reply.status, 'NOERROR');
    assert.equal(reply.flags, ['qr', 'aa']);
    assert.equal(brief(reply.answer), ['mail.example.test. AAAA ::1']);
  });
});

test('dig +bufsize=512 on a large RRset: TC over UDP (+ignore), then the whole answer over TCP', async () => {
  await serving(async (port) => {
    const truncated = await dig(port, ['big.example.test', 'A', '+bufsize=512', '+ignore']);
    assert.ok(truncated.flags.includes('tc'), truncated.flags.join(' '));
    assert.is(truncated.transport, 'UDP');
    assert.ok(truncated.answer.length < 100);
    const retried = await dig(port, ['big.example.test', 'A', '+bufsize=512']);
    assert.match(retried.text, /;; Truncated, retrying in TCP mode\./);
    assert.is(retried.transport, 'TCP');
    assert.not.ok(retried.flags.includes('tc'));
    assert.is(retried.answer.length, 100);
    assert.equal(
      new Set(retried.answer.map((record) => record.data)),
      new Set(Array.from({ length: 100 }, (_, i) => `192.0.2.${i + 1}`)),
    );
    const large = await dig(port, ['big.example.test', 'A', '+bufsize=4096', '+ignore']);
    assert.ok(large.flags.includes('tc'), 'the server holds UDP answers to its own 1232 bytes');
  });
});

test('dig: a mixed-case name is echoed as asked in the question section', async () => {
  await serving(async (port) => {
    const reply = await dig(port, ['WwW.ExAmple.TEST', 'A']);
    assert.match(reply.text, /\n;WwW\.ExAmple\.TEST\.\s+IN\s+A\n/);
    assert.equal(
      reply.answer.map((record) => record.data),
      ['127.0.0.1'],
    );
  });
});

test('dig: NXDOMAIN and NODATA carry the SOA in the authority section, with the negative TTL', async () => {
  await serving(async (port) => {
    const soa = [
      'example.test. SOA ns1.example.test. hostmaster.example.test. 2024060101 7200 900 604800 300',
    ];
    const nx = await dig(port, ['nope.example.test', 'A']);
    assert.is(nx.status, 'NXDOMAIN');
    assert.ok(nx.flags.includes('aa'), nx.flags.join(' '));
    assert.equal(nx.answer, []);
    assert.equal(brief(nx.authority), soa);
    assert.is(nx.authority[0]?.ttl, 300);
    const nodata = await dig(port, ['mail2.example.test', 'AAAA']);
    assert.is(nodata.status, 'NOERROR');
    assert.equal(nodata.answer, []);
    assert.equal(brief(nodata.authority), soa);
    const empty = await dig(port, ['b.example.test', 'A']);
    assert.is(empty.status, 'NOERROR', 'an empty non-terminal exists');
  });
});

test('dig: a name outside the zone is REFUSED when there is no forwarder', async () => {
  await serving(async (port) => {
    const reply = await dig(port, ['elsewhere.test', 'A']);
    assert.is(reply.status, 'REFUSED');
    assert.not.ok(reply.flags.includes('ra'));
    assert.equal(reply.answer, []);
  });
});

test('dig +norec below a delegation: a referral, NS in authority and glue, AA clear', async () => {
  await serving(async (port) => {
    const reply = await dig(port, ['host.sub.example.test', 'A', '+norec']);
    assert.is(reply.status, 'NOERROR');
    assert.equal(reply.flags, ['qr']);
    assert.equal(reply.answer, []);
    assert.equal(brief(reply.authority), ['sub.example.test. NS ns.sub.example.test.']);
    assert.equal(brief(reply.additional), ['ns.sub.example.test. A 127.0.0.55']);
  });
});

/** Runs kdig against 127.0.0.1:`port`, trusting the throwaway certificate for `localhost`. */
async function kdig(port: number, args: readonly string[]): Promise<string> {
  const command = [
    '@127.0.0.1',
    '-p',
    String(port),
    `+tls-ca=${certFile}`,
    '+tls-hostname=localhost',
    ...args,
  ];
  try {
    return (await run('kdig', ['+retry=0', '+timeout=3', ...command], { timeout: 10_000 })).stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`kdig ${command.join(' ')} failed: ${(error as Error).message}\n${stdout}${stderr}`);
  }
}

test('kdig +tls: DNS over TLS on a tls: listener, certificate checked for localhost', async () => {
  await serving(
    async (port) => {
      const text = await kdig(port, ['www.example.test', 'A']);
      assert.match(text, /;; TLS session \(TLS1\.3\)/);
      assert.match(text, /status: NOERROR;/);
      assert.match(text, /;; Flags: qr aa rd;/);
      assert.match(text, /\nwww\.example\.test\.\s+3600\s+IN\s+A\s+127\.0\.0\.1\n/);
      assert.match(text, /;; From 127\.0\.0\.1@\d+\(TCP\)/);
      const nx = await kdig(port, ['nope.example.test', 'TXT']);
      assert.match(nx, /status: NXDOMAIN;/);
    },
    {},
    { type: 'tls', port: 0, host: '127.0.0.1', tls: { key, cert } },
  );
});

// DNS over HTTPS is asked with curl, not kdig: kdig 3.2's `+https` speaks HTTP/2 only (through
// libnghttp2, its connection preface sent straight after the TLS handshake, no ALPN fallback),
// and Spindle's HTTP server speaks HTTP/1.1, so kdig reports "TLS, peer has closed the connection".

/** Runs `body` with `dohHandler(server)` on an HTTPS listener with the throwaway certificate. */
async function servingDoh(body: (port: number) => Promise<void>): Promise<void> {
  const app = httpServer(dohHandler(dnsServer({ zones: [zone], clock })), { clock });
  const listener = listen({ type: 'tls', port: 0, host: '127.0.0.1', tls: { key, cert } }, app, { reactor });
  try {
    const address = await listener.address;
    await body(address.type === 'tcp' ? address.port : -1);
  } finally {
    await listener.close();
  }
}

/** What curl got from https://localhost:`port`/dns-query (trusting the certificate): status, type, message. */
async function curlDoh(port: number, args: readonly string[], query = '') {
  const body = join(dir, 'body');
  rmSync(body, { force: true });
  const { stdout } = await run(
    'curl',
    [
      ...['--silent', '--show-error', '--max-time', '10', '--cacert', certFile],
      ...['--resolve', `localhost:${port}:127.0.0.1`, '-o', body, '-w', '%{http_code} %{content_type}'],
      ...args,
      `https://localhost:${port}/dns-query${query}`,
    ],
    { timeout: 15_000 },
  );
  const [status, type] = stdout.split(' ');
  return { status: Number(status), type, message: decodeMessage(readFileSync(body)) };
}

const dohQuery = (name: string, type: 'A' | 'MX' = 'A'): Uint8Array =>
  encodeMessage({ ...emptyMessage, id: 0, rd: true, questions: [{ name, type, class: 'IN' }] });

const addresses = (message: Message) =>
  message.answers.map((record) => record.type === 'A' && record.address);

test('curl: DNS over HTTPS, GET with ?dns= (base64url) and POST application/dns-message', async () => {
  await servingDoh(async (port) => {
    const encoded = Buffer.from(dohQuery('mail.example.test')).toString('base64url');
    const get = await curlDoh(port, [], `?dns=${encoded}`);
    assert.is(get.status, 200);
    assert.is(get.type, 'application/dns-message');
    assert.ok(get.message.qr && get.message.aa);
    assert.equal(addresses(get.message), ['127.0.0.25']);
    const file = join(dir, 'query');
    writeFileSync(file, dohQuery('nope.example.test'));
    const post = await curlDoh(port, [
      ...['--data-binary', `@${file}`, '-H', 'Content-Type: application/dns-message'],
      ...['-H', 'Accept: application/dns-message'],
    ]);
    assert.is(post.status, 200);
    assert.is(post.message.rcode, Rcode.NXDOMAIN);
    assert.is(post.message.authorities[0]?.type, 'SOA');
  });
});

test('forwarding to dnsmasq: its names answered with RA and without AA, its NXDOMAIN passed on, ours still authoritative', async () => {
  const forward = new Resolver({
    servers: [{ host: '127.0.0.1', port: dnsmasq.port }],
    reactor,
    hosts: false,
  });
  await serving(
    async (port, server) => {
      const forwarded = await dig(port, ['host.lan.test', 'A']);
      assert.is(forwarded.status, 'NOERROR');
      assert.equal(forwarded.flags, ['qr', 'rd', 'ra']);
      assert.equal(brief(forwarded.answer), ['host.lan.test. A 127.0.0.13']);
      const nx = await dig(port, ['nope.lan.test', 'A', '+tcp']);
      assert.is(nx.status, 'NXDOMAIN');
      assert.ok(nx.flags.includes('ra') && !nx.flags.includes('aa'), nx.flags.join(' '));
      assert.is(server.stats.forwarded, 2);
      const ours = await dig(port, ['www.example.test', 'A']);
      assert.ok(ours.flags.includes('aa'), ours.flags.join(' '));
      assert.equal(brief(ours.answer), ['www.example.test. A 127.0.0.1']);
    },
    { forward },
  );
});

test('forwarding to an upstream that never answers: dig gets SERVFAIL once the forwarder has given up', async () => {
  const silent = await freePort(); // nobody listens there
  const forward = new Resolver({
    servers: [{ host: '127.0.0.1', port: silent }],
    reactor,
    hosts: false,
    timeouts: [1, 2],
  });
  await serving(
    async (port, server) => {
      const start = clock.seconds();
      let reply: DigResult | undefined;
      const asked = dig(port, ['elsewhere.test', 'A', '+time=10']).then((result) => {
        reply = result;
      });
      // Virtual time: each timeout of the forwarder runs once it is pending, until dig has its answer.
      for (let turn = 0; reply === undefined; turn++) {
        if (turn > 100_000) throw new Error('dig got no answer');
        const [next] = clock.getDelayedCalls();
        if (next !== undefined) clock.advance(next.getTime() - clock.seconds());
        await new Promise(setImmediate);
      }
      await asked;
      assert.is(reply.status, 'SERVFAIL');
      assert.ok(reply.flags.includes('ra'), reply.flags.join(' '));
      assert.is(server.stats.forwarded, 1);
      assert.ok(clock.seconds() - start >= 3, 'after both timeouts, 1 s and 2 s');
    },
    { forward },
  );
});

test.run();
