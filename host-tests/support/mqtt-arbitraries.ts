/** fast-check generators of valid MQTT 3.1.1 packets, topic names and filters (pure: runs under Node and XS). */
import fc from 'fast-check';
import { encode } from '../../lib/mqtt/encode';
import type {
  ConnectPacket, Packet, PublishPacket, QoS, SubackReturnCode, Subscription, Will,
} from '../../lib/mqtt/index';

/** One code point that may sit inside a topic level: anything but '/', '+', '#' and U+0000. */
const levelChar: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom('a', 'b', 'c', 'x', '0', '$', ' ', '-', '_'), weight: 6 },
  { arbitrary: fc.constantFrom('é', '€', '𝄞', '😀', '\u007f', '\u0080', '\u07ff', '\u0800', '\uffff', '\u{10ffff}'), weight: 2 },
  {
    arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }).filter((c) => c !== '/' && c !== '+' && c !== '#' && c !== '\u0000'),
    weight: 1,
  },
);

/** A topic level without wildcards (possibly empty: 'a//b' has an empty level). */
export const topicLevel: fc.Arbitrary<string> = fc.string({ unit: levelChar, maxLength: 6 });

/** Mostly short topics, sometimes long ones (past the 64 characters the codec's fast paths handle). */
export const topicName: fc.Arbitrary<string> = fc
  .oneof(
    { arbitrary: fc.array(topicLevel, { minLength: 1, maxLength: 5 }), weight: 5 },
    { arbitrary: fc.array(topicLevel, { minLength: 10, maxLength: 25 }), weight: 1 },
    { arbitrary: fc.string({ unit: fc.constantFrom('a', 'b', 'x', '-', '$', '/'), minLength: 60, maxLength: 200 }).map((text) => [text]), weight: 1 },
  )
  .map((levels) => levels.join('/'))
  .filter((topic) => topic.length > 0);

export const topicFilter: fc.Arbitrary<string> = fc
  .tuple(fc.array(fc.oneof({ arbitrary: topicLevel, weight: 3 }, { arbitrary: fc.constant('+'), weight: 1 }), { maxLength: 5 }), fc.boolean())
  .map(([levels, multi]) => (multi ? [...levels, '#'] : levels).join('/'))
  .filter((filter) => filter.length > 0);

/** An MQTT string (client id, user name): no U+0000, no lone surrogate. */
export const mqttString: fc.Arbitrary<string> = fc.string({ unit: levelChar, maxLength: 30 });

export const qos: fc.Arbitrary<QoS> = fc.constantFrom(0, 1, 2);
export const packetId: fc.Arbitrary<number> = fc.oneof(fc.integer({ min: 1, max: 0xffff }), fc.constantFrom(1, 255, 256, 0xffff));

export interface PacketOptions {
  /** Largest PUBLISH payload generated (default 2,000 bytes; above 16,384 exercises a 3-byte remaining length). */
  readonly maxPayload?: number;
}

export function payload(maxPayload = 2000): fc.Arbitrary<Uint8Array> {
  const small = fc.uint8Array({ maxLength: Math.min(64, maxPayload) });
  if (maxPayload <= 64) return small;
  return fc.oneof({ arbitrary: small, weight: 4 }, { arbitrary: fc.uint8Array({ minLength: 65, maxLength: maxPayload }), weight: 1 });
}

export function publishPacket(options: PacketOptions = {}): fc.Arbitrary<PublishPacket> {
  return fc
    .record({ topic: topicName, payload: payload(options.maxPayload), qos, retain: fc.boolean(), dup: fc.boolean(), packetId })
    .map(({ topic, payload, qos, retain, dup, packetId }): PublishPacket =>
      qos === 0
        ? { type: 'publish', topic, payload, qos, retain, dup: false }
        : { type: 'publish', topic, payload, qos, retain, dup, packetId },
    );
}

const will: fc.Arbitrary<Will> = fc.record({ topic: topicName, payload: fc.uint8Array({ maxLength: 40 }), qos, retain: fc.boolean() });

