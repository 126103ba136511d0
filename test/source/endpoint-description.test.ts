import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseClientEndpoint, parseServerEndpoint } from '../../source/endpoint-description.js';
import { EndpointFileError, EndpointSyntaxError } from '../../source/errors.js';

const test = suite('source/endpoint-description');

const pems = mkdtempSync(join(tmpdir(), 'spindle-endpoints-'));
writeFileSync(join(pems, 'cert.pem'), 'CERT');
writeFileSync(join(pems, 'key.pem'), 'KEY');
test.after(() => rmSync(pems, { recursive: true, force: true }));

/** Asserts that parsing throws EndpointSyntaxError whose message mentions `part`. */
function rejects(parse: () => unknown, part: string | RegExp) {
  try {
    parse();
  } catch (error) {
    assert.ok(error instanceof EndpointSyntaxError, `expected EndpointSyntaxError, got ${error}`);
    assert.match((error as Error).message, part);
    return;
  }
  assert.unreachable('expected the description to be rejected');
}

test('tcp server endpoints: positional or named port, interface, backlog, ephemeral port', () => {
  assert.equal(parseServerEndpoint('tcp:8080'), { type: 'tcp', port: 8080 });
  assert.equal(parseServerEndpoint('tcp:port=8080'), { type: 'tcp', port: 8080 });
  assert.equal(parseServerEndpoint('tcp:8080:interface=127.0.0.1'), {
    type: 'tcp',
    port: 8080,
    host: '127.0.0.1',
  });
  assert.equal(parseServerEndpoint('tcp:0:backlog=50'), { type: 'tcp', port: 0, backlog: 50 });
  assert.equal(parseServerEndpoint('TCP:1'), { type: 'tcp', port: 1 });
});

test('tcp6 defaults to :: and backslashes escape colons', () => {
  assert.equal(parseServerEndpoint('tcp6:8080'), { type: 'tcp', port: 8080, host: '::' });
  assert.equal(parseServerEndpoint('tcp6:8080:interface=\\:\\:1'), { type: 'tcp', port: 8080, host: '::1' });
});

test('tls server endpoints read the certificate and key files', () => {
  const endpoint = parseServerEndpoint(
    `tls:8443:certKey=${join(pems, 'cert.pem')}:privateKey=${join(pems, 'key.pem')}:interface=127.0.0.1`,
  );
  assert.is(endpoint.type, 'tls');
  if (endpoint.type !== 'tls') return;
  assert.is(endpoint.port, 8443);
  assert.is(endpoint.host, '127.0.0.1');
  assert.is(String(endpoint.tls.cert), 'CERT');
  assert.is(String(endpoint.tls.key), 'KEY');
  const ssl = parseServerEndpoint(`ssl:443:certKey=${join(pems, 'cert.pem')}:caCerts=${pems}`);
  assert.is(ssl.type, 'tls');
  if (ssl.type === 'tls') {
    assert.is(String(ssl.tls.key), 'CERT', 'privateKey defaults to the certKey file');
    assert.is((ssl.tls.ca as Buffer[]).length, 2, 'a caCerts folder reads every file');
  }
});

test('unix and udp server endpoints', () => {
  assert.equal(parseServerEndpoint('unix:/tmp/s.sock'), { type: 'unix', path: '/tmp/s.sock' });
  assert.equal(parseServerEndpoint('unix:address=/tmp/s.sock:mode=660:lockfile=1'), {
    type: 'unix',
    path: '/tmp/s.sock',
    mode: 0o660,
  });
  assert.equal(parseServerEndpoint('udp:5353'), { type: 'udp', port: 5353, family: 'udp4' });
  assert.equal(parseServerEndpoint('udp:5353:interface=127.0.0.1'), {
    type: 'udp',
    port: 5353,
    host: '127.0.0.1',
    family: 'udp4',
  });
  assert.equal(parseServerEndpoint('udp6:53'), { type: 'udp', port: 53, host: '::', family: 'udp6' });
});

