/**
 * The options every server command of `spindle` takes: where to listen, the grace period, a
 * throwaway TLS certificate, and how to log.
 *
 * @module
 */
import type { OptionSpec } from './command.js';
import { logLevels } from './log-output.js';

/**
 * `--log-format` and `--log-level`, which every command takes.
 *
 * @example
 * ```ts
 * const options = { ...logOptions, help: helpOption };
 * ```
 */
export const logOptions: Readonly<Record<string, OptionSpec>> = {
  'log-format': {
    type: 'string',
    value: 'FORMAT',
    help: 'text (level, time, system, message) or json (one object per line)',
    default: 'text',
  },
  'log-level': {
    type: 'string',
    value: 'LEVEL',
    help: `the least serious level logged: ${logLevels.join(', ')}`,
    default: 'info',
  },
};

/**
 * `--help`, which every command takes.
 *
 * @example
 * ```ts
 * const options = { help: helpOption };
 * ```
 */
export const helpOption: OptionSpec = { type: 'boolean', help: 'show this help and exit' };

/**
 * The options of a server command listening on `defaultListen` unless told otherwise.
 *
 * @example
 * ```ts
 * const options = { path: { type: 'string', value: 'DIR', help: 'the folder' }, ...serverOptions(['tcp:8080:interface=127.0.0.1']) };
 * ```
 */
export function serverOptions(defaultListen: readonly string[]): Record<string, OptionSpec> {
  return {
    listen: {
      type: 'string',
      multiple: true,
      value: 'ENDPOINT',
      help: 'where to listen: tcp:PORT[:interface=IP], tcp6:…, unix:PATH, or tls:PORT:certKey=CERT.pem:privateKey=KEY.pem',
      default: defaultListen.join(' and '),
    },
    grace: {
      type: 'string',
      value: 'SECONDS',
      help: 'how long Ctrl-C or SIGTERM lets open connections finish before closing them',
      default: '10',
    },
    'tls-self-signed': {
      type: 'boolean',
      help: 'give tls: endpoints without certKey/privateKey a throwaway self-signed certificate (made with openssl)',
    },
    ...logOptions,
    help: helpOption,
  };
}
