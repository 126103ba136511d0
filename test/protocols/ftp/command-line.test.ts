import { lastValueFrom, of, toArray } from 'rxjs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decode as decodeAsync } from '../../../operators/async/decode.js';
import { decode } from '../../../operators/decode.js';
import { CommandError } from '../../../protocols/ftp/command-error.js';
import {
  CommandDecoder,
  type CommandDecoderOptions,
  type CommandFrame,
} from '../../../protocols/ftp/command-line.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { chunkings, feed } from '../../support/chunkings.js';

const test = checkClean(suite('protocols/ftp/command-line'));
const isRangeError = (error: unknown): boolean => error instanceof RangeError;

/** A frame as a short string: `VERB argument` for a command, `!reason reply` for a refusal. */
function show(frame: CommandFrame): string {
  if (frame.type === 'command') return frame.argument === '' ? frame.verb : `${frame.verb} ${frame.argument}`;
  assert.instance(frame.error, CommandError);
  return `!${frame.error.reason} ${frame.error.reply}`;
}

/** Decodes `input` at every split and checks the frames are `expected` each time. */
function decodes(input: string | Uint8Array, expected: string[], options?: CommandDecoderOptions): void {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  for (const { label, chunks } of chunkings(bytes)) {
    const { frames, error } = feed(new CommandDecoder(options), chunks);
    assert.is(error, undefined, label);
    assert.equal(frames.map(show), expected, label);
  }
}

const utf8 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

test('reads verbs upper-cased and arguments as sent, at every split', () => {
  decodes('USER anonymous\r\npass a b \r\nstor my file.txt\r\nNOOP\r\nCWD  two spaces\r\n', [
    'USER anonymous',
    'PASS a b ',
    'STOR my file.txt',
    'NOOP',
    'CWD  two spaces',
  ]);
});

test('takes an empty argument after a lone space', () => {
  const [frame] = new CommandDecoder().push(Buffer.from('LIST \r\n'));
  assert.equal(frame, { type: 'command', verb: 'LIST', argument: '' });
});

test('ends lines at CR LF, bare LF and bare CR alike, at every split', () => {
  decodes('NOOP\nPWD\rSYST\r\nQUIT\n', ['NOOP', 'PWD', 'SYST', 'QUIT']);
});

test('decodes UTF-8 arguments whole however they are split (RFC 2640)', () => {
  decodes(utf8('STOR été/日本語 😀.txt\r\nDELE ü\r\n'), ['STOR été/日本語 😀.txt', 'DELE ü']);
});

test('refuses an argument that is not valid UTF-8 with 501, naming the verb, and reads on', () => {
  decodes('RETR a\x80\r\nMKD \xc3\r\nNOOP\r\n', ['!encoding 501', '!encoding 501', 'NOOP']);
  const [frame] = new CommandDecoder().push(Buffer.from('retr \xc3(\r\n', 'latin1'));
  assert.is(frame?.type === 'refused' && frame.error.verb, 'RETR');
});

test('refuses verbs that are not 3 or 4 ASCII letters, and empty lines, with 500', () => {
  decodes('AB\r\nABCDE x\r\nA1B\r\n\r\n\xe9TE\r\n STOR a\r\nXMKD d\r\n', [
    '!syntax 500',
    '!syntax 500',
    '!syntax 500',
    '!syntax 500',
    '!syntax 500',
    '!syntax 500',
    'XMKD d',
  ]);
});

test('regression: a command line over the limit is refused with 500 and the next line is read', () => {
  const long = `STOR ${'x'.repeat(40)}`;
  decodes(
    `NOOP\r\n${long}\r\nPWD\r\n${long}\nSYST\r\n`,
    ['NOOP', '!too-long 500', 'PWD', '!too-long 500', 'SYST'],
    {
      maxLineLength: 16,
    },
  );
});

