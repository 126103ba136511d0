/**
 * `runCli`: the `spindle` command: finds the subcommand, loads it (only the one asked for, so a
 * server starts without loading every protocol), parses its options and runs it; turns a user's
 * mistake into one line and the right exit code.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { EndpointSyntaxError, SpindleError } from '../errors.js';
import { failureStack } from '../log.js';
import type { Command } from './command.js';
import { type CommandEntry, commandHelp, mainHelp } from './help-text.js';
import { parseCommandLine } from './parse-command-line.js';
import { UsageError } from './usage-error.js';

/** A command as the table lists it: loaded only when run. */
export interface CommandLoader extends CommandEntry {
  load(): Promise<Command>;
}

/** The version in the package's package.json, found by walking up from this file. */
function packageVersion(): string {
  for (let up = new URL('.', import.meta.url); up.pathname !== '/'; up = new URL('..', up)) {
    try {
      const manifest = JSON.parse(readFileSync(new URL('package.json', up), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'spindle') return manifest.version ?? 'unknown';
    } catch {
      // no package.json here: look further up
    }
  }
  return 'unknown';
}

/** Writes `message` as the command's one-line complaint and sets the exit code. */
function complain(command: string, message: string, code: number): void {
  process.stderr.write(`spindle${command === '' ? '' : ` ${command}`}: ${message}\n`);
  process.exitCode = code;
}

/**
 * Runs `spindle ARGS…` with the commands of `table`. `--help`, `--version` and `COMMAND --help`
 * print and return; a usage mistake (an unknown command or option, a bad value) prints one line
 * and sets exit code 2; a server that cannot start (an unreadable file, a port in use) prints
 * one line and exits 1; anything else is a bug, printed with its stack (exit 1).
 *
 * @example
 * ```ts
 * await runCli(process.argv.slice(2), commands);
 * ```
 */
export async function runCli(args: readonly string[], table: readonly CommandLoader[]): Promise<void> {
  const [name = '--help', ...rest] = args;
  if (name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(mainHelp(table, packageVersion()));
    return;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(`${packageVersion()}\n`);
    return;
  }
  const entry = table.find((candidate) => candidate.name === name);
  if (entry === undefined) {
    const what = name.startsWith('-') ? `unknown option ${name}` : `unknown command ${JSON.stringify(name)}`;
    complain('', `${what} (spindle --help lists the commands)`, 2);
    return;
  }
  const command = await entry.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(commandHelp(command));
    return;
  }
  try {
    const { values, positionals } = parseCommandLine(command, rest);
    await command.run(values, positionals);
  } catch (error) {
    if (error instanceof UsageError || error instanceof EndpointSyntaxError) {
      complain(name, error.message, 2);
    } else if (error instanceof SpindleError) {
      complain(name, error.message, 1);
    } else {
      complain(name, failureStack(error) ?? String(error), 1);
    }
    process.exit(); // servers started before the failure must not keep the process alive
  }
}
