/**
 * A small scripted FTP server for the client's tests, on any `Connection` (a memory pair, so
 * that AUTH TLS can run real TLS): it greets, answers each command line with a fixed reply and
 * records what it was sent. The control connection only: no data connections, no checks.
 *
 * @module
 */
import { LineDecoder } from '../../../operators/lines.js';
import type { Connection } from '../../../source/connection.js';
import { protocol } from '../../../source/protocol.js';

/** How the scripted server answers. */
export interface ScriptOptions {
  /** Key and certificate for AUTH TLS. */
  readonly tls: { readonly key: Buffer; readonly cert: Buffer };
  /**
   * What the server writes, in one write, to AUTH TLS before it turns to TLS: more than its 234
   * plays an attacker's injection in the clear. Default `234 AUTH TLS OK\r\n`.
   */
  readonly authTLSAnswer?: string;
}

/** The reply to each verb but AUTH; any other verb gets `200 OK`. */
const replies: Readonly<Record<string, string>> = {
  USER: '331 password?',
  PASS: '230 logged in',
  PWD: '257 "/" is the working directory',
  QUIT: '221 bye',
};

/**
 * A protocol for `listen` (on a `MemoryReactor`) that plays an FTP server by `options`; `script`
 * holds every command line received, in order.
 *
 * @example
 * ```ts
 * const { script, server } = scriptedServer({ tls: { key, cert } });
 * listen('tcp:21', server, { reactor });
 * ```
 */
export function scriptedServer(options: ScriptOptions) {
  const script = { commands: [] as string[] };
  const server = protocol((connection: Connection) => {
    const decoder = () => new LineDecoder({ delimiter: '\n', maxLength: 4096 });
    let lines = decoder();
    connection.write('220 ready\r\n');
    connection.data$.subscribe({
      error: () => undefined,
      next: (chunk) => {
        for (const raw of lines.push(chunk)) {
          const line = raw.replace(/\r$/, '');
          script.commands.push(line);
          const verb = line.split(' ')[0]!.toUpperCase();
          if (verb === 'AUTH') {
            connection.write(options.authTLSAnswer ?? '234 AUTH TLS OK\r\n');
            lines = decoder();
            connection
              .startTLS({ ...options.tls })
              // the client may fail before the handshake is done, and leave: the script does not mind
              .addErrback(() => undefined);
            return;
          }
          connection.write(`${replies[verb] ?? '200 OK'}\r\n`);
          if (verb === 'QUIT') void connection.close();
        }
      },
    });
  });
  return { script, server };
}
