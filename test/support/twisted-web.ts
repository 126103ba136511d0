/**
 * Starts a Twisted web server (Debian's `twistd3 web`) serving a folder on a free loopback port,
 * for interop tests: it waits until the port accepts, and stops the server by its PID.
 *
 * @module
 */
import { accepts, type PeerProcess, startPeer } from './peer-process.js';
import { twistdCommand, twistdHint } from './twistd.js';

/** A running `twistd3 web`. */
export type TwistedWeb = PeerProcess;

/**
 * Runs `twistd3 -n --pidfile= -l - web --listen tcp:PORT:interface=127.0.0.1 --path DIRECTORY`
 * and resolves once its port accepts connections (within 20 seconds, or it is stopped and the
 * promise rejects with what it printed).
 *
 * @example
 * ```ts
 * const twisted = await startTwistedWeb(folder);
 * try { await request('GET', `http://127.0.0.1:${twisted.port}/a.txt`); } finally { await twisted.stop(); }
 * ```
 */
export function startTwistedWeb(directory: string): Promise<TwistedWeb> {
  return startPeer({
    name: 'twistd3 web',
    hint: twistdHint,
    command: (port) =>
      twistdCommand('web', '--listen', `tcp:${port}:interface=127.0.0.1`, '--path', directory),
    answers: accepts,
  });
}
