/**
 * A program whose server cannot listen: it listens on `tcp:PORT:interface=127.0.0.1` (PORT is its
 * argument, a port the test holds) with the process-wide reactor, and runs it. It should print one
 * error line and exit with code 1.
 */
import { echo } from '../../protocols/wire/index.js';
import { listen, reactor } from '../../source/index.js';

listen(`tcp:${process.argv[2]}:interface=127.0.0.1`, echo);
reactor.run();
