import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as dns from '../../../protocols/dns/index.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/dns/index'));

test('exports the model, the names, the errors and the codec by name', () => {
  for (const name of [
    'decodeMessage',
    'encodeMessage',
    'dnsTcpFrames',
    'dnsTcpFramesAsync',
    'encodeTcpFrame',
    'FormatError',
    'InvalidNameError',
    'DomainError',
    'ServerError',
    'nameLabels',
    'nameKey',
    'namesEqual',
    'typeCode',
    'typeName',
    'classCode',
    'className',
    'rcodeName',
  ]) {
    assert.type((dns as Record<string, unknown>)[name], 'function', name);
  }
  assert.equal(dns.emptyMessage.questions, []);
  assert.is(dns.Rcode.NXDOMAIN, 3);
});

test('round-trips a query and its answer through the public entry', () => {
  const query: dns.Message = {
    ...dns.emptyMessage,
    id: 9,
    rd: true,
    questions: [{ name: 'a.example', type: 'A', class: 'IN' }],
  };
  const asked = dns.decodeMessage(dns.encodeMessage(query));
  const reply: dns.Message = {
    ...asked,
    qr: true,
    answers: [{ name: 'a.example', type: 'A', class: 'IN', ttl: 5, address: '192.0.2.9' }],
  };
  assert.equal(dns.decodeMessage(dns.encodeMessage(reply, { maxSize: 512 })), reply);
});

test.run();
