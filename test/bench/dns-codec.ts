/**
 * The DNS wire codec on its own, no sockets: messages decoded per second and encoded per second
 * by Spindle's `decodeMessage` / `encodeMessage` beside dns-packet's `decode` / `encode` (the
 * codec most Node DNS servers use), for two typical responses: `example.com A` with two answers
 * and EDNS, and `example.com MX` with two exchanges and their addresses as additional records
 * (where name compression does the most). Run: `npm run bench -- dns-codec`.
 */
import packet from 'dns-packet';
import { decodeMessage } from '../../protocols/dns/decode-message.js';
import { encodeMessage } from '../../protocols/dns/encode-message.js';
import { emptyMessage, type Message, type ResourceRecord } from '../../protocols/dns/message.js';
import { alternate, median, printSection, table } from './_report.js';

const rounds = 11;
/** Messages per sample, so a sample lasts tens of milliseconds. */
const perSample = 100_000;

/** The two responses timed, as Spindle's Messages. */
const responses: { name: string; message: Message }[] = [
  {
    name: 'example.com A, 2 answers, EDNS',
    message: {
      ...emptyMessage,
      id: 0x1d2f,
      qr: true,
      rd: true,
      ra: true,
      questions: [{ name: 'example.com', type: 'A', class: 'IN' }],
      answers: [
        { name: 'example.com', type: 'A', class: 'IN', ttl: 300, address: '93.184.215.14' },
        { name: 'example.com', type: 'A', class: 'IN', ttl: 300, address: '93.184.215.15' },
      ],
      edns: { payloadSize: 1232, version: 0, dnssecOk: false, options: [] },
    },
  },
  {
    name: 'example.com MX, 2 exchanges + 2 A additionals, compressed',
    message: {
      ...emptyMessage,
      id: 0x2e3f,
      qr: true,
      rd: true,
      ra: true,
      questions: [{ name: 'example.com', type: 'MX', class: 'IN' }],
      answers: [10, 20].map((preference) => ({
        name: 'example.com',
        type: 'MX',
        class: 'IN',
        ttl: 3600,
        preference,
        exchange: `mail${preference / 10}.example.com`,
      })),
      additionals: [1, 2].map((n) => ({
        name: `mail${n}.example.com`,
        type: 'A',
        class: 'IN',
        ttl: 3600,
        address: `192.0.2.${24 + n}`,
      })),
    },
  },
];

/** The same response as dns-packet's Packet (A and MX records, EDNS as its OPT record). */
function asPacket(message: Message): packet.Packet {
  const record = (r: ResourceRecord): packet.Answer =>
    r.type === 'A'
      ? { name: r.name, type: 'A', class: 'IN', ttl: r.ttl, data: r.address }
      : r.type === 'MX'
        ? {
            name: r.name,
            type: 'MX',
            class: 'IN',
            ttl: r.ttl,
            data: { preference: r.preference, exchange: r.exchange },
          }
        : unsupported(r.type);
  const opt: packet.Answer[] =
    message.edns === undefined
      ? []
      : [
          {
            name: '.',
            type: 'OPT',
            udpPayloadSize: message.edns.payloadSize,
            extendedRcode: 0,
            ednsVersion: 0,
            flags: 0,
            flag_do: false,
            options: [],
          },
        ];
  return {
    type: 'response',
    id: message.id,
    flags: packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE,
    questions: message.questions.map((q) => ({
      name: q.name,
      type: q.type as packet.RecordType,
      class: 'IN',
    })),
    answers: message.answers.map(record),
    additionals: [...message.additionals.map(record), ...opt],
  };
}

function unsupported(type: string): never {
  throw new Error(`the benchmark has no dns-packet form for ${type}`);
}

let sink = 0;
/** Keeps a result alive, so the optimiser cannot drop the work that made it. */
const keep = (n: number): void => {
  sink = (sink + n) | 0;
};

/** Times `perSample` runs of `work`, in ms. */
const timed =
  (work: () => number): (() => number) =>
  () => {
    const start = performance.now();
    for (let i = 0; i < perSample; i++) keep(work());
    return performance.now() - start;
  };

const rate = (ms: number): string =>
  ((perSample / ms) * 1000).toLocaleString('en', { maximumFractionDigits: 0 });

const rows: string[][] = [];
const ratios: string[] = [];
for (const response of responses) {
  const theirsInput = asPacket(response.message);
  const ours = Buffer.from(encodeMessage(response.message));
  const theirs = packet.encode(theirsInput);
  const contenders = {
    spindleDecode: timed(() => decodeMessage(ours).answers.length),
    packetDecode: timed(() => packet.decode(ours).answers?.length ?? 0),
    spindleEncode: timed(() => encodeMessage(response.message).length),
    packetEncode: timed(() => packet.encode(theirsInput).length),
  };
  for (let i = 0; i < 3; i++) for (const run of Object.values(contenders)) run(); // warm up
  const samples = await alternate(rounds, contenders);
  const ms = Object.fromEntries(
    Object.entries(samples).map(([name, s]) => [name, median(s as number[])]),
  ) as Record<keyof typeof contenders, number>;
  const decodeRatio = ms.packetDecode / ms.spindleDecode;
  const encodeRatio = ms.packetEncode / ms.spindleEncode;
  rows.push([
    response.name,
    `${ours.length} / ${theirs.length}`,
    rate(ms.spindleDecode),
    rate(ms.packetDecode),
    decodeRatio.toFixed(2),
    rate(ms.spindleEncode),
    rate(ms.packetEncode),
    encodeRatio.toFixed(2),
  ]);
  ratios.push(`${response.name}: decode ${decodeRatio.toFixed(2)}×, encode ${encodeRatio.toFixed(2)}×`);
}
if (sink === 42) console.log('');

printSection(
  'DNS wire codec (`test/bench/dns-codec.ts`)',
  `Messages decoded and encoded per second, ${perSample.toLocaleString('en')} per sample, median of ${rounds} ` +
    'alternating rounds. Spindle: `decodeMessage` (every name, count and length checked; bytes copied out of the ' +
    'message) and `encodeMessage` (names compressed, every field range-checked, a fresh Buffer per message). ' +
    "dns-packet 5: `decode` of the same bytes (Spindle's, compressed) and `encode` of the same response (it does " +
    "not compress names, so its messages are larger). Ratio: Spindle's rate over dns-packet's (above 1: Spindle " +
    'faster). Bytes: the message as Spindle / dns-packet writes it.\n\n' +
    table(
      [
        'response',
        'bytes',
        'Spindle decode/s',
        'dns-packet decode/s',
        'ratio',
        'Spindle encode/s',
        'dns-packet encode/s',
        'ratio',
      ],
      rows,
    ) +
    `\n\nResult: ${ratios.join('; ')}.`,
);
