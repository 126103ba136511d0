/**
 * `spindle/protocols/wire`: small stream protocols (Twisted's `twisted.protocols.wire` and
 * `portforward`): `echo` and `portForward`.
 *
 * @example
 * ```ts
 * import { listen } from 'spindle';
 * import { echo, portForward } from 'spindle/protocols/wire';
 *
 * listen('tcp:8007:interface=127.0.0.1', echo);
 * listen('tcp:8080:interface=127.0.0.1', portForward('tcp:host=127.0.0.1:port=80'));
 * ```
 * @module
 */
export { echo } from './echo.js';
export { portForward } from './port-forward.js';
