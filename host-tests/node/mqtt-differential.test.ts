/**
 * Differential tests against mqtt-packet (the codec inside MQTT.js and aedes): the same bytes out for
 * every valid packet, the same packets in, and never accepting what it refuses.
 */
import fc from 'fast-check';
import mqtt from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { check } from '../harness/check';
import { PacketEncoder, PacketParser, decodeUtf8, encode, encodeUtf8, isMqttString, utf8Length, type MqttError, type Packet } from '../../lib/mqtt/index';
import { concat, cuts, damagedStream, packet, split } from '../support/mqtt-arbitraries';
import { mqttPacketParse, toMqttPacket } from './mqtt-packet-oracle';

function ourParse(chunks: readonly Uint8Array[], maxPacketSize = 1 << 28): { packets: Packet[]; error: MqttError | undefined } {
  const parser = new PacketParser({ maxPacketSize });
  const packets: Packet[] = [];
  for (const chunk of chunks) {
    const error = parser.push(chunk, (p) => packets.push(p));
    if (error) return { packets, error };
  }
  return { packets, error: undefined };
}

/** Valid encodings with small damage: where we still accept, mqtt-packet must agree on every packet. */
const damaged = damagedStream({ maxPayload: 300, edits: { min: 0, max: 3 }, truncate: false });

describe('mqtt codec against mqtt-packet', () => {
  it('encode (and a PacketEncoder) is byte-identical to mqtt-packet generate for valid packets', () => {
    const encoder = new PacketEncoder();
    let compared = 0;
    fc.assert(
      fc.property(packet({ maxPayload: 20_000 }), (p) => {
        const ours = encode(p);
        const pooled = encoder.encode(p);
        const theirs = mqtt.generate(toMqttPacket(p), { protocolVersion: 4 });
        compared++;
        return Buffer.from(ours).equals(theirs) && Buffer.from(pooled.buffer, pooled.byteOffset, pooled.length).equals(theirs);
      }),
      { numRuns: 3000 },
    );
    expect(compared).toBeGreaterThanOrEqual(3000);
  });

  it('both parsers read the same packets from the same stream, under any split', () => {
    const streams = fc.array(packet({ maxPayload: 3_000 }), { minLength: 1, maxLength: 5 }).chain((packets) => {
      const bytes = concat(packets.map(encode));
      return fc.tuple(fc.constant(packets), cuts(bytes.length).map((points) => split(bytes, points)));
    });
    fc.assert(
      fc.property(streams, ([packets, chunks]) => {
        const ours = ourParse(chunks);
        const theirs = mqttPacketParse(chunks);
        expect(ours.error).toBeUndefined();
        expect(theirs.error).toBeUndefined();
        check.deepEqual(ours.packets, packets, 'ours');
        check.deepEqual(theirs.packets, packets, 'mqtt-packet');
      }),
      { numRuns: 2000 },
    );
  });

  it('what we accept from damaged streams, mqtt-packet accepts and reads the same way', () => {
    let acceptedByUs = 0;
    let refusedByUsOnly = 0;
    fc.assert(
      fc.property(damaged, (bytes) => {
        const ours = ourParse([bytes]);
        const theirs = mqttPacketParse([bytes]);
        if (!ours.error) {
          acceptedByUs++;
          expect(theirs.error).toBeUndefined();
          check.deepEqual(theirs.packets.slice(0, ours.packets.length), ours.packets);
        } else {
          check.deepEqual(ours.packets, theirs.packets.slice(0, ours.packets.length), 'packets before our error');
          if (!theirs.error) refusedByUsOnly++;
        }
      }),
      { numRuns: 3000 },
    );
    // both outcomes must actually occur for the property to mean anything
    expect(acceptedByUs).toBeGreaterThan(100);
    expect(refusedByUsOnly).toBeGreaterThan(10);
  });

  it('encodeUtf8, utf8Length and isMqttString agree with Node for any string, lone surrogates included', () => {
    const unit = fc.oneof(
      { arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }), weight: 8 },
      { arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), weight: 1 },
      { arbitrary: fc.constant('\u0000'), weight: 1 },
    );
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 200 }), (text) => {
        const expected = Buffer.from(text, 'utf8');
        expect(Buffer.from(encodeUtf8(text)).equals(expected)).toBe(true);
        expect(utf8Length(text)).toBe(expected.length);
        const wellFormed = !text.includes('\u0000') && !/\p{Surrogate}/u.test(text);
        expect(isMqttString(text)).toBe(wellFormed && expected.length <= 65535);
      }),
      { numRuns: 5000 },
    );
  });

  it('Node Buffers as input: what the parser keeps is copied, not shared with the reused Buffer', () => {
    const connect: Packet = {
      type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clientId: 'c', clean: true, keepalive: 0,
      username: 'u', password: new Uint8Array([1, 2, 3]), will: { topic: 'w', payload: new Uint8Array([4, 5]), qos: 0, retain: false },
    };
    const socketBuffer = Buffer.alloc(64);
    const parser = new PacketParser({ maxPacketSize: 64 });
    const seen: Packet[] = [];
    const read = (packet: Packet) => {
      const bytes = encode(packet);
      socketBuffer.fill(0xee);
      socketBuffer.set(bytes);
      expect(parser.push(socketBuffer.subarray(0, bytes.length), (p) => seen.push(p))).toBeUndefined();
    };
    read(connect);
    const publish = (topic: string): Packet => ({ type: 'publish', topic, payload: new Uint8Array(0), qos: 0, retain: false, dup: false });
    for (const topic of ['aa/x', 'bb/x', 'aa/x', 'bb/x']) read(publish(topic));
    check.deepEqual(seen, [connect, publish('aa/x'), publish('bb/x'), publish('aa/x'), publish('bb/x')]);
  });

  it('decodeUtf8 agrees with a fatal TextDecoder, and also refuses U+0000', () => {
    const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 8 }).chain((text) =>
        fc.tuple(fc.constant(Buffer.from(text, 'utf8')), fc.nat(64), fc.integer({ min: 0, max: 255 })).map(([b, at, value]) => {
          const copy = new Uint8Array(b);
          if (copy.length > 0) copy[at % copy.length] = value;
          return copy;
        }),
      ),
    );
    fc.assert(
      fc.property(bytes, (input) => {
        let expected: string | undefined;
        try {
          expected = decoder.decode(input);
        } catch {
          expected = undefined;
        }
        if (expected?.includes('\u0000')) expected = undefined;
        return decodeUtf8(input, 0, input.length) === expected;
      }),
      { numRuns: 20_000 },
    );
  });
});
