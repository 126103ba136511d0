/**
 * `oneLine`: text made safe to write as one line of an FTP reply or listing.
 *
 * @module
 */

/**
 * `text` with every CR written CR NUL, Telnet's spelling of a CR that ends no line (RFC 959 §4.1.3
 * via RFC 854; RFC 2640 §3.1 for pathnames), and every LF written NUL, as vsftpd does, since many
 * clients end a line at a bare LF. A name holding CR LF thus cannot end a line early and smuggle a
 * reply or a listing entry of its own.
 *
 * @example
 * ```ts
 * oneLine('a\r\n226 Done'); // 'a\r\x00\x00226 Done'
 * ```
 */
export function oneLine(text: string): string {
  return /[\r\n]/.test(text) ? text.replace(/\r/g, '\r\0').replace(/\n/g, '\0') : text;
}
