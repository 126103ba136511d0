/**
 * The help texts of the `spindle` command: the list of commands, and each command's options
 * with their defaults and examples.
 *
 * @module
 */
import type { Command, OptionSpec } from './command.js';

/** A command as `spindle --help` lists it, without loading it. */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
}

/** `--name VALUE` as the help writes an option. */
function optionSynopsis(name: string, spec: OptionSpec): string {
  return spec.type === 'boolean' ? `--${name}` : `--${name} ${spec.value ?? 'VALUE'}`;
}

/** The width help text is wrapped to. */
const lineWidth = 100;

/** `text` broken into lines of at most `width` characters at spaces. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return [...lines, line];
}

/** Rows of two columns, the first padded to the widest, the second wrapped beside it. */
function columns(rows: readonly (readonly [string, string])[]): string {
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const indent = ' '.repeat(width + 2);
  return rows
    .map(
      ([left, right]) =>
        `  ${left.padEnd(width)}${wrap(right, Math.max(40, lineWidth - width - 2)).join(`\n${indent}`)}`,
    )
    .join('\n');
}

/**
 * What `spindle --help` prints.
 *
 * @example
 * ```ts
 * console.log(mainHelp([{ name: 'web', summary: 'serve a folder over HTTP' }], '0.1.0'));
 * ```
 */
export function mainHelp(commands: readonly CommandEntry[], version: string): string {
  return `spindle ${version}: Twisted's twistd for TypeScript: run servers without writing code.

Usage: spindle COMMAND [options]
       spindle COMMAND --help     the command's options, defaults and an example
       spindle --version

Commands:
${columns(commands.map(({ name, summary }) => [name, summary]))}

Every server prints "listening on ENDPOINT" on standard output once it accepts connections, and
logs to standard error. Ctrl-C or SIGTERM stops accepting, lets open connections finish (--grace),
then exits 0; a second Ctrl-C exits at once. A bad option exits 2, a server that cannot start 1.
`;
}

/**
 * What `spindle NAME --help` prints: the synopsis, the description, every option with its
 * default, and the examples.
 *
 * @example
 * ```ts
 * console.log(commandHelp(webCommand));
 * ```
 */
export function commandHelp(command: Command): string {
  const rows = Object.entries(command.options).map(([name, spec]) => {
    const notes = [
      ...(spec.multiple === true ? ['repeatable'] : []),
      ...(spec.default !== undefined ? [`default: ${spec.default}`] : []),
    ];
    return [
      optionSynopsis(name, spec),
      notes.length > 0 ? `${spec.help} (${notes.join('; ')})` : spec.help,
    ] as const;
  });
  const positional = command.positionals;
  return [
    `Usage: ${command.usage}`,
    '',
    ...(command.description === undefined ? [] : [...wrap(command.description, lineWidth), '']),
    ...(positional === undefined ? [] : ['Arguments:', columns([[positional.name, positional.help]]), '']),
    'Options:',
    columns(rows),
    '',
    command.examples.length === 1 ? 'Example:' : 'Examples:',
    ...command.examples.map((example) => `  ${example}`),
    '',
  ].join('\n');
}
