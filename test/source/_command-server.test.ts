import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { commandServer } from '../../source/_command-server.js';
import type { Connection } from '../../source/connection.js';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { StringTransport } from '../../source/testing/string-transport.js';

const test = checkClean(suite('source/_command-server'));

/** A server whose sessions greet and record that they started; `from(host)` is a connection from that host. */
function server(limits: { maxConnections?: number; maxConnectionsPerPeer?: number }) {
  const started: Connection[] = [];
  const protocol = commandServer({
    name: 'test',
    limits,
    refusal: (passed) => `421 too many (${passed})\r\n`,
    open: (connection) => ({
      start: () => {
        started.push(connection);
        connection.write('220 hello\r\n');
      },
      drain: () => undefined,
    }),
  });
  const from = (host: string) =>
    new StringTransport({ remoteAddress: { type: 'tcp', host, port: 5000, family: 'IPv4' } });
  return { protocol, started, from };
}

test('is a half-close protocol under its name', () => {
  const { protocol } = server({});
  assert.is(protocol.name, 'test');
  assert.is(protocol.halfClose, true);
});

test('starts a session for each admitted connection, counted until it closes', () => {
  const { protocol, started, from } = server({ maxConnections: 2 });
  const a = from('10.0.0.1');
  const b = from('10.0.0.2');
  assert.ok(protocol.serve(a));
  assert.ok(protocol.serve(b));
  assert.equal(started, [a, b]);
  assert.is(a.text(), '220 hello\r\n');
  assert.is(protocol.sessions, 2);
  a.loseConnection();
  assert.is(protocol.sessions, 1);
  b.loseConnection();
  assert.is(protocol.sessions, 0);
});

test('past maxConnections: the refusal, then closed, and no session', () => {
  const { protocol, started, from } = server({ maxConnections: 1 });
  const a = from('10.0.0.1');
  protocol.serve(a);
  const b = from('10.0.0.2');
  assert.is(protocol.serve(b), undefined);
  assert.is(b.text(), '421 too many (total)\r\n');
  assert.ok(b.closedByProtocol);
  assert.equal(started, [a]);
  assert.is(protocol.refused, 1);
  a.loseConnection();
  b.loseConnection();
});

test('past maxConnectionsPerPeer: the refusal for that peer, while another peer is taken', () => {
  const { protocol, from } = server({ maxConnectionsPerPeer: 1 });
  const a = from('10.0.0.1');
  const again = from('10.0.0.1');
  const other = from('10.0.0.2');
  protocol.serve(a);
  assert.is(protocol.serve(again), undefined);
  assert.is(again.text(), '421 too many (peer)\r\n');
  assert.ok(protocol.serve(other));
  assert.is(protocol.sessions, 2);
  assert.is(protocol.refused, 1);
  for (const transport of [a, again, other]) transport.loseConnection();
});

test('a limit that is not a positive whole number is a RangeError', () => {
  assert.throws(() => server({ maxConnections: 0 }), RangeError);
  assert.throws(() => server({ maxConnectionsPerPeer: 1.5 }), RangeError);
});

test.run();
