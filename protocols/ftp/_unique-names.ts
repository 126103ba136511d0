/** The names STOU tries for a file, in order. */

/** `name` itself, then `name.1` … `name.999` (vsftpd's suffixes); past those, none is free. */
export function* uniqueNames(name: string): Generator<string> {
  yield name;
  for (let n = 1; n < 1000; n++) yield `${name}.${n}`;
}
