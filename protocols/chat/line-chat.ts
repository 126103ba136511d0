/**
 * Twisted's classic line-based chat, a stream protocol.
 *
 * @module
 */
import { lines } from '../../operators/lines.js';
import { LineTooLongError } from '../../source/errors.js';
import { whileProducing } from '../../source/producer.js';
import { type Protocol, protocol } from '../../source/protocol.js';

/**
 * The chat protocol: everyone connected to the servers it runs on talks in one room. It asks
 * each client its name (it must be free), then each line you type goes to everyone else as `<name> line`; joins and leaves are
 * announced, `/quit` leaves. A line over 1024 bytes drops its sender only. Lines may end in a bare
 * `\n`, as `nc` sends them when you press Enter, or in `\r\n`, as telnet does.
 *
 * Backpressure: a listener that stops reading must neither make the server buffer without bound
 * nor slow the others. So each listener has a feed, a producer its connection pauses while its
 * write buffer is past the high-water mark. While paused, messages for it are dropped and counted
 * (never queued); when it drains, it is told how many it missed. Replies to a client's own lines
 * are written as usual, so a client that sends without reading pauses itself only.
 *
 * @example
 * ```ts
 * listen('tcp:8023:interface=127.0.0.1', chat()); // then `nc 127.0.0.1 8023` in two terminals
 * ```
 */
export function chat(): Protocol {
  const users = new Map<string, (text: string) => void>(); // name → how to tell that user something
  const broadcast = (from: string, text: string) => {
    for (const [name, tell] of users) if (name !== from) tell(text);
  };
  return protocol(
    (conn) => {
      const say = (text: string) => conn.write(`${text}\r\n`);
      let name: string | undefined;
      let missed = 0; // messages dropped while this listener was paused
      const feed = {
        paused: false,
        pauseProducing() {
          feed.paused = true;
        },
        resumeProducing() {
          feed.paused = false;
          if (missed > 0) say(`* ${missed} messages dropped while you were not reading`);
          missed = 0;
        },
      };
      const tell = (text: string) => (feed.paused ? missed++ : whileProducing(feed, () => say(text)));
      say("What's your name?");
      conn.data$.pipe(lines({ delimiter: '\n', maxLength: 1024 })).subscribe({
        next(received) {
          const line = received.endsWith('\r') ? received.slice(0, -1) : received;
          if (!conn.writable) return; // after /quit
          if (line === '/quit') {
            say('Bye!');
            conn.close();
          } else if (name !== undefined) broadcast(name, `<${name}> ${line}`);
          else if (line === '') say("What's your name?");
          else if (users.has(line)) say('Name taken, please choose another.');
          else {
            name = line;
            users.set(name, tell);
            say(`Welcome, ${name}!`);
            broadcast(name, `* ${name} has joined`);
          }
        },
        error(error) {
          if (error instanceof LineTooLongError) say('* Line too long, goodbye.');
          conn.close();
        },
        complete: () => conn.close(),
      });
      conn.closed.addCallback(() => {
        if (name === undefined || users.get(name) !== tell) return;
        users.delete(name);
        broadcast(name, `* ${name} has left`);
      });
    },
    { name: 'chat' },
  );
}
