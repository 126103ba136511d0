/**
 * `spindle/protocols/ftp`: FTP (RFC 959) with FTPS (RFC 4217), EPSV/EPRT (RFC 2428) and the RFC
 * 3659 extensions (SIZE, MDTM, MLSD/MLST, REST STREAM). The sans-I/O codec: `CommandDecoder`
 * reads command lines, `formatReply` writes replies and `ReplyDecoder` reads them, the host-port
 * functions speak PASV, EPSV, PORT and EPRT, the listing functions write and read LIST and MLSD
 * lines, and `resolveFtpPath` confines paths to a virtual root. On them: the server (`ftpServer`)
 * over an `FtpFileSystem` (`NodeFileSystem` for a folder, `MemoryFileSystem` for tests), with
 * pluggable logins (`ftpUsers`).
 *
 * @example
 * ```ts
 * import { listen } from 'spindle';
 * import { ftpServer, ftpUsers } from 'spindle/protocols/ftp';
 *
 * listen('tcp:2121', ftpServer({ root: '/srv/ftp', checker: ftpUsers({ alice: { password: 'secret' } }) }));
 * ```
 * @module
 */

export {
  connectFtp,
  FtpClient,
  type FtpClientOptions,
  type FtpTarget,
  type RetrieveOptions,
  type StoreOptions,
} from './client.js';
export {
  CommandError,
  type CommandErrorReason,
  type CommandErrorReply,
} from './command-error.js';
export {
  CommandDecoder,
  type CommandDecoderOptions,
  type CommandFrame,
  type FtpCommand,
  type RefusedCommand,
} from './command-line.js';
export type {
  FtpFileInfo,
  FtpFileKind,
  FtpFileReader,
  FtpFileSystem,
  FtpFileWriter,
  FtpReadOptions,
  FtpWriteMode,
  FtpWriteOptions,
} from './file-system.js';
export {
  FtpFileSystemError,
  type FtpFileSystemErrorKind,
  FtpPathError,
  type FtpPathRefusal,
} from './file-system-error.js';
export { FTPError } from './ftp-client-error.js';
export { type FtpPathLimits, ftpPathNames, joinFtpPath, resolveFtpPath } from './ftp-path.js';
export {
  formatEprt,
  formatEpsv,
  formatPasv,
  formatPort,
  type HostPort,
  parseEprt,
  parseEpsvReply,
  parsePasvReply,
  parsePort,
} from './host-port.js';
export {
  type FtpEntryKind,
  type FtpListEntry,
  formatListLine,
  formatMdtm,
  formatMlsxFacts,
  type MlsxEntry,
  type MlsxFact,
  mlsxFacts,
  parseListLine,
  parseMdtm,
  parseMlsxLine,
  selectMlsxFacts,
} from './listing.js';
export {
  type MemoryEntryOptions,
  MemoryFileSystem,
  type MemoryFileSystemOperation,
  type MemoryFileSystemOptions,
} from './memory-file-system.js';
export { NodeFileSystem, type NodeFileSystemOptions } from './node-file-system.js';
export { type FtpReply, formatReply, ReplyDecoder, type ReplyDecoderOptions } from './reply.js';
export { ReplyError, type ReplyErrorReason } from './reply-error.js';
export { type FtpServer, type FtpServerOptions, ftpServer } from './server.js';
export {
  type FtpAccount,
  type FtpChecker,
  type FtpCredentials,
  type FtpUser,
  type FtpUsersOptions,
  ftpUsers,
} from './users.js';
