/**
 * `SessionSettings`: what every FTP session of one `ftpServer` shares. Private to protocols/ftp.
 *
 * @module
 */
import type { SecureContext } from 'node:tls';
import type { TurnOptions } from '../../source/_turn-budget.js';
import type { ReactorTime } from '../../source/clock.js';
import type { ReactorLike } from '../../source/reactor.js';
import type { PassivePorts } from './_data-channel.js';
import type { FtpFileSystem } from './file-system.js';
import type { FtpChecker } from './users.js';

/**
 * What every session of one `ftpServer` shares: the files, the checker, the clock and reactor,
 * the passive ports, TLS, and the limits (times in seconds).
 *
 * @example
 * ```ts
 * new FtpSession(settings, connection).start(); // settings made once by ftpServer
 * ```
 */
export interface SessionSettings {
  readonly fileSystem: FtpFileSystem;
  readonly checker: FtpChecker;
  readonly clock: ReactorTime;
  readonly reactor: ReactorLike;
  readonly ports: PassivePorts;
  readonly passiveAddress: string | undefined;
  readonly tls: SecureContext | undefined;
  readonly requireTls: boolean;
  readonly idleTimeout: number;
  readonly dataConnectTimeout: number;
  readonly dataTimeout: number;
  readonly maxLoginFailures: number;
  readonly maxLineLength: number;
  readonly greeting: string;
  readonly turns: TurnOptions;
}
