/**
 * Fuzz properties of the SMTP codecs: the server's `SmtpInputDecoder` (command lines, DATA text
 * with dot-stuffing, BDAT chunks) against the client's `DataEncoder`, and the client's
 * `ReplyReader` against `formatReply`. What one side writes, the other reads back at any split;
 * any input at any split is read without an exception (the input decoder refuses with frames,
 * the reply reader with SMTPReplyError only), holding no more than a line's limit, the same as
 * in one chunk.
 *
 * @module
 */
import fc from 'fast-check';
import { DataEncoder } from '../../protocols/smtp/_client-data.js';
import { ReplyReader } from '../../protocols/smtp/_client-replies.js';
import {
  SmtpInputDecoder,
  type SmtpInputDecoderOptions,
  type SmtpInputFrame,
} from '../../protocols/smtp/input-decoder.js';
import { formatReply } from '../../protocols/smtp/reply.js';
import { SMTPReplyError } from '../../protocols/smtp/smtp-error.js';
import { feed } from '../support/chunkings.js';
import {
  check,
  cut,
  cutPoints,
  type FuzzProperty,
  fuzzProperty,
  hostile,
  onlyTyped,
  replyLimits,
  same,
  sameInOneChunk,
  unlessRefused,
} from './_fuzz.js';

/**
 * Feeds `chunks` to a decoder as the server does (a held DATA goes on to its text, a held
 * STARTTLS or other line back to commands), checking after each chunk that it holds no more than
 * an unfinished command line, and shows the frames as short strings, text and chunk data joined.
 */
function serve(chunks: readonly Uint8Array[], options: SmtpInputDecoderOptions = {}): string[] {
  const decoder = new SmtpInputDecoder(options);
  const shown: string[] = [];
  let verb = '';
  const take = (frames: readonly SmtpInputFrame[]): void => {
    for (const frame of frames) {
      if (frame.type === 'command') verb = frame.verb.toUpperCase();
      const text =
        frame.type === 'command'
          ? `command:${frame.verb}|${frame.argument}`
          : frame.type === 'text' || frame.type === 'chunk'
            ? `${frame.type}:${Buffer.from(frame.data).toString('latin1')}`
            : frame.type === 'refused' || frame.type === 'text-error'
              ? `${frame.type}:${frame.reason}`
              : frame.type;
      const last = shown.at(-1);
      const kind = text.slice(0, text.indexOf(':') + 1);
      if ((kind === 'text:' || kind === 'chunk:') && last?.startsWith(kind)) {
        shown[shown.length - 1] = last + text.slice(kind.length);
      } else shown.push(text);
    }
  };
  const most = Math.max((options.maxCommandLength ?? 512) - 1, 2);
  for (const chunk of chunks) {
    take(decoder.push(chunk));
    while (decoder.holding) take(verb === 'DATA' ? decoder.startText() : decoder.resume());
    check(decoder.buffered <= most, `holds ${decoder.buffered} bytes, over ${most}`);
    chunk.fill(0x7e);
  }
  take(decoder.end());
  return shown;
}

/** Message text: lines with every kind of line end, dots where they need stuffing, 8-bit bytes. */
const messageText = fc
  .array(
    fc.oneof(
      fc.constantFrom('\r\n', '\n', '\r', '.', '..', '\r\n.', '.\r\n', '\r\n.\r\n', 'é'),
      fc.string({ maxLength: 12 }),
    ),
    { maxLength: 16 },
  )
  .map((parts) => Buffer.from(parts.join(''), 'latin1'));

/** What a message's text is once on the wire and read back: every line end CR LF, the last line ended. */
function normalised(bytes: Uint8Array): string {
  const text = Buffer.from(bytes)
    .toString('latin1')
    .replace(/\r\n|\r|\n/g, '\r\n');
  return text === '' || text.endsWith('\r\n') ? text : `${text}\r\n`;
}

