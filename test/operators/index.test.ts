import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import * as ix from '../../operators/async/index.js';
import * as rx from '../../operators/index.js';

const test = suite('operators/index');

const operators = [
  'decode',
  'decodeUtf8',
  'delimited',
  'encodeDelimited',
  'encodeLengthPrefixed',
  'encodeLines',
  'encodeNetstrings',
  'encodeUtf8',
  'lengthPrefixed',
  'lines',
  'netstrings',
];

test('exports every rxjs operator and codec class by name', () => {
  const codecs = [
    'DelimitedDecoder',
    'DelimitedEncoder',
    'LengthPrefixedDecoder',
    'LengthPrefixedEncoder',
    'LineDecoder',
    'LineEncoder',
    'NetstringDecoder',
    'NetstringEncoder',
    'Utf8Decoder',
  ];
  assert.equal(Object.keys(rx).sort(), [...codecs, ...operators, 'idleTimeout'].sort());
});

test('exports the Decoder type from both entries, which the decoder classes satisfy', () => {
  const decoders: (rx.Decoder<string> & ix.Decoder<string>)[] = [new rx.LineDecoder(), new rx.Utf8Decoder()];
  const chunk = Buffer.from('a\r\nb');
  assert.equal(
    decoders.map((decoder) => decoder.push(chunk)),
    [['a'], ['a\r\nb']],
  );
});

test('exports the ix flavour under the same names, with timeout, delay, fromObservable and pipe', () => {
  assert.equal(Object.keys(ix).sort(), [...operators, 'delay', 'fromObservable', 'pipe', 'timeout'].sort());
});

test.run();
