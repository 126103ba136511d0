import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AlreadySecureError,
  CancelledError,
  CertificateError,
  ConnectionDone,
  certificateError,
  EndpointFileError,
  EndpointSyntaxError,
  LineTooLongError,
  ProtocolError,
  SpindleError,
  TimeoutError,
  TLSHandshakeError,
  tlsHandshakeError,
} from '../../source/errors.js';

const test = suite('source/errors');

test('every error carries its class code and name', () => {
  const e = new TimeoutError('slow', { seconds: 3 });
  assert.is(e.code, 'SPINDLE_TIMEOUT');
  assert.is(e.name, 'TimeoutError');
  assert.is(e.seconds, 3);
  assert.is(new CancelledError().message, 'cancelled');
  assert.is(new LineTooLongError(10).maxLength, 10);
  assert.is(new ProtocolError('bad', { protocolCode: 400 }).protocolCode, 400);
  assert.is(new ConnectionDone().code, 'SPINDLE_CONNECTION_DONE');
});

test('instanceof follows the class hierarchy', () => {
  const e = new TimeoutError();
  assert.ok(e instanceof TimeoutError);
  assert.ok(e instanceof SpindleError);
  assert.ok(e instanceof Error);
  assert.not.ok(e instanceof CancelledError);
  assert.not.ok(new Error('x') instanceof SpindleError);
  assert.not.ok((null as unknown) instanceof SpindleError);
});

test('instanceof holds for an error from a second copy of Spindle, by code', () => {
  // What a duplicate install's TimeoutError looks like: another class, same brand and code.
  class OtherSpindleError extends Error {
    static readonly code: string = 'SPINDLE_ERROR';
    constructor(message: string) {
      super(message);
      (this as unknown as Record<symbol, boolean>)[Symbol.for('spindle.error')] = true;
    }
  }
  class OtherTimeoutError extends OtherSpindleError {
    static override readonly code: string = 'SPINDLE_TIMEOUT';
  }
  const foreign = new OtherTimeoutError('from elsewhere');
  assert.ok(foreign instanceof TimeoutError);
  assert.ok(foreign instanceof SpindleError);
  assert.not.ok(foreign instanceof CancelledError);
});

test('certificateError types refused certificates and leaves other TLS errors alone', () => {
  for (const code of [
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'HOSTNAME_MISMATCH',
  ]) {
    const node = Object.assign(new Error('refused'), { code });
    const typed = certificateError(node);
    assert.ok(typed instanceof CertificateError, code);
    assert.is(typed?.reason, code);
    assert.is(typed?.cause, node);
    assert.is(typed?.code, 'SPINDLE_CERTIFICATE');
  }
  assert.is(certificateError(Object.assign(new Error('reset'), { code: 'ECONNRESET' })), undefined);
  assert.is(certificateError(new Error('no code')), undefined);
});

test('the errors for failures a user can see carry their codes, names and details', () => {
  const node = Object.assign(new Error('wrong version number'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' });
  const handshake = new TLSHandshakeError('ERR_SSL_WRONG_VERSION_NUMBER', 'no TLS', { cause: node });
  assert.is(handshake.code, 'SPINDLE_TLS_HANDSHAKE');
  assert.is(handshake.name, 'TLSHandshakeError');
  assert.is(handshake.reason, 'ERR_SSL_WRONG_VERSION_NUMBER');
  assert.is(handshake.cause, node);
  const secure = new AlreadySecureError();
  assert.is(secure.code, 'SPINDLE_ALREADY_SECURE');
  assert.is(secure.name, 'AlreadySecureError');
  assert.is(secure.message, 'the connection is already using TLS');
  const enoent = Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  const file = new EndpointFileError('cannot read', { path: 'ca.pem', parameter: 'caCerts', cause: enoent });
  assert.is(file.code, 'SPINDLE_ENDPOINT_FILE');
  assert.is(file.name, 'EndpointFileError');
  assert.is(file.path, 'ca.pem');
  assert.is(file.parameter, 'caCerts');
  assert.is(file.cause, enoent);
  assert.ok(file instanceof SpindleError);
  assert.not.ok(file instanceof EndpointSyntaxError, 'a file error is no syntax error');
  assert.not.ok(handshake instanceof CertificateError, 'nor is a handshake error a certificate error');
});

test('tlsHandshakeError says what happened in one line, and leaves other errors alone', () => {
  const typed = (code: string, reason?: string, upgrade = false) =>
    tlsHandshakeError(Object.assign(new Error(`raw ${code}`), { code, reason }), '127.0.0.1:8443', upgrade);
  assert.is(
    typed('ERR_SSL_WRONG_VERSION_NUMBER')?.message,
    '127.0.0.1:8443 did not answer in TLS (is it a plain TCP server?)',
  );
  assert.is(
    typed('ERR_SSL_WRONG_VERSION_NUMBER', undefined, true)?.message,
    '127.0.0.1:8443 did not answer in TLS (did it agree to start TLS?)',
  );
  for (const code of ['ECONNRESET', 'EPIPE', 'ERR_SSL_UNEXPECTED_EOF_WHILE_READING']) {
    assert.is(
      typed(code)?.message,
      `the connection to 127.0.0.1:8443 closed during the TLS handshake (${code})`,
    );
    assert.is(typed(code)?.reason, code);
  }
  assert.is(
    typed('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'tlsv1 alert protocol version')?.message,
    'the TLS handshake with 127.0.0.1:8443 failed: tlsv1 alert protocol version (ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION)',
  );
  assert.is(
    typed('ERR_SSL_NO_REASON')?.message,
    'the TLS handshake with 127.0.0.1:8443 failed (ERR_SSL_NO_REASON)',
  );
  assert.is(typed('ECONNREFUSED'), undefined);
  assert.is(tlsHandshakeError(new Error('no code'), 'h:1'), undefined);
});

test.run();
