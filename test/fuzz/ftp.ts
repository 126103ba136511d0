/**
 * Fuzz properties of the FTP codecs: `CommandDecoder` (command lines with Telnet commands among
 * them), `formatReply` / `ReplyDecoder`, the PORT, EPRT, PASV and EPSV arguments, and directory
 * listings (`ls -l` lines, MLSx facts, MDTM times). What one side writes, the other reads back at
 * any split; any input at any split is read without an exception but the codec's own (a command
 * line's CommandError travels in a frame, a reply's ReplyError is thrown), within the limits,
 * as in one chunk.
 *
 * @module
 */
import fc from 'fast-check';
import { CommandError } from '../../protocols/ftp/command-error.js';
import { CommandDecoder, type CommandFrame } from '../../protocols/ftp/command-line.js';
import {
  formatEprt,
  formatEpsv,
  formatPasv,
  formatPort,
  parseEprt,
  parseEpsvReply,
  parsePasvReply,
  parsePort,
} from '../../protocols/ftp/host-port.js';
import {
  type FtpEntryKind,
  type FtpListEntry,
  formatListLine,
  formatMdtm,
  formatMlsxFacts,
  parseListLine,
  parseMdtm,
  parseMlsxLine,
} from '../../protocols/ftp/listing.js';
import { formatReply, ReplyDecoder } from '../../protocols/ftp/reply.js';
import { ReplyError } from '../../protocols/ftp/reply-error.js';
import { feed } from '../support/chunkings.js';
import {
  check,
  cut,
  cutPoints,
  type FuzzProperty,
  fuzzProperty,
  hostile,
  mutated,
  onlyTyped,
  replyLimits,
  same,
  sameInOneChunk,
} from './_fuzz.js';

/** A frame made comparable: a command's verb and argument, or a refusal's reason. */
const shown = (frame: CommandFrame): string =>
  frame.type === 'command' ? `${frame.verb}|${frame.argument}` : `!${frame.error.reason}`;

/** Telnet commands a client may send between (never inside) command lines: IP, DM, WILL, DO, SB … SE. */
const telnet = fc.constantFrom(
  [0xff, 0xf4],
  [0xff, 0xf2],
  [0xff, 0xfb, 0x01],
  [0xff, 0xfd, 0x03],
  [0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0],
);

/** A command line as a client sends it, with a Telnet command before it or inside its CR LF. */
interface CommandModel {
  readonly verb: string;
  readonly argument: string | undefined;
  readonly end: string;
  readonly before: number[] | undefined;
  /** Whether the Telnet command comes inside the line end (between CR and LF), not before the line. */
  readonly inside: boolean;
}

const command: fc.Arbitrary<CommandModel> = fc.record({
  verb: fc.stringMatching(/^[A-Za-z]{3,4}$/),
  argument: fc.option(
    fc.string({ unit: 'grapheme', maxLength: 30 }).map((text) => text.replace(/[\r\n]/g, '_')),
    {
      nil: undefined,
    },
  ),
  end: fc.constantFrom('\r\n', '\n', '\r'),
  before: fc.option(telnet, { nil: undefined, freq: 4 }),
  inside: fc.boolean(),
});

/** A command line on the wire, padded with `padding` before its line end. */
function commandWire({ verb, argument, end, before, inside }: CommandModel, padding = ''): Buffer {
  const line = `${verb}${argument === undefined ? '' : ` ${argument}`}${padding}`;
  const noise = Buffer.from(before ?? []);
  if (inside && end === '\r\n') return Buffer.concat([Buffer.from(`${line}\r`), noise, Buffer.from('\n')]);
  return Buffer.concat([noise, Buffer.from(`${line}${end}`)]);
}

const commandRoundTrip = fuzzProperty(
  'ftp: command lines, with Telnet commands between them, CommandDecoder reads back at any split',
  100,
  fc.tuple(fc.array(command, { maxLength: 6 }), cutPoints),
  ([commands, points]) => {
    const wire = Buffer.concat(commands.map((entry) => commandWire(entry)));
    const fed = feed(new CommandDecoder(), cut(wire, points));
    if (fed.error !== undefined) throw fed.error;
    same(
      fed.frames.map(shown),
      commands.map(({ verb, argument }) => `${verb.toUpperCase()}|${argument ?? ''}`),
      'the commands read',
    );
  },
);

const commandBytes = fc
  .array(fc.tuple(command, fc.constantFrom('', 'x'.repeat(40))), { maxLength: 5 })
  .map((commands) => Buffer.concat(commands.map(([entry, padding]) => commandWire(entry, padding))));