const dataRoundTrip = fuzzProperty(
  'smtp: a message DataEncoder writes in any pieces, the input decoder reads back as DATA text at any split',
  150,
  fc.record({ message: messageText, pieces: cutPoints, points: cutPoints }),
  ({ message, pieces, points }) => {
    const encoder = new DataEncoder();
    const encoded = cut(message, pieces).map((piece) => encoder.encode(piece));
    const wire = Buffer.concat([Buffer.from('DATA\r\n'), ...encoded, encoder.end(), Buffer.from('QUIT\r\n')]);
    const shown = serve(cut(wire, points), { maxTextLineLength: 1 << 20 });
    const text = normalised(message);
    same(
      shown,
      ['command:DATA|', ...(text === '' ? [] : [`text:${text}`]), 'text-end', 'command:QUIT|'],
      'the frames',
    );
  },
);

/** A command line: a verb, an argument of any text but line ends and NUL, and CR LF or a bare LF. */
const commandLine = fc.record({
  verb: fc
    .stringMatching(/^[A-Za-z]{1,10}$/)
    .filter((verb) => !['DATA', 'STARTTLS', 'BDAT'].includes(verb.toUpperCase())),
  argument: fc.option(
    fc.string({ unit: 'grapheme', maxLength: 30 }).map((text) => text.replace(/[\r\n\0]/g, '_')),
    {
      nil: undefined,
    },
  ),
  end: fc.constantFrom('\r\n', '\n'),
});

const commandRoundTrip = fuzzProperty(
  'smtp: command lines and BDAT chunks the input decoder reads back at any split',
  150,
  fc.tuple(
    fc.array(
      fc.oneof(commandLine, fc.record({ chunk: fc.uint8Array({ maxLength: 40 }), last: fc.boolean() })),
      {
        maxLength: 6,
      },
    ),
    cutPoints,
  ),
  ([entries, points]) => {
    const wire: Buffer[] = [];
    const wanted: string[] = [];
    for (const entry of entries) {
      if ('chunk' in entry) {
        const bdat = `BDAT ${entry.chunk.length}${entry.last ? ' LAST' : ''}`;
        wire.push(Buffer.from(`${bdat}\r\n`), Buffer.from(entry.chunk));
        wanted.push(`command:BDAT|${bdat.slice(5)}`);
        if (entry.chunk.length > 0) wanted.push(`chunk:${Buffer.from(entry.chunk).toString('latin1')}`);
        wanted.push('chunk-end');
        continue;
      }
      const line = entry.argument === undefined ? entry.verb : `${entry.verb} ${entry.argument}`;
      wire.push(Buffer.from(`${line}${entry.end}`));
      wanted.push(`command:${entry.verb}|${entry.argument ?? ''}`);
    }
    same(serve(cut(Buffer.concat(wire), points)), wanted, 'the frames');
  },
);

/** Conversations to mutate: commands, DATA with its text, BDAT with its chunk. */
const conversation = fc
  .array(
    fc.oneof(
      commandLine.map(({ verb, argument, end }) =>
        Buffer.from(`${verb}${argument === undefined ? '' : ` ${argument}`}${end}`),
      ),
      messageText.map((message) => {
        const encoder = new DataEncoder();
        return Buffer.concat([Buffer.from('DATA\r\n'), encoder.encode(message), encoder.end()]);
      }),
      fc
        .uint8Array({ maxLength: 30 })
        .map((chunk) => Buffer.concat([Buffer.from(`BDAT ${chunk.length}\r\n`), chunk])),
      fc.constant(Buffer.from('STARTTLS\r\n')),
    ),
    { maxLength: 5 },
  )
  .map((parts) => Buffer.concat(parts));

/**
 * `shown` less the text of a message before its text-error: how much text comes before the error
 * depends on where the chunks end (the message is refused anyway); the error does not.
 */
function sure(shown: readonly string[]): string[] {
  const kept: string[] = [];
  let refused = false;
  for (let at = shown.length - 1; at >= 0; at--) {
    const frame = shown[at]!;
    if (frame.startsWith('text-error:')) refused = true;
    else if (frame === 'text-end' || frame.startsWith('command:')) refused = false;
    else if (refused && frame.startsWith('text:')) continue;
    kept.unshift(frame);
  }
  return kept;
}

