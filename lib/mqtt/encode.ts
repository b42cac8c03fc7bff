/**
 * MQTT 3.1.1 packets to bytes, byte-identical to mqtt-packet's `generate(packet, {protocolVersion: 4})`.
 * `encode` trusts its input; run `checkPacket` first on anything built from untrusted data.
 */
import { ok, refuse, type Result } from '../result/index';
import type { MqttErrorReason } from './errors';
import {
  CONNACK, CONNECT, DISCONNECT, MAX_REMAINING_LENGTH, PINGREQ, PINGRESP, PUBACK, PUBCOMP, PUBLISH, PUBREC,
  PUBREL, SUBACK, SUBSCRIBE, UNSUBACK, UNSUBSCRIBE, remainingLengthSize, writeRemainingLength,
} from './header';
import type { ConnectPacket, Packet, PublishPacket } from './packets';
import { checkTopicFilter, checkTopicName } from './topic';
import { MAX_STRING_BYTES, encodeUtf8, encodeUtf8Into, isMqttString, utf8Length, writeShortAscii } from './utf8';

/** The whole packet's size in bytes, fixed header included. */
export function encodedLength(packet: Packet): number {
  const remaining = remainingLength(packet);
  return 1 + remainingLengthSize(remaining) + remaining;
}

/** Where encoded packets are written. */
interface Buffers {
  allocate(size: number): Uint8Array;
}

const freshBuffers: Buffers = { allocate: (size) => new Uint8Array(size) };

/** The packet's bytes, in a buffer of their own (`result.buffer` holds exactly the packet). */
export function encode(packet: Packet): Uint8Array {
  return encodeWith(packet, freshBuffers, undefined);
}

/** Packets of at most this many bytes are cut from shared slabs by a PacketEncoder. */
const POOLED_MAX = 2048;
const SLAB_SIZE = 8192;
/** Topic names (of at most TOPIC_CACHE_MAX_CHARS) whose UTF-8 bytes a PacketEncoder keeps; a power of two. */
const TOPIC_CACHE_SLOTS = 8;
const TOPIC_CACHE_MAX_CHARS = 64;
/** The bytes of a topic seen only once: not kept yet. */
const NOT_YET = new Uint8Array(0);

/**
 * An encoder that keeps state between packets to go faster (same bytes as `encode`): the UTF-8 of
 * recently published topic names, and, for packets of at most 2 KB, slices of shared 8 KB buffers
 * instead of a new buffer per packet (a fresh buffer costs V8 about a microsecond above 64 bytes).
 * So its results are views: hand them on as views (they honour byteOffset and length), never as
 * `.buffer`; and a result kept for long keeps its 8 KB slab alive. One per connection.
 */
export class PacketEncoder implements Buffers {
  private slab = new Uint8Array(0);
  private used = 0;
  private readonly topics: string[] = [];
  private readonly topicBytes: Uint8Array[] = [];

  constructor() {
    for (let i = 0; i < TOPIC_CACHE_SLOTS; i++) {
      this.topics.push('');
      this.topicBytes.push(NOT_YET);
    }
  }

  encode(packet: Packet): Uint8Array {
    return encodeWith(packet, this, this);
  }

  /** @internal Room for one packet. */
  allocate(size: number): Uint8Array {
    if (size > POOLED_MAX) return new Uint8Array(size);
    if (this.used + size > this.slab.length) {
      this.slab = new Uint8Array(SLAB_SIZE);
      this.used = 0;
    }
    const start = this.used;
    this.used += size;
    return this.slab.subarray(start, this.used);
  }

  /**
   * @internal The UTF-8 of a topic name published recently, or undefined. A topic is remembered from its
   * second use on, so one-off topics cost no extra buffer.
   */
  topicUtf8(topic: string): Uint8Array | undefined {
    const slot = topic.length & (TOPIC_CACHE_SLOTS - 1);
    if (this.topics[slot] !== topic) {
      this.topics[slot] = topic;
      this.topicBytes[slot] = NOT_YET;
      return undefined;
    }
    const known = this.topicBytes[slot]!;
    if (known !== NOT_YET) return known;
    if (topic.length > TOPIC_CACHE_MAX_CHARS) return undefined;
    const bytes = encodeUtf8(topic);
    this.topicBytes[slot] = bytes;
    return bytes;
  }
}

