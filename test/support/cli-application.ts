/**
 * An application module for `spindle run` (test/interop/cli-run.test.ts): an echo server on
 * `$SPINDLE_TEST_ENDPOINT` (default a free loopback port), and a service `db` that prints
 * `db started` and `db closed`; with `SPINDLE_TEST_FAIL=1`, `db` fails to start instead.
 */
import { echo } from '../../protocols/wire/index.js';
import { application, listenService, service, TimeoutError } from '../../source/index.js';

export default application(
  'shop',
  listenService(process.env.SPINDLE_TEST_ENDPOINT ?? 'tcp:0:interface=127.0.0.1', echo, { name: 'echo' }),
  service({
    name: 'db',
    start: () => {
      if (process.env.SPINDLE_TEST_FAIL === '1')
        throw new TimeoutError('the database did not answer within 5 seconds');
      console.log('db started');
    },
    stop: () => console.log('db closed'),
  }),
);
