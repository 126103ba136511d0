import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CommandError } from '../../../protocols/ftp/command-error.js';
import {
  formatEprt,
  formatEpsv,
  formatPasv,
  formatPort,
  parseEprt,
  parseEpsvReply,
  parsePasvReply,
  parsePort,
} from '../../../protocols/ftp/host-port.js';
import { ReplyError } from '../../../protocols/ftp/reply-error.js';
import { checkClean } from '../../../source/testing/dirty-reactor.js';

const test = checkClean(suite('protocols/ftp/host-port'));
const isRangeError = (error: unknown): boolean => error instanceof RangeError;

/** Checks `run` throws a CommandError with `reply`. */
function refused(run: () => unknown, reply: number, label: string): void {
  try {
    run();
  } catch (error) {
    assert.instance(error, CommandError, label);
    assert.is((error as CommandError).reply, reply, label);
    return;
  }
  assert.unreachable(`${label}: accepted`);
}

test('formats PASV replies and PORT arguments, IPv4-mapped addresses as IPv4', () => {
  assert.is(formatPasv('127.0.0.1', 50000), 'Entering Passive Mode (127,0,0,1,195,80)');
  assert.is(formatPasv('::ffff:10.0.0.2', 21), 'Entering Passive Mode (10,0,0,2,0,21)');
  assert.is(formatPort('192.168.1.20', 65535), '192,168,1,20,255,255');
  assert.throws(() => formatPasv('::1', 2000), isRangeError);
  assert.throws(() => formatPort('127.0.0.1', 0), isRangeError);
  assert.throws(() => formatPort('127.0.0.1', 65536), isRangeError);
});

test('reads the PASV reply it formats, and the forms servers send', () => {
  const want = { family: 4, address: '127.0.0.1', port: 50000 };
  assert.equal(parsePasvReply(formatPasv('127.0.0.1', 50000)), want);
  assert.equal(parsePasvReply('Entering Passive Mode (127,0,0,1,195,80).'), want);
  assert.equal(parsePasvReply('Entering passive mode 127,0,0,1,195,80'), want);
  assert.equal(parsePasvReply('Passive=127, 0, 0, 1, 195, 80 ok'), want);
});

test('refuses a PASV reply without a valid address and port', () => {
  for (const text of ['Entering Passive Mode', '(256,0,0,1,1,1)', '(127,0,0,1,0,0)', '(1,2,3,4,5)']) {
    assert.throws(
      () => parsePasvReply(text),
      (error: unknown) => error instanceof ReplyError && error.reason === 'address',
      text,
    );
  }
});

test('formats and reads EPSV replies, with any delimiter (RFC 2428)', () => {
  assert.is(formatEpsv(6446), 'Entering Extended Passive Mode (|||6446|)');
  assert.is(parseEpsvReply(formatEpsv(6446)), 6446);
  assert.is(parseEpsvReply('Entering Extended Passive Mode (!!!6446!)'), 6446);
  assert.is(parseEpsvReply('ok (###1#).'), 1);
  for (const text of ['(|||0|)', '(|||65536|)', '(||6446|)', '(|!|6446|)', '(   6446 )', 'none']) {
    assert.throws(
      () => parseEpsvReply(text),
      (error: unknown) => error instanceof ReplyError,
      text,
    );
  }
  assert.throws(() => formatEpsv(0), isRangeError);
});

test('reads PORT arguments, leading zeros and surrounding spaces allowed', () => {
  assert.equal(parsePort('127,0,0,1,195,80'), { family: 4, address: '127.0.0.1', port: 50000 });
  assert.equal(parsePort(' 010,000,000,001,0,21 '), { family: 4, address: '10.0.0.1', port: 21 });
  assert.equal(parsePort(formatPort('1.2.3.4', 1)), { family: 4, address: '1.2.3.4', port: 1 });
});

test('refuses bad PORT arguments with 501', () => {
  for (const argument of [
    '',
    '127,0,0,1,195',
    '127,0,0,1,195,80,1',
    '256,0,0,1,1,1',
    '127,0,0,1,256,0',
    '127,0,0,1,0,0',
    '127,0,0,1,-1,5',
    '127,0,0,1,1e1,5',
    '127,0,0,1,1000,5',
    '127.0.0.1,195,80',
  ]) {
    refused(() => parsePort(argument), 501, argument);
  }
});

test('formats and reads EPRT arguments for both families, with any delimiter (RFC 2428)', () => {
  assert.is(formatEprt('132.235.1.2', 6275), '|1|132.235.1.2|6275|');
  assert.is(formatEprt('::ffff:127.0.0.1', 6275), '|1|127.0.0.1|6275|');
  assert.is(formatEprt('::1', 6275), '|2|::1|6275|');
  assert.throws(() => formatEprt('localhost', 21), isRangeError);
  assert.equal(parseEprt('|1|132.235.1.2|6275|'), { family: 4, address: '132.235.1.2', port: 6275 });
  assert.equal(parseEprt('|2|::1|6275|'), { family: 6, address: '::1', port: 6275 });
  assert.equal(parseEprt('!2!1080::8:800:200C:417A!5282!'), {
    family: 6,
    address: '1080::8:800:200C:417A',
    port: 5282,
  });
});

test('refuses EPRT for an unknown family with 522, other bad arguments with 501', () => {
  refused(() => parseEprt('|3|1.2.3.4|21|'), 522, 'family 3');
  for (const argument of [
    '',
    '|1|1.2.3.4|21',
    '|1|1.2.3.4|21||',
    '|a|1.2.3.4|21|',
    '|1|::1|21|',
    '|2|1.2.3.4|21|',
    '|1|1.2.3.400|21|',
    '|1|localhost|21|',
    '|1|1.2.3.4|0|',
    '|1|1.2.3.4|65536|',
    '|1|1.2.3.4|2 1|',
    ' |1|1.2.3.4|21|',
  ]) {
    refused(() => parseEprt(argument), 501, argument);
  }
});

test.run();
