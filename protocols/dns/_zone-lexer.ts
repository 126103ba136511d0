/**
 * The lexer of RFC 1035 master files (section 5.1): the text as entries, one per record or
 * directive, each a list of tokens. Parentheses join lines, `;` starts a comment (inside
 * parentheses too), a quoted string keeps its spaces, a backslash escapes the next character
 * (kept in the token for the reader of its field), and an entry whose line starts with a blank
 * has no owner of its own.
 *
 * @module
 */
import { ZoneFileError } from './zone-error.js';

/** A token with the line it starts on. */
export interface ZoneToken {
  /** The text, escapes kept; a quoted string's without its quotes. */
  readonly text: string;
  readonly quoted: boolean;
  readonly line: number;
}

/** One record or directive. */
export interface ZoneEntry {
  /** The line its first token is on. */
  readonly line: number;
  /** Whether its line starts with a blank: the owner is the previous record's. */
  readonly blankOwner: boolean;
  readonly tokens: readonly ZoneToken[];
}

/** The characters that end an unquoted token. */
const delimiters = new Set([' ', '\t', '\r', '\n', '(', ')', ';', '"']);

/**
 * The entries of `text`, in order.
 *
 * @throws ZoneFileError for a quoted string not closed on its line, a `)` without `(`, nested
 * parentheses, or a `(` never closed.
 * @example
 * ```ts
 * [...zoneEntries('@ IN SOA ns hm ( 1 2 3 4 5 ) ; apex\n', 'db')][0].tokens.length; // 8
 * ```
 */
export function* zoneEntries(text: string, file: string): Generator<ZoneEntry> {
  let line = 1;
  let openParen: number | undefined;
  let blankStart = text.startsWith(' ') || text.startsWith('\t');
  let entry: { line: number; blankOwner: boolean; tokens: ZoneToken[] } | undefined;
  const push = (token: ZoneToken) => {
    entry ??= { line: token.line, blankOwner: blankStart, tokens: [] };
    entry.tokens.push(token);
  };
  for (let i = 0; i < text.length; i++) {
    const char = text[i] as string;
    if (char === '\n') {
      line++;
      if (openParen === undefined) {
        if (entry !== undefined) yield entry;
        entry = undefined;
        blankStart = text[i + 1] === ' ' || text[i + 1] === '\t';
      }
    } else if (char === ';') {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (char === '(') {
      if (openParen !== undefined) throw new ZoneFileError(file, line, 'nested parentheses');
      openParen = line;
    } else if (char === ')') {
      if (openParen === undefined) throw new ZoneFileError(file, line, "')' without '('");
      openParen = undefined;
    } else if (char === '"') {
      const end = quotedEnd(text, i + 1);
      if (end === undefined) throw new ZoneFileError(file, line, 'quoted string not closed on its line');
      push({ text: text.slice(i + 1, end), quoted: true, line });
      i = end;
    } else if (char !== ' ' && char !== '\t' && char !== '\r') {
      const start = i;
      while (i < text.length && (i === start || !delimiters.has(text[i] as string))) {
        if (text[i] === '\\' && i + 1 < text.length && text[i + 1] !== '\n') i++;
        i++;
      }
      push({ text: text.slice(start, i), quoted: false, line });
      i--;
    }
  }
  if (openParen !== undefined) throw new ZoneFileError(file, openParen, "'(' never closed");
  if (entry !== undefined) yield entry;
}

/** The index of the quote closing a string whose text starts at `from`, if it closes on its line. */
function quotedEnd(text: string, from: number): number | undefined {
  for (let i = from; i < text.length; i++) {
    const char = text[i];
    if (char === '\\' && text[i + 1] !== '\n') i++;
    else if (char === '"') return i;
    else if (char === '\n') return undefined;
  }
  return undefined;
}
