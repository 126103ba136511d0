import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkClean } from '../../../source/testing/index.js';
import { dataConnection, harness, readAll } from './_server-harness.js';

const test = checkClean(suite('protocols/ftp/server'));

test('smoke: login, EPSV, RETR', async () => {
  const h = harness();
  h.fs.addFile('/pub/a.txt', 'hello\n');
  const c = h.connect();
  assert.equal(
    c.replies().map((r) => r.code),
    [220],
  );
  await c.login();
  const port = await c.passive();
  const data = dataConnection(h.reactor, port);
  const text = readAll(data);
  console.log(await c.command('TYPE I'));
  console.log(await c.command('RETR /pub/a.txt'));
  assert.is(await text, 'hello\n');
  console.log(c.replies());
  console.log(await c.command('QUIT'));
});

test.run();
