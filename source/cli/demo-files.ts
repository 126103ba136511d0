/**
 * The demo's embedded configuration: a temporary folder holding a small web site with the
 * WebSocket chat page, a Maildir and an FTP root, and the zone for `example.test`.
 *
 * @module
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chatPage, htmlPage } from '../../protocols/chat/chat-page.js';

/** The zone the demo's DNS server answers for. */
export const demoZone = `$ORIGIN example.test.
$TTL 300
@     SOA   ns hostmaster 1 7200 900 604800 300
      NS    ns
      MX    10 mail
      TXT   "served by the Spindle demo"
ns    A     127.0.0.1
www   A     127.0.0.1
      AAAA  ::1
mail  A     127.0.0.1
ftp   CNAME www
`;

const site: Readonly<Record<string, string>> = {
  'index.html': htmlPage(
    'Spindle demo',
    `<p>This page is a static file served by <code>spindle demo</code>. Also here:</p>
<ul>
<li><a href="/chat.html">a chat</a> over a WebSocket (<code>/chat</code>): open it in two windows;</li>
<li><a href="/files/">a folder listing</a>.</li>
</ul>
`,
  ),
  ...chatPage,
  'files/hello.txt': 'Hello from the Spindle demo.\n',
};

/** Where the demo's files are. */
export interface DemoFolders {
  /** The temporary folder holding the others, removed at exit. */
  readonly base: string;
  /** The web site's root. */
  readonly web: string;
  /** The Maildir root (`mail/example.test/USER/new/`). */
  readonly mail: string;
  /** The FTP root. */
  readonly ftp: string;
}

/**
 * Writes the demo's files into a new temporary folder, removed when the process exits.
 *
 * @example
 * ```ts
 * const { web, mail, ftp } = writeDemoFolders();
 * ```
 */
export function writeDemoFolders(): DemoFolders {
  const base = mkdtempSync(join(tmpdir(), 'spindle-demo-'));
  process.once('exit', () => rmSync(base, { recursive: true, force: true }));
  const folders = { base, web: join(base, 'web'), mail: join(base, 'mail'), ftp: join(base, 'ftp') };
  for (const [name, text] of Object.entries(site)) {
    mkdirSync(join(folders.web, name, '..'), { recursive: true });
    writeFileSync(join(folders.web, name), text);
  }
  mkdirSync(folders.mail);
  mkdirSync(join(folders.ftp, 'upload'), { recursive: true });
  writeFileSync(
    join(folders.ftp, 'README.txt'),
    'Files served by the Spindle demo. Log in as demo:demo to upload.\n',
  );
  return folders;
}