const commandHostile = fuzzProperty(
  'ftp: any input at any split gives command lines within maxLineLength or their refusals, as in one chunk',
  150,
  fc.tuple(fc.integer({ min: 0, max: 50 }), hostile(commandBytes)),
  ([maxLineLength, input]) => {
    const fed = feed(new CommandDecoder({ maxLineLength }), input.chunks);
    if (fed.error !== undefined) throw fed.error;
    for (const frame of fed.frames) {
      if (frame.type === 'refused')
        check(frame.error instanceof CommandError, 'a refusal without a CommandError');
      else {
        const size = frame.verb.length + Buffer.byteLength(frame.argument) + 1;
        check(size <= maxLineLength + 1, `a line of ${size} octets, over ${maxLineLength}`);
      }
    }
    check(
      fed.frames.length <= input.bytes.length,
      `${fed.frames.length} frames from ${input.bytes.length} bytes`,
    );
    const whole = feed(new CommandDecoder({ maxLineLength }), [Uint8Array.from(input.bytes)]);
    same(fed.frames.map(shown), whole.frames.map(shown), 'the split read (vs in one chunk)');
  },
);

/** Reply text: any characters, line ends included (sent as Telnet's CR NUL and NUL). */
const replyText = fc.string({
  unit: fc.oneof(
    fc.constantFrom('\r', '\n', '\0', ' '),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 20,
});

const reply = fc.record({
  code: fc.integer({ min: 100, max: 599 }),
  text: fc.oneof(replyText, fc.array(replyText, { maxLength: 4 })),
});

const replyRoundTrip = fuzzProperty(
  'ftp: replies formatReply writes, one-line and multi-line, ReplyDecoder reads back at any split',
  150,
  fc.tuple(fc.array(reply, { maxLength: 4 }), cutPoints),
  ([replies, points]) => {
    const wire = Buffer.concat(replies.map(({ code, text }) => formatReply(code, text)));
    const fed = feed(new ReplyDecoder(), cut(wire, points));
    if (fed.error !== undefined) throw fed.error;
    // a line end in the text goes out as Telnet's NUL (LF) or CR NUL (CR): the LF comes back a NUL
    const read = (text: string) => text.replace(/\n/g, '\0');
    same(
      fed.frames.map(({ code, lines }) => ({ code, lines })),
      replies.map(({ code, text }) => {
        const lines = typeof text === 'string' ? [text] : text.length === 0 ? [''] : text;
        return {
          code,
          lines: lines.map((line, at) => (at > 0 && at < lines.length - 1 ? ` ${read(line)}` : read(line))),
        };
      }),
      'the replies read',
    );
  },
);

const replyHostile = fuzzProperty(
  'ftp: any reply input at any split gives replies within the limits, or ReplyError, as in one chunk',
  200,
  fc.tuple(
    replyLimits,
    hostile(
      fc
        .array(reply, { maxLength: 4 })
        .map((replies) => Buffer.concat(replies.map(({ code, text }) => formatReply(code, text)))),
    ),
  ),
  ([limits, input]) => {
    const fed = feed(new ReplyDecoder(limits), input.chunks);
    onlyTyped(fed.error, ReplyError);
    for (const { lines } of fed.frames) {
      for (const line of lines)
        check(Buffer.byteLength(line) <= limits.maxLineLength, 'a line over the limit');
      const size = lines.reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
      check(lines.length === 1 || size <= limits.maxReplyLength, `a reply of ${size} octets, over the limit`);
    }
    sameInOneChunk(fed, () => new ReplyDecoder(limits), input.bytes);
  },
);

const port = fc.integer({ min: 1, max: 65535 });
const ipv4 = fc.ipV4();

const hostPortRoundTrip = fuzzProperty(
  'ftp: PORT, EPRT, PASV and EPSV arguments read back as written',
  200,
  fc.record({ ipv4, ipv6: fc.ipV6(), port, mapped: fc.boolean() }),
  ({ ipv4: v4, ipv6: v6, port: number, mapped }) => {
    const address = mapped ? `::ffff:${v4}` : v4;
    same(parsePort(formatPort(address, number)), { family: 4, address: v4, port: number }, 'PORT');
    same(parsePasvReply(formatPasv(address, number)), { family: 4, address: v4, port: number }, 'PASV');
    same(parseEprt(formatEprt(address, number)), { family: 4, address: v4, port: number }, 'EPRT (IPv4)');
    same(parseEprt(formatEprt(v6, number)), { family: 6, address: v6, port: number }, 'EPRT (IPv6)');
    same(parseEpsvReply(formatEpsv(number)), number, 'EPSV');
  },
);

const hostPortHostile = fuzzProperty(
  'ftp: any PORT, EPRT, PASV or EPSV text is read, or refused with CommandError or ReplyError',
  200,
  fc.oneof(
    fc.string({ unit: fc.constantFrom(...'0123456789,|.:() abf-2'), maxLength: 40 }),
    fc.string({ maxLength: 40 }),
    mutated(fc.tuple(ipv4, port).map(([v4, number]) => Buffer.from(formatPort(v4, number)))).map((bytes) =>
      Buffer.from(bytes).toString('latin1'),
    ),
  ),
  (text) => {
    for (const parse of [parsePort, parseEprt, parsePasvReply, parseEpsvReply]) {
      try {
        const read = parse(text);
        if (typeof read === 'number') check(read >= 1 && read <= 65535, `port ${read}`);
        else check(read.port >= 1 && read.port <= 65535, `port ${read.port}`);
      } catch (error) {
        onlyTyped(error, CommandError, ReplyError);
      }
    }
  },
);

/** Names as a server lists them: any characters, line ends included, never empty. */
const entryName = fc.string({
  unit: fc.oneof(
    fc.constantFrom(' ', '\r', '\n', '-', '>'),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
  ),
  minLength: 1,
  maxLength: 16,
});
const word = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,9}$/);
const listEntry = fc.record(
  {
    name: entryName,
    kind: fc.constantFrom<FtpEntryKind>('file', 'directory', 'symlink'),
    size: fc.oneof(fc.nat(), fc.maxSafeNat()),
    modified: fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)) }),
    mode: fc.integer({ min: 0, max: 0o7777 }),
    owner: word,
    group: word,
    target: entryName,
  },
  { requiredKeys: ['name', 'kind', 'size', 'modified'] },
);

