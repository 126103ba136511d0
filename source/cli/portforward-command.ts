/**
 * `spindle portforward`: forwards each connection to `--to HOST:PORT` (Twisted's `portforward`).
 *
 * @module
 */
import { portForward } from '../../protocols/wire/port-forward.js';
import type { Command, OptionValues } from './command.js';
import { required } from './option-values.js';
import { streamServerCommand } from './stream-server-command.js';
import { UsageError } from './usage-error.js';

/** `HOST:PORT` (`[IPv6]:PORT`) or a client endpoint description, as a client endpoint description. */
function target(values: OptionValues): string {
  const to = required(values, 'to', 'HOST:PORT');
  if (/^(tcp|tls|unix):/.test(to)) return to;
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(to) ?? /^([^:[\]]+):(\d+)$/.exec(to);
  const port = Number(match?.[2]);
  if (match === null || port < 1 || port > 65_535) {
    throw new UsageError(
      `--to takes HOST:PORT or a client endpoint (tcp:host=…:port=…), not ${JSON.stringify(to)}`,
    );
  }
  return `tcp:host=${match[1]!.replaceAll(':', '\\:')}:port=${port}`;
}

/**
 * `spindle portforward --to HOST:PORT [--listen ENDPOINT]…`.
 *
 * @example
 * ```ts
 * await portforwardCommand.run({ to: '127.0.0.1:80', listen: ['tcp:8081:interface=127.0.0.1'] }, []);
 * ```
 */
export const portforwardCommand: Command = streamServerCommand({
  name: 'portforward',
  summary: 'forward each connection to another address',
  description:
    'Connects each client to --to and pipes the two together, with backpressure both ways; when either side ends, both close.',
  defaultListen: 'tcp:8081:interface=127.0.0.1',
  options: {
    to: {
      type: 'string',
      value: 'HOST:PORT',
      help: 'where to forward: HOST:PORT, [IPv6]:PORT, or a client endpoint such as tls:host=…:port=…',
    },
  },
  examples: ['spindle portforward --to 127.0.0.1:8080 --listen tcp:8081:interface=127.0.0.1'],
  protocol: (values) => portForward(target(values)),
});
