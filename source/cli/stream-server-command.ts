/**
 * `streamServerCommand`: a `spindle` command that runs one stream protocol on every `--listen`
 * endpoint (echo, chat, portforward).
 *
 * @module
 */
import { listen } from '../endpoints.js';
import type { Protocol } from '../protocol.js';
import type { Command, OptionSpec, OptionValues } from './command.js';
import { serverOptions } from './server-options.js';
import { serverRuntime } from './server-runtime.js';

/** What makes a stream server command. */
export interface StreamServerCommandSpec {
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  /** Where it listens without `--listen`. */
  readonly defaultListen: string;
  /** Options of its own, before the common ones. */
  readonly options?: Readonly<Record<string, OptionSpec>>;
  readonly examples: readonly string[];
  /** The protocol for these options. Throws `UsageError` for a bad value. */
  protocol(values: OptionValues): Protocol;
}

/**
 * The command of `spec`: `spindle NAME [--listen ENDPOINT]… [options]`.
 *
 * @example
 * ```ts
 * export const echoCommand = streamServerCommand({
 *   name: 'echo', summary: 'echo', description: 'Sends every byte back.',
 *   defaultListen: 'tcp:8007:interface=127.0.0.1', examples: ['spindle echo'], protocol: () => echo,
 * });
 * ```
 */
export function streamServerCommand(spec: StreamServerCommandSpec): Command {
  const ownOptions = spec.options ?? {};
  const usage = Object.entries(ownOptions).map(
    ([option, o]) => `--${option}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`,
  );
  return {
    name: spec.name,
    summary: spec.summary,
    usage: `spindle ${spec.name} ${[...usage, '[--listen ENDPOINT]…'].join(' ')}`,
    description: spec.description,
    options: { ...ownOptions, ...serverOptions([spec.defaultListen]) },
    examples: spec.examples,
    run(values) {
      const protocol = spec.protocol(values);
      const runtime = serverRuntime(values, [spec.defaultListen]);
      for (const endpoint of runtime.endpoints)
        runtime.announce(listen(endpoint, protocol, runtime.listenOptions));
      runtime.run();
    },
  };
}