/** What the listing keeps of `entry`: its name and target with LF as NUL, its time as listed. */
function listedTime(modified: Date, now: Date): Date {
  const age = now.getTime() - modified.getTime();
  const day = new Date(Date.UTC(modified.getUTCFullYear(), modified.getUTCMonth(), modified.getUTCDate()));
  if (age < 0 || age > 182 * 24 * 60 * 60 * 1000) return day;
  return new Date(day.getTime() + (modified.getUTCHours() * 60 + modified.getUTCMinutes()) * 60 * 1000);
}

const listRoundTrip = fuzzProperty(
  'ftp: ls -l lines formatListLine writes, parseListLine reads back',
  200,
  fc.tuple(listEntry, fc.date({ min: new Date(Date.UTC(1971, 0, 1)), max: new Date(Date.UTC(9998, 0, 1)) })),
  ([entry, now]) => {
    // `name -> target` cannot say where a symlink's name ends if ` -> ` starts inside the name
    if (entry.kind === 'symlink' && `${entry.name} -> `.indexOf(' -> ') < entry.name.length) return;
    const read = parseListLine(formatListLine(entry, now), now);
    const modes = { file: 0o644, directory: 0o755, symlink: 0o777 };
    const listed = (text: string) => text.replace(/\n/g, '\0');
    const expected: FtpListEntry = {
      name: listed(entry.name),
      kind: entry.kind,
      size: entry.size,
      modified: listedTime(entry.modified, now),
      mode: entry.mode ?? modes[entry.kind],
      owner: entry.owner ?? 'ftp',
      group: entry.group ?? 'ftp',
      ...(entry.kind === 'symlink' && entry.target !== undefined ? { target: listed(entry.target) } : {}),
    };
    same(read, expected, 'the entry read');
  },
);

const mlsxRoundTrip = fuzzProperty(
  'ftp: MLSx lines formatMlsxFacts writes, parseMlsxLine reads back; MDTM times too',
  200,
  fc.tuple(listEntry, fc.boolean()),
  ([entry, writable]) => {
    const line = formatMlsxFacts(entry, { writable });
    const read = parseMlsxLine(line);
    check(read !== undefined, `${JSON.stringify(line)} was not read`);
    const seconds = new Date(Math.floor(entry.modified.getTime() / 1000) * 1000);
    same(parseMdtm(formatMdtm(entry.modified)), seconds, 'the MDTM time');
    const modes = { file: 0o644, directory: 0o755, symlink: 0o777 };
    const { facts: _facts, ...fields } = read;
    const target = entry.kind === 'symlink' && entry.target !== undefined && /^[^;\s]+$/.test(entry.target);
    same(
      fields,
      {
        name: entry.name.replace(/\n/g, '\0'),
        kind: entry.kind,
        size: entry.size,
        modified: seconds,
        mode: entry.mode ?? modes[entry.kind],
        ...(target ? { target: entry.target } : {}),
      },
      'the entry read',
    );
  },
);

const listingHostile = fuzzProperty(
  'ftp: any listing line or MDTM text is read or passed over, never thrown at',
  200,
  fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.tuple(listEntry, fc.date()).map(([entry, now]) => formatListLine(entry, now)),
    listEntry.map((entry) => formatMlsxFacts(entry)),
  ),
  (line) => {
    for (const at of [0, Math.floor(line.length / 2)]) {
      const text = line.slice(at);
      parseListLine(text);
      parseMlsxLine(text);
      const time = parseMdtm(text);
      check(time === undefined || !Number.isNaN(time.getTime()), 'an MDTM time that is no time');
    }
  },
);

/** Every property of the FTP codecs. */
export const properties: readonly FuzzProperty[] = [
  commandRoundTrip,
  commandHostile,
  replyRoundTrip,
  replyHostile,
  hostPortRoundTrip,
  hostPortHostile,
  listRoundTrip,
  mlsxRoundTrip,
  listingHostile,
];
