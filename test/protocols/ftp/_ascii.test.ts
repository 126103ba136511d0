import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AsciiDecoder, AsciiEncoder } from '../../../protocols/ftp/_ascii.js';
import { chunkings } from '../../support/chunkings.js';

const test = suite('protocols/ftp/_ascii');

const text = (bytes: readonly Uint8Array[]) => Buffer.concat(bytes).toString('latin1');

test('the encoder gives every bare LF a CR, at every split, and leaves CR LF alone', () => {
  const input = Buffer.from('a\nb\r\nc\r\r\n\n\rd\n');
  for (const { label, chunks } of chunkings(input)) {
    const encoder = new AsciiEncoder();
    assert.is(text(chunks.map((chunk) => encoder.push(chunk))), 'a\r\nb\r\nc\r\r\n\r\n\rd\r\n', label);
  }
});

test('the encoder hands back a chunk with no bare LF as it is', () => {
  const chunk = Buffer.from('abc\r\n');
  assert.is(new AsciiEncoder().push(chunk), chunk);
});

test('the decoder turns CR LF into LF at every split, keeping other CRs', () => {
  const input = Buffer.from('a\r\nb\rc\r\r\n\n\r');
  for (const { label, chunks } of chunkings(input)) {
    const decoder = new AsciiDecoder();
    const out = chunks.map((chunk) => decoder.push(chunk));
    out.push(decoder.end());
    assert.is(text(out), 'a\nb\rc\r\n\n\r', label);
  }
});

test.run();
