import { suite, type Case } from '../harness/suite';
import type { Check } from '../harness/check';
import {
  PacketEncoder, PacketParser, checkPacket, checkTopicFilter, checkTopicName, decodeUtf8, encode, encodeUtf8, encodedLength,
  isMqttString, topicMatches, type MqttError, type MqttErrorReason, type Packet,
} from '../../lib/mqtt/index';
import { concat } from '../support/mqtt-arbitraries';

/** Bytes from hex pairs separated by spaces. */
function hex(text: string): Uint8Array {
  return new Uint8Array(text.split(' ').filter(Boolean).map((pair) => parseInt(pair, 16)));
}

type Part = number | Uint8Array | readonly number[];

/** A length-prefixed ASCII string. */
function s(text: string): number[] {
  return [text.length >> 8, text.length & 0xff, ...Array.from(text, (c) => c.charCodeAt(0))];
}

function u16(value: number): number[] {
  return [value >> 8, value & 0xff];
}

/** A packet with the given first byte and body; the remaining length is computed (< 16384). */
function frame(first: number, ...body: Part[]): Uint8Array {
  const bytes: number[] = [];
  for (const part of body) typeof part === 'number' ? bytes.push(part) : bytes.push(...part);
  const length = bytes.length < 128 ? [bytes.length] : [(bytes.length & 0x7f) | 0x80, bytes.length >> 7];
  return new Uint8Array([first, ...length, ...bytes]);
}

interface Outcome {
  packets: Packet[];
  error: MqttError | undefined;
}

function parse(chunks: readonly Uint8Array[], maxPacketSize = 1 << 20): Outcome {
  const parser = new PacketParser({ maxPacketSize });
  const packets: Packet[] = [];
  let error: MqttError | undefined;
  for (const chunk of chunks) {
    error = parser.push(chunk, (packet) => packets.push(packet));
    if (error) break;
  }
  return { packets, error };
}

function oneByteAtATime(bytes: Uint8Array): Uint8Array[] {
  return Array.from(bytes, (byte) => new Uint8Array([byte]));
}

// Examples for every packet type: the object, and its bytes as MQTT 3.1.1 lays them out.
const examples: [string, Packet, string][] = [
  [
    'CONNECT with will, user name and password',
    {
      type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clientId: 'c', clean: true, keepalive: 10,
      username: 'u', password: new Uint8Array([2]), will: { topic: 'w', payload: new Uint8Array([1]), qos: 1, retain: false },
    },
    '10 19 00 04 4d 51 54 54 04 ce 00 0a 00 01 63 00 01 77 00 01 01 00 01 75 00 01 02',
  ],
  [
    'CONNECT with an empty client id',
    { type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clientId: '', clean: true, keepalive: 0 },
    '10 0c 00 04 4d 51 54 54 04 02 00 00 00 00',
  ],
  [
    'CONNECT with a retained QoS 2 will and an empty will payload',
    {
      type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clientId: 'id', clean: false, keepalive: 65535,
      will: { topic: 'a/b', payload: new Uint8Array(0), qos: 2, retain: true },
    },
    '10 15 00 04 4d 51 54 54 04 34 ff ff 00 02 69 64 00 03 61 2f 62 00 00',
  ],
  ['CONNACK with session present', { type: 'connack', sessionPresent: true, returnCode: 0 }, '20 02 01 00'],
  ['CONNACK refusing', { type: 'connack', sessionPresent: false, returnCode: 5 }, '20 02 00 05'],
  [
    'PUBLISH QoS 1',
    { type: 'publish', topic: 'a/b', payload: new Uint8Array([1, 2, 3]), qos: 1, retain: false, dup: false, packetId: 10 },
    '32 0a 00 03 61 2f 62 00 0a 01 02 03',
  ],
  ['PUBLISH QoS 0 retained, empty payload', { type: 'publish', topic: 'a', payload: new Uint8Array(0), qos: 0, retain: true, dup: false }, '31 03 00 01 61'],
  [
    'PUBLISH QoS 2 duplicate',
    { type: 'publish', topic: 'x', payload: new Uint8Array(0), qos: 2, retain: true, dup: true, packetId: 65535 },
    '3d 05 00 01 78 ff ff',
  ],
  [
    'PUBLISH with a non-ASCII topic',
    { type: 'publish', topic: 'é/€/𝄞', payload: new Uint8Array(0), qos: 0, retain: false, dup: false },
    '30 0d 00 0b c3 a9 2f e2 82 ac 2f f0 9d 84 9e',
  ],
  ['PUBACK', { type: 'puback', packetId: 10 }, '40 02 00 0a'],
  ['PUBREC', { type: 'pubrec', packetId: 10 }, '50 02 00 0a'],
  ['PUBREL', { type: 'pubrel', packetId: 10 }, '62 02 00 0a'],
  ['PUBCOMP', { type: 'pubcomp', packetId: 10 }, '70 02 00 0a'],
  [
    'SUBSCRIBE',
    { type: 'subscribe', packetId: 10, subscriptions: [{ topic: 'a/b', qos: 1 }, { topic: 'c/d', qos: 2 }] },
    '82 0e 00 0a 00 03 61 2f 62 01 00 03 63 2f 64 02',
  ],
  ['SUBACK', { type: 'suback', packetId: 10, granted: [0, 1, 2, 0x80] }, '90 06 00 0a 00 01 02 80'],
  ['UNSUBSCRIBE', { type: 'unsubscribe', packetId: 10, topics: ['a/b', 'c/d'] }, 'a2 0c 00 0a 00 03 61 2f 62 00 03 63 2f 64'],
  ['UNSUBACK', { type: 'unsuback', packetId: 10 }, 'b0 02 00 0a'],
  ['PINGREQ', { type: 'pingreq' }, 'c0 00'],
  ['PINGRESP', { type: 'pingresp' }, 'd0 00'],
  ['DISCONNECT', { type: 'disconnect' }, 'e0 00'],
];

