/**
 * The small site `demos/web.ts` serves when no `--path` is given: a home page, and the chat page
 * (`chatPage` of `spindle/protocols/chat`) with its script and style sheet. The files live here as strings (the package build compiles
 * TypeScript only, so a folder of HTML beside the demo would not reach dist/), and
 * `writeDefaultSite` writes them into a fresh temporary folder that `staticFiles` then serves,
 * validators, compression and all, as it would serve any folder.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatPage, htmlPage } from '../../protocols/chat/index.js';

/** The default site's files, by name. */
export const defaultSite: Readonly<Record<string, string>> = {
  'index.html': htmlPage(
    'Spindle web demo',
    `<p>This page is a static file. The same server answers:</p>
<ul>
<li><a href="/chat.html">a chat</a> over a WebSocket (<code>/chat</code>): open it in two windows;</li>
<li><a href="/api/time">/api/time</a>, JSON; <code>POST /api/echo</code> sends JSON back;</li>
<li><a href="/hono/">/hono/</a>, a Hono app mounted with <code>fetchHandler</code>.</li>
</ul>
`,
  ),
  ...chatPage,
};

/** Writes `defaultSite` into a new temporary folder, removed when the process exits; returns its path. */
export function writeDefaultSite(): string {
  const folder = mkdtempSync(join(tmpdir(), 'spindle-web-demo-'));
  for (const [name, text] of Object.entries(defaultSite)) writeFileSync(join(folder, name), text);
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}
