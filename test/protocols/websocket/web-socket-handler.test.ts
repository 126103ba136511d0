import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ResponseParser } from '../../../protocols/http/parse-response.js';
import { webSocketAccept } from '../../../protocols/websocket/handshake.js';
import { checkClean } from '../../../source/testing/index.js';
import { handshake, sampleKey, serveWebSocket } from './_server.js';

const test = checkClean(suite('protocols/websocket/web-socket-handler'));

function answer(request: string, options: Parameters<typeof serveWebSocket>[1] = {}) {
  const served = serveWebSocket(() => undefined, options);
  served.transport.receive(request);
  const parser = new ResponseParser();
  parser.expect('GET');
  const head = parser.push(served.transport.value()).find((event) => event.type === 'head');
  if (head?.type !== 'head') throw new Error(`no response in ${served.transport.text()}`);
  served.transport.loseConnection();
  return { status: head.head.status, headers: head.head.headers, sockets: served.sockets };
}

test("answers RFC 6455's sample handshake with 101 and its Sec-WebSocket-Accept", () => {
  assert.is(webSocketAccept(sampleKey), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  const { status, headers, sockets } = answer(handshake());
  assert.is(status, 101);
  assert.is(headers.get('sec-websocket-accept'), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  assert.is(headers.get('upgrade'), 'websocket');
  assert.is(headers.get('sec-websocket-extensions'), undefined);
  assert.is(sockets.length, 1);
});

test('refuses what is not a version 13 WebSocket handshake, with the status that says why', () => {
  const cases: [string, string, number][] = [
    ['a POST', handshake().replace('GET', 'POST'), 405],
    ['no Upgrade header', handshake().replace('Upgrade: websocket\r\n', ''), 426],
    ['an Upgrade to something else', handshake().replace('Upgrade: websocket', 'Upgrade: h2c'), 426],
    ['version 8', handshake().replace('Version: 13', 'Version: 8'), 426],
    ['no version', handshake().replace('Sec-WebSocket-Version: 13\r\n', ''), 400],
    ['no key', handshake().replace(`Sec-WebSocket-Key: ${sampleKey}\r\n`, ''), 400],
    ['a key of 15 bytes', handshake('', 'AAAAAAAAAAAAAAAAAAAA'), 400],
    ['a malformed extension header', handshake('Sec-WebSocket-Extensions: permessage-deflate; x="\r\n'), 400],
  ];
  for (const [name, request, status] of cases) {
    const result = answer(request);
    assert.is(result.status, status, name);
    assert.is(result.sockets.length, 0, name);
    if (status === 426) assert.is(result.headers.get('sec-websocket-version'), '13', name);
  }
});

test('the origin hook refuses with 403, and the subprotocol hook picks one offered', () => {
  const checkOrigin = (origin: string | undefined) => origin === 'https://good.example';
  assert.is(answer(handshake('Origin: https://evil.example\r\n'), { checkOrigin }).status, 403);
  assert.is(answer(handshake('Origin: https://good.example\r\n'), { checkOrigin }).status, 101);
  const selectProtocol = (offered: readonly string[]) => offered.find((p) => p === 'chat.v2');
  const picked = answer(handshake('Sec-WebSocket-Protocol: chat.v1, chat.v2\r\n'), { selectProtocol });
  assert.is(picked.headers.get('sec-websocket-protocol'), 'chat.v2');
  assert.is(picked.sockets[0]?.protocol, 'chat.v2');
  const none = answer(handshake('Sec-WebSocket-Protocol: other\r\n'), { selectProtocol });
  assert.is(none.status, 101);
  assert.is(none.headers.get('sec-websocket-protocol'), undefined);
  assert.is(answer(handshake('Sec-WebSocket-Protocol: a\r\n'), { selectProtocol: () => 'b' }).status, 500);
});

test('accepts permessage-deflate when offered, unless told not to', () => {
  const offer = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n';
  const accepted = answer(handshake(offer));
  assert.is(accepted.headers.get('sec-websocket-extensions'), 'permessage-deflate');
  assert.ok(accepted.sockets[0]?.compressed);
  const declined = answer(handshake(offer), { perMessageDeflate: false });
  assert.is(declined.headers.get('sec-websocket-extensions'), undefined);
  assert.not.ok(declined.sockets[0]?.compressed);
});

test.run();
