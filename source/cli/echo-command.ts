/**
 * `spindle echo`: the echo protocol (RFC 862) on every `--listen` endpoint.
 *
 * @module
 */
import { echo } from '../../protocols/wire/echo.js';
import type { Command } from './command.js';
import { streamServerCommand } from './stream-server-command.js';

/**
 * `spindle echo [--listen ENDPOINT]…`.
 *
 * @example
 * ```ts
 * await runCli(['echo', '--listen', 'tcp:7007:interface=127.0.0.1'], [{ ...echoCommand, load: async () => echoCommand }]);
 * ```
 */
export const echoCommand: Command = streamServerCommand({
  name: 'echo',
  summary: 'the echo protocol (RFC 862)',
  description: 'Sends every byte a client sends straight back, with backpressure.',
  defaultListen: 'tcp:8007:interface=127.0.0.1',
  examples: ['spindle echo --listen tcp:8007:interface=127.0.0.1   # then: nc 127.0.0.1 8007'],
  protocol: () => echo,
});
