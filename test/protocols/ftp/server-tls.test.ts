import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type FtpReply, ReplyDecoder } from '../../../protocols/ftp/reply.js';
import type { Connection } from '../../../source/connection.js';
import { checkClean, connectedPair } from '../../../source/testing/index.js';
import { throwawayCertificate } from '../../support/throwaway-certificate.js';
import { clientAddress, dataConnection, harness, readAll, serverAddress } from './_server-harness.js';

const test = checkClean(suite('protocols/ftp/server-tls'));

const { key, cert } = throwawayCertificate();
const clientTls = { ca: cert, servername: 'localhost' };

/** A control connection over a memory pair (so that TLS can run on it), read as replies. */
function control(h: ReturnType<typeof harness>) {
  const pair = connectedPair({ clientAddress, serverAddress, server: { allowHalfOpen: true } });
  h.app.serve(pair.server);
  const decoder = new ReplyDecoder();
  const replies: FtpReply[] = [];
  pair.client.data$.subscribe({ next: (chunk) => decoder.push(chunk, replies), error: () => undefined });
  const client = pair.client;
  return {
    client,
    /** Sends `text`, lets it all arrive, and returns the codes of the replies since the last call. */
    async send(text: string): Promise<number[]> {
      return (await this.exchange(text)).map((reply) => reply.code);
    },
    /** Sends `text`, lets it all arrive, and returns the replies since the last call. */
    async exchange(text: string): Promise<FtpReply[]> {
      client.write(text);
      await pair.flush();
      return replies.splice(0);
    },
    async codes(): Promise<number[]> {
      await pair.flush();
      return replies.splice(0).map((reply) => reply.code);
    },
  };
}

test('AUTH TLS: 234, the handshake, and what was pipelined in the clear after AUTH is dropped', async () => {
  const h = harness({ tls: { key, cert } });
  h.fs.addFile('/secret.txt', 'classified');
  const c = control(h);
  assert.equal(await c.codes(), [220]);
  const feat = await c.send('FEAT\r\n');
  assert.equal(feat, [211]);
  assert.equal(
    await c.send('AUTH TLS\r\nUSER alice\r\nPASS secret\r\n'),
    [234],
    'the injected commands get no answer',
  );
  await c.client.startTLS(clientTls);
  assert.ok(c.client.secure);
  assert.equal(await c.send('PASS secret\r\n'), [503], 'the injected USER was not taken');
  assert.equal(await c.send('USER alice\r\nPASS secret\r\n'), [331, 230]);
  assert.equal(await c.send('AUTH TLS\r\n'), [503], 'already secure');
  assert.equal(await c.send('PROT P\r\n'), [503], 'PROT before PBSZ');
  assert.equal(await c.send('PBSZ 0\r\nPROT S\r\nPROT X\r\nPROT P\r\nTYPE I\r\n'), [200, 536, 504, 200, 200]);
  const [epsv] = await c.exchange('EPSV\r\n');
  const data: Connection = dataConnection(h.reactor, Number(/\|\|\|(\d+)\|/.exec(epsv!.text)![1]));
  c.client.write('RETR secret.txt\r\n');
  await data.startTLS(clientTls);
  assert.ok(data.secure);
  assert.is(await readAll(data), 'classified');
  assert.equal(await c.codes(), [125, 226]);
  assert.equal(await c.send('QUIT\r\n'), [221]);
});

test('requireTls: USER only after AUTH TLS', async () => {
  const h = harness({ tls: { key, cert }, requireTls: true });
  const c = control(h);
  assert.equal(await c.send('USER alice\r\n'), [220, 530]);
  assert.equal(await c.send('AUTH SSL\r\n'), [234]);
  await c.client.startTLS(clientTls);
  assert.equal(await c.send('USER alice\r\nPASS secret\r\nSTAT\r\n'), [331, 230, 211]);
  assert.equal(await c.send('QUIT\r\n'), [221]);
});

test('PROT P with an active data connection is refused with 425 (the server cannot be the TLS server there)', async () => {
  const h = harness({ tls: { key, cert } });
  h.fs.addFile('/a', 'x');
  const c = control(h);
  assert.equal(await c.send('AUTH TLS\r\n'), [220, 234]);
  await c.client.startTLS(clientTls);
  assert.equal(await c.send('USER alice\r\nPASS secret\r\nPBSZ 0\r\nPROT P\r\n'), [331, 230, 200, 200]);
  assert.equal(await c.send('PORT 127,0,0,1,200,1\r\nRETR a\r\n'), [200, 425]);
  assert.equal(await c.send('QUIT\r\n'), [221]);
});

test('a failed handshake after AUTH TLS closes the connection', async () => {
  const h = harness({ tls: { key, cert } });
  const c = control(h);
  await c.send('AUTH TLS\r\n');
  c.client.write('this is not a TLS client hello\r\n');
  await c.codes();
  assert.ok(await c.client.closed);
});

test.run();
