/**
 * The variable header and payload of one complete packet to a Packet, checking every rule of
 * MQTT 3.1.1 that the bytes themselves can break. The fixed header was checked by the parser.
 */
import { mqttError, type MqttError, type MqttErrorReason } from './errors';
import {
  CONNACK, CONNECT, DISCONNECT, PINGREQ, PINGRESP, PUBACK, PUBCOMP, PUBLISH, PUBREC, PUBREL, SUBACK,
  SUBSCRIBE, UNSUBACK, UNSUBSCRIBE,
} from './header';
import type { ConnectPacket, Packet, QoS, SubackReturnCode, Subscription, Will } from './packets';
import { wildcardPlacementProblem } from './topic';
import { TopicNameCache } from './topic-cache';
import { asciiString, decodeUtf8 } from './utf8';

const PLUS = 0x2b;
const HASH = 0x23;
const NO_BYTES = new Uint8Array(0);

/** Reads one packet body; keeps the position and the first refusal. One per parser, reused. */
export class PacketDecoder {
  private bytes: Uint8Array = NO_BYTES;
  private pos = 0;
  private end = 0;
  private readonly topics = new TopicNameCache();
  /** Why the last `decode` returned undefined. */
  error: MqttError | undefined;

  /** Decodes bytes[start, end) (the variable header and payload) of a packet whose first byte is `first`. */
  decode(first: number, bytes: Uint8Array, start: number, end: number): Packet | undefined {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.error = undefined;
    return this.body(first);
  }

  /** Drops every reference to the caller's bytes (the parser calls this when a push ends). */
  release(): void {
    this.bytes = NO_BYTES;
    this.topics.release();
  }

  private body(first: number): Packet | undefined {
    switch (first >> 4) {
      case PUBLISH:
        return this.publish(first);
      case PUBACK:
        return this.ack('puback');
      case PUBREC:
        return this.ack('pubrec');
      case PUBREL:
        return this.ack('pubrel');
      case PUBCOMP:
        return this.ack('pubcomp');
      case UNSUBACK:
        return this.ack('unsuback');
      case PINGREQ:
        return { type: 'pingreq' };
      case PINGRESP:
        return { type: 'pingresp' };
      case DISCONNECT:
        return { type: 'disconnect' };
      case CONNACK:
        return this.connack();
      case SUBSCRIBE:
        return this.subscribe();
      case SUBACK:
        return this.suback();
      case UNSUBSCRIBE:
        return this.unsubscribe();
      case CONNECT:
        return this.connect();
      default:
        return this.fail('unknown-packet-type', `packet type ${first >> 4}`);
    }
  }

  private publish(first: number): Packet | undefined {
    const topic = this.topicName();
    if (topic === undefined) return undefined;
    const qos = ((first >> 1) & 3) as QoS;
    const retain = (first & 1) === 1;
    const dup = (first & 8) === 8;
    if (qos === 0) return { type: 'publish', topic, payload: this.bytes.subarray(this.pos, this.end), qos, retain, dup };
    const packetId = this.packetId();
    if (packetId === undefined) return undefined;
    return { type: 'publish', topic, payload: this.bytes.subarray(this.pos, this.end), qos, retain, dup, packetId };
  }

  private ack(type: 'puback' | 'pubrec' | 'pubrel' | 'pubcomp' | 'unsuback'): Packet | undefined {
    const packetId = this.packetId();
    return packetId === undefined ? undefined : { type, packetId };
  }

  private connack(): Packet | undefined {
    const flags = this.bytes[this.pos]!;
    const returnCode = this.bytes[this.pos + 1]!;
    if (flags > 1) return this.fail('reserved-flags', 'CONNACK flag bits 7-1 must be 0');
    if (returnCode > 5) return this.fail('invalid-return-code', `CONNACK return code ${returnCode} is reserved`);
    if (flags === 1 && returnCode !== 0) return this.fail('protocol-violation', 'session present set on a refused connection [MQTT-3.2.2-4]');
    return { type: 'connack', sessionPresent: flags === 1, returnCode: returnCode as 0 | 1 | 2 | 3 | 4 | 5 };
  }

