/**
 * Domain names as Spindle writes them: dig's presentation format without the final dot
 * (`www.Example.com`; the root is `''`), case kept as given, compared without regard to ASCII
 * case (RFC 4343). A label holding a dot, a backslash or a byte outside printable ASCII is
 * escaped as dig does (`\.`, `\\`, `\000`), so every name on the wire has exactly one spelling.
 *
 * @module
 */
import { InvalidNameError } from './dns-error.js';

/** The longest label, in octets (RFC 1035 section 2.3.4). */
export const maxLabelLength = 63;
/** The longest name on the wire, in octets including length bytes and the root's zero. */
export const maxNameLength = 255;

const backslash = 0x5c;
const dot = 0x2e;

/**
 * The labels of `name` as bytes, escapes undone; a trailing dot is allowed and ignored.
 *
 * @throws InvalidNameError for an empty label, a label over 63 octets, a name over 255 or a bad
 * escape.
 * @example
 * ```ts
 * nameLabels('a\\.b.example').map(String); // ['a.b', 'example']
 * ```
 */
export function nameLabels(name: string): Uint8Array[] {
  if (name === '' || name === '.') return [];
  const bytes = Buffer.from(name, 'utf8');
  const labels: Uint8Array[] = [];
  let label: number[] = [];
  let wire = 1;
  const close = (final: boolean) => {
    if (label.length === 0 && !(final && labels.length > 0 && bytes.at(-1) === dot)) {
      throw new InvalidNameError(`empty label in ${JSON.stringify(name)}`);
    }
    if (label.length === 0) return;
    if (label.length > maxLabelLength) {
      throw new InvalidNameError(`label over ${maxLabelLength} octets in ${JSON.stringify(name)}`);
    }
    wire += label.length + 1;
    labels.push(Uint8Array.from(label));
    label = [];
  };
  for (let i = 0; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (byte === dot) {
      close(false);
    } else if (byte === backslash) {
      const digits = bytes.subarray(i + 1, i + 4).toString('latin1');
      if (/^\d{3}$/.test(digits)) {
        const value = Number(digits);
        if (value > 255) throw new InvalidNameError(`escape \\${digits} over 255 in ${JSON.stringify(name)}`);
        label.push(value);
        i += 3;
      } else if (i + 1 < bytes.length) {
        label.push(bytes[i + 1] as number);
        i += 1;
      } else {
        throw new InvalidNameError(`name ends in a backslash: ${JSON.stringify(name)}`);
      }
    } else {
      label.push(byte);
    }
  }
  if (label.length > 0 || bytes.at(-1) !== dot) close(true);
  if (wire > maxNameLength)
    throw new InvalidNameError(`name over ${maxNameLength} octets: ${JSON.stringify(name)}`);
  return labels;
}

/**
 * The presentation form of one label: printable ASCII as is, `.` and `\` escaped with a
 * backslash, any other byte as `\DDD`.
 *
 * @example
 * ```ts
 * labelText(Buffer.from('a.b')); // 'a\\.b'
 * ```
 */
