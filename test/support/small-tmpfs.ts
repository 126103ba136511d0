/**
 * `smallTmpfs`: a tmpfs of a few kilobytes mounted on a fresh temporary folder, for the tests of
 * a full disk (ENOSPC) and a read-only one (EROFS, which root cannot write through either, as it
 * can a folder without write permission). Mounting needs root (CAP_SYS_ADMIN); where it is not
 * allowed, `canMountTmpfs()` is false and those tests fail saying so.
 *
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A mounted tmpfs: its folder, and how to make it read-only and unmount it. */
export interface SmallTmpfs {
  readonly path: string;
  /** Remounts it read-only: every write fails with EROFS. */
  readOnly(): void;
  /** Unmounts it (lazily: even while a file is open there) and removes the folder. */
  unmount(): void;
}

const run = (command: string, args: readonly string[]) =>
  execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });

/**
 * Mounts a tmpfs of `bytes` (rounded up to whole pages by the kernel) on a new temporary folder.
 *
 * @throws Error from `mount` where mounting is not allowed (see `canMountTmpfs`).
 * @example
 * ```ts
 * const disk = smallTmpfs(16 * 1024);
 * try { … write until ENOSPC … } finally { disk.unmount(); }
 * ```
 */
export function smallTmpfs(bytes: number): SmallTmpfs {
  const path = mkdtempSync(join(tmpdir(), 'spindle-tmpfs-'));
  try {
    run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'tmpfs', path]);
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    throw error;
  }
  return {
    path,
    readOnly: () => run('mount', ['-o', 'remount,ro', path]),
    unmount: () => {
      run('umount', ['-l', path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

let allowed: boolean | undefined;

/**
 * Whether this process may mount a tmpfs (it tries once, with a mount it takes down at once).
 *
 * @example
 * ```ts
 * if (!canMountTmpfs()) throw new Error('run as root');
 * ```
 */
export function canMountTmpfs(): boolean {
  if (allowed === undefined) {
    try {
      smallTmpfs(4096).unmount();
      allowed = true;
    } catch {
      allowed = false;
    }
  }
  return allowed;
}
