import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSecureContext } from 'node:tls';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type ClientEndpoint,
  parseClientEndpoint,
  parseServerEndpoint,
  type ServerEndpoint,
  type TLSServerEndpoint,
} from '../../source/endpoint-description.js';
import { EndpointFileError, EndpointSyntaxError } from '../../source/errors.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { throwawayCertificate } from '../support/throwaway-certificate.js';

const test = checkClean(suite('source/endpoint-description-files'));

const { key, cert } = throwawayCertificate();
const dir = mkdtempSync(join(tmpdir(), 'spindle-endpoint-files-'));
const file = (name: string) => join(dir, name);
writeFileSync(file('cert.pem'), cert);
writeFileSync(file('key.pem'), key);
writeFileSync(file('combined.pem'), Buffer.concat([cert, key]));
writeFileSync(file('key-first.pem'), Buffer.concat([key, cert]));
mkdirSync(file('cas'));
writeFileSync(join(file('cas'), 'a.pem'), cert);
writeFileSync(join(file('cas'), 'b.pem'), cert);
test.after(() => rmSync(dir, { recursive: true, force: true }));

/** The endpoint's TLS options, asserting it is a `tls` one. */
function tlsOf(endpoint: ServerEndpoint | ClientEndpoint): TLSServerEndpoint['tls'] {
  assert.is(endpoint.type, 'tls');
  return (endpoint as TLSServerEndpoint).tls;
}

/** The error `parse` throws (and a failure if it throws none). */
function thrown(parse: () => unknown): Error {
  try {
    parse();
  } catch (error) {
    return error as Error;
  }
  assert.unreachable('expected the description to be refused');
  throw new Error('unreachable');
}

test('ssl:443:privateKey=FILE reads certificate and key from one PEM file, as Twisted does', () => {
  const tls = tlsOf(parseServerEndpoint(`ssl:443:privateKey=${file('combined.pem')}`));
  assert.is(String(tls.cert), String(cert), 'cert is the certificate block alone');
  assert.is(String(tls.key), String(key), 'key is the key block alone');
  createSecureContext(tls); // throws if the two do not make a pair
});

test('tls:PORT:certKey=FILE reads both from one PEM file too, whatever the order of the blocks', () => {
  for (const name of ['combined.pem', 'key-first.pem']) {
    const tls = tlsOf(parseServerEndpoint(`tls:0:certKey=${file(name)}:interface=127.0.0.1`));
    assert.is(String(tls.cert), String(cert), name);
    assert.is(String(tls.key), String(key), name);
    createSecureContext(tls);
  }
});

test('separate certKey and privateKey files, and a caCerts folder of PEM files, still work', () => {
  const tls = tlsOf(
    parseServerEndpoint(
      `ssl:443:certKey=${file('cert.pem')}:privateKey=${file('key.pem')}:caCerts=${file('cas')}`,
    ),
  );
  assert.is(String(tls.cert), String(cert));
  assert.is(String(tls.key), String(key));
  assert.is((tls.ca as Buffer[]).length, 2, 'every file of the folder');
  createSecureContext(tls);
});

test('a client certificate file holding the key too gives each its own block', () => {
  const tls = tlsOf(
    parseClientEndpoint(
      `tls:host=127.0.0.1:port=1:certificate=${file('combined.pem')}:caCerts=${file('cas')}`,
    ),
  );
  assert.is(String(tls.cert), String(cert));
  assert.is(String(tls.key), String(key));
  createSecureContext(tls);
});

