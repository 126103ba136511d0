#!/usr/bin/env node
/**
 * The `spindle` command (Twisted's `twistd`): runs servers without writing code, and a program's
 * own services with `spindle run`. In a checkout: `npx tsx source/cli.ts COMMAND [options]`;
 * installed: `npx spindle COMMAND [options]` (compiled JavaScript on plain `node`, so the
 * process a supervisor signals is the server itself). `spindle --help` lists the commands.
 *
 * @module
 */
import type { CommandLoader } from './cli/main.js';
import { runCli } from './cli/main.js';

/** Every command, loaded only when run. */
const commands: readonly CommandLoader[] = [
  {
    name: 'web',
    summary: 'serve a folder over HTTP, a reverse proxy, a WebSocket echo',
    load: async () => (await import('./cli/web-command.js')).webCommand,
  },
  {
    name: 'ftp',
    summary: 'an FTP server over a folder (FTPS with a certificate)',
    load: async () => (await import('./cli/ftp-command.js')).ftpCommand,
  },
  {
    name: 'dns',
    summary: 'an authoritative DNS server for zone files, forwarding the rest',
    load: async () => (await import('./cli/dns-command.js')).dnsCommand,
  },
  {
    name: 'smtp',
    summary: 'a mail server delivering into Maildirs',
    load: async () => (await import('./cli/smtp-command.js')).smtpCommand,
  },
  {
    name: 'echo',
    summary: 'the echo protocol (RFC 862)',
    load: async () => (await import('./cli/echo-command.js')).echoCommand,
  },
  {
    name: 'chat',
    summary: 'a line-based chat room (nc, telnet)',
    load: async () => (await import('./cli/chat-command.js')).chatCommand,
  },
  {
    name: 'portforward',
    summary: 'forward each connection to another address',
    load: async () => (await import('./cli/portforward-command.js')).portforwardCommand,
  },
  {
    name: 'run',
    summary: "run a module's application of services (twistd -y)",
    load: async () => (await import('./cli/run-command.js')).runCommand,
  },
  {
    name: 'demo',
    summary: 'everything at once on loopback ports, with lines to try each (npm start)',
    load: async () => (await import('./cli/demo-command.js')).demoCommand,
  },
];

await runCli(process.argv.slice(2), commands);