export function labelText(label: Uint8Array): string {
  let text = '';
  for (const byte of label) {
    if (byte === dot || byte === backslash) text += `\\${String.fromCharCode(byte)}`;
    else if (byte > 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\${byte.toString().padStart(3, '0')}`;
  }
  return text;
}

/**
 * The name made of `labels`, in presentation form.
 *
 * @example
 * ```ts
 * nameFromLabels([Buffer.from('www'), Buffer.from('example')]); // 'www.example'
 * ```
 */
export function nameFromLabels(labels: readonly Uint8Array[]): string {
  return labels.map(labelText).join('.');
}

/**
 * `name` in its one spelling: escapes as `labelText` writes them, no trailing dot, case kept.
 *
 * @throws InvalidNameError as `nameLabels` does.
 * @example
 * ```ts
 * canonicalName('WWW.Example.com.'); // 'WWW.Example.com'
 * ```
 */
export function canonicalName(name: string): string {
  return nameFromLabels(nameLabels(name));
}

/**
 * The key two names share when they are equal: the canonical spelling with ASCII letters
 * lowered (RFC 4343). Use it for maps and caches.
 *
 * @example
 * ```ts
 * nameKey('WWW.Example.COM.') === nameKey('www.example.com'); // true
 * ```
 */
export function nameKey(name: string): string {
  return plainKey(name) ?? lowerAscii(canonicalName(name));
}

/**
 * The keys (`nameKey`) of `name` and of each of its ancestors, the name itself first and the
 * root (`''`) last: what a lookup walks up through.
 *
 * @throws InvalidNameError as `nameLabels` does.
 * @example
 * ```ts
 * nameKeys('WWW.Example.test'); // ['www.example.test', 'example.test', 'test', '']
 * ```
 */
export function nameKeys(name: string): string[] {
  const plain = plainKey(name);
  if (plain === undefined) {
    const texts = nameLabels(name).map((label) => lowerAscii(labelText(label)));
    return texts.map((_, i) => texts.slice(i).join('.')).concat('');
  }
  const keys = plain === '' ? [] : [plain];
  for (let dot = plain.indexOf('.'); dot >= 0; dot = plain.indexOf('.', dot + 1))
    keys.push(plain.slice(dot + 1));
  keys.push('');
  return keys;
}

/**
 * The key of a name that needs no parsing, the common case, found in one pass: printable ASCII
 * without backslashes (so its labels are its dot-separated parts and it is already in its one
 * spelling), every label 1 to 63 octets, 253 characters at most. Undefined for any other name,
 * which the full parser then reads (or refuses).
 */
function plainKey(name: string): string | undefined {
  let end = name.length;
  if (end > 0 && name.charCodeAt(end - 1) === dot) end--;
  if (end > maxNameLength - 2) return undefined;
  let labelStart = 0;
  for (let i = 0; i < end; i++) {
    const code = name.charCodeAt(i);
    if (code === dot) {
      if (i === labelStart || i - labelStart > maxLabelLength) return undefined;
      labelStart = i + 1;
    } else if (code <= 0x20 || code >= 0x7f || code === backslash) {
      return undefined;
    }
  }
  if (end > 0 && (end === labelStart || end - labelStart > maxLabelLength)) return undefined;
  return (end === name.length ? name : name.slice(0, end)).toLowerCase();
}

/**
 * Whether `a` and `b` are the same name, ignoring ASCII case.
 *
 * @example
 * ```ts
 * namesEqual('Example.com', 'example.COM.'); // true
 * ```
 */
export function namesEqual(a: string, b: string): boolean {
  return nameKey(a) === nameKey(b);
}

/**
 * Whether `name` is `ancestor` or below it (`www.example.com` is in `example.com` and in the
 * root `''`).
 *
 * @example
 * ```ts
 * isInDomain('www.Example.com', 'example.com'); // true
 * isInDomain('badexample.com', 'example.com'); // false
 * ```
 */
export function isInDomain(name: string, ancestor: string): boolean {
  const plainName = plainKey(name);
  const plainAncestor = plainKey(ancestor);
  if (plainName !== undefined && plainAncestor !== undefined) {
    return plainAncestor === '' || plainName === plainAncestor || plainName.endsWith(`.${plainAncestor}`);
  }
  const labels = nameLabels(name);
  const top = nameLabels(ancestor);
  if (top.length > labels.length) return false;
  const offset = labels.length - top.length;
  return top.every(
    (label, i) => lowerAscii(labelText(label)) === lowerAscii(labelText(labels[offset + i] as Uint8Array)),
  );
}

/**
 * `name` less its first label (`''` for a single label or the root).
 *
 * @example
 * ```ts
 * parentName('www.example.com'); // 'example.com'
 * ```
 */
export function parentName(name: string): string {
  const labels = nameLabels(name);
  return nameFromLabels(labels.slice(1));
}

/** Lowers ASCII A-Z only (escapes and other bytes are already ASCII digits or left alone). */
function lowerAscii(text: string): string {
  return text.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}
