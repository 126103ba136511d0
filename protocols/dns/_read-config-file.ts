/**
 * Reading a small system file (`/etc/resolv.conf`, `/etc/hosts`) whole, with a cap.
 *
 * @module
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Reads `path` as UTF-8, at most `maxBytes` of it (a longer file is cut there, at a line end
 * when there is one); undefined when there is no such file.
 *
 * @throws the file system's error for anything but a missing file.
 * @example
 * ```ts
 * const text = readConfigFile('/etc/hosts', 1 << 20) ?? '';
 * ```
 */
export function readConfigFile(path: string, maxBytes: number): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const stat = fstatSync(fd);
    const buffer = Buffer.alloc(Math.min(stat.size, maxBytes));
    let filled = 0;
    while (filled < buffer.length) {
      const read = readSync(fd, buffer, filled, buffer.length - filled, filled);
      if (read === 0) break;
      filled += read;
    }
    let bytes = buffer.subarray(0, filled);
    if (stat.size > maxBytes) bytes = bytes.subarray(0, bytes.lastIndexOf(0x0a) + 1 || bytes.length);
    return bytes.toString('utf8');
  } finally {
    closeSync(fd);
  }
}
