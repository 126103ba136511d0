import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DataEncoder } from '../../../protocols/smtp/_client-data.js';
import { SMTPClientError } from '../../../protocols/smtp/smtp-error.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';
import { chunkings } from '../../support/chunkings.js';

const test = checkClean(suite('protocols/smtp/_client-data'));

/** `input` encoded at every split: each time the same wire bytes, which are returned. */
function encodes(input: string | Uint8Array, expected: string): void {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  for (const { label, chunks } of chunkings(bytes)) {
    const encoder = new DataEncoder();
    const out = [...chunks.map((chunk) => encoder.encode(chunk)), encoder.end()];
    assert.is(Buffer.concat(out).toString('latin1'), expected, label);
  }
}

test('a message with CR LF line ends passes as it is, then CR LF . CR LF', () => {
  encodes('Subject: hi\r\n\r\nhello\r\n', 'Subject: hi\r\n\r\nhello\r\n.\r\n');
});

test('a line starting with a dot gets a second one, at every split', () => {
  encodes('.\r\n..two\r\nmid.dle\r\n.', '..\r\n...two\r\nmid.dle\r\n..\r\n.\r\n');
});

test('bare LFs and bare CRs become CR LF, and a dot after either is stuffed', () => {
  encodes('a\n.b\rc\r\n.\n', 'a\r\n..b\r\nc\r\n..\r\n.\r\n');
  encodes('x\r\r\ny', 'x\r\n\r\ny\r\n.\r\n');
});

test('the smuggling shapes <LF>.<LF>, <CR>.<CR> and <LF>.<CR><LF> reach the server as stuffed lines, never as an end', () => {
  const wire = (input: string) => {
    const encoder = new DataEncoder();
    return Buffer.concat([encoder.encode(Buffer.from(input)), encoder.end()]).toString('latin1');
  };
  for (const shape of ['a\n.\nMAIL FROM:<x@evil.test>\n', 'a\r.\rRCPT', 'a\n.\r\nDATA']) {
    const sent = wire(shape);
    assert.is(sent.indexOf('\r\n.\r\n'), sent.length - 5, JSON.stringify(shape));
    assert.not.match(sent.replace(/\r\n/g, ''), /[\r\n]/, 'no bare CR or LF');
  }
});

test('a message without a final line end gets one before the terminator; an empty message is just the terminator', () => {
  encodes('no line end', 'no line end\r\n.\r\n');
  encodes('', '.\r\n');
});

test('8-bit data passes and is noticed; with sevenBit it throws SMTPClientError', () => {
  const bytes = Buffer.from('caf\u00e9\n', 'utf8');
  encodes(bytes, 'caf\u00c3\u00a9\r\n.\r\n');
  const noticing = new DataEncoder();
  noticing.encode(bytes);
  assert.ok(noticing.eightBit);
  const strict = new DataEncoder(true);
  strict.encode(Buffer.from('plain\n'));
  try {
    strict.encode(bytes);
    assert.unreachable('8-bit data refused');
  } catch (error) {
    assert.instance(error, SMTPClientError);
    assert.is((error as SMTPClientError).reason, '8bitmime');
  }
});

test.run();
