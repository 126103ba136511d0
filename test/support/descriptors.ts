/** Counts this process's open file descriptors, in all or on a path, from /proc/self/fd (Linux). */
import { readdirSync, readlinkSync } from 'node:fs';

/** How many descriptors this process holds open on `path` (an absolute path with no links in it). */
export function descriptorsOn(path: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === path) count++;
    } catch {
      // the descriptor readdir itself used, closed already
    }
  }
  return count;
}

/** How many descriptors this process holds open (the one reading the list not counted). */
export function countDescriptors(): number {
  return readdirSync('/proc/self/fd').length - 1;
}
