/**
 * A program run the way `spindle run` runs an application: an echo server on the endpoint given
 * as its first argument, then a service `db` that prints `db closed` when it stops; with `--fail`
 * as its second argument, `db` fails to start instead (a `TimeoutError`). It prints `listening on
 * ENDPOINT` once the application has started, and is ended by a signal, or by the failure (one
 * error line, exit code 1).
 */
import { echo } from '../../protocols/wire/index.js';
import {
  application,
  describeEndpoint,
  listenService,
  reactor,
  runApplication,
  service,
  TimeoutError,
} from '../../source/index.js';

const [endpoint = 'tcp:0:interface=127.0.0.1', mode] = process.argv.slice(2);
const web = listenService(endpoint, echo, { name: 'web' });
const db = service({
  name: 'db',
  start: () => {
    if (mode === '--fail') throw new TimeoutError('the database did not answer within 5 seconds');
  },
  stop: () => console.log('db closed'),
});
runApplication(application('shop', web, db)).addCallback(() =>
  web.server!.address.addCallback((address) => console.log(`listening on ${describeEndpoint(address)}`)),
);
reactor.run();