test('a missing file is an EndpointFileError naming the parameter, the path and the description', () => {
  const missing = file('nowhere.pem');
  const cases: [string, () => unknown, string][] = [
    ['certKey', () => parseServerEndpoint(`ssl:443:certKey=${missing}`), `ssl:443:certKey=${missing}`],
    [
      'privateKey',
      () => parseServerEndpoint(`ssl:443:privateKey=${missing}`),
      `ssl:443:privateKey=${missing}`,
    ],
    [
      'extraCertChain',
      () => parseServerEndpoint(`ssl:443:privateKey=${file('combined.pem')}:extraCertChain=${missing}`),
      `ssl:443:privateKey=${file('combined.pem')}:extraCertChain=${missing}`,
    ],
    [
      'caCerts',
      () => parseServerEndpoint(`ssl:443:privateKey=${file('combined.pem')}:caCerts=${missing}`),
      `ssl:443:privateKey=${file('combined.pem')}:caCerts=${missing}`,
    ],
    [
      'caCerts',
      () => parseClientEndpoint(`tls:host=127.0.0.1:port=1:caCerts=${missing}`),
      `tls:host=127.0.0.1:port=1:caCerts=${missing}`,
    ],
    [
      'trustRoots',
      () => parseClientEndpoint(`tls:host=127.0.0.1:port=1:trustRoots=${missing}`),
      `tls:host=127.0.0.1:port=1:trustRoots=${missing}`,
    ],
    [
      'certificate',
      () => parseClientEndpoint(`tls:host=127.0.0.1:port=1:certificate=${missing}`),
      `tls:host=127.0.0.1:port=1:certificate=${missing}`,
    ],
    [
      'privateKey',
      () =>
        parseClientEndpoint(
          `tls:host=127.0.0.1:port=1:certificate=${file('cert.pem')}:privateKey=${missing}`,
        ),
      `tls:host=127.0.0.1:port=1:certificate=${file('cert.pem')}:privateKey=${missing}`,
    ],
  ];
  for (const [parameter, parse, description] of cases) {
    const error = thrown(parse);
    assert.ok(error instanceof EndpointFileError, `${parameter}: ${error}`);
    assert.not.ok(error instanceof EndpointSyntaxError, parameter);
    const fileError = error as EndpointFileError;
    assert.is(fileError.code, 'SPINDLE_ENDPOINT_FILE');
    assert.is(fileError.parameter, parameter);
    assert.is(fileError.path, missing);
    assert.is((fileError.cause as { code?: string }).code, 'ENOENT');
    assert.is(
      fileError.message,
      `cannot read the ${parameter} file "${missing}" named in "${description}": no such file (ENOENT)`,
    );
  }
});

test('a path through a file is "not a folder"; the message stays on one line', () => {
  const path = join(file('cert.pem'), 'inside.pem');
  const error = thrown(() => parseClientEndpoint(`tls:host=127.0.0.1:port=1:caCerts=${path}`));
  assert.ok(error instanceof EndpointFileError, String(error));
  assert.match(error.message, /: a part of the path is not a folder \(ENOTDIR\)$/);
  assert.not.match(error.message, '\n');
});

test('a file without the certificate or the key it must hold is an EndpointFileError', () => {
  const noCert = thrown(() => parseServerEndpoint(`ssl:443:privateKey=${file('key.pem')}`));
  assert.ok(noCert instanceof EndpointFileError, String(noCert));
  assert.is(
    noCert.message,
    `the privateKey file "${file('key.pem')}" named in "ssl:443:privateKey=${file('key.pem')}" holds no certificate`,
  );
  assert.is((noCert as EndpointFileError).parameter, 'privateKey');
  const noKey = thrown(() => parseServerEndpoint(`ssl:443:certKey=${file('cert.pem')}`));
  assert.ok(noKey instanceof EndpointFileError, String(noKey));
  assert.match(noKey.message, `the certKey file "${file('cert.pem')}" named in`);
  assert.match(noKey.message, /holds no private key$/);
  const noChain = thrown(() =>
    parseServerEndpoint(`ssl:443:privateKey=${file('combined.pem')}:extraCertChain=${file('key.pem')}`),
  );
  assert.ok(noChain instanceof EndpointFileError, String(noChain));
  assert.is((noChain as EndpointFileError).parameter, 'extraCertChain');
});

test('no certKey nor privateKey is still a syntax error', () => {
  const error = thrown(() => parseServerEndpoint('ssl:443:interface=127.0.0.1'));
  assert.ok(error instanceof EndpointSyntaxError, String(error));
  assert.match(error.message, 'missing certKey or privateKey');
});

test.run();
