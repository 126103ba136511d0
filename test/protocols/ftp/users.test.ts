import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type FtpCredentials, ftpUsers } from '../../../protocols/ftp/users.js';

const test = suite('protocols/ftp/users');

const peer = { type: 'tcp', host: '127.0.0.1', port: 1, family: 'IPv4' } as const;
const login = (user: string, password: string): FtpCredentials => ({ user, password, peer, secure: false });

test('named users log in with their password, writable unless said otherwise', () => {
  const check = ftpUsers({ alice: { password: 'secret' }, bob: { password: 'pw', writable: false } });
  assert.equal(check(login('alice', 'secret')), { user: 'alice', writable: true });
  assert.equal(check(login('bob', 'pw')), { user: 'bob', writable: false });
  assert.is(check(login('alice', 'Secret')), undefined);
  assert.is(check(login('alice', '')), undefined);
  assert.is(check(login('carol', 'secret')), undefined);
});

test('anonymous and ftp log in read-only by default, with any password; write or none as asked', () => {
  assert.equal(ftpUsers()(login('anonymous', 'me@example.com')), { user: 'anonymous', writable: false });
  assert.equal(ftpUsers()(login('FTP', '')), { user: 'anonymous', writable: false });
  assert.equal(ftpUsers({}, { anonymous: 'write' })(login('ftp', 'x')), {
    user: 'anonymous',
    writable: true,
  });
  assert.is(ftpUsers({}, { anonymous: 'none' })(login('anonymous', 'x')), undefined);
});

test('a named user called anonymous needs its password', () => {
  const check = ftpUsers({ anonymous: { password: 'p' } });
  assert.is(check(login('anonymous', 'other')), undefined);
  assert.equal(check(login('anonymous', 'p')), { user: 'anonymous', writable: true });
});

test.run();
