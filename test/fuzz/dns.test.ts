import { suite } from 'uvu';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { testProperties } from './_fuzz.js';
import { properties } from './dns.js';

const test = checkClean(suite('fuzz/dns'));
testProperties(test, properties);
test.run();
