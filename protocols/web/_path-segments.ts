/**
 * `pathSegments`: a request path cut into segments and percent-decoded, once, for the resource
 * tree and the router. Private to protocols/web.
 *
 * @module
 */

/** A path's segments, as sent and decoded, side by side. */
export interface Segments {
  /** The segments as sent (percent-encoded). */
  readonly raw: readonly string[];
  /** The same segments, percent-decoded. */
  readonly decoded: readonly string[];
}

/** Why a path has no segments: `400` for a bad escape, `404` for a dot segment. */
export interface SegmentsRefused {
  readonly status: 400 | 404;
  readonly reason: string;
}

/**
 * Cuts an origin-form path (`/a/b%2Fc/`) at each `/` and percent-decodes each segment on its own,
 * so an encoded slash stays inside its segment (`['a', 'b/c', '']`). A `%` not followed by two hex
 * digits, or escapes that are not UTF-8, are refused with 400; a segment that decodes to `.` or
 * `..` (as sent or as `%2e`) with 404: browsers resolve dot segments before sending, so only a
 * crafted request has one, and no resource, leaf or file below may be reached through it. A NUL
 * (`%00`) is decoded and kept: no child has such a name, and whatever takes the rest of the path
 * (a file resource) must refuse it.
 *
 * @example
 * ```ts
 * pathSegments('/a/b%2Fc/'); // { raw: ['a', 'b%2Fc', ''], decoded: ['a', 'b/c', ''] }
 * pathSegments('/a/%zz');    // { status: 400, reason: … }
 * ```
 */
export function pathSegments(path: string): Segments | SegmentsRefused {
  const raw = path.split('/');
  raw.shift(); // the empty text before the leading slash
  if (!path.includes('%')) {
    for (const segment of raw) if (segment === '.' || segment === '..') return dotSegment;
    return { raw, decoded: raw };
  }
  const decoded: string[] = [];
  for (const segment of raw) {
    let text = segment;
    if (segment.includes('%')) {
      try {
        text = decodeURIComponent(segment);
      } catch {
        return { status: 400, reason: `bad percent-encoding in path segment ${JSON.stringify(segment)}` };
      }
    }
    if (text === '.' || text === '..') return dotSegment;
    decoded.push(text);
  }
  return { raw, decoded };
}

const dotSegment: SegmentsRefused = { status: 404, reason: 'not found' };
