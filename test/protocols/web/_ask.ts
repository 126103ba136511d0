/**
 * Test helper for the Web layer: `ask` serves one request with a handler through `httpServer` on a
 * `StringTransport` and a virtual clock, and gives back the response as the wire had it.
 *
 * @module
 */
import { setImmediate as settle } from 'node:timers/promises';
import type { HttpHeaders } from '../../../protocols/http/headers.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import { type HttpHandler, httpServer } from '../../../protocols/http/server.js';
import { StringTransport, trackedClock } from '../../../source/testing/index.js';

/** A response as it came off the wire. */
export interface Answer {
  readonly status: number;
  readonly headers: HttpHeaders;
  readonly body: string;
  /** The response as sent, head and body. */
  readonly wire: string;
}

/**
 * Sends `GET target` (or `method target`, with `extra` header lines ending in CRLF) to `handler`
 * and waits, turn by turn of the event loop (never a timer; 5 s at most, for a handler that reads
 * the disk), for the whole response.
 *
 * @example
 * ```ts
 * const { status, headers } = await ask(handler, '/users/7', 'DELETE');
 * ```
 */
export async function ask(handler: HttpHandler, target: string, method = 'GET', extra = ''): Promise<Answer> {
  const app = httpServer(handler, { clock: trackedClock() });
  const transport = new StringTransport({ allowHalfOpen: true });
  app.serve(transport);
  transport.receive(`${method} ${target} HTTP/1.1\r\nHost: example.test\r\n${extra}\r\n`);
  try {
    for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
      const answer = parse(transport.value(), method);
      if (answer !== undefined) return answer;
      await settle();
    }
    throw new Error(`no whole response to ${method} ${target}: ${JSON.stringify(transport.text())}`);
  } finally {
    transport.loseConnection();
  }
}

/**
 * `ask`s each of `targets` in turn, with `method`.
 *
 * @example
 * ```ts
 * const statuses = (await askEach(handler, ['/a', '/b'])).map((answer) => answer.status);
 * ```
 */
export async function askEach(
  handler: HttpHandler,
  targets: readonly string[],
  method = 'GET',
): Promise<Answer[]> {
  const answers: Answer[] = [];
  for (const target of targets) answers.push(await ask(handler, target, method));
  return answers;
}

function parse(bytes: Uint8Array, method: string): Answer | undefined {
  const parser = new ResponseParser();
  parser.expect(method);
  let head: { status: number; headers: HttpHeaders } | undefined;
  let body = '';
  for (const event of parser.push(bytes)) {
    if (event.type === 'head') head = event.head;
    else if (event.type === 'body') body += Buffer.from(event.data).toString();
    else if (head !== undefined) {
      return {
        status: head.status,
        headers: head.headers,
        body,
        wire: Buffer.from(bytes).toString('latin1'),
      };
    }
  }
  return undefined;
}