function encodeWith(packet: Packet, buffers: Buffers, topics: PacketEncoder | undefined): Uint8Array {
  switch (packet.type) {
    case 'publish':
      return encodePublish(packet, buffers, topics);
    case 'puback':
      return encodeAck(buffers, PUBACK << 4, packet.packetId);
    case 'pubrec':
      return encodeAck(buffers, PUBREC << 4, packet.packetId);
    case 'pubrel':
      return encodeAck(buffers, (PUBREL << 4) | 0b0010, packet.packetId);
    case 'pubcomp':
      return encodeAck(buffers, PUBCOMP << 4, packet.packetId);
    case 'unsuback':
      return encodeAck(buffers, UNSUBACK << 4, packet.packetId);
    case 'pingreq':
      return encodeEmpty(buffers, PINGREQ << 4);
    case 'pingresp':
      return encodeEmpty(buffers, PINGRESP << 4);
    case 'disconnect':
      return encodeEmpty(buffers, DISCONNECT << 4);
    case 'connack': {
      const out = buffers.allocate(4);
      out[0] = CONNACK << 4;
      out[1] = 2;
      out[2] = packet.sessionPresent ? 1 : 0;
      out[3] = packet.returnCode;
      return out;
    }
    case 'connect':
      return encodeConnect(packet, buffers);
    case 'subscribe': {
      const remaining = remainingLength(packet);
      const out = start(buffers, (SUBSCRIBE << 4) | 0b0010, remaining);
      let o = writeUint16(out, out.length - remaining, packet.packetId);
      for (const { topic, qos } of packet.subscriptions) {
        o = writeString(out, o, topic);
        out[o++] = qos;
      }
      return out;
    }
    case 'suback': {
      const remaining = remainingLength(packet);
      const out = start(buffers, SUBACK << 4, remaining);
      let o = writeUint16(out, out.length - remaining, packet.packetId);
      for (const code of packet.granted) out[o++] = code;
      return out;
    }
    case 'unsubscribe': {
      const remaining = remainingLength(packet);
      const out = start(buffers, (UNSUBSCRIBE << 4) | 0b0010, remaining);
      let o = writeUint16(out, out.length - remaining, packet.packetId);
      for (const topic of packet.topics) o = writeString(out, o, topic);
      return out;
    }
  }
}

function encodePublish(packet: PublishPacket, buffers: Buffers, topics: PacketEncoder | undefined): Uint8Array {
  const { topic } = packet;
  const topicUtf8 = topics?.topicUtf8(topic);
  if (topicUtf8) return writePublish(packet, buffers, topicUtf8.length, topicUtf8) as Uint8Array;
  // Most topics are short and ASCII: guess so, and write the topic in the pass that checks it.
  const guessed = topic.length <= 64 ? writePublish(packet, buffers, topic.length, 'ascii') : undefined;
  return guessed ?? (writePublish(packet, buffers, utf8Length(topic), 'utf8') as Uint8Array);
}

/**
 * A PUBLISH whose topic takes `topicBytes` bytes: copied from given bytes, or written as UTF-8, or
 * written as ASCII, in which case the result is undefined if the topic turns out not to be ASCII.
 */
function writePublish(packet: PublishPacket, buffers: Buffers, topicBytes: number, topic: Uint8Array | 'ascii' | 'utf8'): Uint8Array | undefined {
  const { payload, qos } = packet;
  const remaining = 2 + topicBytes + (qos > 0 ? 2 : 0) + payload.length;
  const out = buffers.allocate(1 + remainingLengthSize(remaining) + remaining);
  out[0] = (PUBLISH << 4) | (packet.dup ? 0b1000 : 0) | (qos << 1) | (packet.retain ? 1 : 0);
  let o = writeRemainingLength(out, 1, remaining);
  out[o++] = topicBytes >> 8;
  out[o++] = topicBytes & 0xff;
  if (topic === 'ascii') {
    o = writeShortAscii(packet.topic, out, o);
    if (o < 0) return undefined;
  } else if (topic === 'utf8') {
    o = encodeUtf8Into(packet.topic, out, o);
  } else {
    out.set(topic, o);
    o += topicBytes;
  }
  if (qos > 0) {
    const id = packet.packetId ?? 0;
    out[o++] = id >> 8;
    out[o++] = id & 0xff;
  }
  out.set(payload, o);
  return out;
}

