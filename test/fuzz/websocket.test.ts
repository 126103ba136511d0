import { suite } from 'uvu';
import { checkClean } from '../../source/testing/dirty-reactor.js';
import { testProperties } from './_fuzz.js';
import { properties } from './websocket.js';

const test = checkClean(suite('fuzz/websocket'));
testProperties(test, properties);
test.run();
