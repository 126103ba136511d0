/**
 * Test helpers for the framework adapters: an `httpServer` on a virtual clock with one
 * `StringTransport` connection to it, the responses its bytes hold, a wait for something the
 * app does a few turns later, and the log records of a test.
 *
 * @module
 */
import { setImmediate as turn } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import type { HttpHeaders } from '../../../protocols/http/headers.js';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import { type HttpHandler, httpServer } from '../../../protocols/http/server.js';
import { type LogRecord, logRecords$ } from '../../../source/index.js';
import { StringTransport, trackedClock } from '../../../source/testing/index.js';

export const peer = { type: 'tcp', host: '127.0.0.1', port: 5000, family: 'IPv4' } as const;

/** `handler` served on a fresh virtual clock, and one connection to it (from `peer`). */
export function serve(handler: HttpHandler, secure = false): StringTransport {
  const app = httpServer(handler, { clock: trackedClock() });
  const transport = new StringTransport({ allowHalfOpen: true, remoteAddress: peer, secure });
  app.serve(transport);
  return transport;
}

/** One response as the client read it. */
export interface Answer {
  readonly status: number;
  readonly reason: string;
  readonly headers: HttpHeaders;
  readonly body: string;
  /** Whether its body arrived whole. */
  readonly complete: boolean;
}

/** The responses in `bytes`, one per method of `methods` (default one GET), the last maybe partial. */
export function answers(bytes: Uint8Array, methods: readonly string[] = ['GET']): Answer[] {
  const parser = new ResponseParser();
  for (const method of methods) parser.expect(method);
  const result: { status: number; reason: string; headers: HttpHeaders; body: string; complete: boolean }[] =
    [];
  for (const event of parser.push(bytes)) {
    if (event.type === 'head') {
      const { status, reason, headers } = event.head;
      result.push({ status, reason, headers, body: '', complete: false });
    } else if (event.type === 'body') {
      result[result.length - 1]!.body += Buffer.from(event.data).toString();
    } else {
      result[result.length - 1]!.complete = true;
    }
  }
  return result;
}

/** The one response `transport` holds. */
export function only(transport: StringTransport, method = 'GET'): Answer {
  const all = answers(transport.value(), [method]);
  assert.is(all.length, 1, `expected one response in ${JSON.stringify(transport.text().slice(0, 500))}`);
  return all[0]!;
}

/**
 * Lets the event loop turn (no timers: `setImmediate` turns) until `done()` holds; fails after
 * 200 turns.
 */
export async function until(done: () => boolean, what = 'the condition'): Promise<void> {
  for (let turns = 0; turns < 200; turns++) {
    if (done()) return;
    await turn();
  }
  assert.unreachable(`${what} did not come within 200 turns`);
}

/** Lets the event loop turn `count` times (no timers: `setImmediate` turns). */
export async function turns(count: number): Promise<void> {
  for (let n = 0; n < count; n++) await turn();
}

/** Waits until `transport` holds one complete response, and returns it. */
export async function answered(transport: StringTransport, method = 'GET'): Promise<Answer> {
  await until(() => answers(transport.value(), [method])[0]?.complete === true, 'a complete response');
  return only(transport, method);
}

/** A request head with `Host: example.test` and the `extra` lines (CRLF-ended). */
export function head(method: string, target: string, extra = ''): string {
  return `${method} ${target} HTTP/1.1\r\nHost: example.test\r\n${extra}\r\n`;
}

/** Collects the log records published until `stop()`. */
export function collectLog(): { records: LogRecord[]; stop(): void } {
  const records: LogRecord[] = [];
  const subscription = logRecords$.subscribe((record) => records.push(record));
  return { records, stop: () => subscription.unsubscribe() };
}
