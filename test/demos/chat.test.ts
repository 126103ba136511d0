import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type RunningDemo, startDemo, within } from '../support/demo-process.js';

const test = suite('demos/chat');
let demo: RunningDemo;
const clients: Client[] = [];

/** A chat user on a real socket: reads the server's lines one by one, sends lines ending in `\n`. */
class Client {
  private readonly queue: string[] = [];
  private head = 0;
  private partial = '';
  private ended = false;
  private wake: (() => void) | undefined;
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      const parts = (this.partial + text).split('\r\n');
      this.partial = parts.pop()!;
      for (const part of parts) this.queue.push(part);
      this.wake?.();
    });
    socket.on('error', () => undefined); // a reset after being dropped is expected
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.ended = true;
        this.wake?.();
        resolve();
      }),
    );
  }

  /** The next line from the server. */
  async line(): Promise<string> {
    while (this.head === this.queue.length) {
      if (this.ended) throw new Error('the server closed the connection');
      await within(10, 'a line from the chat server', new Promise<void>((resolve) => (this.wake = resolve)));
    }
    return this.queue[this.head++]!;
  }

  send(text: string): void {
    this.socket.write(`${text}\n`);
  }
}

async function open(): Promise<Client> {
  const socket = connect(demo.port, '127.0.0.1');
  const client = new Client(socket);
  clients.push(client);
  await within(5, 'the connection', once(socket, 'connect'));
  assert.is(await client.line(), "What's your name?");
  return client;
}

/** Connects and takes `name`. */
async function join(name: string): Promise<Client> {
  const client = await open();
  client.send(name);
  assert.is(await client.line(), `Welcome, ${name}!`);
  return client;
}

test.before.each(async () => {
  demo = await startDemo('demos/chat.ts', ['--listen', 'tcp:0:interface=127.0.0.1']);
});

test.after.each(async () => {
  for (const client of clients.splice(0)) client.socket.destroy();
  await demo.stop();
});

test('asks for a name, welcomes a free one and tells the others', async () => {
  const alice = await join('alice');
  await join('bob');
  assert.is(await alice.line(), '* bob has joined');
});

test('refuses a name in use until the client picks another (CRLF lines work too)', async () => {
  const alice = await join('alice');
  const other = await open();
  other.socket.write('alice\r\n');
  assert.is(await other.line(), 'Name taken, please choose another.');
  other.send('bob');
  assert.is(await other.line(), 'Welcome, bob!');
  assert.is(await alice.line(), '* bob has joined');
});

test('lines ending in a bare LF, as nc sends them, work exactly as CRLF lines do: a name, a message, /quit', async () => {
  const carol = await join('carol');
  for (const [name, ending] of [
    ['lf', '\n'],
    ['crlf', '\r\n'],
  ] as const) {
    const client = await open();
    client.socket.write(`${name}${ending}`);
    assert.is(await client.line(), `Welcome, ${name}!`, `${name}: the name without its line end`);
    assert.is(await carol.line(), `* ${name} has joined`);
    client.socket.write(`hello from ${name}${ending}`);
    assert.is(await carol.line(), `<${name}> hello from ${name}`);
    client.socket.write(`/quit${ending}`);
    assert.is(await client.line(), 'Bye!');
    await within(5, 'the connection to close', client.closed);
    assert.is(await carol.line(), `* ${name} has left`);
  }
});

test('broadcasts a line to everyone else as <name> text, never back to its sender', async () => {
  const alice = await join('alice');
  const bob = await join('bob');
  const carol = await join('carol');
  assert.is(await alice.line(), '* bob has joined');
  assert.is(await alice.line(), '* carol has joined');
  assert.is(await bob.line(), '* carol has joined');
  alice.send('hello, everyone');
  assert.is(await bob.line(), '<alice> hello, everyone');
  assert.is(await carol.line(), '<alice> hello, everyone');
  bob.send('hi alice');
  assert.is(await alice.line(), '<bob> hi alice'); // not her own line first
});

test('/quit says Bye!, closes the connection and tells the others', async () => {
  const alice = await join('alice');
  const bob = await join('bob');
  assert.is(await alice.line(), '* bob has joined');
  bob.send('/quit');
  assert.is(await bob.line(), 'Bye!');
  await within(5, 'the connection to close', bob.closed);
  assert.is(await alice.line(), '* bob has left');
  const again = await join('bob'); // the name is free again
  assert.is(await alice.line(), '* bob has joined');
  again.send('back');
  assert.is(await alice.line(), '<bob> back');
});

test('a line over 1024 bytes drops that client only', async () => {
  const alice = await join('alice');
  const bob = await join('bob');
  const mallory = await join('mallory');
  assert.is(await alice.line(), '* bob has joined');
  assert.is(await alice.line(), '* mallory has joined');
  assert.is(await bob.line(), '* mallory has joined');
  mallory.socket.write('x'.repeat(4096)); // no newline: the length alone condemns it
  await within(5, 'the long-line sender to be dropped', mallory.closed);
  assert.is(await alice.line(), '* mallory has left');
  assert.is(await bob.line(), '* mallory has left');
  alice.send('still here');
  assert.is(await bob.line(), '<alice> still here');
});

test('a listener that stops reading misses messages, slowing no one and bounding memory', async () => {
  const alice = await join('alice');
  const bob = await join('bob');
  const slow = await join('slow');
  assert.is(await alice.line(), '* bob has joined');
  assert.is(await alice.line(), '* slow has joined');
  assert.is(await bob.line(), '* slow has joined');
  slow.socket.pause(); // stops reading: the kernel buffers fill, then the server's
  const body = 'y'.repeat(1000);
  const batches = 12; // 12 MB in all: about three times what the loopback's socket buffers held
  for (let batch = 0; batch < batches; batch++) {
    alice.socket.write(Array.from({ length: 1000 }, (_, i) => `${batch}.${i} ${body}\n`).join(''));
    for (let i = 0; i < 1000; i++) assert.is(await bob.line(), `<alice> ${batch}.${i} ${body}`);
  }
  slow.socket.resume();
  let received = 0;
  let line = await slow.line();
  for (; line.startsWith('<alice> '); line = await slow.line()) received++;
  const missed = /^\* (\d+) messages dropped while you were not reading$/.exec(line);
  assert.ok(missed, `expected the dropped-messages notice, got ${line.slice(0, 80)}`);
  assert.ok(Number(missed[1]) > 0);
  assert.is(received + Number(missed[1]), batches * 1000);
  alice.send('caught up?');
  assert.is(await slow.line(), '<alice> caught up?');
});

test('exits with status 0 on SIGTERM, with clients connected', async () => {
  await join('alice');
  assert.equal(await demo.stop(), { code: 0, signal: null });
});

test.run();
