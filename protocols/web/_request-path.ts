/**
 * `requestedPath`: the file names a request's path asks for under a static root, refusing every
 * path that could climb out of it. Private to protocols/web.
 *
 * @module
 */

/**
 * What a request path names: the decoded names below the root, and whether it ended with a slash
 * (asking for a folder).
 *
 * @example
 * ```ts
 * const path: RequestedPath = { names: ['docs', 'a b.txt'], folder: false }; // /docs/a%20b.txt
 * ```
 */
export interface RequestedPath {
  readonly names: readonly string[];
  readonly folder: boolean;
}

/**
 * The names a request path (percent-encoded, without its query) asks for, decoded once; empty
 * segments (`//`) are skipped, as nginx merges slashes. `undefined`, to be answered 404, for a path
 * that does not start with `/`, malformed percent-encoding (or bytes that are not UTF-8), and any
 * segment that is `.` or `..` or holds `/`, `\` or NUL once decoded (so `%2e%2e`, `%2f`, `%5c`
 * and `%00` are refused however they are spelt), or, unless `dotfiles`, that starts with a dot.
 *
 * @example
 * ```ts
 * requestedPath('/docs//a%20b.txt', false); // { names: ['docs', 'a b.txt'], folder: false }
 * requestedPath('/docs/%2e%2e/secret', false); // undefined
 * requestedPath('/.git/config', false); // undefined
 * ```
 */
export function requestedPath(path: string, dotfiles: boolean): RequestedPath | undefined {
  if (!path.startsWith('/')) return undefined;
  const names: string[] = [];
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') continue;
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    if (name === '.' || name === '..' || /[/\\\0]/.test(name)) return undefined;
    if (!dotfiles && name.startsWith('.')) return undefined;
    names.push(name);
  }
  return { names, folder: path.endsWith('/') };
}
