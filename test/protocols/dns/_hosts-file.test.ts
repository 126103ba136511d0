import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseHostsFile } from '../../../protocols/dns/_hosts-file.js';

const test = suite('protocols/dns/_hosts-file');

test('maps each name and alias to its addresses, looked up by the lowered name', () => {
  const table = parseHostsFile('127.0.0.1\tlocalhost\n192.0.2.7  Web.Example.COM web  www.example.com\n');
  assert.equal(table.get('localhost'), { ipv4: ['127.0.0.1'], ipv6: [] });
  for (const name of ['web.example.com', 'web', 'www.example.com']) {
    assert.equal(table.get(name), { ipv4: ['192.0.2.7'], ipv6: [] }, name);
  }
  assert.is(table.get('Web.Example.COM'), undefined, 'keys are lowered: look up with nameKey');
});

test('gathers IPv4 and IPv6 addresses of one name from several lines, once each, IPv6 compressed', () => {
  const table = parseHostsFile(
    '127.0.0.1 localhost\n0:0:0:0:0:0:0:1 localhost ip6-localhost\n::1 localhost\n127.0.1.1 localhost.\n',
  );
  assert.equal(table.get('localhost'), { ipv4: ['127.0.0.1', '127.0.1.1'], ipv6: ['::1'] });
  assert.equal(table.get('ip6-localhost'), { ipv4: [], ipv6: ['::1'] });
});

test('skips comments, blank lines, addresses without names, bad addresses, zone indices and bad names', () => {
  const table = parseHostsFile(
    '# The following lines are desirable for IPv6 capable hosts\n\n   \n10.0.0.1\n' +
      '10.0.0.300 broken\nfe80::1%lo0 scoped\n10.0.0.2 good bad..name # 10.0.0.3 commented\n#10.0.0.4 off\n',
  );
  assert.equal([...table.keys()], ['good']);
  assert.equal(table.get('good'), { ipv4: ['10.0.0.2'], ipv6: [] });
});

test('takes CRLF line ends', () => {
  assert.equal(parseHostsFile('10.1.1.1 a\r\n10.1.1.2 b\r\n').get('a'), { ipv4: ['10.1.1.1'], ipv6: [] });
});

test.run();
