import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AnswerCache } from '../../../protocols/dns/_answer-cache.js';
import { encodeMessage } from '../../../protocols/dns/encode-message.js';
import { emptyMessage, type Message } from '../../../protocols/dns/message.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/dns/answer-cache'));

const query = (id: number, name: string): Uint8Array =>
  encodeMessage({ ...emptyMessage, id, rd: true, questions: [{ name, type: 'A', class: 'IN' }] });
const answerTo = (id: number, name: string): Uint8Array => {
  const answer: Message = {
    ...emptyMessage,
    id,
    qr: true,
    aa: true,
    questions: [{ name, type: 'A', class: 'IN' }],
    answers: [{ name, class: 'IN', ttl: 60, type: 'A', address: '192.0.2.1' }],
  };
  return encodeMessage(answer);
};

test('a query with the same bytes but another id gets a copy of the answer with its own id', () => {
  const cache = new AnswerCache(10);
  cache.put(query(1, 'www.example.test'), answerTo(1, 'www.example.test'));
  const copy = cache.get(query(0xbeef, 'www.example.test'));
  assert.equal(copy && [...copy], [...answerTo(0xbeef, 'www.example.test')]);
  assert.is.not(cache.get(query(2, 'www.example.test')), copy, 'each get is a fresh copy');
});

test('the question spelled another way, other flags, or other bytes miss', () => {
  const cache = new AnswerCache(10);
  cache.put(query(1, 'www.example.test'), answerTo(1, 'www.example.test'));
  assert.is(cache.get(query(1, 'WWW.example.test')), undefined, 'the question is echoed byte for byte');
  const noRecursion = Buffer.from(query(1, 'www.example.test'));
  noRecursion[2] = 0;
  assert.is(cache.get(noRecursion), undefined);
  assert.is(cache.get(Uint8Array.of(0, 1, 2)), undefined, 'shorter than a header');
});

test('the answer kept is a copy: changing the bytes put does not change it', () => {
  const cache = new AnswerCache(10);
  const answer = answerTo(1, 'a.test');
  cache.put(query(1, 'a.test'), answer);
  answer.fill(0);
  assert.equal([...(cache.get(query(1, 'a.test')) ?? [])], [...answerTo(1, 'a.test')]);
});

test('past maxEntries the oldest answer goes; 0 keeps none', () => {
  const cache = new AnswerCache(2);
  for (const name of ['a.test', 'b.test', 'c.test']) cache.put(query(1, name), answerTo(1, name));
  assert.is(cache.get(query(1, 'a.test')), undefined);
  assert.ok(cache.get(query(1, 'b.test')));
  assert.ok(cache.get(query(1, 'c.test')));
  const none = new AnswerCache(0);
  none.put(query(1, 'a.test'), answerTo(1, 'a.test'));
  assert.is(none.get(query(1, 'a.test')), undefined);
});

test.run();
