import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Command } from '../../../source/cli/command.js';
import { parseCommandLine } from '../../../source/cli/parse-command-line.js';
import { UsageError } from '../../../source/cli/usage-error.js';

const test = suite('source/cli/parse-command-line');

const command: Command = {
  name: 'try',
  summary: 'a command to parse for',
  usage: 'spindle try',
  options: {
    path: { type: 'string', value: 'DIR', help: 'a folder' },
    user: { type: 'string', multiple: true, help: 'a user' },
    quiet: { type: 'boolean', help: 'say less' },
  },
  examples: [],
  run: () => undefined,
};
const withPositionals: Command = { ...command, positionals: { name: 'MODULE', help: 'a module' } };

/** The UsageError message `args` get, or fails. */
function complaint(args: string[], against = command): string {
  try {
    parseCommandLine(against, args);
  } catch (error) {
    assert.instance(error, UsageError);
    return (error as Error).message;
  }
  throw new Error(`no UsageError for ${args.join(' ')}`);
}

test('reads strings, repeated options and flags', () => {
  const { values, positionals } = parseCommandLine(command, [
    '--path',
    '.',
    '--user',
    'a',
    '--user=b',
    '--quiet',
  ]);
  assert.equal({ ...values }, { path: '.', user: ['a', 'b'], quiet: true });
  assert.equal(positionals, []);
});

test('an unknown option is one line naming it and where the options are listed', () => {
  assert.is(complaint(['--bogus']), 'unknown option --bogus (spindle try --help lists the options)');
  assert.is(complaint(['-x']), 'unknown option -x (spindle try --help lists the options)');
});

test('a string option without its value names the option and its placeholder', () => {
  assert.is(complaint(['--path']), '--path needs a value (DIR)');
  assert.is(complaint(['--user']), '--user needs a value');
});

test('a flag given a value says it takes none', () => {
  assert.is(complaint(['--quiet=yes']), '--quiet takes no value');
});

test('a positional argument is refused unless the command takes them', () => {
  assert.is(complaint(['extra']), 'unexpected argument "extra" (spindle try --help shows the usage)');
  assert.equal(parseCommandLine(withPositionals, ['app.ts', '--quiet']).positionals, ['app.ts']);
});

test.run();