export const connectPacket: fc.Arbitrary<ConnectPacket> = fc
  .record({
    clientId: mqttString,
    clean: fc.boolean(),
    keepalive: fc.oneof(fc.integer({ min: 0, max: 0xffff }), fc.constantFrom(0, 60, 0xffff)),
    username: fc.option(mqttString, { nil: undefined }),
    password: fc.option(fc.uint8Array({ maxLength: 40 }), { nil: undefined }),
    will: fc.option(will, { nil: undefined }),
  })
  .map(({ clientId, clean, keepalive, username, password, will }) => {
    const packet: { -readonly [K in keyof ConnectPacket]: ConnectPacket[K] } = {
      type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clientId, clean: clean || clientId === '', keepalive,
    };
    if (username !== undefined) {
      packet.username = username;
      if (password !== undefined) packet.password = password;
    }
    if (will !== undefined) packet.will = will;
    return packet;
  });

const subscription: fc.Arbitrary<Subscription> = fc.record({ topic: topicFilter, qos });
const subackCode: fc.Arbitrary<SubackReturnCode> = fc.constantFrom(0, 1, 2, 0x80);

/** Any valid packet of the 14 types. */
export function packet(options: PacketOptions = {}): fc.Arbitrary<Packet> {
  return fc.oneof(
    { arbitrary: publishPacket(options), weight: 6 },
    connectPacket,
    fc.record({ sessionPresent: fc.boolean(), returnCode: fc.constantFrom(0, 1, 2, 3, 4, 5) }).map(
      ({ sessionPresent, returnCode }): Packet => ({ type: 'connack', sessionPresent: sessionPresent && returnCode === 0, returnCode }),
    ),
    fc.tuple(fc.constantFrom('puback', 'pubrec', 'pubrel', 'pubcomp', 'unsuback'), packetId).map(([type, id]): Packet => ({ type, packetId: id })),
    fc.record({ packetId, subscriptions: fc.array(subscription, { minLength: 1, maxLength: 4 }) }).map((s): Packet => ({ type: 'subscribe', ...s })),
    fc.record({ packetId, granted: fc.array(subackCode, { minLength: 1, maxLength: 4 }) }).map((s): Packet => ({ type: 'suback', ...s })),
    fc.record({ packetId, topics: fc.array(topicFilter, { minLength: 1, maxLength: 4 }) }).map((s): Packet => ({ type: 'unsubscribe', ...s })),
    fc.constantFrom<Packet>({ type: 'pingreq' }, { type: 'pingresp' }, { type: 'disconnect' }),
  );
}

/** Cut points for splitting `length` bytes into chunks (sorted, inside 1..length-1, possibly many). */
export function cuts(length: number): fc.Arbitrary<number[]> {
  if (length < 2) return fc.constant([]);
  return fc
    .oneof(
      fc.array(fc.integer({ min: 1, max: length - 1 }), { maxLength: 8 }),
      fc.constant(Array.from({ length: length - 1 }, (_, i) => i + 1)),
    )
    .map((points) => [...new Set(points)].sort((a, b) => a - b));
}

/** bytes cut at `points` (as from `cuts`), each chunk a copy in its own buffer. */
export function split(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.slice(start, point));
    start = point;
  }
  return chunks;
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Valid encodings of one to three packets with `edits` bytes overwritten at random places and, when
 * `truncate`, cut short: inputs close enough to valid to reach deep into the parser.
 */
export function damagedStream(options: { maxPayload: number; edits: { min: number; max: number }; truncate: boolean }): fc.Arbitrary<Uint8Array> {
  return fc
    .array(packet({ maxPayload: options.maxPayload }), { minLength: 1, maxLength: 3 })
    .chain((packets) => {
      const bytes = concat(packets.map(encode));
      return fc.tuple(
        fc.constant(bytes),
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: options.edits.min, maxLength: options.edits.max }),
        options.truncate ? fc.nat(bytes.length) : fc.constant(bytes.length),
      );
    })
    .map(([bytes, edits, keep]) => {
      const copy = bytes.slice(0, Math.max(1, keep));
      for (const [at, value] of edits) if (at < copy.length) copy[at] = value;
      return copy;
    });
}
