/**
 * `fileProblem`: what a file system error means, in a few words, for one-line messages.
 *
 * @module
 */

/** What a file system error means, in a few words (`no such file (ENOENT)`). */
const fileProblems: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
};

/**
 * What `error` (from `node:fs`) means, in a few words: `no such file (ENOENT)`, `permission
 * denied (EACCES)`; its message for a code not listed.
 *
 * @example
 * ```ts
 * try { readFileSync(path); } catch (error) { throw new SpindleError(`cannot read ${path}: ${fileProblem(error as Error)}`); }
 * ```
 */
export function fileProblem(error: Error & { code?: string }): string {
  const words = error.code === undefined ? undefined : fileProblems[error.code];
  return words === undefined ? error.message : `${words} (${error.code})`;
}
