/**
 * An MQTT 3.1.1 client session over an ECMA-419-shaped TCP socket (see transport.ts).
 *
 * - CONNECT with a clean or persistent session, credentials and a Last Will; CONNACK refusals are
 *   typed (`ConnackRefusal`).
 * - Keepalive: a PINGREQ every keepalive period; if nothing arrives within `pingTimeoutMs` after
 *   it, the link is dead: the socket is closed and the client reconnects.
 * - PUBLISH at QoS 0/1/2 both ways. Outbound QoS 1/2 messages take a packet id and a slot of the
 *   in-flight window; their promise settles on PUBACK (QoS 1) or PUBCOMP (QoS 2): then the broker
 *   owns the message. After a reconnect, unacknowledged PUBLISHes are sent again with DUP set and
 *   PUBRELs again for those past PUBREC. Inbound QoS 2 is delivered once: the id is remembered from
 *   PUBLISH until PUBREL, and a PUBLISH repeating a remembered id is acknowledged, not delivered.
 * - Automatic reconnection with exponential backoff and jitter (backoff.ts) until `close()`.
 * - Messages published while offline (or while the window is full, or the socket is behind) wait
 *   in a bounded queue (offline-queue.ts states the drop policy).
 * - Every queue and map is bounded (`MqttClientLimits`); nothing throws past the client: refusals
 *   are `Result` values, connection problems are `disconnect` events, listener failures `error`
 *   events.
 *
 * Session state lives in memory: it survives reconnects, not a reboot of the device.
 */
