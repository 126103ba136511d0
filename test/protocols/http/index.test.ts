import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as http from '../../../protocols/http/index.js';

const test = suite('protocols/http/index');

test('exports the codec by name', () => {
  for (const name of [
    'HttpHeaders',
    'HttpParseError',
    'HttpTruncatedError',
    'RequestParser',
    'ResponseParser',
    'encodeChunk',
    'encodeLastChunk',
    'writeRequestHead',
    'writeResponseHead',
  ]) {
    assert.type((http as Record<string, unknown>)[name], 'function', name);
  }
});

test('round-trips a request and its response through the public entry', () => {
  const requests = new http.RequestParser();
  const [head] = requests.push(
    http.writeRequestHead({ method: 'GET', target: '/', headers: { Host: 'a' } }, { kind: 'none' }),
  );
  assert.ok(head?.type === 'head' && head.head.headers.get('host') === 'a');
  const responses = new http.ResponseParser();
  responses.expect('GET');
  const events = responses.push(http.writeResponseHead({ status: 204 }, { kind: 'none' }));
  assert.equal(
    events.map((e) => e.type),
    ['head', 'end'],
  );
});

test.run();
