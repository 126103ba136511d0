/**
 * Every codec's fuzz properties, by codec: what `npm run fuzz` runs.
 *
 * @module
 */
import type { FuzzProperty } from './_fuzz.js';
import { properties as dns } from './dns.js';
import { properties as ftp } from './ftp.js';
import { properties as http } from './http.js';
import { properties as operators } from './operators.js';
import { properties as smtp } from './smtp.js';
import { properties as websocket } from './websocket.js';

/** A codec and its properties. */
export interface FuzzedCodec {
  readonly name: string;
  readonly properties: readonly FuzzProperty[];
}

/** The codecs, in the order `npm run fuzz` reports them. */
export const codecs: readonly FuzzedCodec[] = [
  { name: 'operators', properties: operators },
  { name: 'http', properties: http },
  { name: 'websocket', properties: websocket },
  { name: 'dns', properties: dns },
  { name: 'smtp', properties: smtp },
  { name: 'ftp', properties: ftp },
];
