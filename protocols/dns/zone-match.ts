/**
 * `ZoneMatch`: what one step of RFC 1034's lookup finds in one zone, as `Zone.find` returns it.
 *
 * @module
 */
import type { RecordOf, ResourceRecord } from './message.js';

/**
 * What a zone holds for one name and type, one step of RFC 1034's algorithm (no CNAME followed):
 * the records (`records`, all RRsets for `ANY`), the CNAME to follow (`cname`), a name with no
 * data of that type (`nodata`), no such name (`nxdomain`), or a delegation at or above the name
 * (`referral`, with the NS set of the cut and the glue the zone has for it).
 *
 * @example
 * ```ts
 * const match: ZoneMatch = zone.find('www.example.test', 'A');
 * if (match.kind === 'cname') console.log('follow', match.record.target);
 * ```
 */
export type ZoneMatch =
  | { readonly kind: 'records'; readonly records: readonly ResourceRecord[] }
  | { readonly kind: 'cname'; readonly record: RecordOf<'CNAME'> }
  | { readonly kind: 'nodata' }
  | { readonly kind: 'nxdomain' }
  | {
      readonly kind: 'referral';
      readonly ns: readonly RecordOf<'NS'>[];
      readonly glue: readonly ResourceRecord[];
    };