test('client endpoints: tcp named and positional, timeout, bind address', () => {
  assert.equal(parseClientEndpoint('tcp:host=127.0.0.1:port=80'), {
    type: 'tcp',
    host: '127.0.0.1',
    port: 80,
  });
  assert.equal(parseClientEndpoint('tcp:example.test:80:timeout=2.5:bindAddress=127.0.0.2'), {
    type: 'tcp',
    host: 'example.test',
    port: 80,
    timeout: 2.5,
    bindAddress: '127.0.0.2',
  });
  assert.equal(parseClientEndpoint('tcp:host=\\:\\:1:port=80'), { type: 'tcp', host: '::1', port: 80 });
});

test('client endpoints: tls with caCerts and hostname, unix by path', () => {
  const endpoint = parseClientEndpoint(
    `tls:host=127.0.0.1:port=8443:caCerts=${join(pems, 'cert.pem')}:hostname=localhost`,
  );
  assert.is(endpoint.type, 'tls');
  if (endpoint.type === 'tls') {
    assert.is(endpoint.tls.servername, 'localhost');
    assert.is(String((endpoint.tls.ca as Buffer[])[0]), 'CERT');
  }
  const withCert = parseClientEndpoint(
    `tls:host=h:port=1:certificate=${join(pems, 'cert.pem')}:privateKey=${join(pems, 'key.pem')}`,
  );
  if (withCert.type === 'tls') assert.is(String(withCert.tls.key), 'KEY');
  assert.equal(parseClientEndpoint('unix:path=/tmp/s.sock:timeout=3'), {
    type: 'unix',
    path: '/tmp/s.sock',
    timeout: 3,
  });
  assert.equal(parseClientEndpoint('unix:/tmp/s.sock'), { type: 'unix', path: '/tmp/s.sock' });
});

test('malformed descriptions throw EndpointSyntaxError naming the bad part', () => {
  rejects(() => parseServerEndpoint('tcp:notaport'), /port "notaport" is not a number/);
  rejects(() => parseServerEndpoint('tcp:70000'), /port "70000"/);
  rejects(() => parseServerEndpoint('tcp:-1'), /port "-1"/);
  rejects(() => parseServerEndpoint('tcp'), /missing port/);
  rejects(() => parseServerEndpoint('bogus:1'), /unknown endpoint type "bogus"/);
  rejects(() => parseServerEndpoint(':1'), /no endpoint type/);
  rejects(() => parseServerEndpoint('tcp:80:colour=blue'), /unknown parameter "colour"/);
  rejects(() => parseServerEndpoint('tcp:80:81'), /unexpected argument "81"/);
  rejects(() => parseServerEndpoint('tcp:80:backlog=0'), /backlog "0"/);
  rejects(() => parseServerEndpoint('tcp:port=1:port=2'), /"port" is given twice/);
  rejects(() => parseServerEndpoint('tcp:interface=x:80'), /positional argument "80" after named ones/);
  rejects(() => parseServerEndpoint('tcp:80\\'), /lone backslash/);
  rejects(() => parseServerEndpoint('tls:443'), /missing certKey/);
  rejects(() => parseServerEndpoint('unix:/tmp/s:mode=999'), /mode "999"/);
  rejects(() => parseClientEndpoint('tcp:host=h'), /missing port/);
  rejects(() => parseClientEndpoint('tcp:port=80'), /missing host/);
  rejects(() => parseClientEndpoint('tcp:h:80:timeout=0'), /timeout "0"/);
  rejects(() => parseClientEndpoint('udp:h:53'), /unknown endpoint type "udp"/);
  rejects(() => parseClientEndpoint('unix:'), /missing path/);
});

test('a certificate file that cannot be read is an EndpointFileError, not a syntax error', () => {
  try {
    parseServerEndpoint('tls:443:certKey=/nonexistent/cert.pem');
    assert.unreachable('expected the description to be refused');
  } catch (error) {
    assert.ok(error instanceof EndpointFileError, String(error));
    assert.not.ok(error instanceof EndpointSyntaxError);
    assert.is(
      (error as Error).message,
      'cannot read the certKey file "/nonexistent/cert.pem" named in "tls:443:certKey=/nonexistent/cert.pem": no such file (ENOENT)',
    );
  }
});

test.run();
