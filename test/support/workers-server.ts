/** A server run on two workers by `runWorkers`: each connection is told the PID that accepted it. */
import { describeEndpoint, listen, protocol, reactor, runWorkers } from '../../source/index.js';

runWorkers(
  () => {
    const server = listen(
      process.argv[2] ?? 'tcp:0:interface=127.0.0.1',
      protocol((conn) => {
        conn.write(`${process.pid}\n`);
        conn.close();
      }),
    );
    server.address.addCallback((address) => console.log(`listening on ${describeEndpoint(address)}`));
    reactor.run();
  },
  { count: 2 },
);
