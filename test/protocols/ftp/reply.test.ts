import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type FtpReply,
  formatReply,
  ReplyDecoder,
  type ReplyDecoderOptions,
} from '../../../protocols/ftp/reply.js';
import { ReplyError } from '../../../protocols/ftp/reply-error.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { chunkings, feed } from '../../support/chunkings.js';

const test = checkClean(suite('protocols/ftp/reply'));
const isRangeError = (error: unknown): boolean => error instanceof RangeError;

/** Decodes `input` at every split and checks the replies are `expected` each time. */
function decodes(input: string | Uint8Array, expected: FtpReply[], options?: ReplyDecoderOptions): void {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
  for (const { label, chunks } of chunkings(bytes)) {
    const { frames, error } = feed(new ReplyDecoder(options), chunks);
    assert.is(error, undefined, `${label}: ${String(error)}`);
    assert.equal(frames, expected, label);
  }
}

/** Decodes `input` at every split and checks it fails with `reason` after the replies `before`. */
function refuses(input: string, reason: string, before: number[], options?: ReplyDecoderOptions): void {
  for (const { label, chunks } of chunkings(Buffer.from(input, 'utf8'))) {
    const { frames, error } = feed(new ReplyDecoder(options), chunks);
    assert.instance(error, ReplyError, label);
    assert.is((error as ReplyError).reason, reason, label);
    assert.equal(
      frames.map((reply) => reply.code),
      before,
      label,
    );
  }
}

const reply = (code: number, lines: string[]): FtpReply => ({ code, lines, text: lines.join('\n') });

test('formats a one-line reply', () => {
  assert.is(formatReply(200, 'Command okay.').toString(), '200 Command okay.\r\n');
  assert.is(formatReply(226, ['Done']).toString(), '226 Done\r\n');
  assert.is(formatReply(200, []).toString(), '200 \r\n');
});

test('formats a multi-line reply, each middle line after one space (RFC 959 §4.2, RFC 2389)', () => {
  assert.is(
    formatReply(211, ['Features:', 'UTF8', '123 not an end', 'End']).toString(),
    '211-Features:\r\n UTF8\r\n 123 not an end\r\n211 End\r\n',
  );
  assert.is(formatReply(221, ['Bye', 'Bye']).toString(), '221-Bye\r\n221 Bye\r\n');
});

test('writes text as UTF-8 (RFC 2640)', () => {
  assert.equal([...formatReply(257, '"/é"')], [...Buffer.from('257 "/é"\r\n', 'utf8')]);
});

test('regression: a file name holding CR LF cannot inject a reply', () => {
  const name = 'x\r\n226 Transfer complete\r\n';
  const bytes = formatReply(550, `${name}: No such file`);
  assert.is(bytes.toString('latin1'), '550 x\r\x00\x00226 Transfer complete\r\x00\x00: No such file\r\n');
  assert.equal(new ReplyDecoder().push(bytes), [
    reply(550, ['x\r\x00226 Transfer complete\r\x00: No such file']),
  ]);
  const multi = formatReply(213, ['Status', `a\n213 ${name}`, 'End']);
  assert.equal(
    new ReplyDecoder().push(multi).map((r) => [r.code, r.lines.length]),
    [[213, 3]],
  );
});

test('refuses a code outside 100-599', () => {
  for (const code of [99, 600, 200.5, Number.NaN]) assert.throws(() => formatReply(code, 'x'), isRangeError);
});

test('reads one-line and multi-line replies, at every split', () => {
  decodes('220 Service ready\r\n211-Features:\r\n UTF8\r\n211-EPSV\r\n 211 still\r\n211 End\r\n150\r\n', [
    reply(220, ['Service ready']),
    reply(211, ['Features:', ' UTF8', '211-EPSV', ' 211 still', 'End']),
    reply(150, ['']),
  ]);
});

test('reads what formatReply writes, UTF-8 included, at every split', () => {
  const bytes = Buffer.concat([formatReply(257, '"/日本" created'), formatReply(211, ['a', 'b', 'c'])]);
  decodes(bytes, [reply(257, ['"/日本" created']), reply(211, ['a', ' b', 'c'])]);
});

test('accepts bare LF line ends and reads CR NUL back as CR', () => {
  decodes('200 a\r\0b\n230-x\n230 y\n', [reply(200, ['a\rb']), reply(230, ['x', 'y'])]);
});

test('refuses a line that starts no reply, after the replies before it', () => {
  refuses('200 OK\r\nhello\r\n', 'syntax', [200]);
  refuses('600 no\r\n', 'syntax', []);
  refuses('20 no\r\n', 'syntax', []);
  refuses('200x\r\n', 'syntax', []);
});

test('regression: refuses an over-long reply line as soon as its bytes prove it', () => {
  refuses(`200 OK\r\n200 ${'x'.repeat(20)}`, 'too-long', [200], { maxLineLength: 16 });
  decodes(`200 ${'x'.repeat(12)}\r\n`, [reply(200, ['x'.repeat(12)])], { maxLineLength: 16 });
  refuses(`200 ${'x'.repeat(13)}\n`, 'too-long', [], { maxLineLength: 16 });
});

test('regression: refuses a multi-line reply over its limit', () => {
  refuses(`211-a\r\n${' line\r\n'.repeat(10)}211 End\r\n`, 'too-long', [], { maxReplyLength: 40 });
});

test('refuses input that ends inside a multi-line reply', () => {
  refuses('211-Features:\r\n UTF8\r\n', 'truncated', []);
});

test.run();
