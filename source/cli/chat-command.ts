/**
 * `spindle chat`: Twisted's line-based chat room on every `--listen` endpoint.
 *
 * @module
 */
import { chat } from '../../protocols/chat/line-chat.js';
import type { Command } from './command.js';
import { streamServerCommand } from './stream-server-command.js';

/**
 * `spindle chat [--listen ENDPOINT]…`: one room shared by every endpoint.
 *
 * @example
 * ```ts
 * await chatCommand.run({ listen: ['tcp:8023:interface=127.0.0.1'] }, []);
 * ```
 */
export const chatCommand: Command = streamServerCommand({
  name: 'chat',
  summary: 'a line-based chat room (nc, telnet)',
  description:
    'Asks each client its name, then sends each line it types to everyone else; /quit leaves. A client that does not read misses messages instead of slowing the room.',
  defaultListen: 'tcp:8023:interface=127.0.0.1',
  examples: ['spindle chat   # then, in two terminals: nc 127.0.0.1 8023'],
  protocol: () => chat(),
});
