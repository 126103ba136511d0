/**
 * A tiny dig: asks one question with Spindle's resolver and prints the response as dig does
 * (header, flags, then each section in zone-file form), whatever its status. The server is
 * `--server IP[:PORT]`, else the first in /etc/resolv.conf; `--tcp` asks over TCP.
 *
 * Run: `npx tsx demos/dns-lookup.ts NAME [TYPE] [--server IP[:PORT]] [--tcp]`, for example
 * `npx tsx demos/dns-lookup.ts www.example.test A --server 127.0.0.1:5353`.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  formatQuestion,
  formatRecord,
  type Message,
  parseServerAddress,
  type QueryType,
  Resolver,
  rcodeName,
  typeCode,
  typeName,
} from '../protocols/dns/index.js';

const opcodes = ['QUERY', 'IQUERY', 'STATUS', 'OPCODE3', 'NOTIFY', 'UPDATE'];

/** `response` as dig prints it, without the query time and server lines. */
export function digText(response: Message): string {
  const flags = (['qr', 'aa', 'tc', 'rd', 'ra', 'ad', 'cd'] as const).filter((flag) => response[flag]);
  const lines = [
    `;; ->>HEADER<<- opcode: ${opcodes[response.opcode] ?? response.opcode}, status: ${rcodeName(response.rcode)}, id: ${response.id}`,
    `;; flags: ${flags.join(' ')}; QUERY: ${response.questions.length}, ANSWER: ${response.answers.length}, ` +
      `AUTHORITY: ${response.authorities.length}, ADDITIONAL: ${response.additionals.length + (response.edns ? 1 : 0)}`,
  ];
  if (response.edns !== undefined) {
    lines.push(
      '',
      ';; OPT PSEUDOSECTION:',
      `; EDNS: version: ${response.edns.version}, flags:${response.edns.dnssecOk ? ' do' : ''}; udp: ${response.edns.payloadSize}`,
    );
  }
  lines.push('', ';; QUESTION SECTION:', ...response.questions.map(formatQuestion));
  const sections = [
    ['ANSWER', response.answers],
    ['AUTHORITY', response.authorities],
    ['ADDITIONAL', response.additionals],
  ] as const;
  for (const [title, records] of sections) {
    if (records.length > 0) lines.push('', `;; ${title} SECTION:`, ...records.map(formatRecord));
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const options = { server: { type: 'string' }, tcp: { type: 'boolean' } } as const;
  const { values, positionals } = parseArgs({ options, allowPositionals: true });
  const [name, typeText = 'A'] = positionals;
  const code = typeCode(typeText);
  if (name === undefined || code === undefined) {
    console.error(name === undefined ? 'dns-lookup: give a NAME' : `dns-lookup: unknown type ${typeText}`);
    process.exit(2);
  }
  const type: QueryType = typeName(code);
  const server = values.server === undefined ? undefined : parseServerAddress(values.server);
  if (values.server !== undefined && server === undefined) {
    console.error(`dns-lookup: --server takes IP, IP:PORT or [IPv6]:PORT, not ${values.server}`);
    process.exit(2);
  }
  const resolver = new Resolver({
    hosts: false,
    cache: false,
    ...(server !== undefined && { servers: [server] }),
  });
  const asked = resolver.servers[0];
  const where = `${asked?.host}#${asked?.port}(${asked?.host}) (${values.tcp ? 'TCP' : 'UDP'})`;
  console.log(`; <<>> spindle dns-lookup <<>> ${name} ${type}`);
  const started = performance.now();
  try {
    const response = await resolver.exchange({ name, type, class: 'IN' }, { tcp: values.tcp ?? false });
    console.log(digText(response));
    console.log(`\n;; Query time: ${Math.round(performance.now() - started)} msec\n;; SERVER: ${where}`);
  } catch (error) {
    console.error(`;; communications error to ${where}: ${(error as Error).message}`);
    process.exit(9); // dig's "no reply from server"
  }
}