function encodeAck(buffers: Buffers, first: number, packetId: number): Uint8Array {
  const out = buffers.allocate(4);
  out[0] = first;
  out[1] = 2;
  out[2] = packetId >> 8;
  out[3] = packetId & 0xff;
  return out;
}

function encodeEmpty(buffers: Buffers, first: number): Uint8Array {
  const out = buffers.allocate(2);
  out[0] = first;
  out[1] = 0;
  return out;
}

function encodeConnect(packet: ConnectPacket, buffers: Buffers): Uint8Array {
  const remaining = remainingLength(packet);
  const out = start(buffers, CONNECT << 4, remaining);
  let o = out.length - remaining;
  o = writeString(out, o, packet.protocolName);
  out[o++] = packet.protocolVersion;
  const { will, username, password } = packet;
  out[o++] =
    (username !== undefined ? 0x80 : 0) |
    (password !== undefined ? 0x40 : 0) |
    (will?.retain ? 0x20 : 0) |
    ((will?.qos ?? 0) << 3) |
    (will ? 0x04 : 0) |
    (packet.clean ? 0x02 : 0);
  o = writeUint16(out, o, packet.keepalive);
  o = writeString(out, o, packet.clientId);
  if (will) {
    o = writeString(out, o, will.topic);
    o = writeBytes(out, o, will.payload);
  }
  if (username !== undefined) o = writeString(out, o, username);
  if (password !== undefined) writeBytes(out, o, password);
  return out;
}

/** Allocates the whole packet and writes its fixed header. */
function start(buffers: Buffers, first: number, remaining: number): Uint8Array {
  const out = buffers.allocate(1 + remainingLengthSize(remaining) + remaining);
  out[0] = first;
  writeRemainingLength(out, 1, remaining);
  return out;
}

function remainingLength(packet: Packet): number {
  switch (packet.type) {
    case 'connect': {
      const { will, username, password } = packet;
      let length = 2 + utf8Length(packet.protocolName) + 1 + 1 + 2 + 2 + utf8Length(packet.clientId);
      if (will) length += 2 + utf8Length(will.topic) + 2 + will.payload.length;
      if (username !== undefined) length += 2 + utf8Length(username);
      if (password !== undefined) length += 2 + password.length;
      return length;
    }
    case 'connack':
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'unsuback':
      return 2;
    case 'publish':
      return 2 + utf8Length(packet.topic) + (packet.qos > 0 ? 2 : 0) + packet.payload.length;
    case 'subscribe': {
      let length = 2;
      for (const { topic } of packet.subscriptions) length += 2 + utf8Length(topic) + 1;
      return length;
    }
    case 'suback':
      return 2 + packet.granted.length;
    case 'unsubscribe': {
      let length = 2;
      for (const topic of packet.topics) length += 2 + utf8Length(topic);
      return length;
    }
    case 'pingreq':
    case 'pingresp':
    case 'disconnect':
      return 0;
  }
}

function writeUint16(out: Uint8Array, offset: number, value: number): number {
  out[offset] = value >> 8;
  out[offset + 1] = value & 0xff;
  return offset + 2;
}

function writeString(out: Uint8Array, offset: number, text: string): number {
  const end = encodeUtf8Into(text, out, offset + 2);
  writeUint16(out, offset, end - offset - 2);
  return end;
}

function writeBytes(out: Uint8Array, offset: number, bytes: Uint8Array): number {
  writeUint16(out, offset, bytes.length);
  out.set(bytes, offset + 2);
  return offset + 2 + bytes.length;
}

