import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HttpParseError, HttpTruncatedError } from '../../../protocols/http/http-error.js';
import { RequestParser } from '../../../protocols/http/parse-request.js';
import { atEverySplit, messages } from './_feed.js';
import { malformedRequests } from './malformed-requests.js';

const test = suite('protocols/http/malformed-requests');

test('the corpus holds at least 40 cases, each named once', () => {
  assert.ok(malformedRequests.length >= 40, `${malformedRequests.length} cases`);
  assert.is(new Set(malformedRequests.map((c) => c.name)).size, malformedRequests.length);
});

for (const malformed of malformedRequests) {
  const { name, input, status, answered = 0, truncated = false, options, message } = malformed;
  test(`${name}: ${status}${answered > 0 ? ` after ${answered} answered` : ''}, at every split`, () => {
    atEverySplit(
      input,
      () => new RequestParser(options),
      ({ events, error }, label) => {
        assert.instance(error, HttpParseError, `${label}: expected an HttpParseError, got ${String(error)}`);
        const refusal = error as HttpParseError;
        assert.is(refusal.status, status, `${label}: ${refusal.message}`);
        assert.is(refusal.protocolCode, status, label);
        assert.is(refusal instanceof HttpTruncatedError, truncated, `${label}: ${refusal.message}`);
        if (message !== undefined) assert.match(refusal.message, message, label);
        const whole = messages(events).filter((m) => m.ended);
        assert.is(whole.length, answered, `${label}: messages answered before the error`);
      },
    );
  });
}

test('every case stays refused without end(): the error comes from push alone, unless cut short', () => {
  for (const { name, input, truncated, options } of malformedRequests) {
    let thrown: unknown;
    try {
      new RequestParser(options).push(Buffer.from(input, 'latin1'));
    } catch (error) {
      thrown = error;
    }
    assert.is(thrown instanceof HttpParseError, !truncated, name);
  }
});

test.run();
