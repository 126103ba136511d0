/**
 * The chat room's page: `chat.html` (with its script and style sheet), a page that talks to
 * `chatRoom()` at `/chat` from any browser, served as static files.
 *
 * @module
 */

/**
 * A small HTML page with `title` as its heading, `body` below it, and `/style.css` linked.
 *
 * @example
 * ```ts
 * const index = htmlPage('Welcome', '<p><a href="/chat.html">the chat</a></p>');
 * ```
 */
export function htmlPage(title: string, body: string): string {
  return `<!doctype html>
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
}

/**
 * The chat page's files by name (`chat.html`, `chat.js`, `style.css`), to write into a folder
 * that `staticFiles` serves beside `chatRoom()` at `/chat`.
 *
 * @example
 * ```ts
 * for (const [name, text] of Object.entries(chatPage)) writeFileSync(join(root, name), text);
 * ```
 */
export const chatPage: Readonly<Record<string, string>> = {
  'chat.html': htmlPage(
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
