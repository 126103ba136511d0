import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeMessage } from '../../../protocols/dns/decode-message.js';
import { dohHandler } from '../../../protocols/dns/doh-handler.js';
import { encodeMessage } from '../../../protocols/dns/encode-message.js';
import { emptyMessage, type Message } from '../../../protocols/dns/message.js';
import { Rcode } from '../../../protocols/dns/record-types.js';
import { dnsServer } from '../../../protocols/dns/server.js';
import { Zone } from '../../../protocols/dns/zone.js';
import { parseZoneFile } from '../../../protocols/dns/zone-file.js';
import { httpServer } from '../../../protocols/http/server.js';
import { checkClean, StringTransport, trackedClock } from '../../../source/testing/index.js';

const test = checkClean(suite('protocols/dns/doh-handler'));

const zoneText = readFileSync(new URL('fixtures/example.test.zone', import.meta.url), 'utf8');
const clock = trackedClock();
const dns = dohHandler(dnsServer({ zones: [new Zone(parseZoneFile(zoneText))], clock }));

/** One request through an HTTP server mounting the handler; the response's status, headers and body. */
async function exchange(request: Uint8Array | string) {
  const transport = new StringTransport();
  httpServer(dns, { clock }).serve(transport);
  transport.receive(request);
  for (let turn = 0; !transport.value().includes(0x0a) || !headEnded(transport.value()); turn++) {
    if (turn > 1000) throw new Error('no response');
    await new Promise(setImmediate);
  }
  const bytes = Buffer.from(transport.value());
  const split = bytes.indexOf('\r\n\r\n');
  const head = bytes.subarray(0, split).toString('latin1');
  transport.loseConnection();
  return {
    status: Number(head.split(' ')[1]),
    head,
    body: bytes.subarray(split + 4),
  };
}

const headEnded = (bytes: Uint8Array) => Buffer.from(bytes).includes('\r\n\r\n');

const query = (name: string): Message => ({
  ...emptyMessage,
  id: 0, // RFC 8484 section 4.1: 0, so that HTTP caches can share answers
  rd: true,
  questions: [{ name, type: 'A', class: 'IN' }],
});

test('GET with ?dns= in base64url answers application/dns-message, cacheable for the smallest TTL', async () => {
  const encoded = Buffer.from(encodeMessage(query('ns2.example.test'))).toString('base64url');
  const { status, head, body } = await exchange(`GET /dns-query?dns=${encoded} HTTP/1.1\r\nHost: x\r\n\r\n`);
  assert.is(status, 200);
  assert.match(head, /\r\nContent-Type: application\/dns-message\r\n/i);
  assert.match(head, /\r\nCache-Control: max-age=300\r\n/i);
  const answer = decodeMessage(body);
  assert.equal(
    answer.answers.map((record) => record.type === 'A' && record.address),
    ['127.0.0.54'],
  );
});

test('POST with the message as its body; a negative answer is cacheable for the SOA minimum', async () => {
  const message = encodeMessage(query('nope.example.test'));
  const { status, head, body } = await exchange(
    Buffer.concat([
      Buffer.from(
        `POST /dns-query HTTP/1.1\r\nHost: x\r\nContent-Type: application/dns-message\r\nContent-Length: ${message.length}\r\n\r\n`,
      ),
      message,
    ]),
  );
  assert.is(status, 200);
  assert.is(decodeMessage(body).rcode, Rcode.NXDOMAIN);
  assert.match(head, /\r\nCache-Control: max-age=300\r\n/i);
});

test('refusals: no dns parameter or bad base64url 400, another media type 415, another method 405 with Allow, an unreadable message 400', async () => {
  assert.is((await exchange('GET /dns-query HTTP/1.1\r\nHost: x\r\n\r\n')).status, 400);
  assert.is((await exchange('GET /dns-query?dns=a+b HTTP/1.1\r\nHost: x\r\n\r\n')).status, 400);
  const wrongType = await exchange(
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 1\r\n\r\nx',
  );
  assert.is(wrongType.status, 415);
  const put = await exchange('PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n');
  assert.is(put.status, 405);
  assert.match(put.head, /\r\nAllow: GET, HEAD, POST\r\n/i);
  assert.is((await exchange('GET /dns-query?dns=AA HTTP/1.1\r\nHost: x\r\n\r\n')).status, 400);
});

test('a body declared over 65535 bytes is refused with 413 before it is read', async () => {
  const { status } = await exchange(
    'POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/dns-message\r\nContent-Length: 70000\r\n\r\n',
  );
  assert.is(status, 413);
});

test.run();
