import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  choice,
  flag,
  numberValue,
  pairs,
  required,
  text,
  texts,
} from '../../../source/cli/option-values.js';
import { UsageError } from '../../../source/cli/usage-error.js';

const test = suite('source/cli/option-values');

/** The message of the UsageError `read` throws. */
function complaint(read: () => unknown): string {
  try {
    read();
  } catch (error) {
    assert.instance(error, UsageError);
    return (error as Error).message;
  }
  throw new Error('no UsageError');
}

test('text, texts and flag read values with their fallbacks', () => {
  const values = { root: 'srv', listen: ['a', 'b'], empty: [], write: true };
  assert.is(text(values, 'root'), 'srv');
  assert.is(text(values, 'missing'), undefined);
  assert.is(text(values, 'missing', '.'), '.');
  assert.equal(texts(values, 'listen', ['x']), ['a', 'b']);
  assert.equal(texts(values, 'empty', ['x']), ['x']);
  assert.equal(texts(values, 'missing'), []);
  assert.is(flag(values, 'write'), true);
  assert.is(flag(values, 'root'), false);
});

test('required names the missing option and its placeholder', () => {
  assert.is(required({ root: 'srv' }, 'root', 'DIR'), 'srv');
  assert.is(
    complaint(() => required({}, 'maildir', 'DIR')),
    '--maildir DIR is required',
  );
});

test('numberValue takes numbers in range, whole ones unless fractions are allowed', () => {
  const range = { min: 1, max: 10 };
  assert.is(numberValue({}, 'n', range, 3), 3);
  assert.is(numberValue({ n: '7' }, 'n', range, 3), 7);
  assert.is(numberValue({ n: '0.5' }, 'n', { min: 0, max: 1, fraction: true }, 1), 0.5);
  for (const bad of ['0', '11', '2.5', 'x', '', ' ', 'Infinity']) {
    assert.is(
      complaint(() => numberValue({ n: bad }, 'n', range, 3)),
      `--n takes a whole number from 1 to 10, not ${JSON.stringify(bad)}`,
    );
  }
  assert.is(
    complaint(() => numberValue({ g: '-1' }, 'g', { min: 0, max: 5, fraction: true }, 1)),
    '--g takes a number from 0 to 5, not "-1"',
  );
});

test('pairs split at the first separator, and refuse an empty side', () => {
  assert.equal(pairs({ user: ['alice:pa:ss', 'bob:x'] }, 'user', ':', 'name:password'), [
    ['alice', 'pa:ss'],
    ['bob', 'x'],
  ]);
  for (const bad of ['alice', ':x', 'alice:']) {
    assert.is(
      complaint(() => pairs({ user: [bad] }, 'user', ':', 'name:password')),
      `--user takes name:password, not ${JSON.stringify(bad)}`,
    );
  }
});

test('choice takes one of the choices and lists them otherwise', () => {
  assert.is(choice({}, 'log-format', ['text', 'json'], 'text'), 'text');
  assert.is(choice({ 'log-format': 'json' }, 'log-format', ['text', 'json'], 'text'), 'json');
  assert.is(
    complaint(() => choice({ 'log-format': 'xml' }, 'log-format', ['text', 'json'], 'text')),
    '--log-format takes text, json, not "xml"',
  );
});

test.run();
