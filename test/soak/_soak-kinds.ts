/**
 * The soak's servers as its clients see them: for each, the load's behaviours, the probe's
 * request, the crowd's admission check, and how it refuses past a limit.
 */
import type { Attempt, Behaviour } from './_attempt.js';
import { chatAsk, chatBehaviours, chatPrompt } from './_chat-load.js';
import { chatRoomAsk, chatRoomBehaviours, chatRoomJoin } from './_chat-room-load.js';
import type { Admission } from './_crowd.js';
import { dnsTcpAsk, dnsTcpBehaviours, dnsUdpAsk, dnsUdpBehaviours } from './_dns-load.js';
import { echoAsk, echoBehaviours } from './_echo-load.js';
import { ftpAsk, ftpBehaviours } from './_ftp-load.js';
import { httpAsk, httpBehaviours } from './_http-load.js';
import { httpsBehaviours } from './_https-load.js';
import { greeting } from './_replies.js';
import { smtpAsk, smtpBehaviours } from './_smtp-load.js';
import { webSocketAsk, webSocketBehaviours } from './_websocket-load.js';

/** The servers, in the table's order; `dns` listens for UDP and TCP on one port. */
export const serverNames = [
  'http',
  'https',
  'echo',
  'websocket',
  'chat',
  'chat room',
  'dns',
  'smtp',
  'ftp',
] as const;
export type ServerName = (typeof serverNames)[number];

/** Where each server listens. */
export type SoakPorts = Record<ServerName, number>;

/** One line of the table: a server on one transport. */
export interface SoakKind {
  readonly name: string;
  readonly server: ServerName;
  readonly behaviours: readonly Behaviour[];
  /** The probe's one request (on a new connection). */
  readonly probe: (attempt: Attempt) => Promise<void>;
  /** The crowd's admission check; none for UDP. */
  readonly admit: Admission | undefined;
  /** Limits enforced by `listen` (a refused connection is closed) rather than by the protocol (421). */
  readonly refusesByClosing: boolean;
  /** Whether its connections start with the TLS handshake (HTTPS). */
  readonly tls: boolean;
}

const onConnection = (admit: Admission) => async (attempt: Attempt) =>
  admit(await attempt.connect(), attempt.deadline);

export const soakKinds: readonly SoakKind[] = [
  {
    name: 'http',
    server: 'http',
    behaviours: httpBehaviours,
    probe: onConnection(httpAsk),
    admit: httpAsk,
    refusesByClosing: true,
    tls: false,
  },
  {
    name: 'https',
    server: 'https',
    behaviours: httpsBehaviours,
    probe: onConnection(httpAsk),
    admit: httpAsk,
    refusesByClosing: true,
    tls: true,
  },
  {
    name: 'echo',
    server: 'echo',
    behaviours: echoBehaviours,
    probe: onConnection(echoAsk),
    admit: echoAsk,
    refusesByClosing: true,
    tls: false,
  },
  {
    name: 'websocket',
    server: 'websocket',
    behaviours: webSocketBehaviours,
    probe: onConnection(webSocketAsk),
    admit: webSocketAsk,
    refusesByClosing: true,
    tls: false,
  },
  {
    name: 'chat',
    server: 'chat',
    behaviours: chatBehaviours,
    probe: onConnection(chatAsk),
    admit: chatPrompt,
    refusesByClosing: true,
    tls: false,
  },
  {
    name: 'chat room',
    server: 'chat room',
    behaviours: chatRoomBehaviours,
    probe: onConnection(chatRoomAsk),
    admit: chatRoomJoin,
    refusesByClosing: true,
    tls: false,
  },
  {
    name: 'dns udp',
    server: 'dns',
    behaviours: dnsUdpBehaviours,
    probe: dnsUdpAsk,
    admit: undefined,
    refusesByClosing: false,
    tls: false,
  },
  {
    name: 'dns tcp',
    server: 'dns',
    behaviours: dnsTcpBehaviours,
    probe: onConnection(dnsTcpAsk),
    admit: dnsTcpAsk,
    refusesByClosing: true,
    tls: false,
  },
  {
    name: 'smtp',
    server: 'smtp',
    behaviours: smtpBehaviours,
    probe: onConnection(smtpAsk),
    admit: greeting,
    refusesByClosing: false,
    tls: false,
  },
  {
    name: 'ftp',
    server: 'ftp',
    behaviours: ftpBehaviours,
    probe: onConnection(ftpAsk),
    admit: greeting,
    refusesByClosing: false,
    tls: false,
  },
];
