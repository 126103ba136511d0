import { suite } from 'uvu';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { testProperties } from './_fuzz.js';
import { properties } from './ftp.js';

const test = checkClean(suite('fuzz/ftp'));
testProperties(test, properties);
test.run();
