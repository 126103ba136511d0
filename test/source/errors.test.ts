import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  CancelledError,
  CertificateError,
  ConnectionDone,
  certificateError,
  LineTooLongError,
  ProtocolError,
  SpindleError,
  TimeoutError,
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

test.run();
