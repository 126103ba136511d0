import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HttpParseError, HttpTruncatedError } from '../../../protocols/http/http-error.js';
import { ProtocolError, SpindleError } from '../../../source/errors.js';

const test = suite('protocols/http/http-error');

test('carries the status to answer with, as status and protocolCode', () => {
  const error = new HttpParseError(431, 'header section larger than 16384 bytes');
  assert.is(error.status, 431);
  assert.is(error.protocolCode, 431);
  assert.is(error.code, 'SPINDLE_HTTP_PARSE');
  assert.is(error.name, 'HttpParseError');
  assert.ok(error instanceof ProtocolError);
  assert.ok(error instanceof SpindleError);
});

test('a truncation is a 400 parse error with its own code', () => {
  const error = new HttpTruncatedError('input ended inside a message head');
  assert.is(error.status, 400);
  assert.is(error.code, 'SPINDLE_HTTP_TRUNCATED');
  assert.ok(error instanceof HttpParseError);
  assert.not.ok(new HttpParseError(400, 'x') instanceof HttpTruncatedError);
});

test.run();
