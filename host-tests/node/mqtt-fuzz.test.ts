/**
 * Fuzzing the parser: mutated valid encodings and random bytes, fed in random splits. Every outcome
 * must be packets and at most one typed MqttError: no exception, no hang, buffering within
 * maxPacketSize, the same outcome whatever the split, and every packet it yields valid.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { deepEqual } from '../harness/check';
import { PacketParser, checkPacket, encode, type MqttError, type MqttErrorReason, type Packet } from '../../lib/mqtt/index';
import { concat, packet } from '../support/mqtt-arbitraries';
import { seededRandom } from '../support/seeded-random';

const INPUTS = 120_000;
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

const REASONS = new Set<MqttErrorReason>([
  'malformed-remaining-length', 'packet-too-large', 'invalid-utf8', 'reserved-flags', 'invalid-qos', 'dup-on-qos0',
  'wildcard-in-topic', 'invalid-topic', 'invalid-topic-filter', 'zero-packet-id', 'empty-subscription-list',
  'invalid-return-code', 'unknown-packet-type', 'unsupported-protocol-version', 'identifier-rejected',
  'malformed-packet', 'protocol-violation', 'value-out-of-range',
]);

const random = seededRandom(seed);
const int = (n: number) => Math.floor(random() * n);

const corpus: Uint8Array[] = fc
  .sample(fc.array(packet({ maxPayload: 300 }), { minLength: 1, maxLength: 3 }), { numRuns: 400, seed })
  .map((packets) => concat(packets.map(encode)));

type Mutation = (bytes: Uint8Array) => Uint8Array;
const mutations: [string, Mutation][] = [
  ['bit flips', (b) => {
    const c = b.slice();
    for (let k = 1 + int(4); k > 0; k--) if (c.length) c[int(c.length)]! ^= 1 << int(8);
    return c;
  }],
  ['truncation', (b) => b.slice(0, int(b.length))],
  ['byte insertion', (b) => {
    const at = int(b.length + 1);
    return concat([b.subarray(0, at), new Uint8Array([int(256)]), b.subarray(at)]);
  }],
  ['byte deletion', (b) => {
    const at = int(b.length);
    return concat([b.subarray(0, at), b.subarray(at + 1)]);
  }],
  ['length-field corruption', (b) => {
    const c = b.slice();
    const choices = [0x00, 0x01, 0x7f, 0x80, 0xff, int(256)];
    for (let i = 1; i < Math.min(5, c.length); i++) if (random() < 0.5) c[i] = choices[int(choices.length)]!;
    return c;
  }],
  ['first-byte replacement', (b) => {
    const c = b.slice();
    if (c.length) c[0] = int(256);
    return c;
  }],
  ['random bytes', () => {
    const c = new Uint8Array(int(64));
    for (let i = 0; i < c.length; i++) c[i] = int(256);
    return c;
  }],
  ['splice of two encodings', (b) => {
    const other = corpus[int(corpus.length)]!;
    return concat([b.subarray(0, int(b.length + 1)), other.subarray(int(other.length + 1))]);
  }],
];

function randomSplit(bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const oneByte = random() < 0.1;
  for (let start = 0; start < bytes.length; ) {
    const size = oneByte ? 1 : 1 + int(Math.max(1, bytes.length - start));
    chunks.push(bytes.subarray(start, start + size));
    start += size;
  }
  return chunks;
}

interface Outcome {
  packets: Packet[];
  error: MqttError | undefined;
}

function run(chunks: readonly Uint8Array[], maxPacketSize: number): Outcome {
  const parser = new PacketParser({ maxPacketSize });
  const packets: Packet[] = [];
  let error: MqttError | undefined;
  for (const chunk of chunks) {
    let delivered = 0;
    error = parser.push(chunk, (p) => {
      delivered++;
      packets.push(p);
    });
    // a packet takes at least 2 bytes, so one push cannot deliver more than that allows
    if (delivered > (chunk.length + 5) / 2) throw new Error(`${delivered} packets from ${chunk.length} bytes`);
    if (parser.bufferedBytes > maxPacketSize) throw new Error(`buffered ${parser.bufferedBytes} > maxPacketSize ${maxPacketSize}`);
    if (error) {
      if (parser.push(new Uint8Array([0xc0, 0]), () => packets.push({ type: 'pingreq' })) !== error)
        throw new Error('a failed parser must return its error again without reading');
      break;
    }
  }
  return { packets, error };
}

it(`parser fuzz: ${INPUTS} mutated and random inputs in random splits (seed ${seed})`, () => {
  const counts = new Map<string, number>();
  const reasons = new Map<string, number>();
  let finished = 0;
  let packetsSeen = 0;
  for (let i = 0; i < INPUTS; i++) {
    const [name, mutate] = mutations[int(mutations.length)]!;
    const input = mutate(corpus[int(corpus.length)]!);
    const maxPacketSize = random() < 0.3 ? 2 + int(64) : 1 << 16;
    const where = () => `input ${i} (${name}, maxPacketSize ${maxPacketSize}, seed ${seed}): ${Buffer.from(input).toString('hex')}`;
    let whole: Outcome;
    let pieces: Outcome;
    try {
      whole = run([input], maxPacketSize);
      pieces = run(randomSplit(input), maxPacketSize);
    } catch (error) {
      throw new Error(`untyped exception ${String(error)} on ${where()}`);
    }
    for (const outcome of [whole, pieces]) {
      if (outcome.error && (!REASONS.has(outcome.error.reason) || typeof outcome.error.detail !== 'string'))
        throw new Error(`untyped error ${JSON.stringify(outcome.error)} on ${where()}`);
    }
    if (!deepEqual(whole.packets, pieces.packets) || whole.error?.reason !== pieces.error?.reason)
      throw new Error(`the split changed the outcome on ${where()}`);
    for (const p of whole.packets) {
      const checked = checkPacket(p);
      if (!checked.ok) throw new Error(`parsed an invalid packet (${checked.reason}) from ${where()}`);
      const again = run([encode(p)], 1 << 28);
      if (again.error || !deepEqual(again.packets, [p])) throw new Error(`a parsed packet does not survive encode/parse: ${where()}`);
    }
    packetsSeen += whole.packets.length;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    const reason = whole.error?.reason ?? 'accepted';
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    finished++;
  }
  expect(finished).toBe(INPUTS);
  console.log(`mqtt fuzz: ${finished} inputs, ${packetsSeen} packets parsed, seed ${seed}`);
  console.log(`  mutations: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`  outcomes:  ${[...reasons].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  // the fuzzer must reach both acceptance and a broad range of refusals to mean anything
  expect(reasons.get('accepted') ?? 0).toBeGreaterThan(INPUTS / 50);
  expect(reasons.size).toBeGreaterThan(12);
});
