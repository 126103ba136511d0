/**
 * `watchWrappers`: a server run through `npx` or `tsx` sits under wrapper processes (`npm exec`,
 * `sh -c`, tsx's own node) that do not pass SIGTERM on: `kill <npx's pid>` ends npm and leaves
 * the server running, orphaned. So the command watches the wrappers it runs under and, when one
 * exits, shuts down gracefully as a SIGTERM would have it do.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { Logger } from '../log.js';
import { LoopingCall } from '../looping-call.js';
import { reactor } from '../reactor.js';

const log = new Logger('spindle.cli');

/** What /proc says of a process: its parent and its command line; undefined once it is gone (or off Linux). */
function processInfo(pid: number): { readonly parent: number; readonly argv: readonly string[] } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
      .split('\0')
      .filter((arg) => arg !== '');
    return { parent, argv };
  } catch {
    return undefined;
  }
}

/** `npm exec …` or `npx …` (npm sets its process title to the command it runs). */
const isNpm = (argv: readonly string[]) =>
  /^(npm exec|npx)\b/.test(argv.join(' ')) || /npx-cli\.js$/.test(argv[1] ?? '');
/** tsx's launcher: node running tsx's command-line entry. */
const isTsx = (argv: readonly string[]) =>
  argv.slice(0, 2).some((arg) => /(^|\/)tsx(\/dist\/cli\.m?js)?$/.test(arg));
/** The `sh -c COMMAND` npm runs a bin through. */
const isShell = (argv: readonly string[]) => /(^|\/)(sh|dash|bash)$/.test(argv[0] ?? '') && argv[1] === '-c';

/**
 * The wrapper processes above this one, nearest first: tsx's launcher, and the `sh -c` and
 * `npm exec` of `npx` — up to the first process that is none of those (a shell, a supervisor).
 */
export function wrapperProcesses(): readonly { readonly pid: number; readonly name: string }[] {
  const wrappers: { pid: number; name: string }[] = [];
  for (let pid = process.ppid; pid > 1; ) {
    const info = processInfo(pid);
    if (info === undefined) break;
    const parent = processInfo(info.parent);
    const name = isTsx(info.argv)
      ? 'tsx'
      : isNpm(info.argv)
        ? 'npm exec'
        : isShell(info.argv) && parent !== undefined && isNpm(parent.argv)
          ? 'sh -c'
          : undefined;
    if (name === undefined) break;
    wrappers.push({ pid, name });
    pid = info.parent;
  }
  return wrappers;
}

/**
 * Checks every second that the wrappers this process runs under are still there; when one has
 * exited, says so and shuts down gracefully (as SIGTERM does: stop accepting, drain, exit 0).
 * Nothing to watch (run as `node …` or as the installed bin): does nothing.
 *
 * @example
 * ```ts
 * watchWrappers(); // before reactor.run()
 * ```
 */
export function watchWrappers(): void {
  const wrappers = wrapperProcesses();
  if (wrappers.length === 0) return;
  const check = new LoopingCall(
    () => {
      const gone = wrappers.find(({ pid }) => processInfo(pid) === undefined);
      if (gone === undefined || !reactor.running) return;
      check.stop();
      log.info(`${gone.name} (pid ${gone.pid}), which this process runs under, has exited: shutting down`);
      reactor.stop().addBoth(() => process.exit(0));
    },
    { clock: reactor },
  );
  check.start(1, false);
  reactor.addSystemEventTrigger('before', 'shutdown', () => {
    if (check.running) check.stop();
  });
}
