/**
 * `dig`: runs Debian's `dig` (dnsutils) against a DNS server on 127.0.0.1 and parses what it
 * printed — the client side of the DNS interop tests.
 *
 * @module
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One resource record line of dig's output: `www.example.test. 300 IN A 127.0.0.10`. */
export interface DigRecord {
  /** As dig prints it, absolute with the final dot. */
  readonly name: string;
  readonly ttl: number;
  readonly class: string;
  readonly type: string;
  /** The rest of the line, as dig prints it (`"a" "b"` for TXT, `10 mail.example.test.` for MX). */
  readonly data: string;
}

/** What dig printed about one answer. */
export interface DigResult {
  /** The response code: `NOERROR`, `NXDOMAIN`, `REFUSED`, `FORMERR` … */
  readonly status: string;
  /** The header flags, lower case: `qr`, `aa`, `tc`, `rd`, `ra` … */
  readonly flags: readonly string[];
  readonly answer: readonly DigRecord[];
  readonly authority: readonly DigRecord[];
  readonly additional: readonly DigRecord[];
  /** The EDNS UDP payload size the server advertised, if its answer had an OPT record. */
  readonly ednsUdpSize: number | undefined;
  /** How the answer came: `UDP` or `TCP`. */
  readonly transport: string;
  /** All dig printed. */
  readonly text: string;
}

const recordLine = /^(\S+)\s+(\d+)\s+(\S+)\s+(\S+)\s*(.*)$/;

/** The records of dig's `;; NAME SECTION:` block in `text`. */
function section(text: string, name: string): DigRecord[] {
  const block = text.split(`;; ${name} SECTION:\n`)[1]?.split('\n\n')[0];
  if (block === undefined) return [];
  return block.split('\n').map((line) => {
    const match = recordLine.exec(line);
    if (match === null) throw new Error(`dig printed an unexpected ${name} line: ${line}`);
    const [, owner, ttl, klass, type, data] = match;
    return { name: owner!, ttl: Number(ttl), class: klass!, type: type!, data: data! };
  });
}

/**
 * Parses dig's default output (with comments: `+noall +answer` leaves too little to parse).
 *
 * @example
 * ```ts
 * parseDig(text).answer[0]?.data; // '127.0.0.10'
 * ```
 */
export function parseDig(text: string): DigResult {
  const status = /->>HEADER<<- opcode: \S+, status: (\S+),/.exec(text)?.[1];
  const flags = /^;; flags:([^;]*);/m.exec(text)?.[1];
  if (status === undefined || flags === undefined) throw new Error(`dig printed no answer:\n${text}`);
  const udp = /^; EDNS: version: \d+, flags:[^;]*; udp: (\d+)/m.exec(text)?.[1];
  return {
    status,
    flags: flags.trim().split(/\s+/).filter(Boolean),
    answer: section(text, 'ANSWER'),
    authority: section(text, 'AUTHORITY'),
    additional: section(text, 'ADDITIONAL'),
    ednsUdpSize: udp === undefined ? undefined : Number(udp),
    transport: /^;; SERVER: .*\((\w+)\)$/m.exec(text)?.[1] ?? '',
    text,
  };
}

/**
 * Runs `dig @127.0.0.1 -p PORT +tries=1 +time=3 …args` (within 10 seconds) and parses its
 * output; rejects with what dig printed if it got no answer. Later flags in `args` win
 * (`+tries=3`).
 *
 * @example
 * ```ts
 * const reply = await dig(port, ['www.example.test', 'A', '+tcp']);
 * assert.is(reply.status, 'NOERROR');
 * ```
 */
export async function dig(port: number, args: readonly string[]): Promise<DigResult> {
  const command = ['@127.0.0.1', '-p', String(port), '+tries=1', '+time=3', ...args];
  let output: string;
  try {
    output = (await run('dig', command, { timeout: 10_000 })).stdout;
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`dig ${command.join(' ')} failed: ${(error as Error).message}\n${stdout}${stderr}`);
  }
  return parseDig(output);
}