import type { Clock, Random, Scheduler, TimerHandle } from '../host/index';
import { ok, refuse, type Result } from '../result/index';
import { Backoff, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
import { Connection } from './connection';
import { checkPacket, encodedLength } from './encode';
import { mqttError, type MqttError, type MqttErrorReason } from './errors';
import { OfflineQueue } from './offline-queue';
import type { ConnectPacket, ConnectReturnCode, Packet, PublishPacket, QoS, Subscription, Will } from './packets';
import { PacketIds } from './packet-ids';
import { checkTopicFilter, checkTopicName } from './topic';
import type { TcpSocketFactory } from './transport';
import { encodeUtf8 } from './utf8';

export interface MqttClientLimits {
  /** Outbound QoS 1/2 messages awaiting their acknowledgement. */
  readonly maxInflight: number;
  /** Messages waiting for a connection, a free in-flight slot or socket write credit. */
  readonly offlineQueue: number;
  /** Bytes (topic + payload) those waiting messages may hold together. */
  readonly offlineQueueBytes: number;
  /** Inbound QoS 2 packet ids remembered between PUBLISH and PUBREL. */
  readonly maxInboundQos2: number;
  /** SUBSCRIBE/UNSUBSCRIBE requests awaiting their acknowledgement. */
  readonly maxPendingRequests: number;
  /** Largest packet accepted from the broker and largest PUBLISH accepted from the caller (bytes). */
  readonly maxPacketSize: number;
  /** Encoded bytes allowed to wait for socket write credit before the link counts as stalled. */
  readonly maxOutputBytes: number;
}

/** Sized for a microcontroller (see adr/0004); the hub and simulators may raise them. */
export const DEFAULT_LIMITS: MqttClientLimits = {
  maxInflight: 8,
  offlineQueue: 32,
  offlineQueueBytes: 16 * 1024,
  maxInboundQos2: 32,
  maxPendingRequests: 8,
  maxPacketSize: 8 * 1024,
  maxOutputBytes: 16 * 1024,
};

export interface MqttClientOptions {
  /** Opens a TCP connection (device: `(o) => new TCP(o)`; Node: `host/node/tcp`). */
  readonly socket: TcpSocketFactory;
  readonly host: string;
  readonly port: number;
  readonly clientId: string;
  /** Clean session (default true). With false the broker keeps subscriptions and QoS 1/2 messages. */
  readonly clean?: boolean;
  /** Seconds; 0 disables keepalive (default 60). */
  readonly keepaliveSeconds?: number;
  readonly username?: string;
  readonly password?: Uint8Array | string;
  readonly will?: Will;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly random: Random;
  readonly limits?: Partial<MqttClientLimits>;
  readonly backoff?: Partial<BackoffPolicy>;
  /** From opening the socket to CONNACK (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** How long after a PINGREQ silence means a dead link (default: the keepalive period, at most 15 s). */
  readonly pingTimeoutMs?: number;
}

export type ConnackRefusal =
  | 'unacceptable-protocol-version'
  | 'identifier-rejected'
  | 'server-unavailable'
  | 'bad-username-or-password'
  | 'not-authorized';

const REFUSALS: Readonly<Record<Exclude<ConnectReturnCode, 0>, ConnackRefusal>> = {
  1: 'unacceptable-protocol-version',
  2: 'identifier-rejected',
  3: 'server-unavailable',
  4: 'bad-username-or-password',
  5: 'not-authorized',
};

/** Why a connection ended (or never came up). */
export type DisconnectCause =
  | { readonly reason: 'refused'; readonly refusal: ConnackRefusal; readonly detail: string }
  | { readonly reason: 'protocol-error'; readonly error: MqttError; readonly detail: string }
  | {
      readonly reason:
        | 'socket-closed'
        | 'connect-timeout'
        | 'ping-timeout'
        | 'output-overflow'
        | 'too-many-inbound-qos2'
        | 'client-closed';
      readonly detail: string;
    };

export interface InboundMessage {
  readonly topic: string;
  /** A view into the received bytes: copy it to keep it past the listener. */
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
}

export type ClientProblem = { readonly reason: 'listener-failed' | 'unexpected-ack'; readonly detail: string };

export interface MqttClientEvents {
  connect: (info: { readonly sessionPresent: boolean }) => void;
  disconnect: (cause: DisconnectCause) => void;
  message: (message: InboundMessage) => void;
  error: (problem: ClientProblem) => void;
}

export type ClientState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'closed';

export type PublishRefusal =
  /** The topic name is empty, has a wildcard or is not a valid MQTT string. */
  | 'invalid-topic'
  /** The PUBLISH would exceed limits.maxPacketSize (or limits.maxOutputBytes, when smaller). */
  | 'too-large'
  /** The offline queue has no room, even after evicting every QoS 0 message. */
  | 'queue-full'
  /** A QoS 0 message evicted from the full offline queue by a newer one. */
  | 'dropped'
  /** A QoS 0 message whose connection failed while it was handed over. */
  | 'connection-lost'
  /** `close()` was called before the broker acknowledged. */
  | 'closed';

export type RequestRefusal = 'offline' | 'invalid-filter' | 'busy' | 'connection-lost' | 'closed';

export interface PublishOptions {
  readonly qos?: QoS;
  readonly retain?: boolean;
}

export interface SubscribeOutcome {
  readonly topic: string;
  /** The QoS the broker granted, or 'failure' (SUBACK 0x80). */
  readonly granted: QoS | 'failure';
}

export interface MqttClientStats {
  readonly state: ClientState;
  readonly inflight: number;
  readonly queued: number;
  readonly queuedBytes: number;
  /** QoS 0 messages evicted from the full offline queue. */
  readonly offlineDropped: number;
  /** Messages refused because the offline queue could not make room (full of QoS 1/2 messages). */
  readonly offlineRefused: number;
  readonly connects: number;
  readonly connectAttempts: number;
  /** Inbound QoS 2 messages delivered whose PUBREL has not arrived yet. */
  readonly awaitingPubrel: number;
  /** Inbound QoS 2 PUBLISHes that repeated an id awaiting PUBREL (acknowledged, not delivered). */
  readonly duplicatesSuppressed: number;
  /** Retransmitted PUBLISH (DUP) and PUBREL packets after reconnects. */
  readonly retransmitted: number;
  readonly pingsSent: number;
}

interface Outgoing {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  /** Encoded PUBLISH size: what the message costs while it waits. */
  readonly size: number;
  readonly settle: (result: Result<void, PublishRefusal>) => void;
}

interface InflightEntry {
  readonly message: Outgoing;
  readonly packetId: number;
  /** 'publish': awaiting PUBACK/PUBREC; 'pubrel': QoS 2 awaiting PUBCOMP. */
  stage: 'publish' | 'pubrel';
  /** Not yet sent again on the current connection (after a reconnect). */
  resend: boolean;
}

type PendingRequest =
  | {
      readonly kind: 'subscribe';
      readonly topics: readonly string[];
      readonly settle: (result: Result<readonly SubscribeOutcome[], RequestRefusal>) => void;
    }
  | { readonly kind: 'unsubscribe'; readonly settle: (result: Result<void, RequestRefusal>) => void };

const PUBREL_SIZE = 4;

type Listeners = { [K in keyof MqttClientEvents]: Set<MqttClientEvents[K]> };

export class MqttClient {
  private readonly limits: MqttClientLimits;
  private readonly backoff: Backoff;
  private readonly keepaliveMs: number;
  private readonly pingTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly password: Uint8Array | undefined;

  private current: ClientState = 'idle';
  private connection: Connection | undefined;
  private readonly ids = new PacketIds();
  private readonly inflight = new Map<number, InflightEntry>();
  /** In-flight entries with `resend` set. */
  private resendsLeft = 0;
  private readonly queue: OfflineQueue<Outgoing>;
  private readonly requests = new Map<number, PendingRequest>();
  private readonly inboundQos2 = new Set<number>();
  private readonly listeners: Listeners = {
    connect: new Set(),
    disconnect: new Set(),
    message: new Set(),
    error: new Set(),
  };

  private connectTimer: TimerHandle | undefined;
  private keepaliveTimer: TimerHandle | undefined;
  private pingDeadline: TimerHandle | undefined;
  private reconnectTimer: TimerHandle | undefined;

  private connects = 0;
  private connectAttempts = 0;
  private duplicatesSuppressed = 0;
  private retransmitted = 0;
  private pingsSent = 0;

  constructor(private readonly options: MqttClientOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.backoff = new Backoff({ ...DEFAULT_BACKOFF, ...options.backoff }, options.random);
    this.keepaliveMs = (options.keepaliveSeconds ?? 60) * 1000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? Math.min(this.keepaliveMs, 15_000);
    this.connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.password = typeof options.password === 'string' ? encodeUtf8(options.password) : options.password;
    this.queue = new OfflineQueue(this.limits.offlineQueue, this.limits.offlineQueueBytes);
  }

  get state(): ClientState {
    return this.current;
  }

  /** Subscribes a listener; returns a function that removes it. */
  on<K extends keyof MqttClientEvents>(event: K, listener: MqttClientEvents[K]): () => void {
    const set = this.listeners[event] as Set<MqttClientEvents[K]>;
    set.add(listener);
    return () => set.delete(listener);
  }

  /**
   * Starts connecting; from then on the client reconnects by itself until `close()`. Refused when
   * the options make an invalid CONNECT (client id, credentials, will). A closed client may be
   * started again, with a fresh in-memory session. Messages published before start wait in the
   * offline queue.
   */
  start(): Result<void, MqttErrorReason> {
    const connect = checkPacket(this.connectPacket());
    if (!connect.ok) return connect;
    if (this.current === 'idle' || this.current === 'closed') this.open();
    return ok(undefined);
  }

  /**
   * Ends the session for good: DISCONNECT (so the broker discards the Will), close the socket, stop
   * reconnecting. Unsettled publishes and requests settle with 'closed'.
   */
  close(): void {
    if (this.current === 'closed') return;
    const wasLinked = this.current === 'connecting' || this.current === 'connected';
    const wasConnected = this.current === 'connected';
    // Closed first, so a DISCONNECT that finds the link stalled ends it quietly (lose() ignores it).
    this.current = 'closed';
    if (wasConnected) this.connection?.send({ type: 'disconnect' });
    this.connection?.close();
    this.connection = undefined;
    this.cancelTimers();
    this.cancel(this.reconnectTimer);
    this.reconnectTimer = undefined;
    for (const entry of this.inflight.values()) entry.message.settle(refuse('closed', 'the client was closed'));
    for (const message of this.queue.takeAll()) message.settle(refuse('closed', 'the client was closed'));
    this.inflight.clear();
    this.resendsLeft = 0;
    this.failRequests('closed');
    this.ids.clear();
    this.inboundQos2.clear();
    if (wasLinked) this.emit('disconnect', { reason: 'client-closed', detail: 'close() was called' });
  }

  /**
   * Publishes a message. The promise settles (never rejects) with ok once the message is handed to
   * the socket (QoS 0) or acknowledged by the broker (QoS 1 PUBACK, QoS 2 PUBCOMP), else with a
   * refusal. The payload is kept by reference until then: do not modify it.
   */
  publish(topic: string, payload: Uint8Array | string, options: PublishOptions = {}): Promise<Result<void, PublishRefusal>> {
    const qos = options.qos ?? 0;
    if (this.current === 'closed') return Promise.resolve(refuse('closed', 'the client is closed'));
    const name = checkTopicName(topic);
    if (!name.ok) return Promise.resolve(refuse('invalid-topic', name.detail));
    const bytes = typeof payload === 'string' ? encodeUtf8(payload) : payload;
    const size = encodedLength({ type: 'publish', topic, payload: bytes, qos, retain: false, dup: false, packetId: 1 });
    // A PUBLISH that cannot wait whole for write credit would close every link it is resent on.
    const largest = Math.min(this.limits.maxPacketSize, this.limits.maxOutputBytes);
    if (size > largest)
      return Promise.resolve(refuse('too-large', `${size} bytes exceed ${largest} (maxPacketSize, maxOutputBytes)`));
    return new Promise((settle) => {
      this.submit({ topic, payload: bytes, qos, retain: options.retain ?? false, size, settle });
    });
  }

  /** Subscribes while connected; settles with the broker's answer for each filter, in order. */
  subscribe(subscriptions: readonly Subscription[]): Promise<Result<readonly SubscribeOutcome[], RequestRefusal>> {
    const topics = subscriptions.map((s) => s.topic);
    const refusal = this.checkRequest(topics);
    if (refusal) return Promise.resolve(refusal);
    if (!subscriptions.every((s) => s.qos === 0 || s.qos === 1 || s.qos === 2))
      return Promise.resolve(refuse('invalid-filter', 'a requested QoS is not 0, 1 or 2'));
    const packetId = this.ids.take()!;
    return new Promise((settle) => {
      this.requests.set(packetId, { kind: 'subscribe', topics, settle });
      this.connection?.send({ type: 'subscribe', packetId, subscriptions });
    });
  }

  /** Unsubscribes while connected; settles on UNSUBACK. */
  unsubscribe(topics: readonly string[]): Promise<Result<void, RequestRefusal>> {
    const refusal = this.checkRequest(topics);
    if (refusal) return Promise.resolve(refusal);
    const packetId = this.ids.take()!;
    return new Promise((settle) => {
      this.requests.set(packetId, { kind: 'unsubscribe', settle });
      this.connection?.send({ type: 'unsubscribe', packetId, topics });
    });
  }

  stats(): MqttClientStats {
    return {
      state: this.current,
      inflight: this.inflight.size,
      queued: this.queue.length,
      queuedBytes: this.queue.bytes,
      offlineDropped: this.queue.dropped,
      offlineRefused: this.queue.refused,
      connects: this.connects,
      connectAttempts: this.connectAttempts,
      awaitingPubrel: this.inboundQos2.size,
      duplicatesSuppressed: this.duplicatesSuppressed,
      retransmitted: this.retransmitted,
      pingsSent: this.pingsSent,
    };
  }

  // --- connection lifecycle -------------------------------------------------------------------

  private open(): void {
    this.current = 'connecting';
    this.connectAttempts++;
    this.connectTimer = this.options.scheduler.set(() => {
      this.connectTimer = undefined;
      this.lose({ reason: 'connect-timeout', detail: `no CONNACK within ${this.connectTimeoutMs} ms` });
    }, this.connectTimeoutMs);
    try {
      this.connection = new Connection(
        this.options.socket,
        { host: this.options.host, port: this.options.port },
        { maxPacketSize: this.limits.maxPacketSize, maxOutputBytes: this.limits.maxOutputBytes },
        {
          onOpen: () => this.send(this.connectPacket()),
          onPacket: (packet) => this.receive(packet),
          onCredit: () => {
            if (this.current === 'connected') this.drain();
          },
          onEnd: (end) => this.lose(end),
        },
      );
    } catch (error) {
      this.lose({ reason: 'socket-closed', detail: `the socket could not be opened: ${String(error)}` });
    }
  }

  private connectPacket(): ConnectPacket {
    const { clientId, username, will } = this.options;
    return {
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 4,
      clientId,
      clean: this.options.clean ?? true,
      keepalive: this.keepaliveMs / 1000,
      ...(username !== undefined ? { username } : {}),
      ...(this.password !== undefined ? { password: this.password } : {}),
      ...(will !== undefined ? { will } : {}),
    };
  }

  private connected(sessionPresent: boolean): void {
    this.cancel(this.connectTimer);
    this.connectTimer = undefined;
    this.current = 'connected';
    this.connects++;
    this.backoff.reset();
    if (!sessionPresent) {
      // A new session at the broker: it forgot every exchange it was part of. Inbound ids awaiting
      // PUBREL will never be released. A message past PUBREC may never have reached a subscriber
      // (mosquitto releases QoS 2 messages at PUBREL), so it is published again: at least once
      // rather than possibly lost, since the session that made it exactly once is gone.
      this.inboundQos2.clear();
      for (const entry of this.inflight.values()) entry.stage = 'publish';
    }
    for (const entry of this.inflight.values()) entry.resend = true;
    this.resendsLeft = this.inflight.size;
    this.armKeepalive();
    this.drain();
    if (this.current === 'connected') this.emit('connect', { sessionPresent });
  }

  /** The connection ended or failed: keep the session, tell listeners, try again later. */
  private lose(cause: DisconnectCause): void {
    if (this.current !== 'connecting' && this.current !== 'connected') return;
    this.connection?.close();
    this.connection = undefined;
    this.cancelTimers();
    this.failRequests('connection-lost');
    this.current = 'reconnecting';
    this.emit('disconnect', cause);
    if (this.current !== 'reconnecting') return; // a listener closed the client
    this.reconnectTimer = this.options.scheduler.set(() => {
      this.reconnectTimer = undefined;
      if (this.current === 'reconnecting') this.open();
    }, this.backoff.next());
  }

  private violation(detail: string): void {
    this.lose({ reason: 'protocol-error', error: mqttError('protocol-violation', detail), detail });
  }

  // --- keepalive ------------------------------------------------------------------------------

  private armKeepalive(): void {
    if (this.keepaliveMs === 0) return;
    this.keepaliveTimer = this.options.scheduler.set(() => {
      this.keepaliveTimer = undefined;
      if (this.current !== 'connected') return;
      if (this.pingDeadline === undefined) {
        this.pingsSent++;
        this.send({ type: 'pingreq' });
        if (this.current !== 'connected') return; // the PINGREQ found the link dead: lose() ran
        this.pingDeadline = this.options.scheduler.set(() => {
          this.pingDeadline = undefined;
          this.lose({ reason: 'ping-timeout', detail: `no answer within ${this.pingTimeoutMs} ms of PINGREQ` });
        }, this.pingTimeoutMs);
      }
      this.armKeepalive();
    }, this.keepaliveMs);
  }

  // --- inbound --------------------------------------------------------------------------------

  private receive(packet: Packet): void {
    // Anything from the broker proves the link is alive.
    this.cancel(this.pingDeadline);
    this.pingDeadline = undefined;
    if (this.current === 'connecting') {
      if (packet.type !== 'connack') return this.violation(`expected CONNACK, got ${packet.type}`);
      if (packet.returnCode === 0) return this.connected(packet.sessionPresent);
      const refusal = REFUSALS[packet.returnCode];
      return this.lose({ reason: 'refused', refusal, detail: `CONNACK return code ${packet.returnCode}: ${refusal}` });
    }
    switch (packet.type) {
      case 'publish':
        return this.receivePublish(packet);
      case 'puback':
        return this.acknowledged(packet.packetId, 1, 'publish');
      case 'pubrec': {
        const entry = this.inflight.get(packet.packetId);
        if (entry && entry.message.qos === 2) entry.stage = 'pubrel';
        else this.problem('unexpected-ack', `PUBREC for unknown packet id ${packet.packetId}`);
        // Answer even an unknown id, so the broker can finish its side of the exchange.
        this.send({ type: 'pubrel', packetId: packet.packetId });
        return;
      }
      case 'pubcomp':
        return this.acknowledged(packet.packetId, 2, 'pubrel');
      case 'pubrel':
        this.inboundQos2.delete(packet.packetId);
        this.send({ type: 'pubcomp', packetId: packet.packetId });
        return;
      case 'suback':
        return this.answered(packet.packetId, 'subscribe', (request) => {
          if (request.kind !== 'subscribe') return;
          if (packet.granted.length !== request.topics.length) {
            const detail = `SUBACK has ${packet.granted.length} codes for ${request.topics.length} filters`;
            request.settle(refuse('connection-lost', detail));
            return this.violation(detail);
          }
          request.settle(
            ok(request.topics.map((topic, i) => {
              const code = packet.granted[i]!;
              return { topic, granted: code === 0x80 ? 'failure' : code };
            })),
          );
        });
      case 'unsuback':
        return this.answered(packet.packetId, 'unsubscribe', (request) => {
          if (request.kind === 'unsubscribe') request.settle(ok(undefined));
        });
      case 'pingresp':
        return;
      default:
        return this.violation(`a broker does not send ${packet.type}`);
    }
  }

  private receivePublish(packet: PublishPacket): void {
    const message: InboundMessage = {
      topic: packet.topic,
      payload: packet.payload,
      qos: packet.qos,
      retain: packet.retain,
    };
    if (packet.qos === 0) return this.emit('message', message);
    const packetId = packet.packetId!;
    if (packet.qos === 1) {
      this.emit('message', message);
      this.send({ type: 'puback', packetId });
      return;
    }
    if (this.inboundQos2.has(packetId)) {
      this.duplicatesSuppressed++;
    } else {
      if (this.inboundQos2.size >= this.limits.maxInboundQos2)
        return this.lose({
          reason: 'too-many-inbound-qos2',
          detail: `more than ${this.limits.maxInboundQos2} inbound QoS 2 messages await PUBREL`,
        });
      this.inboundQos2.add(packetId);
      this.emit('message', message);
    }
    this.send({ type: 'pubrec', packetId });
  }

  private acknowledged(packetId: number, qos: QoS, stage: InflightEntry['stage']): void {
    const entry = this.inflight.get(packetId);
    if (!entry || entry.message.qos !== qos || entry.stage !== stage)
      return this.problem('unexpected-ack', `acknowledgement for packet id ${packetId} matches no message awaiting it`);
    this.complete(packetId, entry);
    this.drain();
  }

  private complete(packetId: number, entry: InflightEntry): void {
    this.inflight.delete(packetId);
    if (entry.resend) this.resendsLeft--;
    this.ids.release(packetId);
    entry.message.settle(ok(undefined));
  }

  private answered(packetId: number, kind: PendingRequest['kind'], settle: (request: PendingRequest) => void): void {
    const request = this.requests.get(packetId);
    if (!request || request.kind !== kind)
      return this.problem('unexpected-ack', `${kind} acknowledgement for unknown packet id ${packetId}`);
    this.requests.delete(packetId);
    this.ids.release(packetId);
    settle(request);
  }

  // --- outbound -------------------------------------------------------------------------------

  private submit(message: Outgoing): void {
    if (this.queue.length === 0 && this.canSend(message)) return this.transmit(message);
    const queued = this.queue.push(message);
    if (!queued.accepted)
      return message.settle(refuse('queue-full', `no room among ${this.queue.length} queued messages (${this.queue.bytes} bytes)`));
    for (const evicted of queued.evicted) evicted.settle(refuse('dropped', 'evicted from the full offline queue by a newer message'));
  }

  private canSend(message: Outgoing): boolean {
    return (
      this.current === 'connected' &&
      this.resendsLeft === 0 &&
      (message.qos === 0 || this.inflight.size < this.limits.maxInflight) &&
      this.hasRoom(message.size)
    );
  }

  /**
   * Whether a PUBLISH of `size` bytes may join what waits for write credit. PUBLISHes fill at most
   * half of maxOutputBytes (any size when nothing waits): the rest is for acknowledgements and
   * PINGREQ, so that only a link that stops taking bytes overflows it, not a burst of publishes.
   */
  private hasRoom(size: number): boolean {
    const waiting = this.connection?.waitingBytes ?? 0;
    return waiting === 0 || waiting + size <= this.limits.maxOutputBytes / 2;
  }

  private transmit(message: Outgoing): void {
    if (message.qos === 0) {
      const handed = this.send(publishPacket(message, undefined, false));
      return message.settle(handed ? ok(undefined) : refuse('connection-lost', 'the connection failed while sending'));
    }
    const packetId = this.ids.take()!; // in use: at most maxInflight + maxPendingRequests ids
    this.inflight.set(packetId, { message, packetId, stage: 'publish', resend: false });
    this.send(publishPacket(message, packetId, false));
  }

  /**
   * Resends what a reconnect left in flight, then sends queued messages, in order, while the
   * connection, its write credit and the in-flight window allow.
   */
  private drain(): void {
    this.resendInflight();
    for (let next = this.queue.peek(); next && this.canSend(next); next = this.queue.peek()) {
      this.queue.shift();
      this.transmit(next);
    }
  }

  /** PUBLISH (DUP) or PUBREL again for each in-flight message, in their original order. */
  private resendInflight(): void {
    if (this.resendsLeft === 0) return;
    for (const entry of this.inflight.values()) {
      if (!entry.resend) continue;
      const pubrel = entry.stage === 'pubrel';
      if (this.current !== 'connected' || !this.hasRoom(pubrel ? PUBREL_SIZE : entry.message.size)) return;
      entry.resend = false;
      this.resendsLeft--;
      this.retransmitted++;
      this.send(pubrel ? { type: 'pubrel', packetId: entry.packetId } : publishPacket(entry.message, entry.packetId, true));
    }
  }

  private send(packet: Packet): boolean {
    return this.connection?.send(packet) ?? false;
  }

  private checkRequest(topics: readonly string[]): Result<never, RequestRefusal> | undefined {
    if (this.current === 'closed') return refuse('closed', 'the client is closed');
    if (this.current !== 'connected') return refuse('offline', 'subscribe and unsubscribe need a connection');
    if (topics.length === 0) return refuse('invalid-filter', 'no topic filter given');
    for (const topic of topics) {
      const filter = checkTopicFilter(topic);
      if (!filter.ok) return refuse('invalid-filter', `${JSON.stringify(topic)}: ${filter.detail}`);
    }
    if (this.requests.size >= this.limits.maxPendingRequests)
      return refuse('busy', `${this.requests.size} requests await their acknowledgement`);
    return undefined;
  }

  private failRequests(reason: 'connection-lost' | 'closed'): void {
    for (const [packetId, request] of this.requests) {
      this.ids.release(packetId);
      request.settle(refuse(reason, 'no acknowledgement before the connection ended'));
    }
    this.requests.clear();
  }

  // --- plumbing -------------------------------------------------------------------------------

  private cancelTimers(): void {
    this.cancel(this.connectTimer);
    this.cancel(this.keepaliveTimer);
    this.cancel(this.pingDeadline);
    this.connectTimer = this.keepaliveTimer = this.pingDeadline = undefined;
  }

  private cancel(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.options.scheduler.clear(handle);
  }

  private problem(reason: ClientProblem['reason'], detail: string): void {
    this.emit('error', { reason, detail });
  }

  private emit<K extends keyof MqttClientEvents>(event: K, argument: Parameters<MqttClientEvents[K]>[0]): void {
    for (const listener of this.listeners[event]) {
      try {
        (listener as (argument: Parameters<MqttClientEvents[K]>[0]) => void)(argument);
      } catch (error) {
        if (event !== 'error') this.problem('listener-failed', `a ${event} listener threw: ${String(error)}`);
      }
    }
  }
}

function publishPacket(message: Outgoing, packetId: number | undefined, dup: boolean): PublishPacket {
  const { topic, payload, qos, retain } = message;
  return packetId === undefined
    ? { type: 'publish', topic, payload, qos, retain, dup: false }
    : { type: 'publish', topic, payload, qos, retain, dup, packetId };
}
