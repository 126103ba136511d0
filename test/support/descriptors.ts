/** This process's open file descriptors: all of them, or those on a path or under a folder, from /proc/self/fd (Linux). */
import { readdirSync, readlinkSync } from 'node:fs';

/** What each descriptor of this process is open on. */
function openPaths(): string[] {
  const paths: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      paths.push(readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // the descriptor readdir itself used, closed already
    }
  }
  return paths;
}

/** How many descriptors this process holds open on `path` (an absolute path with no links in it). */
export function descriptorsOn(path: string): number {
  return openPaths().filter((open) => open === path).length;
}

/** The paths under `folder` (absolute, no links in it) this process holds descriptors open on. */
export function descriptorsUnder(folder: string): string[] {
  return openPaths().filter((open) => open.startsWith(`${folder}/`));
}

/** How many descriptors this process holds open (the one reading the list not counted). */
export function countDescriptors(): number {
  return readdirSync('/proc/self/fd').length - 1;
}
