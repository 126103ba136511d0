/**
 * `npm run soak -- --seconds N`: the soak (test/soak/): the HTTP, HTTPS, echo, WebSocket, chat,
 * chat room, DNS, SMTP and FTP servers in one process under N seconds (default 60) of load from
 * two other processes, hostile clients included, with a probe throughout. Prints the figures as
 * a table and each check; exits 1 if any check failed. `--seed S` replays a run's random choices.
 */
import { parseArgs } from 'node:util';
import { formatSoak } from '../test/soak/_soak-report.js';
import { runSoak } from '../test/soak/_soak-run.js';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, seed: { type: 'string' } } });
const seconds = Number(values.seconds ?? 60);
if (!(seconds >= 10 && seconds <= 24 * 3600)) {
  console.error('soak: --seconds takes 10 to 86400');
  process.exit(2);
}
const result = await runSoak({
  seconds,
  ...(values.seed !== undefined && { seed: Number(values.seed) }),
  progress: (line) => console.log(line),
});
console.log(formatSoak(result));
process.exit(result.ok ? 0 : 1);
