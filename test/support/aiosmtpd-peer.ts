/**
 * Python's aiosmtpd (Debian's `python3-aiosmtpd`) as the SMTP server the client's interop tests
 * send to: on a free loopback port, with STARTTLS and AUTH when asked, printing each message it
 * takes as one JSON line, which `messages()` reads back.
 *
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { accepts, type PeerProcess, startPeer } from './peer-process.js';
import type { Certificate } from './throwaway-certificate.js';

/**
 * `script PORT CERT KEY USER PASSWORD` (empty strings for none): an aiosmtpd Controller with a
 * handler printing `{"from", "to", "options", "data"}` (data in base64) per message; STARTTLS
 * with CERT and KEY; AUTH (PLAIN, LOGIN; only over TLS) checking USER and PASSWORD.
 */
const server = `
import base64, json, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
port, cert, key, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
class Printer:
    async def handle_DATA(self, server, session, envelope):
        print(json.dumps({'from': envelope.mail_from, 'to': envelope.rcpt_tos, 'options': envelope.mail_options,
                          'data': base64.b64encode(envelope.original_content).decode()}), flush=True)
        return '250 2.0.0 OK: queued'
def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == user.encode() and auth_data.password == password.encode()
    return AuthResult(success=ok, handled=False)
kwargs = {}
if cert:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    kwargs['tls_context'] = context
if user:
    kwargs['authenticator'] = authenticator
    kwargs['auth_required'] = True
controller = Controller(Printer(), hostname='127.0.0.1', port=port, enable_SMTPUTF8=True, **kwargs)
controller.start()
print('listening', flush=True)
while True:
    time.sleep(3600)
`;

/** A message as aiosmtpd took it. */
export interface TakenMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly options: readonly string[];
  readonly data: Buffer;
}

/** aiosmtpd running, and the messages it took so far. */
export interface AiosmtpdPeer extends PeerProcess {
  messages(): TakenMessage[];
}

/**
 * Starts aiosmtpd on 127.0.0.1. With `tls`, it offers STARTTLS (the certificate and key are
 * written into `tls.scratch`, a folder the caller removes); with `auth`, it requires AUTH with
 * those credentials (over TLS only, aiosmtpd's default).
 *
 * @example
 * ```ts
 * const peer = await startAiosmtpd();
 * try { await sendMail({ host: '127.0.0.1', port: peer.port, … }); peer.messages(); } finally { await peer.stop(); }
 * ```
 */
export async function startAiosmtpd(
  options: {
    tls?: { certificate: Certificate; scratch: string };
    auth?: { user: string; password: string };
  } = {},
): Promise<AiosmtpdPeer> {
  let cert = '';
  let key = '';
  if (options.tls !== undefined) {
    cert = join(options.tls.scratch, 'cert.pem');
    key = join(options.tls.scratch, 'key.pem');
    writeFileSync(cert, options.tls.certificate.cert);
    writeFileSync(key, options.tls.certificate.key);
  }
  const peer = await startPeer({
    name: 'aiosmtpd',
    hint: "Debian's python3-aiosmtpd has it",
    command: (port) => [
      '/usr/bin/python3',
      '-c',
      server,
      String(port),
      cert,
      key,
      options.auth?.user ?? '',
      options.auth?.password ?? '',
    ],
    answers: accepts,
  });
  return {
    ...peer,
    messages: () =>
      peer
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => {
          const taken = JSON.parse(line) as Omit<TakenMessage, 'data'> & { data: string };
          return { ...taken, data: Buffer.from(taken.data, 'base64') };
        }),
  };
}