  private subscribe(): Packet | undefined {
    const packetId = this.packetId();
    if (packetId === undefined) return undefined;
    const subscriptions: Subscription[] = [];
    while (this.pos < this.end) {
      const topic = this.filter();
      if (topic === undefined) return undefined;
      if (this.pos >= this.end) return this.fail('malformed-packet', 'SUBSCRIBE filter without its options byte');
      const options = this.bytes[this.pos++]!;
      if (options & 0xfc) return this.fail('reserved-flags', 'SUBSCRIBE options bits 7-2 must be 0 [MQTT-3.8.3-4]');
      if (options === 3) return this.fail('invalid-qos', 'SUBSCRIBE requested QoS 3');
      subscriptions.push({ topic, qos: options as QoS });
    }
    if (subscriptions.length === 0) return this.fail('empty-subscription-list', 'SUBSCRIBE without filters [MQTT-3.8.3-3]');
    return { type: 'subscribe', packetId, subscriptions };
  }

  private suback(): Packet | undefined {
    const packetId = this.packetId();
    if (packetId === undefined) return undefined;
    const granted: SubackReturnCode[] = [];
    while (this.pos < this.end) {
      const code = this.bytes[this.pos++]!;
      if (code > 2 && code !== 0x80) return this.fail('invalid-return-code', `SUBACK return code ${code} is not 0, 1, 2 or 0x80`);
      granted.push(code as SubackReturnCode);
    }
    if (granted.length === 0) return this.fail('empty-subscription-list', 'SUBACK without return codes');
    return { type: 'suback', packetId, granted };
  }

  private unsubscribe(): Packet | undefined {
    const packetId = this.packetId();
    if (packetId === undefined) return undefined;
    const topics: string[] = [];
    while (this.pos < this.end) {
      const topic = this.filter();
      if (topic === undefined) return undefined;
      topics.push(topic);
    }
    if (topics.length === 0) return this.fail('empty-subscription-list', 'UNSUBSCRIBE without filters [MQTT-3.10.3-2]');
    return { type: 'unsubscribe', packetId, topics };
  }

  private connect(): Packet | undefined {
    const protocolName = this.string('protocol name');
    if (protocolName === undefined) return undefined;
    if (protocolName !== 'MQTT') return this.fail('protocol-violation', `protocol name ${JSON.stringify(protocolName)} is not "MQTT"`);
    if (this.end - this.pos < 4) return this.fail('malformed-packet', 'CONNECT too short for its variable header');
    const level = this.bytes[this.pos++]!;
    if (level !== 4) return this.fail('unsupported-protocol-version', `protocol level ${level}; only 4 (MQTT 3.1.1) is supported`);
    const flags = this.bytes[this.pos++]!;
    const keepalive = this.uint16();
    if (flags & 0x01) return this.fail('reserved-flags', 'CONNECT flag bit 0 must be 0 [MQTT-3.1.2-3]');
    const hasWill = (flags & 0x04) !== 0;
    const willQos = (flags >> 3) & 3;
    const willRetain = (flags & 0x20) !== 0;
    if (willQos === 3) return this.fail('invalid-qos', 'will QoS 3 [MQTT-3.1.2-14]');
    if (!hasWill && (willQos !== 0 || willRetain))
      return this.fail('protocol-violation', 'will QoS and retain must be 0 without a will [MQTT-3.1.2-13, MQTT-3.1.2-15]');
    const hasUsername = (flags & 0x80) !== 0;
    const hasPassword = (flags & 0x40) !== 0;
    if (hasPassword && !hasUsername) return this.fail('protocol-violation', 'password flag without user name flag [MQTT-3.1.2-22]');
    const clean = (flags & 0x02) !== 0;
    const clientId = this.string('client id');
    if (clientId === undefined) return undefined;
    if (clientId.length === 0 && !clean) return this.fail('identifier-rejected', 'empty client id with CleanSession 0 [MQTT-3.1.3-8]');
    let will: Will | undefined;
    if (hasWill) {
      const topic = this.topicName();
      if (topic === undefined) return undefined;
      const payload = this.binary('will payload');
      if (payload === undefined) return undefined;
      will = { topic, payload, qos: willQos as QoS, retain: willRetain };
    }
    let username: string | undefined;
    let password: Uint8Array | undefined;
    if (hasUsername) {
      username = this.string('user name');
      if (username === undefined) return undefined;
    }
    if (hasPassword) {
      password = this.binary('password');
      if (password === undefined) return undefined;
    }
    if (this.pos !== this.end) return this.fail('malformed-packet', `${this.end - this.pos} bytes after the CONNECT payload`);
    const packet: { -readonly [K in keyof ConnectPacket]: ConnectPacket[K] } = {
      type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clientId, clean, keepalive,
    };
    if (username !== undefined) packet.username = username;
    if (password !== undefined) packet.password = password;
    if (will) packet.will = will;
    return packet;
  }

