/**
 * `formatTraceHeaders`: the `Return-Path:` and `Received:` headers an MTA adds to a message it
 * takes (RFC 5321 section 4.4).
 *
 * @module
 */
import type { SmtpEnvelope } from './smtp-hooks.js';

const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The two trace headers, each line ended with CR LF: `Return-Path: <sender>` and a `Received:`
 * header naming the client (what it said in HELO/EHLO and its address), this server, the `with`
 * protocol (RFC 3848), the queue id, the recipient when there is one, and the time (UTC).
 *
 * ```text
 * Return-Path: <a@client.example>
 * Received: from client.example ([127.0.0.1])
 * 	by mx.example (Spindle) with ESMTPS id 0A1B2C3D4E5F
 * 	for <b@example.com>; Tue, 2 Jan 2024 15:04:05 +0000
 * ```
 *
 * @example
 * ```ts
 * await file.write(formatTraceHeaders(message));
 * for await (const chunk of message.body) await file.write(chunk);
 * ```
 */
export function formatTraceHeaders(envelope: SmtpEnvelope): string {
  const peer = envelope.peer;
  const literal =
    peer.type === 'tcp' && peer.host !== ''
      ? ` ([${peer.family === 'IPv6' ? `IPv6:${peer.host}` : peer.host}])`
      : '';
  const only = envelope.recipients.length === 1 ? `\r\n\tfor <${envelope.recipients[0]}>` : '';
  return (
    `Return-Path: <${envelope.from}>\r\n` +
    `Received: from ${envelope.helo}${literal}\r\n\tby ${envelope.hostname} (Spindle) with ${envelope.protocol} id ${envelope.id}` +
    `${only}; ${formatDate(envelope.time)}\r\n`
  );
}

/** An RFC 5322 date-time, in UTC. */
function formatDate(seconds: number): string {
  const date = new Date(Math.floor(seconds) * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `${days[date.getUTCDay()]}, ${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}
