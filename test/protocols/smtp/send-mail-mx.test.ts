import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { listenDns } from '../../../protocols/dns/listen-dns.js';
import { Resolver } from '../../../protocols/dns/resolver.js';
import { dnsServer } from '../../../protocols/dns/server.js';
import { Zone } from '../../../protocols/dns/zone.js';
import { parseZoneFile } from '../../../protocols/dns/zone-file.js';
import { sendMail } from '../../../protocols/smtp/send-mail.js';
import { SMTPClientError } from '../../../protocols/smtp/smtp-error.js';
import { Clock } from '../../../source/clock.js';
import { listen } from '../../../source/endpoints.js';
import { Reactor } from '../../../source/reactor.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { MemoryReactor } from '../../../source/testing/memory-reactor.js';
import { rejectionOf } from '../../support/failure-of.js';
import { scriptedServer } from './_scripted-server.js';

/** A Spindle DNS server on 127.0.0.1 (real UDP, virtual time); the SMTP servers in memory. */
const clock = new Clock();
const reactor = new Reactor({ clock: clock as never });
const test = checkClean(suite('protocols/smtp/send-mail-mx'), { reactors: [reactor] });

const zone = new Zone(
  parseZoneFile(`$ORIGIN b.test.
$TTL 60
@       IN SOA ns.b.test. hostmaster.b.test. 1 3600 600 86400 60
@       IN MX 20 backup
@       IN MX 10 mx1
mx1     IN A 127.0.0.1
backup  IN AAAA ::1
nomail  IN MX 0 .
plain   IN A 127.0.0.1
`),
);

/** Runs `body` with a resolver asking the zone's server, and a memory net whose port 25 answers 421 first. */
async function withDns(
  body: (
    resolver: Resolver,
    net: MemoryReactor,
    script: ReturnType<typeof scriptedServer>['script'],
  ) => Promise<void>,
): Promise<void> {
  const listener = listenDns('udp:0:interface=127.0.0.1', dnsServer({ zones: [zone], clock }), { reactor });
  const net = new MemoryReactor();
  const { script, server } = scriptedServer({
    greeting: (n) => (n === 1 ? '421 4.3.2 busy, try the next' : '220 mx ESMTP'),
  });
  const smtp = listen('tcp:25', server, { reactor: net });
  try {
    const { port } = await listener.address;
    await body(
      new Resolver({ servers: [{ host: '127.0.0.1', port }], hosts: false, cache: false, reactor }),
      net,
      script,
    );
    await net.flush();
  } finally {
    await smtp.close();
    await listener.close();
  }
}

test('MX records from a DNS server: the preferred exchanger first, the next one after its 421', async () => {
  await withDns(async (resolver, net, script) => {
    const message = 'Subject: mx\r\n\r\nhello\r\n';
    const result = await sendMail({
      from: 'a@a.test',
      to: 'bob@B.test',
      message,
      tls: 'none',
      resolver,
      reactor: net,
    });
    assert.equal(
      net.connects.map((call) => (call.endpoint.type === 'unix' ? '' : call.endpoint.host)),
      ['127.0.0.1', '::1'],
    );
    assert.equal(result.server, { name: 'backup.b.test', host: '::1', port: 25 });
    assert.equal(script.messages, [message]);
  });
});

test('a null MX refuses the mail; a name without MX records is its own exchanger', async () => {
  await withDns(async (resolver, net) => {
    const error = await rejectionOf(
      sendMail({
        from: 'a@a.test',
        to: 'x@nomail.b.test',
        message: 'x',
        tls: 'none',
        resolver,
        reactor: net,
      }),
    );
    assert.instance(error, SMTPClientError);
    assert.is((error as SMTPClientError).reason, 'null-mx');
    assert.is(net.connects.length, 0);
    await rejectionOf(
      sendMail({ from: 'a@a.test', to: 'x@plain.b.test', message: 'x', tls: 'none', resolver, reactor: net }),
    );
    assert.equal(
      net.connects.map((call) => (call.endpoint.type === 'unix' ? '' : call.endpoint.host)),
      ['127.0.0.1'],
      'the implicit MX, plain.b.test, was tried (and said 421)',
    );
  });
});

test.run();
