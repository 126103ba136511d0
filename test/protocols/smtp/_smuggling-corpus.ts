/**
 * The SMTP smuggling corpus (SEC Consult, December 2023; CVE-2023-51764/51765/51766): end-of-data
 * sequences that some servers take for `<CR><LF>.<CR><LF>` and others do not. Each case is a
 * message whose text holds one, followed by a smuggled transaction; a server is safe when it reads
 * no smuggled command. Spindle refuses a message with a bare CR or LF (`550 5.5.2`), after reading
 * it to its real end.
 *
 * @module
 */

/** One case: its name, and the bytes between the first part of the text and the smuggled commands. */
export interface SmugglingCase {
  readonly name: string;
  readonly separator: string;
  /** Whether the separator holds a bare CR or LF (the message is refused), or is plain text. */
  readonly refused: boolean;
}

export const smugglingCases: readonly SmugglingCase[] = [
  { name: '<LF>.<LF>', separator: '\n.\n', refused: true },
  { name: '<LF>.<CR><LF>', separator: '\n.\r\n', refused: true },
  { name: '<CR><LF>.<LF>', separator: '\r\n.\n', refused: true },
  { name: '<CR>.<CR>', separator: '\r.\r', refused: true },
  { name: '<CR>.<CR><LF>', separator: '\r.\r\n', refused: true },
  { name: '<CR><LF>.<CR>', separator: '\r\n.\r', refused: true },
  { name: '<CR><LF>.<CR><CR><LF>', separator: '\r\n.\r\r\n', refused: true },
  { name: '<LF><LF>.<LF><LF>', separator: '\n\n.\n\n', refused: true },
  { name: '<CR><LF>.<NUL><CR><LF>', separator: '\r\n.\0\r\n', refused: false },
  { name: '<CR><LF>..<CR><LF> (a stuffed dot)', separator: '\r\n..\r\n', refused: false },
];

/** The smuggled transaction that follows the separator. */
export const smuggled =
  'MAIL FROM:<admin@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nFrom: admin@example.com\r\n\r\nsmuggled\r\n';

/** The whole DATA text of a case, its real end line included. */
export function smugglingText(separator: string): string {
  return `From: a@client.example\r\nSubject: hi\r\n\r\nhello${separator}${smuggled}\r\n.\r\n`;
}
