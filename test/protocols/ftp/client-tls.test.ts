import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { connectFtp, type FtpClient } from '../../../protocols/ftp/client.js';
import type { Deferred } from '../../../source/deferred.js';
import { listen } from '../../../source/endpoints.js';
import { ProtocolError } from '../../../source/errors.js';
import { checkClean, trackedClock } from '../../../source/testing/dirty-reactor.js';
import { MemoryReactor } from '../../../source/testing/memory-reactor.js';
import { rejectionOf } from '../../support/failure-of.js';
import { throwawayCertificate } from '../../support/throwaway-certificate.js';
import { scriptedServer } from './_scripted-server.js';

const test = checkClean(suite('protocols/ftp/client-tls'));

const { key, cert } = throwawayCertificate();

/**
 * Connects an explicit-TLS client to the scripted server on a memory reactor (real TLS, in
 * memory), the server answering AUTH TLS with `authTLSAnswer`; runs `body` on the connection
 * attempt, lets everything settle, and gives the command lines the server was sent.
 */
async function authTLS(
  authTLSAnswer: string,
  body: (connecting: Deferred<FtpClient>) => Promise<void>,
): Promise<string[]> {
  const reactor = new MemoryReactor({ clock: trackedClock() });
  const { script, server } = scriptedServer({ tls: { key, cert }, authTLSAnswer });
  const listening = listen('tcp:21', server, { reactor });
  try {
    await body(connectFtp({ host: 'localhost', port: 21 }, { reactor, tls: { ca: cert } }));
  } finally {
    await listening.close();
  }
  return script.commands;
}

const goesOn = [
  ['the 234 alone', '234 AUTH TLS OK\r\n'],
  ['part of a line in the clear after the 234, which is dropped', '234 AUTH TLS OK\r\n200 inj'],
] as const;

for (const [what, answer] of goesOn) {
  test(`AUTH TLS: after ${what}, the session goes on over TLS`, async () => {
    const commands = await authTLS(answer, async (connecting) => {
      const client = await connecting;
      assert.ok(client.connection.secure);
      assert.is(await client.pwd(), '/');
      await client.quit();
    });
    assert.equal(commands, ['AUTH TLS', 'PWD', 'QUIT']);
  });
}

test('AUTH TLS: a reply injected in the clear after the 234 fails connectFtp with ProtocolError; nothing more is sent', async () => {
  const commands = await authTLS('234 AUTH TLS OK\r\n200 injected\r\n', async (connecting) => {
    const error = await rejectionOf(connecting);
    assert.instance(error, ProtocolError);
    assert.is(error.message, 'the FTP server sent replies in the clear after its reply to AUTH TLS');
  });
  assert.equal(commands, ['AUTH TLS']);
});

test.run();
