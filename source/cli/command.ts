/**
 * What a subcommand of `spindle` is: its options (for `node:util` `parseArgs` and for its help
 * text) and what it runs.
 *
 * @module
 */

/**
 * One option of a command: `parseArgs`'s description of it, and what its help says.
 *
 * @example
 * ```ts
 * const path: OptionSpec = { type: 'string', value: 'DIR', help: 'the folder to serve', default: '.' };
 * ```
 */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  /** May be given more than once (the values come as an array). */
  readonly multiple?: boolean;
  /** The placeholder for its value in the help (`DIR`, `ENDPOINT`). */
  readonly value?: string;
  /** What the option does, one sentence. */
  readonly help: string;
  /** The default, as the help shows it (the command applies it). */
  readonly default?: string;
}

/** The values of a parsed command line, by option name. */
export type OptionValues = Readonly<Record<string, string | boolean | readonly string[] | undefined>>;

/**
 * A subcommand: `spindle NAME [options] [arguments]`. `run` starts it; it returns once the
 * servers are started (their `listening on` lines follow as each listens), or a promise of that.
 *
 * @example
 * ```ts
 * const hello: Command = {
 *   name: 'hello', summary: 'say hello', usage: 'spindle hello', options: {},
 *   examples: ['spindle hello'], run: () => console.log('hello'),
 * };
 * ```
 */
export interface Command {
  readonly name: string;
  /** One line for `spindle --help`. */
  readonly summary: string;
  /** The synopsis, e.g. `spindle web [--path DIR] [--listen ENDPOINT]…`. */
  readonly usage: string;
  /** A paragraph for `spindle NAME --help`, under the synopsis. */
  readonly description?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  /** What positional arguments it takes (`MODULE`), if any. */
  readonly positionals?: { readonly name: string; readonly help: string };
  /** Command lines to try, shown by `--help`. */
  readonly examples: readonly string[];
  run(values: OptionValues, positionals: readonly string[]): unknown;
}
