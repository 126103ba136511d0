import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { PassivePorts } from '../../../protocols/ftp/_data-channel.js';
import { peerHost } from '../../../source/_peer-host.js';

const test = suite('protocols/ftp/_data-channel');

test('peerHost compares IPv4-mapped IPv6 peers as IPv4, IPv6 in lower case', () => {
  const tcp = (host: string) => ({ type: 'tcp', host, port: 1, family: 'IPv6' }) as const;
  assert.is(peerHost(tcp('::ffff:127.0.0.1')), '127.0.0.1');
  assert.is(peerHost(tcp('::FFFF:10.0.0.1')), '10.0.0.1');
  assert.is(peerHost(tcp('2001:DB8::1')), '2001:db8::1');
  assert.is(peerHost(tcp('')), undefined);
  assert.is(peerHost({ type: 'unix', path: '/s' }), undefined);
  assert.is(peerHost({ type: 'memory', name: 'a' }), 'memory:a');
});

test('PassivePorts tries the whole range (at most 100), each listener starting one further', () => {
  const ports = new PassivePorts([10, 12]);
  assert.equal(ports.candidates(), [10, 11, 12]);
  assert.equal(ports.candidates(), [11, 12, 10]);
  assert.equal(ports.candidates(), [12, 10, 11]);
  assert.equal(ports.candidates(), [10, 11, 12]);
  assert.is(new PassivePorts([1000, 5000]).candidates().length, 100);
  assert.equal(new PassivePorts(undefined).candidates(), [0]);
});

test.run();
