/**
 * Bundles the `spindle` command into one file, `dist/spindle.mjs` (the package's bin), with
 * esbuild: the command, the protocols and rxjs in one module, so a server starts without
 * resolving and reading some 300 files (the launch-to-listening time of `spindle web` went from
 * ~2.5x a plain node:http script to ~1.3x; test/bench/RESULTS.md). `spindle run` is left out: it
 * loads `dist/source/cli/run-command.js`, the unbundled package, so the user's module and the
 * command share one Spindle (one reactor) and one rxjs. Identifiers are kept (no
 * `minifyIdentifiers`, no `keepNames`): error names stay readable and classes stay fast.
 *
 * Run by `npm run build` after `tsc`: `tsx scripts/bundle-cli.ts [OUTDIR]` (default `dist`).
 */
import { build, type Plugin } from 'esbuild';

const outdir = process.argv[2] ?? 'dist';

/** `spindle run`'s module stays outside the bundle, loaded from the compiled package beside it. */
const runCommandOutside: Plugin = {
  name: 'run-command-outside',
  setup(bundle) {
    bundle.onResolve({ filter: /^\.\/cli\/run-command\.js$/ }, () => ({
      path: './source/cli/run-command.js',
      external: true,
    }));
  },
};

await build({
  entryPoints: ['source/cli.ts'],
  outfile: `${outdir}/spindle.mjs`,
  bundle: true,
  // neutral, not node: the `node` condition would pick rxjs's CommonJS files; its ES2015
  // modules (the `es2015` condition) are what esbuild can tree-shake. Node's own modules stay imports.
  platform: 'neutral',
  format: 'esm',
  target: 'node20',
  conditions: ['es2015', 'import'],
  mainFields: ['es2015', 'module', 'main'],
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['node:*', 'tsx'],
  plugins: [runCommandOutside],
  logLevel: 'warning',
});
