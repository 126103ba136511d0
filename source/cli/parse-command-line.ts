/**
 * `parseCommandLine`: a command's arguments through `node:util` `parseArgs`, with its errors
 * turned into one-line `UsageError`s that name the option.
 *
 * @module
 */
import { parseArgs } from 'node:util';
import type { Command, OptionValues } from './command.js';
import { UsageError } from './usage-error.js';

/** A parsed command line. */
export interface CommandLine {
  readonly values: OptionValues;
  readonly positionals: readonly string[];
}

/** The option a `parseArgs` error message quotes (`'--path <value>'` → `--path`). */
function quotedOption(message: string): string {
  return /'(-[^'\s]+)/.exec(message)?.[1] ?? 'an option';
}

/**
 * Parses `args` (what follows the command's name) against `command`'s options, strictly:
 * unknown options, a string option without a value, a value given to a flag, and positional
 * arguments the command does not take are `UsageError`s naming the culprit.
 *
 * @throws UsageError for a command line the command cannot run.
 * @example
 * ```ts
 * parseCommandLine(webCommand, ['--path', '.']).values.path; // '.'
 * parseCommandLine(webCommand, ['--bogus']); // throws UsageError: unknown option --bogus (…)
 * ```
 */
export function parseCommandLine(command: Command, args: readonly string[]): CommandLine {
  const options = Object.fromEntries(
    Object.entries(command.options).map(([name, spec]) => [
      name,
      { type: spec.type, ...(spec.multiple === true && { multiple: true }) },
    ]),
  );
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      strict: true,
      allowPositionals: command.positionals !== undefined,
    });
    return { values: values as OptionValues, positionals };
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    const help = `spindle ${command.name} --help`;
    switch (code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`unknown option ${quotedOption(message)} (${help} lists the options)`);
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
        const option = quotedOption(message);
        const spec = command.options[option.replace(/^--?/, '')];
        throw new UsageError(
          spec?.type === 'boolean'
            ? `${option} takes no value`
            : `${option} needs a value${spec?.value === undefined ? '' : ` (${spec.value})`}`,
        );
      }
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
        throw new UsageError(
          `unexpected argument ${JSON.stringify(/'([^']*)'/.exec(message)?.[1] ?? '')} (${help} shows the usage)`,
        );
      default:
        throw error;
    }
  }
}
