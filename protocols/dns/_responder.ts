/**
 * `Responder`: what a DNS server says to one query, whatever carried it (UDP, TCP, TLS or
 * HTTPS). Authoritative answers come from the zones at once; names outside them go to the
 * forwarder, when there is one, and come back as a Deferred.
 *
 * @module
 */
import { type Deferred, succeed } from '../../source/deferred.js';
import type { Failure } from '../../source/failure.js';
import { Logger } from '../../source/log.js';
import type { Authority, AuthorityAnswer } from './authority.js';
import { decodeMessage } from './decode-message.js';
import { FormatError } from './dns-error.js';
import type { Forwarder } from './forwarder.js';
import { type Edns, emptyMessage, type Message, type Question } from './message.js';
import { Opcode, Rcode } from './record-types.js';
import type { DnsServerStats } from './server-stats.js';

const log = new Logger('spindle.dns');

/**
 * The EDNS a server puts in its answers to EDNS queries: its payload size, and the DO bit copied
 * from the query (RFC 3225 section 3).
 */
export const serverEdns = (payloadSize: number, query: Edns): Edns => ({
  payloadSize,
  version: 0,
  dnssecOk: query.dnssecOk,
  options: [],
});

/** What became of one incoming message. */
export type Response =
  | { readonly kind: 'reply'; readonly message: Message }
  | { readonly kind: 'pending'; readonly message: Deferred<Message>; readonly query: Message }
  | { readonly kind: 'drop'; readonly reason: 'unreadable' | 'response' };

/** The answer to one query, sans I/O. */
export class Responder {
  readonly stats: DnsServerStats = {
    queries: 0,
    answered: 0,
    formatErrors: 0,
    dropped: 0,
    rateLimited: 0,
    refused: 0,
    forwarded: 0,
  };

  constructor(
    private readonly _authority: Authority,
    private readonly _forwarder: Forwarder | undefined,
    private readonly _payloadSize: number,
  ) {}

  /** Reads `bytes` as a query; the parsed query (for the rate limiter) and what to do. */
  receive(bytes: Uint8Array): { readonly query: Message | undefined; readonly response: Response } {
    this.stats.queries++;
    let query: Message;
    try {
      query = decodeMessage(bytes);
    } catch (error) {
      if (!(error instanceof FormatError)) throw error;
      if (error.id === undefined) {
        this.stats.dropped++;
        return { query: undefined, response: { kind: 'drop', reason: 'unreadable' } };
      }
      this.stats.formatErrors++;
      log.debug(`FORMERR: ${error.message}`);
      return {
        query: undefined,
        response: reply({ ...emptyMessage, id: error.id, qr: true, rcode: Rcode.FORMERR }),
      };
    }
    return { query, response: this.answer(query) };
  }

  /** What to say to a parsed query. */
  answer(query: Message): Response {
    if (query.qr) {
      this.stats.dropped++;
      return { kind: 'drop', reason: 'response' };
    }
    const base = this._replyBase(query);
    if (query.opcode !== Opcode.QUERY) {
      this.stats.refused++;
      return reply({ ...base, rcode: Rcode.NOTIMP });
    }
    const question = query.questions[0];
    if (question === undefined || query.questions.length > 1) {
      this.stats.formatErrors++;
      return reply({ ...base, rcode: Rcode.FORMERR });
    }
    if (query.edns !== undefined && query.edns.version > 0) return reply({ ...base, rcode: Rcode.BADVERS });
    if (question.type === 'AXFR' || question.type === 'IXFR') {
      this.stats.refused++;
      return reply({ ...base, rcode: Rcode.REFUSED });
    }
    const found = this._authority.answer(question);
    if (found.kind !== 'not-authoritative') return reply(authoritative(base, found));
    if (this._forwarder === undefined || !query.rd) {
      this.stats.refused++;
      return reply({ ...base, rcode: Rcode.REFUSED });
    }
    this.stats.forwarded++;
    return { kind: 'pending', query, message: forward(this._forwarder, base, question) };
  }

  /** Counts one response sent. */
  sent(): void {
    this.stats.answered++;
  }

  /** The header and question every response to `query` starts from. */
  private _replyBase(query: Message): Message {
    return {
      ...emptyMessage,
      id: query.id,
      qr: true,
      opcode: query.opcode,
      rd: query.rd,
      ra: this._forwarder !== undefined,
      cd: query.cd,
      questions: query.questions,
      ...(query.edns !== undefined && { edns: serverEdns(this._payloadSize, query.edns) }),
    };
  }
}

function reply(message: Message): Response {
  return { kind: 'reply', message };
}

/** The response for an answer from the zones: AA set except on referrals. */
function authoritative(
  base: Message,
  found: Exclude<AuthorityAnswer, { kind: 'not-authoritative' }>,
): Message {
  switch (found.kind) {
    case 'answer':
      return {
        ...base,
        aa: true,
        answers: found.answers,
        authorities: found.authorities,
        additionals: found.additionals,
      };
    case 'nodata':
      return { ...base, aa: true, answers: found.answers, authorities: found.authorities };
    case 'nxdomain':
      return {
        ...base,
        aa: true,
        rcode: Rcode.NXDOMAIN,
        answers: found.answers,
        authorities: found.authorities,
      };
    case 'referral':
      return { ...base, authorities: found.authorities, additionals: found.additionals };
  }
}

/**
 * The upstream's answer to `question`, as a response to the query `base` answers; SERVFAIL when
 * there is none, or when the forwarder (user code, maybe) throws rather than errbacks.
 */
function forward(forwarder: Forwarder, base: Message, question: Question): Deferred<Message> {
  let asked: Deferred<Message>;
  try {
    asked = forwarder.exchange(question);
  } catch (error) {
    log.error(`the forwarder threw on ${question.name} ${question.type}`, { error });
    return succeed({ ...base, rcode: Rcode.SERVFAIL });
  }
  return asked.addCallbacks(
    (response): Message => ({
      ...base,
      rcode: response.rcode,
      answers: response.answers,
      authorities: response.authorities,
      additionals: response.additionals,
    }),
    (failure: Failure): Message => {
      log.debug(`forwarding ${question.name} ${question.type} failed: ${failure.value.message}`);
      return { ...base, rcode: Rcode.SERVFAIL };
    },
  );
}
