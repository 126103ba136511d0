/**
 * RFC 3597's generic record data (`\# 4 7f000001`) read into the typed data of a known type, so
 * a record has one form whichever way its zone file spelt it. Names in it are uncompressed, as
 * RFC 3597 section 5 requires.
 *
 * @module
 */
import { addressFromBytes } from './_ip-address.js';
import { maxNameLength, nameFromLabels } from './domain-name.js';
import type { RecordData } from './message.js';
import { RecordSyntaxError } from './zone-error.js';

/**
 * The data of a `type` record whose wire form is `bytes`: typed for a known type, opaque
 * otherwise.
 *
 * @throws RecordSyntaxError when the bytes do not fit the type.
 * @example
 * ```ts
 * dataFromBytes('A', Uint8Array.of(127, 0, 0, 1)); // { type: 'A', address: '127.0.0.1' }
 * ```
 */
export function dataFromBytes(type: RecordData['type'], bytes: Uint8Array): RecordData {
  const read = new Reader(type, bytes);
  const data = readData(type, read, bytes);
  read.end();
  return data;
}

function readData(type: RecordData['type'], read: Reader, bytes: Uint8Array): RecordData {
  switch (type) {
    case 'A':
      return { type, address: addressFromBytes(read.bytes(4)) };
    case 'AAAA':
      return { type, address: addressFromBytes(read.bytes(16)) };
    case 'NS':
    case 'PTR':
      return { type, host: read.name() };
    case 'CNAME':
      return { type, target: read.name() };
    case 'MX':
      return { type, preference: read.u16(), exchange: read.name() };
    case 'SOA':
      return {
        type,
        mname: read.name(),
        rname: read.name(),
        serial: read.u32(),
        refresh: read.u32(),
        retry: read.u32(),
        expire: read.u32(),
        minimum: read.u32(),
      };
    case 'TXT': {
      const strings = [read.bytes(read.u8())];
      while (!read.done()) strings.push(read.bytes(read.u8()));
      return { type, strings };
    }
    case 'SRV':
      return { type, priority: read.u16(), weight: read.u16(), port: read.u16(), target: read.name() };
    case 'CAA': {
      const flags = read.u8();
      const tag = Buffer.from(read.bytes(read.u8())).toString('latin1');
      return { type, flags, tag, value: read.bytes(bytes.length - read.at) };
    }
    default:
      return { type, data: read.bytes(bytes.length) };
  }
}

/** Reads fields from the front of the bytes, refusing to run past their end. */
class Reader {
  at = 0;
  constructor(
    private readonly type: string,
    private readonly data: Uint8Array,
  ) {}

  bytes(length: number): Uint8Array {
    if (this.at + length > this.data.length) this.fail('is too short');
    const slice = this.data.slice(this.at, this.at + length);
    this.at += length;
    return slice;
  }

  u8(): number {
    return this.bytes(1)[0] as number;
  }

  u16(): number {
    return Buffer.from(this.bytes(2)).readUInt16BE();
  }

  u32(): number {
    return Buffer.from(this.bytes(4)).readUInt32BE();
  }

  name(): string {
    const labels: Uint8Array[] = [];
    for (let length = this.u8(); length !== 0; length = this.u8()) {
      if (length > 63) this.fail('holds a compressed name or a label over 63 octets');
      labels.push(this.bytes(length));
    }
    if (labels.reduce((sum, label) => sum + label.length + 1, 1) > maxNameLength)
      this.fail('holds a name over 255 octets');
    return nameFromLabels(labels);
  }

  done(): boolean {
    return this.at === this.data.length;
  }

  end(): void {
    if (!this.done()) this.fail(`has ${this.data.length - this.at} octets left over`);
  }

  private fail(problem: string): never {
    throw new RecordSyntaxError(`generic data for ${this.type} ${problem}`);
  }
}