type Check = Result<Packet, MqttErrorReason>;

/**
 * Validates a packet built from untrusted input so that `encode` produces a packet any conforming
 * peer (and our own parser) accepts. Returns the packet itself when valid.
 */
export function checkPacket(packet: Packet): Check {
  const refusal = shapeProblem(packet) ?? findProblem(packet);
  if (refusal) return refusal;
  if (remainingLength(packet) > MAX_REMAINING_LENGTH)
    return refuse('packet-too-large', `a packet's remaining length is at most ${MAX_REMAINING_LENGTH} bytes`);
  return ok(packet);
}

/** Fields of the wrong JavaScript type (possible from plain JS or parsed JSON): refused before any rule is read. */
function shapeProblem(packet: Packet): Check | undefined {
  if (typeof packet !== 'object' || packet === null) return malformed('a packet must be an object');
  const p = packet as unknown as Record<string, unknown>;
  switch (packet.type) {
    case 'connect': {
      const will = p.will as Record<string, unknown> | undefined;
      if (typeof p.clientId !== 'string' || typeof p.clean !== 'boolean' || typeof p.keepalive !== 'number')
        return malformed('CONNECT needs a string clientId, a boolean clean and a number keepalive');
      if (p.username !== undefined && typeof p.username !== 'string') return malformed('the user name must be a string');
      if (p.password !== undefined && !(p.password instanceof Uint8Array)) return malformed('the password must be a Uint8Array');
      if (will !== undefined && (typeof will !== 'object' || will === null || typeof will.topic !== 'string' || !(will.payload instanceof Uint8Array) || typeof will.retain !== 'boolean'))
        return malformed('a will needs a string topic, a Uint8Array payload and a boolean retain');
      return undefined;
    }
    case 'connack':
      return typeof p.sessionPresent === 'boolean' ? undefined : malformed('sessionPresent must be a boolean');
    case 'publish':
      return typeof p.topic === 'string' && p.payload instanceof Uint8Array && typeof p.retain === 'boolean' && typeof p.dup === 'boolean'
        ? undefined
        : malformed('PUBLISH needs a string topic, a Uint8Array payload and boolean retain and dup');
    case 'subscribe': {
      const subscriptions = p.subscriptions;
      if (!Array.isArray(subscriptions)) return malformed('subscriptions must be an array');
      for (const entry of subscriptions as unknown[])
        if (typeof entry !== 'object' || entry === null || typeof (entry as Record<string, unknown>).topic !== 'string')
          return malformed('each subscription needs a string topic');
      return undefined;
    }
    case 'suback':
      return Array.isArray(p.granted) ? undefined : malformed('granted must be an array');
    case 'unsubscribe':
      return Array.isArray(p.topics) && (p.topics as unknown[]).every((topic) => typeof topic === 'string')
        ? undefined
        : malformed('topics must be an array of strings');
    default:
      return undefined;
  }
}

function malformed(detail: string): Check {
  return refuse('malformed-packet', detail);
}

