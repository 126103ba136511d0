import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseResolvConf } from '../../../protocols/dns/_resolv-conf.js';

const test = suite('protocols/dns/_resolv-conf');

test('an empty file gives glibc defaults: 127.0.0.1, no search list, ndots 1, timeout 5, attempts 2', () => {
  assert.equal(parseResolvConf(''), {
    nameservers: [{ host: '127.0.0.1', port: 53 }],
    search: [],
    ndots: 1,
    timeout: 5,
    attempts: 2,
    rotate: false,
  });
});

test('reads IPv4 and IPv6 servers in order, at most three, skipping addresses that do not parse', () => {
  const conf = parseResolvConf(
    'nameserver 10.0.0.1\nnameserver not-an-address\nnameserver ::1\nnameserver\n' +
      'nameserver fe80::1%eth0\nnameserver 10.0.0.4\n',
  );
  assert.equal(conf.nameservers, [
    { host: '10.0.0.1', port: 53 },
    { host: '::1', port: 53 },
    { host: 'fe80::1%eth0', port: 53 },
  ]);
});

test('skips comment lines and the rest of a line after # or ;, and unknown keywords', () => {
  const conf = parseResolvConf(
    '# generated\n; also a comment\nnameserver 192.0.2.1 # primary\nsortlist 130.155.160.0/255.255.240.0\n' +
      'search a.example;b.example\n',
  );
  assert.equal(conf.nameservers, [{ host: '192.0.2.1', port: 53 }]);
  assert.equal(conf.search, ['a.example']);
});

test('the last search or domain line wins; names keep their case, lose a final dot, and repeat once', () => {
  assert.equal(
    parseResolvConf('domain one.example\nsearch Two.Example. three.example two.example\n').search,
    ['Two.Example', 'three.example'],
  );
  assert.equal(parseResolvConf('search a.example b.example\ndomain c.example d.example\n').search, [
    'c.example',
  ]);
  assert.equal(parseResolvConf('search bad..name ok.example\n').search, ['ok.example']);
});

test('reads options ndots, timeout, attempts and rotate, clamped to glibc limits, ignoring the rest', () => {
  const conf = parseResolvConf('options ndots:3 timeout:2 attempts:4 rotate edns0 trust-ad\n');
  assert.equal([conf.ndots, conf.timeout, conf.attempts, conf.rotate], [3, 2, 4, true]);
  const clamped = parseResolvConf('options ndots:99 timeout:0 attempts:9\noptions timeout:99\n');
  assert.equal([clamped.ndots, clamped.timeout, clamped.attempts], [15, 30, 5]);
  const bad = parseResolvConf('options ndots:x timeout: attempts:-1\n');
  assert.equal([bad.ndots, bad.timeout, bad.attempts], [1, 5, 2]);
});

test('takes CRLF line ends and runs of spaces and tabs', () => {
  const conf = parseResolvConf('nameserver\t \t127.0.0.53\r\noptions  edns0\tndots:2\r\n');
  assert.equal(conf.nameservers, [{ host: '127.0.0.53', port: 53 }]);
  assert.is(conf.ndots, 2);
});

test.run();
