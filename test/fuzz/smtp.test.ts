import { suite } from 'uvu';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { testProperties } from './_fuzz.js';
import { properties } from './smtp.js';

const test = checkClean(suite('fuzz/smtp'));
testProperties(test, properties);
test.run();
