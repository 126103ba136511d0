import { suite } from 'uvu';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { testProperties } from './_fuzz.js';
import { properties } from './operators.js';

const test = checkClean(suite('fuzz/operators'));
testProperties(test, properties);
test.run();
