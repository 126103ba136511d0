/**
 * Spindle's core: Deferreds and their helpers, time (the `ReactorTime` interface, the system
 * clock and the virtual `Clock`), looping and cooperative tasks, errors and the log stream, the
 * reactor, servers and connections, and services (applications that `spindle run` runs).
 *
 * @example
 * ```ts
 * import { Deferred, succeed, gatherResults, Clock } from 'spindle';
 * const d = new Deferred<number>();
 * d.addCallback(x => x * 2);
 * d.callback(21);
 * console.log(await d); // 42
 * ```
 * @module
 */
export {
  type Address,
  describeEndpoint,
  formatAddress,
  type InetAddress,
  type MemoryAddress,
  type UnixAddress,
} from './address.js';
export { application, runApplication } from './application.js';
export { Clock, type DelayedCall, type ReactorTime } from './clock.js';
export {
  BaseConnection,
  type CloseReason,
  type Connection,
  type ConnectionOptions,
  type ConnectionSide,
  type StartTLSOptions,
  type TLSOptions,
  UnsupportedTransportError,
} from './connection.js';
export {
  type AcquireOptions,
  ConnectionPool,
  type ConnectionPoolOptions,
  type PooledConnection,
  type PoolStats,
} from './connection-pool.js';
export {
  type CooperativeTask,
  Cooperator,
  type CooperatorOptions,
  type CooperatorScheduler,
  coiterate,
  cooperate,
} from './cooperate.js';
export { CorkedOutput } from './corked-output.js';
export { Deadline } from './deadline.js';
export { deferLater } from './defer-later.js';
export { type Canceller, Deferred, fail, isPromiseLike, maybeDeferred, succeed } from './deferred.js';
export {
  DeferredList,
  type DeferredListEntry,
  type DeferredListOptions,
  gatherResults,
} from './deferred-list.js';
export { DeferredLock } from './deferred-lock.js';
export { DeferredQueue, type DeferredQueueOptions } from './deferred-queue.js';
export { DeferredSemaphore } from './deferred-semaphore.js';
export {
  type ClientEndpoint,
  describeServerEndpoint,
  parseClientEndpoint,
  parseServerEndpoint,
  type ServerEndpoint,
  type StreamServerEndpoint,
  type TCPClientEndpoint,
  type TCPServerEndpoint,
  type TLSClientEndpoint,
  type TLSServerEndpoint,
  type UDPEndpoint,
  type UnixClientEndpoint,
  type UnixServerEndpoint,
} from './endpoint-description.js';
export { connect, type InetServerDescription, listen, type WithReactor } from './endpoints.js';
export {
  AlreadyCalledError,
  AlreadyCancelledError,
  AlreadySecureError,
  BodyConsumedError,
  BodyTooLargeError,
  CancelledError,
  CannotListenError,
  CertificateError,
  ConnectionDone,
  ConnectionLost,
  ConnectionRefusedError,
  certificateError,
  DNSLookupError,
  EndpointFileError,
  EndpointSyntaxError,
  FailureGroup,
  FirstError,
  LineTooLongError,
  NonErrorThrownError,
  ProtocolError,
  QueueOverflowError,
  QueueUnderflowError,
  ServerClosedError,
  SpindleError,
  TimeoutError,
  TLSHandshakeError,
  tlsHandshakeError,
} from './errors.js';
export { type ErrorType, Failure } from './failure.js';
export { type ListenService, type ListenServiceOptions, listenService } from './listen-service.js';
export { Logger, type LogLevel, type LogRecord, logRecords$, publishLog } from './log.js';
export { LoopingCall, type LoopingCallOptions } from './looping-call.js';
export { MultiService } from './multi-service.js';
export { activeProducer, type Pausable, whileProducing } from './producer.js';
export {
  isProtocol,
  isSession,
  type Protocol,
  type ProtocolOptions,
  protocol,
  type Session,
} from './protocol.js';
export { race } from './race.js';
export {
  Reactor,
  type ReactorLike,
  ReactorNotRunningError,
  type ReactorOptions,
  reactor,
  type SystemEvent,
  type Trigger,
  type TriggerHandle,
  type TriggerPhase,
} from './reactor.js';
export { type ReconnectingOptions, reconnecting } from './reconnecting.js';
export { type CertificateFiles, selfSignedCertificate } from './self-signed-certificate.js';
export {
  connectionOptionsOf,
  type ListenOptions,
  type Server,
  ServerBase,
  type ServerEvent,
  type ServerSetup,
  type ServerStats,
  type StreamListenOptions,
} from './server.js';
export {
  BaseService,
  isService,
  type Service,
  type ServiceCollection,
  type ServiceHooks,
  type ServiceOptions,
  type ServiceState,
  service,
} from './service.js';
export { SystemClock, systemClock } from './system-clock.js';
export {
  NotPausedError,
  SchedulerError,
  SchedulerStoppedError,
  TaskDoneError,
  TaskFailedError,
  TaskFinishedError,
  TaskStoppedError,
} from './task-errors.js';
export { type TimerService, type TimerServiceOptions, timerService } from './timer-service.js';
export { type AcceptSocket, NetServerAdapter } from './transports/net-server-adapter.js';
export { type ConnectionAddresses, StreamConnection, tlsDefaults } from './transports/stream-connection.js';
export { type Datagram, type DatagramOptions, DatagramPort } from './transports/udp.js';
export { runWorkers, type WorkersOptions } from './workers.js';
