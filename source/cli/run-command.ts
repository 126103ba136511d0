/**
 * `spindle run MODULE` (Twisted's `twistd -y app.tac`): loads a module whose default export is an
 * application of services, and runs it with the command's logging, signals and shutdown.
 *
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runApplication } from '../application.js';
import { SpindleError } from '../errors.js';
import { reactor } from '../reactor.js';
import { isService, type Service } from '../service.js';
import type { Command } from './command.js';
import { helpOption, logOptions } from './server-options.js';
import { serverRuntime } from './server-runtime.js';
import { UsageError } from './usage-error.js';

/** Lets `import()` load TypeScript, with tsx's loader, or says in one line what is missing. */
async function registerTypeScript(path: string): Promise<void> {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch (error) {
    throw new SpindleError(
      `cannot load ${path}: TypeScript needs tsx (npm install --save-dev tsx), or compile the module to JavaScript first`,
      { cause: error },
    );
  }
}

/** Whether this process already loads TypeScript (run under tsx: `npx tsx source/cli.ts`, `node --import tsx`). */
function loadsTypeScript(): boolean {
  return [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((arg) => /\btsx\b/.test(arg));
}

/**
 * The module at `path`, loaded (TypeScript through tsx's loader, registered first when this
 * process has none). An error a Spindle call threw while it loaded (a bad endpoint) is one line
 * naming the module; anything else is its own error, stack and all.
 */
async function loadModule(path: string): Promise<{ default?: unknown }> {
  const file = resolve(path);
  if (!existsSync(file)) throw new SpindleError(`cannot load ${path}: no such file`);
  if (/\.[cm]?tsx?$/.test(file) && !loadsTypeScript()) await registerTypeScript(path);
  try {
    return await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SpindleError) throw new SpindleError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

/**
 * `spindle run MODULE`: the module's default export (an `application(name, …services)`, a
 * `MultiService` or any `Service`) is started once the reactor runs, in order, and stopped in
 * reverse at Ctrl-C or SIGTERM, before the servers it listened are drained.
 *
 * @example
 * ```ts
 * // app.ts: export default application('shop', listenService('tcp:8080', httpServer(site)));
 * await runCommand.run({}, ['app.ts']);
 * ```
 */
export const runCommand: Command = {
  name: 'run',
  summary: "run a module's application of services (twistd -y)",
  usage: 'spindle run MODULE [--grace SECONDS] [--log-format FORMAT] [--log-level LEVEL]',
  description:
    "Loads MODULE (JavaScript, or TypeScript through tsx) and runs its default export, an application of services (application(name, …services) from 'spindle'): started in order once the reactor runs, stopped in reverse at Ctrl-C or SIGTERM, then the servers drain. Prints `listening on` for each server it listens on once it has started; a service that cannot start ends the run with exit code 1.",
  positionals: { name: 'MODULE', help: 'the module whose default export is the application' },
  options: {
    grace: {
      type: 'string',
      value: 'SECONDS',
      help: 'how long Ctrl-C or SIGTERM lets open connections finish (servers that set no grace period)',
      default: '10',
    },
    ...logOptions,
    help: helpOption,
  },
  examples: [
    "spindle run app.ts   # app.ts: export default application('shop', listenService('tcp:8080', httpServer(site)))",
  ],
  async run(values, positionals) {
    const [path, ...extra] = positionals;
    if (path === undefined) throw new UsageError('give the MODULE to run (spindle run app.ts)');
    if (extra.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])} (one MODULE only)`);
    const runtime = serverRuntime(values, []);
    const loaded = (await loadModule(path)).default;
    if (!isService(loaded)) {
      throw new SpindleError(
        `${path}: its default export is not a service (export default application('name', …services))`,
      );
    }
    const app: Service = loaded;
    runApplication(app).addCallback(() => {
      for (const server of reactor.servers) runtime.announce(server);
    });
    runtime.run();
  },
};
