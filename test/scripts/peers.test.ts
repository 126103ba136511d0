import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type CommandResult,
  decide,
  ensurePeers,
  type Host,
  onPath,
  type Peer,
  passes,
  peers,
  runs,
} from '../../scripts/peers.js';

const test = suite('scripts/peers');

const twisted: Peer = {
  name: 'twistd3',
  probes: [onPath('twistd3'), runs('/usr/bin/python3', '-c', 'import twisted')],
  packages: ['python3-twisted'],
};
const curl: Peer = { name: 'curl', probes: [onPath('curl')], packages: ['curl'] };
const swaks: Peer = { name: 'swaks', probes: [onPath('swaks')], packages: ['swaks', 'libnet-ssleay-perl'] };
const swaksTls: Peer = { name: 'swaks --tls', probes: [onPath('swaks')], packages: ['libnet-ssleay-perl'] };
const list = [twisted, curl];

const rootWithApt: Host = { root: true, apt: true };
const install = '» apt-get install -y --no-install-recommends python3-twisted curl';
const refusal =
  'missing test peers: twistd3, curl; install them with: apt-get install -y --no-install-recommends python3-twisted curl';

/** Runs `ensurePeers` on `list` with `missing` absent until apt "installs" them; records what it did. */
async function preflight(
  host: Host,
  missing: readonly Peer[],
  apt: (args: readonly string[]) => CommandResult & { installs?: boolean } = () => ({ code: 0, output: '' }),
) {
  const absent = new Set(missing);
  const log: string[] = [];
  const errors: string[] = [];
  const commands: string[] = [];
  const ready = await ensurePeers({
    peers: list,
    isHere: async (peer) => !absent.has(peer),
    host,
    run: async (command, args) => {
      commands.push([command, ...args].join(' '));
      const result = apt(args);
      if (args[0] === 'install' && result.code === 0 && result.installs !== false) absent.clear();
      return result;
    },
    console: { log: (line: string) => log.push(line), error: (line: string) => errors.push(line) },
  });
  return { ready, log, errors, commands };
}

test('all peers present: ready, nothing printed, nothing run', async () => {
  for (const host of [rootWithApt, { root: false, apt: false }]) {
    assert.equal(await preflight(host, []), { ready: true, log: [], errors: [], commands: [] });
  }
});

test('missing as root with apt: prints the one install line, updates once, installs, is ready', async () => {
  const result = await preflight(rootWithApt, [twisted, curl]);
  assert.equal(result, {
    ready: true,
    log: [install],
    errors: [],
    commands: ['apt-get update -qq', 'apt-get install -y --no-install-recommends python3-twisted curl'],
  });
});

test('installs only the missing peers’ packages', async () => {
  const result = await preflight(rootWithApt, [curl]);
  assert.equal(result.log, ['» apt-get install -y --no-install-recommends curl']);
  assert.is(result.commands[1], 'apt-get install -y --no-install-recommends curl');
});

test('missing, not root: the error line, nothing run', async () => {
  const result = await preflight({ root: false, apt: true }, [twisted, curl]);
  assert.equal(result, { ready: false, log: [], errors: [refusal], commands: [] });
});

test('missing, root without apt: the error line, nothing run', async () => {
  const result = await preflight({ root: true, apt: false }, [twisted, curl]);
  assert.equal(result, { ready: false, log: [], errors: [refusal], commands: [] });
});

test('a failed apt-get update: its output, then the error line, and no install', async () => {
  const result = await preflight(rootWithApt, [twisted, curl], (args) =>
    args[0] === 'update'
      ? { code: 100, output: 'E: Could not resolve deb.debian.org\n' }
      : { code: 0, output: '' },
  );
  assert.equal(result, {
    ready: false,
    log: [install],
    errors: ['E: Could not resolve deb.debian.org', refusal],
    commands: ['apt-get update -qq'],
  });
});

test('a failed install: its output, then the error line', async () => {
  const result = await preflight(rootWithApt, [twisted, curl], (args) =>
    args[0] === 'install'
      ? { code: 100, output: 'E: Unable to locate package curl\n' }
      : { code: 0, output: '' },
  );
  assert.is(result.ready, false);
  assert.equal(result.errors, ['E: Unable to locate package curl', refusal]);
});

test('an install that succeeds but leaves a peer missing: the error line names what is still missing', async () => {
  const result = await preflight(rootWithApt, [twisted], () => ({ code: 0, output: '', installs: false }));
  assert.is(result.ready, false);
  assert.equal(result.errors, [
    'missing test peers: twistd3; install them with: apt-get install -y --no-install-recommends python3-twisted',
  ]);
});

test('decide names each package once, in list order', () => {
  assert.equal(decide([swaks, curl, swaksTls], rootWithApt), {
    kind: 'install',
    packages: ['swaks', 'libnet-ssleay-perl', 'curl'],
  });
  assert.equal(decide([], { root: false, apt: false }), { kind: 'ready' });
  assert.equal(decide([curl], { root: false, apt: true }), { kind: 'refuse', missing: [curl] });
});

test('an onPath probe looks only in PATH’s folders', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'spindle-peers-'));
  try {
    const node = onPath('node');
    assert.ok(await passes(node, { PATH: dirname(process.execPath) }));
    assert.not.ok(await passes(node, { PATH: empty }));
    assert.not.ok(await passes(node, {}));
    assert.not.ok(
      await passes(onPath('.'), { PATH: dirname(process.execPath) }),
      'a folder is not a program',
    );
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('a runs probe passes only on exit 0', async () => {
  assert.ok(await passes(runs(process.execPath, '-e', '')));
  assert.not.ok(await passes(runs(process.execPath, '-e', 'process.exit(3)')));
  assert.not.ok(await passes(runs('/nonexistent/spindle-peer')));
});

test('every listed peer has a probe, a package and a name of its own', () => {
  assert.ok(peers.length > 0);
  for (const peer of peers) {
    assert.ok(peer.probes.length > 0, `${peer.name} has no probe`);
    assert.ok(peer.packages.length > 0, `${peer.name} has no package`);
  }
  assert.is(new Set(peers.map((peer) => peer.name)).size, peers.length);
});

test.run();