function findProblem(packet: Packet): Check | undefined {
  switch (packet.type) {
    case 'connect':
      return findConnectProblem(packet);
    case 'connack':
      if (!isIntegerIn(packet.returnCode, 0, 5)) return refuse('invalid-return-code', `CONNACK return code ${packet.returnCode} is not 0..5`);
      if (packet.sessionPresent && packet.returnCode !== 0)
        return refuse('protocol-violation', 'session present must be 0 when the connection is refused [MQTT-3.2.2-4]');
      return undefined;
    case 'publish':
      return (
        topicNameProblem(packet.topic) ??
        qosProblem(packet.qos) ??
        (packet.qos === 0
          ? packet.packetId !== undefined
            ? refuse('protocol-violation', 'a QoS 0 PUBLISH has no packet identifier')
            : packet.dup
              ? refuse('dup-on-qos0', 'DUP must be 0 on a QoS 0 PUBLISH [MQTT-3.3.1-2]')
              : undefined
          : packetIdProblem(packet.packetId))
      );
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'unsuback':
      return packetIdProblem(packet.packetId);
    case 'subscribe':
      if (packet.subscriptions.length === 0) return refuse('empty-subscription-list', 'SUBSCRIBE needs at least one filter [MQTT-3.8.3-3]');
      for (const { topic, qos } of packet.subscriptions) {
        const problem = topicFilterProblem(topic) ?? qosProblem(qos);
        if (problem) return problem;
      }
      return packetIdProblem(packet.packetId);
    case 'suback':
      if (packet.granted.length === 0) return refuse('empty-subscription-list', 'SUBACK needs at least one return code');
      for (const code of packet.granted)
        if (code !== 0 && code !== 1 && code !== 2 && code !== 0x80)
          return refuse('invalid-return-code', `SUBACK return code ${code} is not 0, 1, 2 or 0x80`);
      return packetIdProblem(packet.packetId);
    case 'unsubscribe':
      if (packet.topics.length === 0) return refuse('empty-subscription-list', 'UNSUBSCRIBE needs at least one filter [MQTT-3.10.3-2]');
      for (const topic of packet.topics) {
        const problem = topicFilterProblem(topic);
        if (problem) return problem;
      }
      return packetIdProblem(packet.packetId);
    case 'pingreq':
    case 'pingresp':
    case 'disconnect':
      return undefined;
    default:
      return refuse('unknown-packet-type', `unknown packet type ${String((packet as { type: unknown }).type)}`);
  }
}

function findConnectProblem(packet: ConnectPacket): Check | undefined {
  if (packet.protocolName !== 'MQTT') return refuse('protocol-violation', 'the protocol name must be "MQTT"');
  if (packet.protocolVersion !== 4) return refuse('unsupported-protocol-version', 'only protocol level 4 (MQTT 3.1.1) is supported');
  if (!isIntegerIn(packet.keepalive, 0, 0xffff)) return refuse('value-out-of-range', `keepalive ${packet.keepalive} is not 0..65535`);
  const problem = stringProblem(packet.clientId, 'client id');
  if (problem) return problem;
  if (packet.clientId.length === 0 && !packet.clean)
    return refuse('identifier-rejected', 'an empty client id needs CleanSession 1 [MQTT-3.1.3-7]');
  const { will, username, password } = packet;
  if (will) {
    const willProblem = topicNameProblem(will.topic) ?? qosProblem(will.qos) ?? bytesProblem(will.payload, 'will payload');
    if (willProblem) return willProblem;
  }
  if (username !== undefined) {
    const userProblem = stringProblem(username, 'user name');
    if (userProblem) return userProblem;
  }
  if (password !== undefined) {
    if (username === undefined) return refuse('protocol-violation', 'a password needs a user name [MQTT-3.1.2-22]');
    return bytesProblem(password, 'password');
  }
  return undefined;
}

function topicNameProblem(topic: string): Check | undefined {
  const checked = checkTopicName(topic);
  return checked.ok ? undefined : checked;
}

function topicFilterProblem(filter: string): Check | undefined {
  const checked = checkTopicFilter(filter);
  return checked.ok ? undefined : checked;
}

function stringProblem(text: string, what: string): Check | undefined {
  return isMqttString(text) ? undefined : refuse('invalid-utf8', `the ${what} is not an MQTT string (no U+0000, no lone surrogate, at most 65535 bytes)`);
}

function bytesProblem(bytes: Uint8Array, what: string): Check | undefined {
  return bytes.length <= MAX_STRING_BYTES ? undefined : refuse('value-out-of-range', `the ${what} is longer than 65535 bytes`);
}

function qosProblem(qos: number): Check | undefined {
  return qos === 0 || qos === 1 || qos === 2 ? undefined : refuse('invalid-qos', `QoS ${qos} is not 0, 1 or 2`);
}

function packetIdProblem(id: number | undefined): Check | undefined {
  return id !== undefined && isIntegerIn(id, 1, 0xffff) ? undefined : refuse('zero-packet-id', `packet identifier ${id} is not 1..65535`);
}

function isIntegerIn(value: number, min: number, max: number): boolean {
  return Number.isInteger(value) && value >= min && value <= max;
}
