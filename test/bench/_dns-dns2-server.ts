/**
 * The dns2 contender of `dns.ts` (the `dns2` package from npm, a DNS server in plain JavaScript):
 * a UDP server answering `www.example.test` A with 127.0.0.10 (authoritative, TTL 300) and any
 * other name with NXDOMAIN. Listens on 127.0.0.1, an ephemeral port, printed on stdout; exits when
 * stdin closes.
 */
import { createUDPServer, Packet } from 'dns2';
import { serveParent } from './_child-side.js';

const server = createUDPServer((request, send) => {
  const response = Packet.createResponseFromRequest(request);
  response.header.aa = 1;
  const [question] = request.questions;
  if (question?.name.toLowerCase() === 'www.example.test' && question.type === Packet.TYPE.A) {
    response.answers.push(
      Packet.createResourceFromQuestion(question, {
        type: Packet.TYPE.A,
        class: Packet.CLASS.IN,
        ttl: 300,
        address: '127.0.0.10',
      }),
    );
  } else {
    response.header.rcode = 3; // NXDOMAIN (dns2's types lack its Packet.RCODE)
  }
  send(response);
});
await server.listen(0, '127.0.0.1');
console.log(server.address().port);
serveParent();
