/**
 * `MaildirError`: a message could not be stored in a Maildir.
 *
 * @module
 */
import { SpindleError } from '../../source/errors.js';

/** Why storing failed: the disk or quota is full (`452` is answered), or any other I/O error (`451`). */
export type MaildirErrorKind = 'no-space' | 'io';

const kindOfErrno: Readonly<Record<string, MaildirErrorKind>> = {
  ENOSPC: 'no-space',
  EDQUOT: 'no-space',
  EFBIG: 'no-space',
};

/**
 * A message could not be stored: nothing of it is left in the Maildir's `tmp/` (and it is in no
 * `new/` unless several recipients' Maildirs were written and a later one failed). The cause is
 * Node's error.
 *
 * @example
 * ```ts
 * deliver(message).catch((error) => error instanceof MaildirError && error.kind === 'no-space');
 * ```
 */
export class MaildirError extends SpindleError {
  static override readonly code: string = 'SPINDLE_MAILDIR';
  readonly kind: MaildirErrorKind;

  constructor(kind: MaildirErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
  }

  /**
   * The `MaildirError` for a failed file system call (ENOSPC, EDQUOT and EFBIG are `no-space`).
   *
   * @example
   * ```ts
   * throw MaildirError.from(error, '/var/mail/example.com/alice');
   * ```
   */
  static from(error: unknown, folder: string): MaildirError {
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
    const reason = (error as Error | undefined)?.message ?? String(error);
    return new MaildirError(kindOfErrno[code] ?? 'io', `storing into ${folder} failed: ${reason}`, {
      cause: error,
    });
  }
}
