/**
 * The `basePath` of the framework adapters: where an app is mounted, the path it sees under it,
 * and the answer to a request outside it. Private to protocols/web.
 *
 * @module
 */
import type { HttpResponse } from '../http/response.js';

/**
 * The answer to a request outside the mount: the app is not called.
 *
 * @example
 * ```ts
 * if (pathUnder(request.path, basePath) === undefined) return notMounted;
 * ```
 */
export const notMounted: HttpResponse = {
  status: 404,
  headers: { 'Content-Type': 'text/plain; charset=utf-8' },
  body: '404 Not Found\n',
};

/**
 * `basePath` checked and normalised: `''` for none (or `/`), else a path that starts with `/`
 * and does not end with one (`/app/` becomes `/app`).
 *
 * @throws TypeError for a path that does not start with `/`, or holds a `?`, `#` or whitespace.
 * @example
 * ```ts
 * basePathOf('/app/'); // '/app'
 * ```
 */
export function basePathOf(basePath: string | undefined): string {
  if (basePath === undefined) return '';
  if (!/^\/[^?#\s]*$/.test(basePath)) {
    throw new TypeError(`a basePath starts with / and has no ?, # or space: ${JSON.stringify(basePath)}`);
  }
  return basePath.replace(/\/+$/, '');
}

/**
 * The part of `path` under `basePath` (as `basePathOf` gives it), compared as sent (percent
 * escapes are not decoded, so `/%61pp` is not under `/app`): `/x` for `/app/x`, `/` for `/app`,
 * `undefined` for `/apple` or `/other`.
 *
 * @example
 * ```ts
 * pathUnder('/app/users/7', '/app'); // '/users/7'
 * ```
 */
export function pathUnder(path: string, basePath: string): string | undefined {
  if (basePath === '') return path;
  if (!path.startsWith(basePath)) return undefined;
  const rest = path.slice(basePath.length);
  if (rest === '') return '/';
  return rest.charCodeAt(0) === 0x2f /* / */ ? rest : undefined;
}
