/**
 * SMTP replies (RFC 5321 section 4.2) with enhanced status codes (RFC 3463, RFC 2034):
 * `SmtpReply`, what a server says, and `formatReply`, its bytes on the wire.
 *
 * @module
 */

/**
 * One reply: a code, an enhanced status code (`'2.1.0'`; none for the greeting, EHLO's and
 * `354`), and its text, one line or several.
 *
 * @example
 * ```ts
 * const refused: SmtpReply = { code: 550, enhanced: '5.7.1', text: '<a@b.example>: Relay access denied' };
 * ```
 */
export interface SmtpReply {
  /** The reply code, 200 to 599 (`250`). */
  readonly code: number;
  /** The enhanced status code (RFC 3463), whose class matches the code's first digit: `'2.0.0'`. */
  readonly enhanced?: string;
  /** The text: one line, or the lines of a multi-line reply. */
  readonly text: string | readonly string[];
}

const enhancedPattern = /^([245])\.\d{1,3}\.\d{1,3}$/;

/**
 * The bytes of a reply, as RFC 5321 section 4.2.1 writes it: every line but the last as
 * `code-text`, the last as `code text`, each after the enhanced status code when there is one
 * (Postfix repeats it on every line). A CR or LF in the text (a hook's text, an address echoed
 * back) becomes a space, so one reply can never pass for two.
 *
 * ```text
 * formatReply({ code: 250, enhanced: '2.1.0', text: 'Ok' })   → '250 2.1.0 Ok\r\n'
 * formatReply({ code: 250, text: ['mx.example', 'PIPELINING'] }) → '250-mx.example\r\n250 PIPELINING\r\n'
 * ```
 *
 * @throws RangeError for a code that is not an integer from 200 to 599, or an enhanced code that
 * is malformed or of another class than the code.
 * @example
 * ```ts
 * connection.write(formatReply({ code: 221, enhanced: '2.0.0', text: 'Bye' }));
 * ```
 */
export function formatReply(reply: SmtpReply): string {
  const { code, enhanced } = reply;
  if (!Number.isInteger(code) || code < 200 || code > 599) {
    throw new RangeError(`an SMTP reply code is an integer from 200 to 599, not ${code}`);
  }
  if (enhanced !== undefined) {
    const found = enhancedPattern.exec(enhanced);
    if (found === null || found[1] !== String(code)[0]) {
      throw new RangeError(`${enhanced} is no enhanced status code of the class of ${code}`);
    }
  }
  const lines = typeof reply.text === 'string' ? [reply.text] : reply.text.length > 0 ? reply.text : [''];
  const prefix = enhanced === undefined ? '' : `${enhanced} `;
  const last = lines.length - 1;
  let out = '';
  for (let n = 0; n <= last; n++) {
    out += `${code}${n === last ? ' ' : '-'}${prefix}${lines[n]!.replace(/[\r\n]/g, ' ')}\r\n`;
  }
  return out;
}
