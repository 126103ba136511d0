/**
 * The arguments of MAIL and RCPT (RFC 5321 section 4.1.2, RFC 6531 for UTF-8): a path in angle
 * brackets and ESMTP parameters. Private to protocols/smtp.
 *
 * @module
 */

/** A MAIL or RCPT argument read: the address (`''` for MAIL's null sender) and the parameters, keys upper-cased. */
export interface MailArgument {
  readonly address: string;
  readonly parameters: ReadonlyMap<string, string | undefined>;
}

/** Why an argument cannot be read: no `FROM:<…>` / `TO:<…>` at all, a bad address, or bad parameters. */
export type MailArgumentError = 'syntax' | 'address' | 'parameters';

const atom = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\uffff]+";
const quoted = '"(?:[\\x20\\x21\\x23-\\x5b\\x5d-\\x7e\\u0080-\\uffff]|\\\\[\\x20-\\x7e])*"';
const label = '[A-Za-z0-9\\u0080-\\uffff](?:[A-Za-z0-9\\-\\u0080-\\uffff]*[A-Za-z0-9\\u0080-\\uffff])?';
const literal = '\\[(?:\\d{1,3}(?:\\.\\d{1,3}){3}|IPv6:[0-9A-Fa-f:.]+)\\]';
const mailbox = new RegExp(`^(${atom}(?:\\.${atom})*|${quoted})@(${label}(?:\\.${label})*|${literal})$`);
/** A source route (`@a.example,@b.example:`), which RFC 5321 says to accept and ignore. */
const sourceRoute = new RegExp(`^@${label}(?:\\.${label})*(?:,@${label}(?:\\.${label})*)*:`);
const keyword = /^[A-Za-z0-9][A-Za-z0-9-]*$/;
const value = /^[\x21-\x3c\x3e-\x7e]+$/;

/**
 * Reads `FROM:<path> params` (`prefix` `'FROM'`) or `TO:<path> params` (`'TO'`): a space after
 * the colon is tolerated, as Postfix does; the null path `<>` only for MAIL. A quoted local part
 * may hold `>`. The local part is at most 64 octets, the domain 255, the path 256 (section
 * 4.5.3.1).
 *
 * @example
 * ```ts
 * readMailArgument('FROM:<a@b.example> SIZE=100', 'FROM'); // { address: 'a@b.example', parameters: Map { 'SIZE' => '100' } }
 * ```
 */
export function readMailArgument(argument: string, prefix: 'FROM' | 'TO'): MailArgument | MailArgumentError {
  const head = `${prefix}:`;
  if (argument.slice(0, head.length).toUpperCase() !== head) return 'syntax';
  let at = head.length;
  while (argument[at] === ' ') at++;
  if (argument[at] !== '<') return 'syntax';
  const close = closingBracket(argument, at + 1);
  if (close < 0) return 'syntax';
  let path = argument.slice(at + 1, close);
  if (Buffer.byteLength(path) + 2 > 256) return 'address';
  const route = sourceRoute.exec(path);
  if (route !== null) path = path.slice(route[0].length);
  if (path === '' && prefix === 'TO') return 'address';
  if (path !== '') {
    const found = mailbox.exec(path);
    if (found === null || Buffer.byteLength(found[1]!) > 64 || Buffer.byteLength(found[2]!) > 255) {
      return 'address';
    }
  }
  const parameters = new Map<string, string | undefined>();
  const rest = argument.slice(close + 1);
  if (rest !== '' && rest[0] !== ' ') return 'syntax';
  for (const word of rest.split(' ')) {
    if (word === '') continue;
    const equals = word.indexOf('=');
    const key = equals < 0 ? word : word.slice(0, equals);
    const given = equals < 0 ? undefined : word.slice(equals + 1);
    if (!keyword.test(key) || (given !== undefined && !value.test(given))) return 'parameters';
    parameters.set(key.toUpperCase(), given);
  }
  return { address: path, parameters };
}

/** Where the `>` closing a path that starts at `from` is (a quoted `>` skipped), or -1. */
function closingBracket(text: string, from: number): number {
  let inQuotes = false;
  for (let at = from; at < text.length; at++) {
    const char = text[at];
    if (inQuotes && char === '\\') at++;
    else if (char === '"') inQuotes = !inQuotes;
    else if (char === '>' && !inQuotes) return at;
  }
  return -1;
}

/**
 * The domain of an address, lower-cased (`'B.example'` of `a@B.example`), as the domain check
 * compares it.
 *
 * @example
 * ```ts
 * domainOf('"a@b"@C.example'); // 'c.example'
 * ```
 */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** Whether `text` has a character outside ASCII (an address that needs SMTPUTF8, RFC 6531). */
export function hasNonAscii(text: string): boolean {
  for (let at = 0; at < text.length; at++) if (text.charCodeAt(at) > 0x7f) return true;
  return false;
}
