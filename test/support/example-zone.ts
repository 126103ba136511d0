/**
 * `exampleZone`: the example.test zone of the DNS tests (test/protocols/dns/fixtures), with a
 * `big` name of as many A records as asked, for answers too large for a datagram.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { Zone } from '../../protocols/dns/zone.js';
import { parseZoneFile } from '../../protocols/dns/zone-file.js';

const fixture = new URL('../protocols/dns/fixtures/example.test.zone', import.meta.url);

/**
 * The example.test zone, with `big.example.test` owning `bigRecords` A records (192.0.2.1 on).
 *
 * @example
 * ```ts
 * const zone = exampleZone(60); // big.example.test: 60 A records, over 512 bytes
 * ```
 */
export function exampleZone(bigRecords = 0): Zone {
  const big = Array.from({ length: bigRecords }, (_, i) => `big IN A 192.0.2.${i + 1}`).join('\n');
  return new Zone(parseZoneFile(`${readFileSync(fixture, 'utf8')}\n${big}\n`));
}
