import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatJsonRecord, formatTextRecord, writeLogRecords } from '../../../source/cli/log-output.js';
import { CannotListenError } from '../../../source/errors.js';
import { Failure } from '../../../source/failure.js';
import { Logger, type LogRecord } from '../../../source/log.js';

const test = suite('source/cli/log-output');
const time = Date.UTC(2026, 11, 1, 17, 44, 19, 123) / 1000;
const record = (extra: Partial<LogRecord>): LogRecord => ({
  level: 'info',
  namespace: 'spindle.test',
  message: 'hello',
  time,
  ...extra,
});

test('a text line has the level, the time, the system and the message', () => {
  assert.is(formatTextRecord(record({})), 'INFO  2026-12-01T17:44:19.123Z [spindle.test] hello');
  assert.is(
    formatTextRecord(record({ level: 'error' })),
    'ERROR 2026-12-01T17:44:19.123Z [spindle.test] hello',
  );
});

test('an expected failure gets its message and no stack; a bug gets its stack', () => {
  const expected = new CannotListenError('tcp:80', 'permission denied');
  assert.is(
    formatTextRecord(record({ level: 'error', message: 'server failed', error: new Failure(expected) })),
    'ERROR 2026-12-01T17:44:19.123Z [spindle.test] server failed: cannot listen on tcp:80: permission denied',
  );
  assert.is(
    formatTextRecord(record({ message: expected.message, error: expected })).split('\n').length,
    1,
    'no repeat',
  );
  const bug = formatTextRecord(
    record({ level: 'error', message: 'handler failed', error: new TypeError('x is undefined') }),
  );
  assert.match(bug, /^ERROR .* handler failed\nTypeError: x is undefined\n\s+at /);
});

test('an access log record is its Combined Log Format line alone', () => {
  const line = '127.0.0.1 - - [01/Dec/2026:17:44:19 +0000] "GET / HTTP/1.1" 200 3 "-" "curl/8"';
  assert.is(formatTextRecord(record({ namespace: 'spindle.web.access', message: line })), line);
});

test('a JSON line has stable field names, the error described, and the fields', () => {
  const parsed = JSON.parse(
    formatJsonRecord(
      record({
        level: 'warn',
        error: new CannotListenError('tcp:80', 'in use'),
        fields: { peer: '127.0.0.1:5', n: 10n, self: { a: 1 } },
      }),
    ),
  );
  assert.equal(parsed, {
    time: '2026-12-01T17:44:19.123Z',
    level: 'warn',
    system: 'spindle.test',
    message: 'hello',
    pid: process.pid,
    error: {
      type: 'CannotListenError',
      code: 'SPINDLE_CANNOT_LISTEN',
      message: 'cannot listen on tcp:80: in use',
    },
    fields: { peer: '127.0.0.1:5', n: '10', self: { a: 1 } },
  });
  const circular: Record<string, unknown> = {};
  circular.self = circular;
  const bug = JSON.parse(formatJsonRecord(record({ error: new RangeError('bad'), fields: { circular } })));
  assert.match(bug.error.stack, /^RangeError: bad\n/);
  assert.is(bug.fields.circular, '[object Object]');
  assert.equal(JSON.parse(formatJsonRecord(record({ error: 'a string' }))).error, {
    type: 'string',
    message: 'a string',
  });
});

test('writeLogRecords writes records from the level up, until unsubscribed', () => {
  const lines: string[] = [];
  const output = writeLogRecords({ format: 'json', level: 'warn', write: (line) => lines.push(line) });
  const log = new Logger('spindle.test');
  log.info('not written');
  log.warn('written');
  log.error('written too');
  output.unsubscribe();
  log.error('after');
  assert.equal(
    lines.map((line) => JSON.parse(line).message),
    ['written', 'written too'],
  );
});

test.run();