const inputHostile = fuzzProperty(
  'smtp: any input at any split is read without an exception, holding at most a command line, as in one chunk',
  300,
  fc.tuple(
    fc.record(
      {
        maxCommandLength: fc.integer({ min: 3, max: 40 }),
        maxTextLineLength: fc.integer({ min: 3, max: 40 }),
      },
      { requiredKeys: [] },
    ),
    hostile(conversation),
  ),
  ([options, input]) => {
    const shown = serve(input.chunks, options);
    same(
      sure(shown),
      sure(serve([Uint8Array.from(input.bytes)], options)),
      'the split read (vs in one chunk)',
    );
    check(shown.length <= input.bytes.length + 1, `${shown.length} frames from ${input.bytes.length} bytes`);
  },
);

/** A reply as a server writes it. */
const reply = fc.record({
  code: fc.integer({ min: 200, max: 599 }),
  enhanced: fc.option(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 999 })), {
    nil: undefined,
  }),
  text: fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 40 }),
    fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { maxLength: 4 }),
  ),
});

const replyRoundTrip = fuzzProperty(
  'smtp: replies formatReply writes, one-line and multi-line, ReplyReader reads back at any split',
  150,
  fc.tuple(fc.array(reply, { maxLength: 4 }), cutPoints),
  ([replies, points]) => {
    const asked = replies.map(({ code, enhanced, text }) => ({
      code,
      text,
      ...(enhanced === undefined ? {} : { enhanced: `${String(code)[0]}.${enhanced[0]}.${enhanced[1]}` }),
    }));
    // a 3xx reply has no enhanced code: formatReply refuses one
    const written = asked.filter((each) => unlessRefused(() => formatReply(each)) !== undefined);
    const wire = Buffer.from(written.map((each) => formatReply(each)).join(''));
    const fed = feed(new ReplyReader(), cut(wire, points));
    if (fed.error !== undefined) throw fed.error;
    same(
      fed.frames.map(({ code, lines }) => ({ code, lines })),
      written.map(({ code, text, enhanced }) => {
        const lines = typeof text === 'string' ? [text] : text.length === 0 ? [''] : text;
        const prefix = enhanced === undefined ? '' : `${enhanced} `;
        return { code, lines: lines.map((line) => `${prefix}${line.replace(/[\r\n]/g, ' ')}`) };
      }),
      'the replies read',
    );
    fed.frames.forEach((read, at) => {
      const enhanced = written[at]!.enhanced;
      if (enhanced !== undefined) check(read.enhancedCode === enhanced, `enhanced code ${read.enhancedCode}`);
      else
        check(
          read.enhancedCode === undefined || read.lines[0]!.startsWith(read.enhancedCode),
          'enhanced code',
        );
    });
  },
);

const replyHostile = fuzzProperty(
  'smtp: any reply input at any split gives replies within the limits, or SMTPReplyError, as in one chunk',
  200,
  fc.tuple(
    replyLimits,
    hostile(
      fc
        .array(reply, { maxLength: 4 })
        .map((replies) => Buffer.from(replies.map(({ code, text }) => formatReply({ code, text })).join(''))),
    ),
  ),
  ([limits, input]) => {
    const fed = feed(new ReplyReader(limits), input.chunks);
    onlyTyped(fed.error, SMTPReplyError);
    for (const { lines } of fed.frames) {
      // a line is at least its code, and a separator before any text
      const sizes = lines.map((line) => (line === '' ? 3 : Buffer.byteLength(line) + 4));
      for (const size of sizes)
        check(size <= limits.maxLineLength, `a line of ${size} octets, over the limit`);
      const size = sizes.reduce((sum, each) => sum + each + 1, 0); // and its LF
      check(lines.length === 1 || size <= limits.maxReplyLength, `a reply of ${size} bytes, over the limit`);
    }
    sameInOneChunk(fed, () => new ReplyReader(limits), input.bytes);
  },
);

/** Every property of the SMTP codecs. */
export const properties: readonly FuzzProperty[] = [
  dataRoundTrip,
  commandRoundTrip,
  inputHostile,
  replyRoundTrip,
  replyHostile,
];
