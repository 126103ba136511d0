import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type ReplyLimits, ReplyReader, smtpReply } from '../../../protocols/smtp/_client-replies.js';
import { type ServerReply, SMTPReplyError } from '../../../protocols/smtp/smtp-error.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { chunkings, feed } from '../../support/chunkings.js';

const test = checkClean(suite('protocols/smtp/_client-replies'));

/** Reads `input` at every split and checks the replies are `expected` each time. */
function reads(input: string, expected: ServerReply[], limits?: ReplyLimits): void {
  for (const { label, chunks } of chunkings(Buffer.from(input, 'utf8'))) {
    const { frames, error } = feed(new ReplyReader(limits), chunks);
    assert.is(error, undefined, `${label}: ${String(error)}`);
    assert.equal(frames, expected, label);
  }
}

/** Reads `input` at every split and checks it fails with SMTPReplyError after `before` replies. */
function refuses(input: string, message: RegExp, before: number[], limits?: ReplyLimits): void {
  for (const { label, chunks } of chunkings(Buffer.from(input, 'utf8'))) {
    const { frames, error } = feed(new ReplyReader(limits), chunks);
    assert.instance(error, SMTPReplyError, label);
    assert.match((error as Error).message, message, label);
    assert.equal(
      frames.map((reply) => reply.code),
      before,
      label,
    );
  }
}

test('reads one-line replies, with CR LF or a bare LF, split at every byte', () => {
  reads('220 mx.test ESMTP ready\r\n250 OK\n354 go on\r\n', [
    smtpReply(220, ['mx.test ESMTP ready']),
    smtpReply(250, ['OK']),
    smtpReply(354, ['go on']),
  ]);
});

test('reads a multi-line EHLO reply whole, split at every byte', () => {
  reads('250-mx.test greets you\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n', [
    smtpReply(250, ['mx.test greets you', 'PIPELINING', 'SIZE 10240000', '8BITMIME', 'SMTPUTF8']),
  ]);
});

test('a bare code is a reply with empty text; UTF-8 text is read as UTF-8', () => {
  reads('250\r\n550 5.1.1 Ünknown user\r\n', [smtpReply(250, ['']), smtpReply(550, ['5.1.1 Ünknown user'])]);
});

test('reads the enhanced status code off the first line, only when its class matches the code', () => {
  assert.is(smtpReply(550, ['5.1.1 No such user']).enhancedCode, '5.1.1');
  assert.is(smtpReply(250, ['2.0.0 Ok: queued']).enhancedCode, '2.0.0');
  assert.is(smtpReply(451, ['4.7.1 Try later', 'more']).enhancedCode, '4.7.1');
  assert.is(smtpReply(250, ['5.1.1 mismatched class']).enhancedCode, undefined);
  assert.is(smtpReply(250, ['2.0.0x not a code']).enhancedCode, undefined);
  assert.is(smtpReply(220, ['mx.test ESMTP']).enhancedCode, undefined);
  assert.equal(smtpReply(250, ['a', 'b']).text, 'a\nb');
});

test('a line that is not a reply line fails after the replies before it', () => {
  refuses('250 OK\r\nhello\r\n', /not a reply/, [250]);
  refuses('250 OK\r\n150 one-hundreds are FTP\r\n', /not a reply/, [250]);
  refuses('2500 OK\r\n', /not a reply/, []);
});

test('a multi-line reply that goes on with another code fails', () => {
  refuses('220 hi\r\n250-one\r\n251 two\r\n', /went on with a 251 line/, [220]);
});

test('a line or a reply over its limit fails, as soon as the bytes prove it', () => {
  refuses(`250 ${'x'.repeat(20)}\r\n`, /longer than 16 octets/, [], { maxLineLength: 16 });
  refuses(`250 ${'x'.repeat(40)}`, /longer than 16 octets/, [], { maxLineLength: 16 });
  refuses('250-aaaa\r\n250-bbbb\r\n250-cccc\r\n250 dd\r\n', /reply longer than 30 octets/, [], {
    maxReplyLength: 30,
  });
});

test('the end of input drops a reply cut short', () => {
  const reader = new ReplyReader();
  assert.equal(reader.push(Buffer.from('250-one\r\n')), []);
  assert.equal(reader.end(), []);
  assert.equal(reader.push(Buffer.from('221 bye\r\n')), [smtpReply(221, ['bye'])]);
});

test.run();
