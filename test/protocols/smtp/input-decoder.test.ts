import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  SmtpInputDecoder,
  type SmtpInputDecoderOptions,
  type SmtpInputFrame,
} from '../../../protocols/smtp/input-decoder.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { chunkings } from '../../support/chunkings.js';
import { smugglingCases, smugglingText } from './_smuggling-corpus.js';

const test = checkClean(suite('protocols/smtp/input-decoder'));

/**
 * Feeds `chunks` as a server would: after a held DATA the text is read (or, with `refuseData`,
 * commands again), after a held STARTTLS the rest is dropped. Each chunk is overwritten after
 * its frames are read, so a frame that is a stale view shows. Frames are shown as short strings,
 * adjacent text and chunk frames joined.
 */
function run(chunks: readonly Uint8Array[], options?: SmtpInputDecoderOptions, refuseData = false): string[] {
  const decoder = new SmtpInputDecoder(options);
  const shown: string[] = [];
  const take = (frames: readonly SmtpInputFrame[]): void => {
    for (const frame of frames) {
      const text =
        frame.type === 'command'
          ? `${frame.verb}${frame.argument === '' ? '' : ` ${frame.argument}`}`
          : frame.type === 'text' || frame.type === 'chunk'
            ? `${frame.type}:${Buffer.from(frame.data).toString('latin1')}`
            : frame.type === 'refused' || frame.type === 'text-error'
              ? `${frame.type}:${frame.reason}`
              : frame.type;
      const last = shown[shown.length - 1];
      const kind = text.slice(0, text.indexOf(':') + 1);
      if ((kind === 'text:' || kind === 'chunk:') && last?.startsWith(kind)) {
        shown[shown.length - 1] = last + text.slice(kind.length);
      } else shown.push(text);
    }
  };
  for (const chunk of chunks) {
    take(decoder.push(chunk));
    while (decoder.holding) {
      const last = shown[shown.length - 1];
      if (last === 'STARTTLS') {
        decoder.discardHeld();
        shown.push('(discarded)');
        return shown; // TLS begins: later bytes are the handshake's, not this decoder's
      } else if (last === 'DATA' && !refuseData) take(decoder.startText());
      else take(decoder.resume());
    }
    chunk.fill(0x7e);
  }
  take(decoder.end());
  return shown;
}

function decodes(input: string, expected: string[], options?: SmtpInputDecoderOptions, refuse = false): void {
  for (const { label, chunks } of chunkings(Buffer.from(input, 'latin1'))) {
    assert.equal(run(chunks, options, refuse), expected, label);
  }
}

test('reads a pipelined conversation with DATA and dot-unstuffing, at every split', () => {
  decodes(
    'ehlo a.example\r\nMAIL FROM:<a@b.example> SIZE=10\r\nRCPT TO:<c@d.example>\r\nDATA\r\n' +
      'Subject: hi\r\n\r\n..leading dot\r\n...\r\nend\r\n.\r\nQUIT\r\n',
    [
      'ehlo a.example',
      'MAIL FROM:<a@b.example> SIZE=10',
      'RCPT TO:<c@d.example>',
      'DATA',
      'text:Subject: hi\r\n\r\n.leading dot\r\n..\r\nend\r\n',
      'text-end',
      'QUIT',
    ],
  );
});

test('a message that is only the end line is empty; one that ends at once after 354 too', () => {
  decodes('DATA\r\n.\r\nNOOP\r\n', ['DATA', 'text-end', 'NOOP']);
  decodes('DATA\r\n\r\n.\r\n', ['DATA', 'text:\r\n', 'text-end']);
});

test('reads BDAT chunks as octets, a line end or a dot in them being plain data', () => {
  decodes('BDAT 7\r\n.\r\nA\r\n\nBDAT 0 LAST\r\nbdat 3 last\r\nxyzNOOP\r\n', [
    'BDAT 7',
    'chunk:.\r\nA\r\n\n',
    'chunk-end',
    'BDAT 0 LAST',
    'chunk-end',
    'bdat 3 last',
    'chunk:xyz',
    'chunk-end',
    'NOOP',
  ]);
});

test('a BDAT line whose size cannot be read is a command alone (the server answers 501)', () => {
  decodes('BDAT x\r\nBDAT -1\r\nNOOP\r\n', ['BDAT x', 'BDAT -1', 'NOOP']);
});

test('DATA refused: the held lines are commands again', () => {
  decodes('DATA\r\nRSET\r\n', ['DATA', 'RSET'], undefined, true);
});

