/**
 * One client of the HTTP client benchmark, in a process of its own: `node _http-client-load.js
 * CLIENT URL REQUESTS IN_FLIGHT` makes REQUESTS keep-alive GETs of URL, IN_FLIGHT at a time,
 * each body read whole, after a warm-up of a tenth as many; prints the rate (requests per second).
 * CLIENT: `spindle` (`Agent`), `undici` (undici's `request`), `node` (node:http with a keep-alive
 * Agent), `fetch` (Node's global fetch).
 */
import { Agent as NodeAgent, request as nodeRequest } from 'node:http';
import { request as undiciRequest } from 'undici';
import { Agent } from '../../protocols/http/client.js';

const [client = '', url = '', requests = '20000', inFlight = '50'] = process.argv.slice(2);
const total = Number(requests);
const parallel = Number(inFlight);

type Get = () => Promise<number>;

function spindle(): Get {
  const agent = new Agent({ maxConnectionsPerOrigin: parallel });
  return async () => (await (await agent.request('GET', url)).bytes()).byteLength;
}

function undici(): Get {
  return async () => {
    const { statusCode, body } = await undiciRequest(url);
    if (statusCode !== 200) throw new Error(`status ${statusCode}`);
    return (await body.arrayBuffer()).byteLength;
  };
}

function node(): Get {
  const agent = new NodeAgent({ keepAlive: true, maxSockets: parallel });
  return () =>
    new Promise<number>((resolve, reject) => {
      nodeRequest(url, { agent }, (response) => {
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
        });
        response.on('end', () => resolve(size));
        response.on('error', reject);
      })
        .on('error', reject)
        .end();
    });
}

function fetchClient(): Get {
  return async () => (await (await fetch(url)).arrayBuffer()).byteLength;
}

const clients: Record<string, () => Get> = { spindle, undici, node, fetch: fetchClient };
const make = clients[client];
if (make === undefined)
  throw new Error(`unknown client ${client}; known: ${Object.keys(clients).join(', ')}`);
const get = make();

/** Makes `count` GETs, `parallel` at a time; returns the seconds it took. */
async function run(count: number): Promise<number> {
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started++;
      if ((await get()) <= 0) throw new Error('an empty body');
    }
  };
  const begin = process.hrtime.bigint();
  await Promise.all(Array.from({ length: parallel }, worker));
  return Number(process.hrtime.bigint() - begin) / 1e9;
}

await run(Math.ceil(total / 10));
const seconds = await run(total);
console.log(String(total / seconds));
process.exit(0); // keep-alive connections and pools would otherwise hold the process open
