/**
 * `smtpUsers`: an AUTH checker over a table of user names and passwords.
 *
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { SmtpChecker } from './smtp-hooks.js';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * A checker over a table of users (name → password). Passwords are compared in constant time (by
 * their SHA-256 digests, so their lengths do not show either); PLAIN's authorization identity
 * must be empty or the user's own name.
 *
 * @example
 * ```ts
 * smtpServer({ domains: ['example.com'], maildir: '/var/mail', tls: { key, cert }, checker: smtpUsers({ alice: 'wonderland' }) });
 * ```
 */
export function smtpUsers(users: Readonly<Record<string, string>>): SmtpChecker {
  const table = new Map(Object.entries(users).map(([name, password]) => [name, digest(password)]));
  return ({ user, password, authorize }) => {
    const expected = table.get(user);
    const given = digest(password);
    return (
      expected !== undefined && (authorize === '' || authorize === user) && timingSafeEqual(expected, given)
    );
  };
}