test('accepts a line of exactly the limit, refuses one octet more', () => {
  decodes(
    'STOR 0123456789a\r\nSTOR 0123456789ab\r\nNOOP\r\n',
    ['STOR 0123456789a', '!too-long 500', 'NOOP'],
    {
      maxLineLength: 16,
    },
  );
});

test('regression: refuses an endless line as soon as it passes the limit, holding no more of it', () => {
  const decoder = new CommandDecoder({ maxLineLength: 16 });
  const frames: CommandFrame[] = [];
  decoder.push(Buffer.from('STOR 0123456789'), frames);
  assert.equal(frames, []);
  decoder.push(Buffer.from('abcdef'), frames);
  assert.equal(frames.map(show), ['!too-long 500']);
  for (let n = 0; n < 100; n++) decoder.push(Buffer.alloc(1000, 0x61), frames);
  assert.equal(frames.map(show), ['!too-long 500']);
  decoder.push(Buffer.from('aaa\r\nNOOP\r\n'), frames);
  assert.equal(frames.map(show), ['!too-long 500', 'NOOP']);
});

test('strips IAC IP IAC DM before ABOR (RFC 959 §4.1.3), at every split', () => {
  decodes('RETR big\r\n\xff\xf4\xff\xf2ABOR\r\nNOOP\r\n', ['RETR big', 'ABOR', 'NOOP']);
});

test('recognises ABOR after IAC IP IAC whose urgent DM the kernel took out', () => {
  decodes('\xff\xf4\xffABOR\r\n', ['ABOR']);
});

test("regression: reads Python ftplib's urgent ABOR, whose LF the kernel took out, at once", () => {
  const decoder = new CommandDecoder();
  assert.equal(decoder.push(Buffer.from('ABOR\r')).map(show), ['ABOR']);
  assert.equal(decoder.push(Buffer.from('NOOP\r\n')).map(show), ['NOOP']);
});

test('strips Telnet option negotiations and subnegotiations; IAC IAC is the byte 0xFF', () => {
  decodes('\xff\xfb\x01NO\xff\xfd\x03OP\r\nPWD\xff\xfa\x18\x01\xff\xff\r\n\xff\xf0\r\nUSER \xff\xff\r\n', [
    'NOOP',
    'PWD',
    '!encoding 501',
  ]);
});

test('drops an unterminated last line at the end of the input', () => {
  decodes('NOOP\r\nQUI', ['NOOP']);
});

test('refuses a bad limit', () => {
  assert.throws(() => new CommandDecoder({ maxLineLength: -1 }), isRangeError);
});

test('regression: a long line does not end the stream decode() drives', async () => {
  const chunks = [Buffer.from(`NOOP\r\nSTOR ${'x'.repeat(5000)}\r\n`), Buffer.from('QUIT\r\n')];
  const frames = await lastValueFrom(
    of(...chunks).pipe(
      decode(() => new CommandDecoder()),
      toArray(),
    ),
  );
  assert.equal(frames.map(show), ['NOOP', '!too-long 500', 'QUIT']);
});

test('a long line does not end the async iterable decode() drives either', async () => {
  async function* chunks(): AsyncGenerator<Uint8Array> {
    yield Buffer.from(`STOR ${'x'.repeat(5000)}`);
    yield Buffer.from('\r\nQUIT\r\n');
  }
  const frames: string[] = [];
  for await (const frame of decodeAsync(() => new CommandDecoder())(chunks())) frames.push(show(frame));
  assert.equal(frames, ['!too-long 500', 'QUIT']);
});

test('regression: `AAA\\r` IAC IP `\\n` read a second, empty line (500) after AAA: a Telnet command split its CR LF', () => {
  decodes('AAA\r\xff\xf4\nNOOP\r\xff\xfa\x18\x01\xff\xf0\nQUIT\r\xff\xff\n', [
    'AAA',
    'NOOP',
    'QUIT',
    '!syntax 500',
  ]);
});

test.run();