const exampleCases: Record<string, Case> = {};
for (const [title, packet, bytes] of examples) {
  exampleCases[`${title}: encodes to its bytes and parses back`] = (t) => {
    const expected = hex(bytes);
    t.deepEqual(encode(packet), expected, 'encode');
    t.equal(encodedLength(packet), expected.length, 'encodedLength');
    t.ok(checkPacket(packet).ok, 'checkPacket accepts it');
    const whole = parse([expected]);
    t.equal(whole.error, undefined);
    t.deepEqual(whole.packets, [packet]);
    t.deepEqual(parse(oneByteAtATime(expected)).packets, [packet], 'one byte at a time');
  };
}

// Every strict check: bytes that break it and the reason the parser must give.
const connectHeader = [...s('MQTT'), 4];
const refusals: [string, Uint8Array, MqttErrorReason][] = [
  ['remaining length longer than four bytes', hex('30 80 80 80 80 01'), 'malformed-remaining-length'],
  ['remaining length whose first digits already pass maxPacketSize', hex('30 ff ff ff ff 01'), 'packet-too-large'],
  ['packet type 0', hex('00 00'), 'unknown-packet-type'],
  ['packet type 15 (AUTH is MQTT 5)', hex('f0 00'), 'unknown-packet-type'],
  ['SUBSCRIBE with header flags 0000', frame(0x80, u16(1), s('a'), 0), 'reserved-flags'],
  ['UNSUBSCRIBE with header flags 0000', frame(0xa0, u16(1), s('a')), 'reserved-flags'],
  ['PUBREL with header flags 0000', hex('60 02 00 01'), 'reserved-flags'],
  ['PUBACK with a header flag set', hex('42 02 00 01'), 'reserved-flags'],
  ['PINGREQ with a header flag set', hex('c1 00'), 'reserved-flags'],
  ['CONNACK with acknowledge flag bits 7-1 set', hex('20 02 02 00'), 'reserved-flags'],
  ['CONNECT with reserved flag bit 0 set', frame(0x10, connectHeader, 0x03, u16(0), s('')), 'reserved-flags'],
  ['SUBSCRIBE options with bits 7-2 set', frame(0x82, u16(1), s('a'), 0x04), 'reserved-flags'],
  ['PUBLISH with QoS 3', frame(0x36, s('a'), u16(1)), 'invalid-qos'],
  ['SUBSCRIBE asking for QoS 3', frame(0x82, u16(1), s('a'), 3), 'invalid-qos'],
  ['CONNECT with will QoS 3', frame(0x10, connectHeader, 0x1e, u16(0), s(''), s('w'), u16(0)), 'invalid-qos'],
  ['DUP on a QoS 0 PUBLISH', frame(0x38, s('a')), 'dup-on-qos0'],
  ['PUBLISH topic with +', frame(0x30, s('a/+')), 'wildcard-in-topic'],
  ['PUBLISH topic with #', frame(0x30, s('a/#')), 'wildcard-in-topic'],
  ['will topic with #', frame(0x10, connectHeader, 0x06, u16(0), s(''), s('#'), u16(0)), 'wildcard-in-topic'],
  ['PUBLISH with an empty topic', frame(0x30, s('')), 'invalid-topic'],
  ['SUBSCRIBE filter with # inside a level', frame(0x82, u16(1), s('a/b#'), 0), 'invalid-topic-filter'],
  ['SUBSCRIBE filter with # before the last level', frame(0x82, u16(1), s('a/#/b'), 0), 'invalid-topic-filter'],
  ['SUBSCRIBE filter with + inside a level', frame(0x82, u16(1), s('a+'), 0), 'invalid-topic-filter'],
  ['SUBSCRIBE with an empty filter', frame(0x82, u16(1), s(''), 0), 'invalid-topic-filter'],
  ['UNSUBSCRIBE filter with + inside a level', frame(0xa2, u16(1), s('sport+')), 'invalid-topic-filter'],
  ['topic with an overlong encoding', frame(0x30, u16(2), 0xc0, 0xaf), 'invalid-utf8'],
  ['topic with an encoded surrogate', frame(0x30, u16(3), 0xed, 0xa0, 0x80), 'invalid-utf8'],
  ['topic with U+0000', frame(0x30, u16(3), 0x61, 0x00, 0x62), 'invalid-utf8'],
  ['topic above U+10FFFF', frame(0x30, u16(4), 0xf4, 0x90, 0x80, 0x80), 'invalid-utf8'],
  ['topic with a truncated sequence', frame(0x30, u16(2), 0xe2, 0x82), 'invalid-utf8'],
  ['topic with a lone continuation byte', frame(0x30, u16(1), 0x80), 'invalid-utf8'],
  ['client id with invalid UTF-8', frame(0x10, connectHeader, 0x02, u16(0), u16(1), 0xff), 'invalid-utf8'],
  ['PUBLISH QoS 1 with packet id 0', frame(0x32, s('a'), u16(0)), 'zero-packet-id'],
  ['PUBACK with packet id 0', hex('40 02 00 00'), 'zero-packet-id'],
  ['SUBSCRIBE with packet id 0', frame(0x82, u16(0), s('a'), 0), 'zero-packet-id'],
  ['UNSUBACK with packet id 0', hex('b0 02 00 00'), 'zero-packet-id'],
  ['SUBSCRIBE without filters', frame(0x82, u16(1)), 'empty-subscription-list'],
  ['UNSUBSCRIBE without filters', frame(0xa2, u16(1)), 'empty-subscription-list'],
  ['SUBACK without return codes', frame(0x90, u16(1)), 'empty-subscription-list'],
  ['SUBACK return code 3', frame(0x90, u16(1), 3), 'invalid-return-code'],
  ['CONNACK return code 6', hex('20 02 00 06'), 'invalid-return-code'],
  ['CONNACK session present on a refusal', hex('20 02 01 01'), 'protocol-violation'],
  ['CONNECT with protocol name MQIsdp', frame(0x10, s('MQIsdp'), 3, 0x02, u16(0), s('a')), 'protocol-violation'],
  ['CONNECT with will retain but no will', frame(0x10, connectHeader, 0x22, u16(0), s('a')), 'protocol-violation'],
  ['CONNECT with will QoS but no will', frame(0x10, connectHeader, 0x0a, u16(0), s('a')), 'protocol-violation'],
  ['CONNECT with a password but no user name', frame(0x10, connectHeader, 0x42, u16(0), s('a'), u16(0)), 'protocol-violation'],
  ['CONNECT with protocol level 5', frame(0x10, s('MQTT'), 5, 0x02, u16(0), s('a')), 'unsupported-protocol-version'],
  ['CONNECT with protocol level 3', frame(0x10, s('MQTT'), 3, 0x02, u16(0), s('a')), 'unsupported-protocol-version'],
  ['CONNECT with an empty client id and CleanSession 0', frame(0x10, connectHeader, 0x00, u16(0), s('')), 'identifier-rejected'],
  ['PUBACK with remaining length 3', hex('40 03 00 01 00'), 'malformed-packet'],
  ['PINGREQ with remaining length 1', hex('c0 01 00'), 'malformed-packet'],
  ['CONNACK with remaining length 1', hex('20 01 00'), 'malformed-packet'],
  ['PUBLISH topic running past the packet', frame(0x30, u16(5), 0x61), 'malformed-packet'],
  ['PUBLISH QoS 1 too short for its packet id', frame(0x32, s('a'), 0), 'malformed-packet'],
  ['PUBLISH with remaining length 0', hex('30 00'), 'malformed-packet'],
  ['SUBSCRIBE filter without its options byte', frame(0x82, u16(1), s('a')), 'malformed-packet'],
  ['CONNECT cut short after the protocol level', frame(0x10, connectHeader), 'malformed-packet'],
  ['CONNECT with a byte after its payload', frame(0x10, connectHeader, 0x02, u16(0), s('a'), 0), 'malformed-packet'],
  ['CONNECT whose user name runs past the packet', frame(0x10, connectHeader, 0x82, u16(0), s('a'), u16(9), 0x61), 'malformed-packet'],
];

