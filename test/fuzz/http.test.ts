import { suite } from 'uvu';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { testProperties } from './_fuzz.js';
import { properties } from './http.js';

const test = checkClean(suite('fuzz/http'));
testProperties(test, properties);
test.run();
