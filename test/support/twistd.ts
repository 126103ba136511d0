/**
 * How the Twisted peers are run: Debian's `twistd3` in the foreground, without a PID file, logging
 * to stdout.
 *
 * @module
 */

/** Said when `twistd3` is not found. */
export const twistdHint = "Debian's python3-twisted has it";

/**
 * `twistd3 -n --pidfile= -l - PLUGIN …`, the command of a Twisted peer.
 *
 * @example
 * ```ts
 * twistdCommand('web', '--listen', 'tcp:8080:interface=127.0.0.1', '--path', folder);
 * ```
 */
export function twistdCommand(plugin: string, ...args: string[]): [string, ...string[]] {
  return ['twistd3', '-n', '--pidfile=', '-l', '-', plugin, ...args];
}
