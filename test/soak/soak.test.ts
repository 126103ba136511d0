import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { formatSoak } from './_soak-report.js';
import { runSoak } from './_soak-run.js';

const test = checkClean(suite('soak'));

// The short soak of `npm run soak -- --seconds N` (README, "Soak"): about 35 s in all.
test('30 s of hostile and normal load leave every server answering, its descriptors, heap and disk as they should be', async () => {
  const result = await runSoak({ seconds: 30 });
  assert.ok(result.ok, `\n${formatSoak(result)}`);
});

test.run();
