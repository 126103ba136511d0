/**
 * The soak's DNS clients (messages made and read by `dns-packet`, not by Spindle): over UDP, a
 * name in the zone, one outside it (REFUSED) and a malformed question (FORMERR); over TCP,
 * pipelined queries, a half-close, a reset mid-query, an idle connection (cut by the server's
 * idle timeout) and a flood that never reads (abandoned).
 */
import { createSocket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';
import { type Attempt, type Behaviour, wrongAnswer } from './_attempt.js';
import type { Peer } from './_peer.js';

/** The zone the soak's DNS server serves. */
export const soakZone = `$ORIGIN example.test.
$TTL 300
@     SOA   ns hostmaster 1 7200 900 604800 300
      NS    ns
ns    A     127.0.0.1
www   A     127.0.0.1
      AAAA  ::1
`;

let nextId = 1;

/** A query for `name`'s A records, with a fresh id. */
function query(name: string): { id: number; bytes: Buffer } {
  const id = nextId++ & 0xffff;
  const bytes = dnsPacket.encode({ type: 'query', id, questions: [{ type: 'A', name }] });
  return { id, bytes };
}

/** A response's RCODE (0 NOERROR, 1 FORMERR, 5 REFUSED). */
const rcodeOf = (bytes: Buffer) => (bytes[3] as number) & 0x0f;

/** Checks an answer for www.example.test: NOERROR, 127.0.0.1. */
function checkWww(bytes: Buffer, id: number): void {
  const answer = dnsPacket.decode(bytes);
  const data = answer.answers?.[0] && 'data' in answer.answers[0] ? answer.answers[0].data : undefined;
  if (answer.id !== id || rcodeOf(bytes) !== 0 || data !== '127.0.0.1') {
    throw wrongAnswer(`www.example.test: id ${answer.id}/${id}, rcode ${rcodeOf(bytes)}, ${String(data)}`);
  }
}

/** Sends one datagram from `localAddress` and waits (bounded) for the answer with its id. */
function askUdp(attempt: Attempt, bytes: Buffer): Promise<Buffer> {
  attempt.tally.connections++;
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    const done = (result: Buffer | Error) => {
      clearTimeout(timer);
      socket.close();
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(
      () => done(new Error('no UDP answer in time')),
      Math.min(3000, attempt.deadline - Date.now()),
    );
    socket.on('error', done);
    socket.on('message', (message) => {
      if (message.readUInt16BE(0) === bytes.readUInt16BE(0)) done(message);
    });
    socket.bind(0, attempt.localAddress, () => socket.send(bytes, attempt.target.port, '127.0.0.1'));
  });
}

/** Reads one length-prefixed message from a TCP connection. */
async function readTcp(peer: Peer, deadline: number): Promise<Buffer> {
  const length = (await peer.takeBytes(2, deadline)).readUInt16BE(0);
  return peer.takeBytes(length, deadline);
}

const framed = (bytes: Buffer) =>
  Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xff]), bytes]);

export const dnsUdpBehaviours: readonly Behaviour[] = [
  {
    name: 'dns udp, a name in the zone',
    weight: 70,
    async run(attempt) {
      const { id, bytes } = query('www.example.test');
      checkWww(await askUdp(attempt, bytes), id);
      return 'answered';
    },
  },
  {
    name: 'dns udp, a name outside the zone',
    weight: 15,
    async run(attempt) {
      const { bytes } = query('soak.invalid');
      const rcode = rcodeOf(await askUdp(attempt, bytes));
      if (rcode !== 5) throw wrongAnswer(`rcode ${rcode} for a name outside the zone, not REFUSED`);
      return 'refused';
    },
  },
  {
    name: 'dns udp, a malformed question',
    weight: 15,
    async run(attempt) {
      const { bytes } = query('www.example.test');
      const answer = await askUdp(attempt, bytes.subarray(0, bytes.length - 3));
      if (rcodeOf(answer) !== 1)
        throw wrongAnswer(`rcode ${rcodeOf(answer)} for a malformed question, not FORMERR`);
      return 'refused';
    },
  },
];

export const dnsTcpBehaviours: readonly Behaviour[] = [
  {
    name: 'dns tcp, pipelined queries',
    weight: 40,
    async run(attempt) {
      const peer = await attempt.connect();
      const queries = Array.from({ length: attempt.between(1, 5) }, () => query('www.example.test'));
      peer.write(Buffer.concat(queries.map((q) => framed(q.bytes))));
      const answers = new Map<number, Buffer>();
      for (const _ of queries) {
        const answer = await readTcp(peer, attempt.deadline);
        answers.set(answer.readUInt16BE(0), answer);
      }
      for (const { id } of queries) checkWww(answers.get(id) ?? Buffer.alloc(12), id);
      peer.end();
      await peer.serverClose(attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'dns tcp, half-close after the query',
    weight: 20,
    async run(attempt) {
      const peer = await attempt.connect();
      const { id, bytes } = query('www.example.test');
      peer.write(framed(bytes));
      peer.end();
      checkWww(await readTcp(peer, attempt.deadline), id);
      await peer.serverClose(attempt.deadline);
      return 'answered';
    },
  },
  {
    name: 'dns tcp, reset mid-query',
    weight: 15,
    async run(attempt) {
      const peer = await attempt.connect();
      const whole = framed(query('www.example.test').bytes);
      peer.write(whole.subarray(0, attempt.between(1, whole.length - 1)));
      await attempt.pause(attempt.between(0, 10));
      peer.reset();
      return 'reset';
    },
  },
  {
    name: 'dns tcp, idle after a query',
    long: true,
    weight: 5,
    async run(attempt) {
      const peer = await attempt.connect();
      await dnsTcpAsk(peer, attempt.deadline);
      await peer.serverClose(attempt.deadline);
      return 'cut';
    },
  },
  {
    name: 'dns tcp, flood that never reads',
    long: true,
    weight: 5,
    async run(attempt) {
      const many = Buffer.concat(Array.from({ length: 200 }, () => framed(query('www.example.test').bytes)));
      return attempt.floodUnread(await attempt.connect(), () => many);
    },
  },
];

/**
 * The probe's request over TCP and the crowd's admission check: one query answered.
 *
 * @example
 * ```ts
 * await dnsTcpAsk(await attempt.connect(), attempt.deadline);
 * ```
 */
export async function dnsTcpAsk(peer: Peer, deadline: number): Promise<void> {
  const { id, bytes } = query('www.example.test');
  peer.write(framed(bytes));
  checkWww(await readTcp(peer, deadline), id);
}

/**
 * The probe's request over UDP: one query answered.
 *
 * @example
 * ```ts
 * await dnsUdpAsk(attempt);
 * ```
 */
export async function dnsUdpAsk(attempt: Attempt): Promise<void> {
  const { id, bytes } = query('www.example.test');
  checkWww(await askUdp(attempt, bytes), id);
}
