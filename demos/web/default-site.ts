/**
 * The small site `demos/web.ts` serves when no `--path` is given: a home page, the chat page and
 * its script, and a style sheet. The files live here as strings (the package build compiles
 * TypeScript only, so a folder of HTML beside the demo would not reach dist/), and
 * `writeDefaultSite` writes them into a fresh temporary folder that `staticFiles` then serves,
 * validators, compression and all, as it would serve any folder.
 *
 * @module
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const page = (title: string, body: string) => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<h1>${title}</h1>
${body}
</body>
</html>
`;

/** The default site's files, by name. */
export const defaultSite: Readonly<Record<string, string>> = {
  'index.html': page(
    'Spindle web demo',
    `<p>This page is a static file. The same server answers:</p>
<ul>
<li><a href="/chat.html">a chat</a> over a WebSocket (<code>/chat</code>): open it in two windows;</li>
<li><a href="/api/time">/api/time</a>, JSON; <code>POST /api/echo</code> sends JSON back;</li>
<li><a href="/hono/">/hono/</a>, a Hono app mounted with <code>fetchHandler</code>.</li>
</ul>
`,
  ),
  'chat.html': page(
    'Chat',
    `<p id="status">connecting…</p>
<ul id="log"></ul>
<form id="send"><input id="text" autocomplete="off" maxlength="1000" autofocus> <button>Send</button></form>
<script src="/chat.js"></script>
`,
  ),
  'chat.js': `// Every message typed here goes to the server, which sends it to everyone in the chat, us included.
const status = document.getElementById('status');
const log = document.getElementById('log');
const input = document.getElementById('text');
const socket = new WebSocket(new URL('/chat', location.href).href.replace(/^http/, 'ws'));
socket.addEventListener('open', () => { status.textContent = 'connected'; });
socket.addEventListener('close', () => { status.textContent = 'disconnected'; });
socket.addEventListener('message', (event) => {
  const item = document.createElement('li');
  item.textContent = event.data; // text, never markup
  log.append(item);
});
document.getElementById('send').addEventListener('submit', (event) => {
  event.preventDefault();
  if (input.value !== '' && socket.readyState === WebSocket.OPEN) socket.send(input.value);
  input.value = '';
});
`,
  'style.css': `body { font: 16px/1.5 system-ui, sans-serif; max-width: 40em; margin: 2em auto; color: #222; background: #fdfcf8; }
h1 { color: #2a5d8f; }
#log { list-style: none; padding: 0.5em; min-height: 8em; border: 1px solid #ccc; background: #fff; }
#log li { padding: 0.2em 0; border-bottom: 1px solid #eee; }
#text { width: 30em; }
`,
};

/** Writes `defaultSite` into a new temporary folder, removed when the process exits; returns its path. */
export function writeDefaultSite(): string {
  const folder = mkdtempSync(join(tmpdir(), 'spindle-web-demo-'));
  for (const [name, text] of Object.entries(defaultSite)) writeFileSync(join(folder, name), text);
  process.once('exit', () => rmSync(folder, { recursive: true, force: true }));
  return folder;
}
