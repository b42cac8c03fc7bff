import fc from 'fast-check';
import { suite } from '../harness/suite';
import {
  PacketEncoder, PacketParser, checkPacket, checkTopicFilter, checkTopicName, decodeUtf8, encode, encodeUtf8, encodedLength,
  isMqttString, utf8Length,
  topicMatches, type MqttError, type Packet,
} from '../../lib/mqtt/index';
import { concat, cuts, damagedStream, packet, split, topicFilter, topicLevel, topicName } from '../support/mqtt-arbitraries';

/** The obvious model of section 4.7: split into levels and compare level by level. */
function referenceMatches(filter: string, topic: string): boolean {
  if (topic.startsWith('$') && (filter.startsWith('+') || filter.startsWith('#'))) return false;
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** A filter derived from a topic (so that matches are common): levels replaced by '+', a tail by '#', or changed. */
const topicAndRelatedFilter = topicName.chain((topic) => {
  const levels = topic.split('/');
  return fc
    .tuple(
      fc.array(fc.constantFrom('keep', 'plus', 'change'), { minLength: levels.length, maxLength: levels.length }),
      fc.integer({ min: 0, max: levels.length + 1 }),
      topicLevel,
    )
    .map(([edits, cut, other]) => {
      const filterLevels = levels.map((level, i) => (edits[i] === 'plus' ? '+' : edits[i] === 'change' ? other : level));
      const filter = cut <= levels.length ? [...filterLevels.slice(0, cut), '#'].join('/') : filterLevels.join('/');
      return [filter, topic] as const;
    })
    .filter(([filter]) => checkTopicFilter(filter).ok);
});

const dollarTopic = fc.oneof(topicName, topicName.map((topic) => `$${topic}`));

function parseChunks(chunks: readonly Uint8Array[], maxPacketSize: number): { packets: Packet[]; error: MqttError | undefined } {
  const parser = new PacketParser({ maxPacketSize });
  const packets: Packet[] = [];
  for (const chunk of chunks) {
    const error = parser.push(chunk, (p) => packets.push(p));
    if (error) return { packets, error };
    if (parser.bufferedBytes > maxPacketSize) throw new Error(`buffered ${parser.bufferedBytes} > ${maxPacketSize}`);
  }
  return { packets, error: undefined };
}

export default suite('mqtt codec properties', {
  'every generated packet passes checkPacket, and encodedLength is the encoded size'(t) {
    fc.assert(
      fc.property(packet(), (p) => {
        const checked = checkPacket(p);
        if (!checked.ok) throw new Error(`${checked.reason}: ${checked.detail}`);
        return encodedLength(p) === encode(p).length;
      }),
      { numRuns: 300 },
    );
    t.ok(true);
  },

  'a PacketEncoder writes the same bytes as encode, and later packets never disturb earlier results'(t) {
    fc.assert(
      fc.property(fc.array(packet({ maxPayload: 3000 }), { maxLength: 40 }), (packets) => {
        const encoder = new PacketEncoder();
        const results = packets.map((p) => encoder.encode(p));
        packets.forEach((p, i) => t.deepEqual(results[i], encode(p), `packet ${i}`));
      }),
      { numRuns: 150 },
    );
  },

  'encode then parse gives the packets back, under any split of the stream'(t) {
    const streams = fc
      .array(packet(), { minLength: 1, maxLength: 6 })
      .chain((packets) => {
        const bytes = concat(packets.map(encode));
        return fc.tuple(fc.constant(packets), fc.constant(bytes), cuts(bytes.length));
      });
    fc.assert(
      fc.property(streams, ([packets, bytes, points]) => {
        const largest = Math.max(...packets.map(encodedLength));
        const { packets: parsed, error } = parseChunks(split(bytes, points), largest);
        if (error) throw new Error(`${error.reason}: ${error.detail}`);
        t.deepEqual(parsed, packets);
        for (const p of parsed) if (!checkPacket(p).ok) return false;
        return true;
      }),
      { numRuns: 200 },
    );
  },

  'a packet one byte over maxPacketSize is refused, whatever the split'(t) {
    fc.assert(
      // (a limit below 2 bytes is raised to 2, so the packet must be larger than that)
      fc.property(packet().filter((p) => encodedLength(p) > 2).chain((p) => fc.tuple(fc.constant(p), cuts(encodedLength(p)))), ([p, points]) => {
        const bytes = encode(p);
        const { packets, error } = parseChunks(split(bytes, points), bytes.length - 1);
        return packets.length === 0 && error?.reason === 'packet-too-large';
      }),
      { numRuns: 200 },
    );
    t.ok(true);
  },

  'damaged streams give packets and at most one typed error, the same under any split'(t) {
    const damaged = damagedStream({ maxPayload: 100, edits: { min: 1, max: 3 }, truncate: true })
      .chain((bytes) => fc.tuple(fc.constant(bytes), cuts(bytes.length), fc.integer({ min: 2, max: 400 })));
    fc.assert(
      fc.property(damaged, ([bytes, points, limit]) => {
        const whole = parseChunks([bytes], limit);
        const pieces = parseChunks(split(bytes, points), limit);
        t.deepEqual(pieces.packets, whole.packets);
        t.equal(pieces.error?.reason, whole.error?.reason);
        if (whole.error) t.equal(typeof whole.error.detail, 'string');
        for (const p of whole.packets) if (!checkPacket(p).ok) return false;
        return true;
      }),
      { numRuns: 500 },
    );
  },

  'topicMatches agrees with the level-by-level model'(t) {
    fc.assert(
      fc.property(fc.oneof(topicAndRelatedFilter, fc.tuple(topicFilter, dollarTopic)), ([filter, topic]) => {
        return topicMatches(filter, topic) === referenceMatches(filter, topic);
      }),
      { numRuns: 1000 },
    );
    t.ok(true);
  },

  'generated names and filters pass their checks'(t) {
    fc.assert(fc.property(topicName, topicFilter, (name, filter) => checkTopicName(name).ok && checkTopicFilter(filter).ok), { numRuns: 300 });
    t.ok(true);
  },

  'UTF-8 round trip for any string without U+0000 or lone surrogates'(t) {
    fc.assert(
      // long enough to be walked in several slices, with surrogate pairs wherever they fall
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }).filter((text) => !text.includes('\u0000')), (text) => {
        const bytes = encodeUtf8(text);
        return decodeUtf8(bytes, 0, bytes.length) === text && utf8Length(text) === bytes.length && isMqttString(text);
      }),
      { numRuns: 500 },
    );
    t.ok(true);
  },
});
