/**
 * The FTP commands that answer or set something of the session at once: SYST, NOOP, ALLO, FEAT,
 * OPTS, TYPE, MODE, STRU, REST and QUIT. Private to protocols/ftp.
 *
 * @module
 */
import type { CommandContext } from './_command-context.js';
import { featureLines } from './_session-texts.js';
import { selectMlsxFacts } from './listing.js';

/**
 * SYST: a Unix server with 8-bit bytes, as every client expects (listings are `ls -l` style).
 *
 * @example
 * ```ts
 * syst(session); // 215 UNIX Type: L8
 * ```
 */
export function syst(session: CommandContext): undefined {
  return session.reply(215, 'UNIX Type: L8');
}

/**
 * NOOP: 200.
 *
 * @example
 * ```ts
 * noop(session); // 200 NOOP ok.
 * ```
 */
export function noop(session: CommandContext): undefined {
  return session.reply(200, 'NOOP ok.');
}

/**
 * ALLO: nothing to reserve, 202 (RFC 959).
 *
 * @example
 * ```ts
 * allo(session); // 202 ALLO command ignored.
 * ```
 */
export function allo(session: CommandContext): undefined {
  return session.reply(202, 'ALLO command ignored.');
}

/**
 * FEAT: the extensions (RFC 2389).
 *
 * @example
 * ```ts
 * feat(session); // 211-Features: … 211 End
 * ```
 */
export function feat(session: CommandContext): undefined {
  return session.reply(211, featureLines(session.settings, session.facts));
}

/**
 * OPTS UTF8 ON (always on), and OPTS MLST (RFC 3659 section 7.9: the facts MLSD and MLST give
 * from now on, those it knows of the ones asked); any other option 501.
 *
 * @example
 * ```ts
 * opts(session, 'UTF8 ON'); // 200 Always in UTF8 mode.
 * opts(session, 'MLST size;modify;'); // 200 MLST OPTS size;modify;
 * ```
 */
export function opts(session: CommandContext, argument: string): undefined {
  const option = argument.trim();
  if (/^UTF-?8 ON$/i.test(option)) return session.reply(200, 'Always in UTF8 mode.');
  const mlst = /^MLST(?: +(.*))?$/i.exec(option);
  if (mlst !== null) {
    session.facts = selectMlsxFacts(mlst[1] ?? '');
    return session.reply(200, `MLST OPTS ${session.facts.map((fact) => `${fact};`).join('')}`);
  }
  return session.reply(501, 'Option not understood.');
}

/**
 * TYPE A (or A N) and I (or L 8); the other known types 504, anything else 501.
 *
 * @example
 * ```ts
 * type(session, 'I'); // 200 Switching to Binary mode.
 * ```
 */
export function type(session: CommandContext, argument: string): undefined {
  const value = argument.trim().toUpperCase().replace(/\s+/g, ' ');
  if (value === 'A' || value === 'A N') {
    session.type = 'ascii';
    return session.reply(200, 'Switching to ASCII mode.');
  }
  if (value === 'I' || value === 'L 8') {
    session.type = 'binary';
    return session.reply(200, 'Switching to Binary mode.');
  }
  if (/^(A [TC]|E( [NTC])?|L \d+)$/.test(value)) {
    return session.reply(504, 'TYPE not implemented for that parameter.');
  }
  return session.reply(501, 'Unrecognised TYPE command.');
}

/** MODE and STRU: one value taken, others known but refused (504), anything else 501. */
function only(session: CommandContext, argument: string, taken: string, text: string, known: string) {
  const value = argument.trim().toUpperCase();
  if (value === taken) return session.reply(200, text);
  if (value.length === 1 && known.includes(value)) {
    return session.reply(504, 'Command not implemented for that parameter.');
  }
  return session.reply(501, 'Bad argument.');
}

/**
 * MODE S (stream), the only one; B and C 504.
 *
 * @example
 * ```ts
 * mode(session, 'S'); // 200 Mode set to S.
 * ```
 */
export function mode(session: CommandContext, argument: string): undefined {
  return only(session, argument, 'S', 'Mode set to S.', 'BC');
}

/**
 * STRU F (file), the only one; R and P 504.
 *
 * @example
 * ```ts
 * stru(session, 'F'); // 200 Structure set to F.
 * ```
 */
export function stru(session: CommandContext, argument: string): undefined {
  return only(session, argument, 'F', 'Structure set to F.', 'RP');
}

/**
 * REST: the byte offset the next RETR or STOR starts at (RFC 3659's STREAM restart).
 *
 * @example
 * ```ts
 * rest(session, '1024'); // 350 Restart position accepted (1024).
 * ```
 */
export function rest(session: CommandContext, argument: string): undefined {
  const text = argument.trim();
  const offset = /^\d{1,16}$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(offset)) return session.reply(501, 'REST takes a byte offset.');
  session.restart = offset;
  return session.reply(350, `Restart position accepted (${offset}).`);
}

/**
 * QUIT: 221, then the session closes.
 *
 * @example
 * ```ts
 * quit(session); // 221 Goodbye.
 * ```
 */
export function quit(session: CommandContext): undefined {
  return session.close(221, 'Goodbye.');
}
