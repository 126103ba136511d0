/**
 * A small scripted SMTP server for the client's tests, on any `Connection` (a memory pair, so
 * that STARTTLS can run real TLS): it answers each command line as its options say and records
 * what it was sent. Not a server to test anything else with.
 *
 * @module
 */
import { LineDecoder } from '../../../operators/lines.js';
import type { Connection } from '../../../source/connection.js';
import { protocol } from '../../../source/protocol.js';

/** How the scripted server answers. */
export interface ScriptOptions {
  /** The greeting, reply code included. Default `220 mx.test ESMTP`. */
  readonly greeting?: (connection: number) => string;
  /** EHLO's keywords after the first line, or `'refuse-ehlo'` to answer EHLO with 502. Default PIPELINING. */
  readonly extensions?: readonly string[] | 'refuse-ehlo';
  /** Key and certificate for STARTTLS. */
  readonly tls?: { readonly key: Buffer; readonly cert: Buffer };
  /**
   * What the server writes, in one write, to STARTTLS before it turns to TLS: more than its 220
   * plays an attacker's injection in the clear (RFC 3207 section 6). Default `220 2.0.0 go ahead\r\n`.
   */
  readonly startTLSAnswer?: string;
  /** The reply to RCPT TO for an address. Default `250 2.1.5 OK`. */
  readonly rcpt?: (address: string) => string;
}

/** What the scripted server was told, connection by connection. */
export interface Script {
  /** Every command line received, in order, across connections (`DATA` text not included). */
  readonly commands: string[];
  /** Each message received, as on the wire between 354 and the final `.` line, line ends kept. */
  readonly messages: string[];
  /** Connections accepted. */
  connections: number;
}

/**
 * A protocol for `listen` (on a `MemoryReactor`) that plays an SMTP server by `options`.
 *
 * @example
 * ```ts
 * const { script, server } = scriptedServer({ extensions: ['PIPELINING', 'STARTTLS'], tls: { key, cert } });
 * reactor.listenStream({ type: 'tcp', port: 25 }, {}, server);
 * ```
 */
export function scriptedServer(options: ScriptOptions = {}) {
  const script: Script = { commands: [], messages: [], connections: 0 };
  const server = protocol((connection: Connection) => {
    const number = ++script.connections;
    let lines = new LineDecoder({ delimiter: '\n', maxLength: 100_000 });
    let data: string[] | undefined;
    const say = (text: string) => connection.write(`${text}\r\n`);
    say(options.greeting?.(number) ?? '220 mx.test ESMTP');
    connection.data$.subscribe({
      error: () => undefined,
      next: (chunk) => {
        for (const raw of lines.push(chunk)) {
          const line = raw.replace(/\r$/, '');
          if (data !== undefined) {
            if (line === '.') {
              script.messages.push(data.map((text) => `${text}\r\n`).join(''));
              data = undefined;
              say('250 2.0.0 queued');
            } else data.push(line);
            continue;
          }
          script.commands.push(line);
          const verb = line.split(' ')[0]!.toUpperCase();
          if (verb === 'EHLO') {
            const extensions = options.extensions ?? ['PIPELINING'];
            if (extensions === 'refuse-ehlo') say('502 5.5.2 EHLO unknown');
            else
              say(
                ['mx.test', ...extensions]
                  .map((text, n, all) => `250${n === all.length - 1 ? ' ' : '-'}${text}`)
                  .join('\r\n'),
              );
          } else if (verb === 'STARTTLS') {
            connection.write(options.startTLSAnswer ?? '220 2.0.0 go ahead\r\n');
            lines = new LineDecoder({ delimiter: '\n', maxLength: 100_000 });
            connection
              .startTLS({ ...options.tls! })
              // the client may fail before the handshake is done, and leave: the script does not mind
              .addErrback(() => undefined);
            return;
          } else if (verb === 'RCPT') {
            say(options.rcpt?.(/<(.*)>/.exec(line)![1]!) ?? '250 2.1.5 OK');
          } else if (verb === 'DATA') {
            data = [];
            say('354 end with .');
          } else if (verb === 'QUIT') {
            say('221 2.0.0 bye');
            void connection.close();
          } else if (verb === 'AUTH') {
            say('235 2.7.0 authenticated');
          } else say('250 2.0.0 OK');
        }
      },
    });
  });
  return { script, server };
}