  private uint16(): number {
    const value = (this.bytes[this.pos]! << 8) | this.bytes[this.pos + 1]!;
    this.pos += 2;
    return value;
  }

  private packetId(): number | undefined {
    if (this.end - this.pos < 2) return this.fail('malformed-packet', 'too short for a packet identifier');
    const id = this.uint16();
    return id === 0 ? this.fail('zero-packet-id', 'packet identifier 0') : id;
  }

  /** A length-prefixed MQTT string. */
  private string(what: string): string | undefined {
    if (this.end - this.pos < 2) return this.fail('malformed-packet', `too short for the ${what}'s length`);
    const length = this.uint16();
    const stop = this.pos + length;
    if (stop > this.end) return this.fail('malformed-packet', `the ${what} runs past the packet`);
    const text = decodeUtf8(this.bytes, this.pos, stop);
    if (text === undefined) return this.fail('invalid-utf8', `the ${what} is not well-formed UTF-8 without U+0000`);
    this.pos = stop;
    return text;
  }

  /** Length-prefixed binary data, copied out so that it outlives the received bytes. */
  private binary(what: string): Uint8Array | undefined {
    if (this.end - this.pos < 2) return this.fail('malformed-packet', `too short for the ${what}'s length`);
    const length = this.uint16();
    const stop = this.pos + length;
    if (stop > this.end) return this.fail('malformed-packet', `the ${what} runs past the packet`);
    const bytes = copyOf(this.bytes, this.pos, stop);
    this.pos = stop;
    return bytes;
  }

  private filter(): string | undefined {
    const filter = this.string('topic filter');
    if (filter === undefined) return undefined;
    const problem = wildcardPlacementProblem(filter);
    return problem === undefined ? filter : this.fail('invalid-topic-filter', `${problem}: ${filter}`);
  }

  /** A length-prefixed topic name: non-empty, well-formed, no wildcard (a repeat comes from the cache). */
  private topicName(): string | undefined {
    if (this.end - this.pos < 2) return this.fail('malformed-packet', "too short for the topic name's length");
    const bytes = this.bytes;
    const length = this.uint16();
    const start = this.pos;
    const stop = start + length;
    if (stop > this.end) return this.fail('malformed-packet', 'the topic name runs past the packet');
    if (length === 0) return this.fail('invalid-topic', 'empty topic name');
    this.pos = stop;
    const known = this.topics.find(bytes, start, length);
    if (known !== undefined) return known;
    // '+' and '#' are ASCII, and no byte of a multi-byte UTF-8 sequence is ASCII: a byte scan finds them.
    let ascii = true;
    for (let i = start; i < stop; i++) {
      const b = bytes[i]!;
      if (b === PLUS || b === HASH) return this.fail('wildcard-in-topic', 'wildcard in a topic name');
      if (b === 0 || b >= 0x80) ascii = false;
    }
    const topic = ascii ? asciiString(bytes, start, stop) : decodeUtf8(bytes, start, stop);
    if (topic === undefined) return this.fail('invalid-utf8', 'the topic name is not well-formed UTF-8 without U+0000');
    this.topics.remember(bytes, start, length, topic);
    return topic;
  }

  private fail(reason: MqttErrorReason, detail: string): undefined {
    this.error = mqttError(reason, detail);
    return undefined;
  }
}

/**
 * bytes[start, stop) in a buffer of their own. Not `slice`: on a Node Buffer (a Uint8Array too),
 * `slice` returns a view that shares memory.
 */
function copyOf(bytes: Uint8Array, start: number, stop: number): Uint8Array {
  const copy = new Uint8Array(stop - start);
  copy.set(bytes.subarray(start, stop));
  return copy;
}