test('STARTTLS: what follows it in the clear is dropped (CVE-2011-0411)', () => {
  decodes('STARTTLS\r\nMAIL FROM:<evil@x>\r\n', ['STARTTLS', '(discarded)']);
});

test('command lines: LF alone ends one; the verb is as sent (a SASL response is a whole line)', () => {
  decodes('noop\nhelo\r\nX-1 y\r\n\r\nYWJj\r\n', ['noop', 'helo', 'X-1 y', '', 'YWJj']);
});

test('a command line with a bare CR or a NUL, or that is not UTF-8, is refused and reading goes on', () => {
  decodes('NOOP a\rb\r\nNOOP \0\r\nVRFY \xff\r\nNOOP\r\n', [
    'refused:syntax',
    'refused:syntax',
    'refused:encoding',
    'NOOP',
  ]);
  decodes('VRFY \xc3\xa9\r\n', ['VRFY é']);
});

test('a command line over 512 octets (CR LF included) is refused as soon as proven, its rest dropped', () => {
  const fits = `NOOP ${'a'.repeat(505)}`; // 510 octets + CR LF = 512
  const long = `NOOP ${'a'.repeat(506)}`;
  decodes(`${fits}\r\n${long}\r\nQUIT\r\n`, [fits, 'refused:too-long', 'QUIT']);
  decodes(`${'x'.repeat(700)}\r\nQUIT\r\n`, ['refused:too-long', 'QUIT']);
  const decoder = new SmtpInputDecoder();
  decoder.push(Buffer.from('y'.repeat(5000)));
  assert.ok(decoder.buffered <= 512, 'nothing of a long line is kept');
});

test('a text line over 1000 octets refuses the message, which still ends at its end line', () => {
  const fits = 'a'.repeat(998);
  decodes(`DATA\r\n${fits}\r\n.${fits.slice(1)}\r\n.\r\nNOOP\r\n`, [
    'DATA',
    `text:${fits}\r\n${fits.slice(1)}\r\n`,
    'text-end',
    'NOOP',
  ]);
  // what text comes before the error depends on where the chunks end: only the error is sure
  for (const { label, chunks } of chunkings(Buffer.from(`DATA\r\nok\r\n${fits}a\r\nmore\r\n.\r\nNOOP\r\n`))) {
    const frames = run(chunks).filter((frame) => !frame.startsWith('text:'));
    assert.equal(frames, ['DATA', 'text-error:line-too-long', 'text-end', 'NOOP'], label);
  }
  for (const { label, chunks } of chunkings(Buffer.from('DATA\r\nabcdef\r\n.\r\n'))) {
    const frames = run(chunks, { maxTextLineLength: 6 }).filter((frame) => !frame.startsWith('text:'));
    assert.equal(
      frames,
      ['DATA', 'text-error:line-too-long', 'text-end'],
      `6 octets and CRLF, over 6: ${label}`,
    );
  }
});

for (const { name, separator, refused } of smugglingCases) {
  test(`smuggling: ${name} ends no message; no smuggled command is read`, () => {
    for (const { label, chunks } of chunkings(Buffer.from(`DATA\r\n${smugglingText(separator)}NOOP\r\n`))) {
      const frames = run(chunks);
      assert.equal(frames[0], 'DATA', label);
      assert.equal(frames.slice(-2), ['text-end', 'NOOP'], label);
      assert.is(frames.includes('text-error:bare-newline'), refused, label);
      assert.not.ok(
        frames.some((frame) => frame.startsWith('MAIL')),
        label,
      );
      assert.is(frames.length, refused ? 5 : 4, label);
    }
  });
}

test('limits are checked', () => {
  assert.throws(() => new SmtpInputDecoder({ maxCommandLength: 0 }), RangeError);
  assert.throws(() => new SmtpInputDecoder({ maxTextLineLength: 1.5 }), RangeError);
  assert.throws(() => new SmtpInputDecoder().startText(), TypeError);
});

test('regression: DATA text "    \\n" over a 3-octet line limit was refused for a bare LF in one chunk, for length byte by byte', () => {
  for (const { label, chunks } of chunkings(Buffer.from('DATA\r\n    \n\r\n.\r\n'))) {
    const frames = run(chunks, { maxTextLineLength: 3 }).filter((frame) => !frame.startsWith('text:'));
    assert.equal(frames, ['DATA', 'text-error:line-too-long', 'text-end'], label);
  }
});

test.run();
