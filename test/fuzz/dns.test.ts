import { suite } from 'uvu';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { testProperties } from './_fuzz.js';
import { properties } from './dns.js';

// a codec makes no Deferred: the check for forgotten failures has no garbage to collect for
const test = checkClean(suite('fuzz/dns'), { collectGarbage: false });
testProperties(test, properties);
test.run();
