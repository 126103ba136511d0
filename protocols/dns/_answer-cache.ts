/**
 * `AnswerCache`: a server's encoded answers from its zones, by the query's bytes less its id.
 * Zones do not change under a running server, so the same query (same flags, same question
 * spelled the same, same EDNS) always gets the same answer, and the next one is a copy with the
 * id written in: no parsing, no lookup, no encoding (what NSD and Knot do with precompiled
 * answers). Forwarded answers are never kept here; the forwarder's own cache honours TTLs.
 *
 * @module
 */
import { asBuffer } from '../../source/_as-buffer.js';

/** Queries longer than this are not kept (a plain query is well under 100 bytes). */
const maxQueryLength = 512;

/** The answers last served, by query. */
export class AnswerCache {
  readonly #answers = new Map<string, Buffer>();

  /** At most `maxEntries` answers are kept; the oldest goes first. */
  constructor(private readonly _maxEntries: number) {}

  /** A fresh copy of the answer to a query with `query`'s bytes, with its id; undefined if none is kept. */
  get(query: Uint8Array): Uint8Array | undefined {
    const key = keyOf(query);
    const kept = key === undefined ? undefined : this.#answers.get(key);
    if (kept === undefined) return undefined;
    const answer = Buffer.allocUnsafe(kept.length);
    kept.copy(answer);
    answer[0] = query[0] as number;
    answer[1] = query[1] as number;
    return answer;
  }

  /** Keeps `answer` as the answer to queries with `query`'s bytes. */
  put(query: Uint8Array, answer: Uint8Array): void {
    const key = keyOf(query);
    if (key === undefined || this._maxEntries === 0) return;
    if (this.#answers.size >= this._maxEntries)
      this.#answers.delete(this.#answers.keys().next().value as string);
    this.#answers.set(key, Buffer.from(answer));
  }
}

/** Everything after the id, as a string to key a map by. */
function keyOf(query: Uint8Array): string | undefined {
  if (query.length < 12 || query.length > maxQueryLength) return undefined;
  return asBuffer(query).toString('latin1', 2);
}