const refusalCases: Record<string, Case> = {};
for (const [title, bytes, reason] of refusals) {
  refusalCases[`refuses ${title} (${reason})`] = (t) => {
    const whole = parse([bytes]);
    t.equal(whole.error?.reason, reason, 'in one chunk');
    t.equal(whole.packets.length, 0);
    t.equal(parse(oneByteAtATime(bytes)).error?.reason, reason, 'one byte at a time');
  };
}

function packets(): Packet[] {
  return examples.map(([, packet]) => packet);
}

export default suite('mqtt codec', {
  ...exampleCases,
  ...refusalCases,

  'remaining length takes 1 to 4 bytes at the boundaries of the specification'(t) {
    const cases: [number, string][] = [
      [127, '7f'], [128, '80 01'], [16383, 'ff 7f'], [16384, '80 80 01'], [2097151, 'ff ff 7f'], [2097152, '80 80 80 01'],
    ];
    for (const [remaining, field] of cases) {
      // topic 'a' (3 bytes) plus the payload make up the remaining length
      const packet: Packet = { type: 'publish', topic: 'a', payload: new Uint8Array(remaining - 3), qos: 0, retain: false, dup: false };
      const bytes = encode(packet);
      const expected = hex(field);
      t.deepEqual(bytes.subarray(1, 1 + expected.length), expected, `remaining length ${remaining}`);
      t.equal(bytes.length, 1 + expected.length + remaining);
      const parsed = parse([bytes], bytes.length);
      t.equal(parsed.error, undefined);
      t.equal((parsed.packets[0] as { payload: Uint8Array } | undefined)?.payload.length, remaining - 3);
    }
  },

  'a packet larger than maxPacketSize is refused from its header alone, before any of it is buffered'(t) {
    const parser = new PacketParser({ maxPacketSize: 1000 });
    // PUBLISH announcing 998 remaining bytes: 1 + 2 + 998 = 1001 bytes in all
    const error = parser.push(hex('30 e6 07'), () => t.fail('no packet expected'));
    t.equal(error?.reason, 'packet-too-large');
    t.equal(parser.bufferedBytes, 0);
    const fits = new PacketParser({ maxPacketSize: 1001 });
    t.equal(fits.push(hex('30 e6 07'), () => t.fail('no packet expected')), undefined, 'exactly maxPacketSize is accepted');
    t.ok(fits.bufferedBytes <= 1001);
  },

  'a failed parser returns the same error without reading, until reset'(t) {
    const parser = new PacketParser({ maxPacketSize: 100 });
    const seen: Packet[] = [];
    const first = parser.push(concat([hex('c0 00'), hex('38 03 00 01 61')]), (p) => seen.push(p));
    t.equal(first?.reason, 'dup-on-qos0');
    t.deepEqual(seen, [{ type: 'pingreq' }], 'packets before the error are delivered');
    const again = parser.push(hex('d0 00'), (p) => seen.push(p));
    t.equal(again, first, 'the very same error');
    t.equal(seen.length, 1, 'nothing read after the failure');
    parser.reset();
    t.equal(parser.push(hex('d0 00'), (p) => seen.push(p)), undefined);
    t.deepEqual(seen[1], { type: 'pingresp' }, 'reset makes it usable for a new connection');
  },

  'a listener that throws fails the parser, and the exception reaches the caller'(t) {
    const parser = new PacketParser({ maxPacketSize: 100 });
    const boom = new Error('listener bug');
    const thrown = t.throws(() => parser.push(hex('c0 00 c0 00'), () => { throw boom; }));
    t.equal(thrown, boom);
    const seen: Packet[] = [];
    t.equal(parser.push(hex('d0 00'), (p) => seen.push(p))?.reason, 'protocol-violation');
    t.equal(seen.length, 0, 'the unread PINGREQ is not mistaken for the start of a new packet');
  },

  'a maxPacketSize that is not a usable number still bounds memory'(t) {
    for (const limit of [Number.NaN, -5, 0, 1]) {
      const parser = new PacketParser({ maxPacketSize: limit });
      t.equal(parser.push(hex('30 03'), () => t.fail('no packet'))?.reason, 'packet-too-large', String(limit));
    }
    const parser = new PacketParser({ maxPacketSize: Number.POSITIVE_INFINITY });
    t.equal(parser.push(hex('30 80 80 80 01'), () => t.fail('no packet')), undefined, 'the largest MQTT packet is allowed');
    t.ok(parser.bufferedBytes <= 5 + 268_435_455);
  },

  'reset drops a half-received packet'(t) {
    const parser = new PacketParser({ maxPacketSize: 100 });
    const seen: Packet[] = [];
    t.equal(parser.push(hex('32 0a 00 03 61'), (p) => seen.push(p)), undefined);
    t.ok(parser.bufferedBytes > 0);
    parser.reset();
    t.equal(parser.bufferedBytes, 0);
    t.equal(parser.push(hex('c0 00'), (p) => seen.push(p)), undefined);
    t.deepEqual(seen, [{ type: 'pingreq' }]);
  },

  'every packet type, all in one stream, one byte at a time'(t) {
    const stream = concat(packets().map(encode));
    const parsed = parse(oneByteAtATime(stream));
    t.equal(parsed.error, undefined);
    t.deepEqual(parsed.packets, packets());
  },

  'many packets in one chunk are all delivered, in order'(t) {
    const many: Packet[] = [];
    for (let i = 1; i <= 200; i++) many.push(...packets(), { type: 'puback', packetId: i });
    const parsed = parse([concat(many.map(encode))]);
    t.equal(parsed.error, undefined);
    t.equal(parsed.packets.length, many.length);
    t.deepEqual(parsed.packets, many);
  },

  'a PUBLISH inside one chunk has a payload that is a view on that chunk (no copy)'(t) {
    const publish: Packet = { type: 'publish', topic: 'a/b', payload: new Uint8Array([7, 8, 9]), qos: 1, retain: false, dup: false, packetId: 2 };
    const before = encode({ type: 'pingreq' });
    const chunk = concat([before, encode(publish)]);
    const parsed = parse([chunk]);
    const got = parsed.packets[1];
    if (got?.type !== 'publish') return t.fail(`expected a PUBLISH, got ${JSON.stringify(got)}`);
    t.equal(got.payload.buffer, chunk.buffer, 'same buffer');
    t.equal(got.payload.byteOffset, chunk.byteOffset + before.length + 2 + 5 + 2, 'right after the topic and packet id');
    chunk[chunk.length - 1] = 42;
    t.equal(got.payload[2], 42, 'a write to the chunk shows through the payload');
  },

  'a PUBLISH split across chunks is assembled in a buffer of its own size'(t) {
    const publish: Packet = { type: 'publish', topic: 't', payload: new Uint8Array(50).fill(5), qos: 0, retain: false, dup: false };
    const bytes = encode(publish);
    const chunks = [bytes.slice(0, 10), bytes.slice(10)];
    const parser = new PacketParser({ maxPacketSize: 60 });
    const seen: Packet[] = [];
    t.equal(parser.push(chunks[0]!, (p) => seen.push(p)), undefined);
    t.equal(parser.bufferedBytes, bytes.length, 'holds exactly the announced packet');
    t.equal(parser.push(chunks[1]!, (p) => seen.push(p)), undefined);
    t.deepEqual(seen, [publish]);
    t.equal(parser.bufferedBytes, 0);
    const got = seen[0];
    if (got?.type !== 'publish') return t.fail('expected a PUBLISH');
    t.ok(got.payload.buffer !== chunks[0]!.buffer && got.payload.buffer !== chunks[1]!.buffer, 'not a view on a caller chunk');
  },

  'a header split anywhere still refuses an oversized packet as soon as it is complete'(t) {
    const parser = new PacketParser({ maxPacketSize: 16384 });
    for (const byte of hex('30 80 80')) t.equal(parser.push(new Uint8Array([byte]), () => t.fail('no packet')), undefined);
    t.ok(parser.bufferedBytes <= 5);
    t.equal(parser.push(hex('01'), () => t.fail('no packet'))?.reason, 'packet-too-large');
  },

  'an unfinished remaining length that already passes maxPacketSize is refused before it ends'(t) {
    const parser = new PacketParser({ maxPacketSize: 1000 });
    t.equal(parser.push(hex('30 ff'), () => t.fail('no packet')), undefined, 'at least 3 + 127 bytes: may still fit');
    t.equal(parser.push(hex('ff'), () => t.fail('no packet'))?.reason, 'packet-too-large', 'at least 16,383 remaining bytes');
  },

  'long topics (past the short-topic fast paths) encode and parse like short ones'(t) {
    for (const topic of ['a/'.repeat(32) + 'b', 'x'.repeat(300), `${'é'.repeat(40)}/${'a'.repeat(40)}`]) {
      const packet: Packet = { type: 'publish', topic, payload: new Uint8Array([9]), qos: 1, retain: false, dup: false, packetId: 3 };
      const topicBytes = encodeUtf8(topic);
      const expected = frame(0x32, u16(topicBytes.length), topicBytes, u16(3), 9);
      t.deepEqual(encode(packet), expected, `encode ${topic.length}`);
      t.deepEqual(new PacketEncoder().encode(packet), expected, `PacketEncoder ${topic.length}`);
      t.deepEqual(parse([expected]).packets, [packet]);
      t.deepEqual(parse(oneByteAtATime(expected)).packets, [packet]);
    }
  },

  'recently seen topics are remembered without ever being confused'(t) {
    // same length and last byte: the parser's and the encoder's topic caches put these in one slot
    const topics = ['aa/x', 'aa/x', 'aa/x', 'bb/x', 'bb/x', 'bb/x', 'aa/x', 'a+/x', 'bb/x', 'é/x', 'é/x', 'é/x', 'aa/x'];
    const encoder = new PacketEncoder();
    const parser = new PacketParser({ maxPacketSize: 100 });
    const chunk = new Uint8Array(64);
    for (const topic of topics.filter((name) => checkTopicName(name).ok)) {
      const packet: Packet = { type: 'publish', topic, payload: new Uint8Array([1]), qos: 0, retain: false, dup: false };
      const bytes = encoder.encode(packet);
      t.deepEqual(bytes, encode(packet), `encoder: ${topic}`);
      chunk.set(bytes); // the same chunk reused for every read, as a socket buffer would be
      const seen: Packet[] = [];
      t.equal(parser.push(chunk.subarray(0, bytes.length), (p) => seen.push(p)), undefined);
      t.deepEqual(seen, [packet], `parser: ${topic}`);
    }
    // a cached topic does not let a wildcard through
    const wild = frame(0x30, s('a+/x'));
    t.equal(parser.push(wild, () => t.fail('no packet'))?.reason, 'wildcard-in-topic');
  },

  'checkPacket refuses invalid packets with a reason'(t) {
    const publish = { type: 'publish', topic: 'a', payload: new Uint8Array(0), qos: 0, retain: false, dup: false } as const;
    const connect = { type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clientId: 'c', clean: true, keepalive: 0 } as const;
    const cases: [Packet, MqttErrorReason][] = [
      [{ ...publish, topic: 'a/+' }, 'wildcard-in-topic'],
      [{ ...publish, topic: '' }, 'invalid-topic'],
      [{ ...publish, topic: 'a\u0000' }, 'invalid-utf8'],
      [{ ...publish, topic: 'a\ud800' }, 'invalid-utf8'],
      [{ ...publish, topic: 'x'.repeat(65536) }, 'invalid-utf8'],
      [{ ...publish, qos: 3 as 0 }, 'invalid-qos'],
      [{ ...publish, dup: true }, 'dup-on-qos0'],
      [{ ...publish, qos: 1 }, 'zero-packet-id'],
      [{ ...publish, qos: 1, packetId: 0 }, 'zero-packet-id'],
      [{ ...publish, qos: 1, packetId: 65536 }, 'zero-packet-id'],
      [{ ...publish, qos: 0, packetId: 5 }, 'protocol-violation'],
      // only the length is read: a stand-in for a payload past the 268,435,455-byte limit
      [{ ...publish, payload: Object.create(Uint8Array.prototype, { length: { value: 268_435_455 } }) as Uint8Array }, 'packet-too-large'],
      [{ type: 'puback', packetId: 0 }, 'zero-packet-id'],
      [{ type: 'pubrel', packetId: 1.5 }, 'zero-packet-id'],
      [{ type: 'subscribe', packetId: 1, subscriptions: [] }, 'empty-subscription-list'],
      [{ type: 'subscribe', packetId: 1, subscriptions: [{ topic: 'a/#/b', qos: 0 }] }, 'invalid-topic-filter'],
      [{ type: 'subscribe', packetId: 1, subscriptions: [{ topic: 'a', qos: 4 as 0 }] }, 'invalid-qos'],
      [{ type: 'unsubscribe', packetId: 1, topics: [] }, 'empty-subscription-list'],
      [{ type: 'unsubscribe', packetId: 1, topics: ['#/a'] }, 'invalid-topic-filter'],
      [{ type: 'suback', packetId: 1, granted: [3 as 0] }, 'invalid-return-code'],
      [{ type: 'suback', packetId: 1, granted: [] }, 'empty-subscription-list'],
      [{ type: 'connack', sessionPresent: false, returnCode: 6 as 0 }, 'invalid-return-code'],
      [{ type: 'connack', sessionPresent: true, returnCode: 1 }, 'protocol-violation'],
      [{ ...connect, keepalive: 65536 }, 'value-out-of-range'],
      [{ ...connect, keepalive: -1 }, 'value-out-of-range'],
      [{ ...connect, clientId: '', clean: false }, 'identifier-rejected'],
      [{ ...connect, clientId: '\u0000' }, 'invalid-utf8'],
      [{ ...connect, password: new Uint8Array(1) }, 'protocol-violation'],
      [{ ...connect, username: 'u', password: new Uint8Array(65536) }, 'value-out-of-range'],
      [{ ...connect, will: { topic: 'a/#', payload: new Uint8Array(0), qos: 0, retain: false } }, 'wildcard-in-topic'],
      [{ ...connect, protocolVersion: 3 as 4 }, 'unsupported-protocol-version'],
      [{ ...connect, protocolName: 'MQIsdp' as 'MQTT' }, 'protocol-violation'],
      [{ type: 'auth' } as unknown as Packet, 'unknown-packet-type'],
      // fields of the wrong type, as plain JavaScript or parsed JSON could hand over
      [{ ...publish, topic: 42 } as unknown as Packet, 'malformed-packet'],
      [{ ...publish, payload: [1, 2] } as unknown as Packet, 'malformed-packet'],
      [{ ...connect, clean: 1 } as unknown as Packet, 'malformed-packet'],
      [{ ...connect, username: 'u', password: 'secret' } as unknown as Packet, 'malformed-packet'],
      [{ ...connect, will: { topic: 'a', payload: 'x', qos: 0, retain: false } } as unknown as Packet, 'malformed-packet'],
      [{ type: 'subscribe', packetId: 1, subscriptions: 'a/b' } as unknown as Packet, 'malformed-packet'],
      [{ type: 'subscribe', packetId: 1, subscriptions: [{ topic: 7, qos: 0 }] } as unknown as Packet, 'malformed-packet'],
      [{ type: 'unsubscribe', packetId: 1, topics: [null] } as unknown as Packet, 'malformed-packet'],
      [{ type: 'suback', packetId: 1, granted: 0 } as unknown as Packet, 'malformed-packet'],
      [{ type: 'connack', sessionPresent: 'no', returnCode: 0 } as unknown as Packet, 'malformed-packet'],
      [null as unknown as Packet, 'malformed-packet'],
    ];
    for (const [packet, reason] of cases) {
      const checked = checkPacket(packet);
      t.equal(checked.ok ? 'accepted' : checked.reason, reason, JSON.stringify(packet).slice(0, 120));
    }
  },

  'topic names and filters follow section 4.7'(t) {
    for (const name of ['a', '/', 'a/b/c', 'a//b', '$SYS/x', 'é/𝄞', ' ']) t.ok(checkTopicName(name).ok, name);
    const badNames: [string, MqttErrorReason][] = [['', 'invalid-topic'], ['a/+', 'wildcard-in-topic'], ['#', 'wildcard-in-topic'], ['a+b', 'wildcard-in-topic'], ['\u0000', 'invalid-utf8'], ['\udc00', 'invalid-utf8']];
    for (const [name, reason] of badNames) expectRefusal(t, checkTopicName(name), reason, name);
    for (const filter of ['#', '+', '+/+', '/+', 'a/#', 'a/+/b', '+/#', 'a//b', '$SYS/#', '/', 'a/b']) t.ok(checkTopicFilter(filter).ok, filter);
    const badFilters: [string, MqttErrorReason][] = [['', 'invalid-topic-filter'], ['a#', 'invalid-topic-filter'], ['#/a', 'invalid-topic-filter'], ['a/#/', 'invalid-topic-filter'], ['+a', 'invalid-topic-filter'], ['a/b+', 'invalid-topic-filter'], ['++', 'invalid-topic-filter'], ['a\u0000', 'invalid-utf8']];
    for (const [filter, reason] of badFilters) expectRefusal(t, checkTopicFilter(filter), reason, filter);
  },

  'topicMatches follows the examples of section 4.7, including the $ rule'(t) {
    const cases: [string, string, boolean][] = [
      ['sport/tennis/player1/#', 'sport/tennis/player1', true],
      ['sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
      ['sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
      ['sport/#', 'sport', true],
      ['#', 'a', true],
      ['#', '/', true],
      ['#', 'a/b/c', true],
      ['sport/tennis/+', 'sport/tennis/player1', true],
      ['sport/tennis/+', 'sport/tennis/player1/ranking', false],
      ['sport/+', 'sport', false],
      ['sport/+', 'sport/', true],
      ['+/+', '/finance', true],
      ['/+', '/finance', true],
      ['+', '/finance', false],
      ['+', 'finance', true],
      ['a/b', 'a/b', true],
      ['a/b', 'a/bc', false],
      ['a/bc', 'a/b', false],
      ['a/b', 'a/b/c', false],
      ['a/b/c', 'a/b', false],
      ['a/b', 'A/b', false],
      ['a//b', 'a//b', true],
      ['a/+/b', 'a//b', true],
      ['a/+/b', 'a/x/y/b', false],
      ['#', '$SYS/monitor/Clients', false],
      ['+/monitor/Clients', '$SYS/monitor/Clients', false],
      ['+', '$', false],
      ['$SYS/#', '$SYS/monitor/Clients', true],
      ['$SYS/monitor/+', '$SYS/monitor/Clients', true],
      ['a/$x', 'a/$x', true],
      ['a/+', 'a/$x', true],
      ['a/#', 'a/$x/y', true],
    ];
    for (const [filter, topic, expected] of cases) t.equal(topicMatches(filter, topic), expected, `${filter} vs ${topic}`);
  },

  'UTF-8: encodes and strictly decodes'(t) {
    t.deepEqual(encodeUtf8('aé€𝄞'), hex('61 c3 a9 e2 82 ac f0 9d 84 9e'));
    t.deepEqual(encodeUtf8('\ud800'), hex('ef bf bd'), 'a lone surrogate is written as U+FFFD, as Node does');
    const valid = hex('61 c3 a9 e2 82 ac f0 9d 84 9e df bf e0 a0 80 ef bf bf f4 8f bf bf');
    t.equal(decodeUtf8(valid, 0, valid.length), 'aé€𝄞\u07ff\u0800\uffff\u{10ffff}');
    t.equal(decodeUtf8(valid, 1, 3), 'é', 'a range inside the bytes');
    for (const bad of ['c0 80', 'c1 bf', 'e0 9f bf', 'ed a0 80', 'ed bf bf', 'f0 8f bf bf', 'f4 90 80 80', 'f5 80 80 80', 'ff', '80', 'c3', 'e2 82', '00', 'e2 28 a1']) {
      const bytes = hex(bad);
      t.equal(decodeUtf8(bytes, 0, bytes.length), undefined, bad);
    }
    // a surrogate pair across the 64-unit slices long strings are walked in
    const long = `${'a'.repeat(63)}𝄞${'é'.repeat(70)}\ud800`;
    const longBytes = encodeUtf8(long);
    t.equal(longBytes.length, 63 + 4 + 140 + 3);
    t.deepEqual(longBytes.subarray(63, 67), hex('f0 9d 84 9e'));
    t.equal(decodeUtf8(longBytes, 0, longBytes.length - 3), long.slice(0, -1));
    t.ok(!isMqttString(long), 'the trailing lone surrogate');
    t.ok(isMqttString(long.slice(0, -1)));
    t.ok(isMqttString('a𝄞'));
    t.ok(!isMqttString('\udc00a'));
    t.ok(!isMqttString('a\u0000'));
    t.ok(isMqttString('€'.repeat(21845)), '65535 bytes');
    t.ok(!isMqttString('€'.repeat(21846)), '65538 bytes');
  },
});

function expectRefusal(t: Check, result: { ok: boolean; reason?: string }, reason: MqttErrorReason, what: string): void {
  t.equal(result.ok ? 'accepted' : result.reason, reason, JSON.stringify(what));
}
