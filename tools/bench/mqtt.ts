/**
 * MQTT codec benchmark. On Node: encode and parse throughput of lib/mqtt and of mqtt-packet in the
 * same run (PUBLISH with 16 B to 4 KB payloads, and a mixed stream of every packet type). On XS:
 * the engine's deterministic compute units per PUBLISH encode and per parse.
 */
import fc from 'fast-check';
import mqtt from 'mqtt-packet';
import { PacketEncoder, PacketParser, encode, type Packet } from '../../lib/mqtt/index';
import { packet as arbitraryPacket } from '../../host-tests/support/mqtt-arbitraries';
import { toMqttPacket } from '../../host-tests/node/mqtt-packet-oracle';
import { loadIntoXs } from '../xs/load';
import { median, table } from './report';

const TOPIC = 'argus/office/t-embed/dev-01/state';
const SIZES = [16, 64, 256, 1024, 4096];
const ROUNDS = 15;
/** Bytes handed to a parser at a time, as a socket read would (packets straddle chunk ends). */
const CHUNK = 16 * 1024;

interface Workload {
  name: string;
  packets: Packet[];
}

function publish(size: number, i: number): Packet {
  const payload = new Uint8Array(size);
  for (let k = 0; k < size; k++) payload[k] = (k * 31 + i) & 0xff;
  return { type: 'publish', topic: TOPIC, payload, qos: 1, retain: false, dup: false, packetId: (i % 65535) + 1 };
}

/** All 14 packet types in the proportions of an Argus hub connection: mostly state, command and telemetry traffic with their acks. */
function argusSession(): Packet[] {
  const base = 'argus/office/t-embed/dev-01';
  const json = (text: string) => new Uint8Array(Buffer.from(text));
  const state = json('{"v":1,"phase":"work","startedAt":1764800000000,"pausedMs":0,"cycle":2,"version":17}');
  const telemetry = json('{"v":1,"battery":87,"rssi":-61,"heap":151232,"uptime":86400}');
  const packets: Packet[] = [
    { type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clientId: 'dev-01', clean: false, keepalive: 30, username: 'dev-01', password: json('secret'), will: { topic: `${base}/presence`, payload: json('offline'), qos: 1, retain: true } },
    { type: 'connack', sessionPresent: true, returnCode: 0 },
    { type: 'subscribe', packetId: 1, subscriptions: [{ topic: `${base}/command`, qos: 1 }, { topic: 'argus/office/+/+/state', qos: 1 }] },
    { type: 'suback', packetId: 1, granted: [1, 1] },
  ];
  for (let i = 0; i < 40; i++) {
    const id = (i % 60000) + 2;
    packets.push(
      { type: 'publish', topic: `${base}/state`, payload: state, qos: 1, retain: true, dup: false, packetId: id },
      { type: 'puback', packetId: id },
      { type: 'publish', topic: `${base}/telemetry`, payload: telemetry, qos: 0, retain: false, dup: false },
      { type: 'publish', topic: `${base}/command`, payload: state, qos: 2, retain: false, dup: false, packetId: id },
      { type: 'pubrec', packetId: id },
      { type: 'pubrel', packetId: id },
      { type: 'pubcomp', packetId: id },
    );
    if (i % 10 === 0) packets.push({ type: 'pingreq' }, { type: 'pingresp' });
  }
  packets.push({ type: 'unsubscribe', packetId: 3, topics: ['argus/office/+/+/state'] }, { type: 'unsuback', packetId: 3 }, { type: 'disconnect' });
  return packets;
}

function workloads(): Workload[] {
  const list: Workload[] = SIZES.map((size) => ({
    name: `PUBLISH ${size >= 1024 ? `${size / 1024} KB` : `${size} B`}`,
    packets: Array.from({ length: 64 }, (_, i) => publish(size, i)),
  }));
  list.push({
    name: 'PUBLISH 64 B, 256 topics',
    packets: Array.from({ length: 256 }, (_, i) => ({ ...publish(64, i), topic: `argus/office/t-embed/dev-${String(i).padStart(3, '0')}/state` })),
  });
  list.push({ name: 'mixed stream, Argus-like', packets: argusSession() });
  // every packet type with generated (often long, non-ASCII) strings, drawn with a fixed seed so runs compare
  const generated = fc.sample(arbitraryPacket({ maxPayload: 256 }), { numRuns: 512, seed: 42 });
  list.push({ name: 'mixed stream, generated', packets: generated });
  return list;
}

/**
 * Rates (runs of `iterations` per second) of each contender: one warm-up round, then ROUNDS rounds in
 * which the contenders take turns, so that a busy moment of the machine hurts them alike; medians.
 */
function rates(contenders: readonly ((iterations: number) => void)[], iterations: number): number[] {
  for (const run of contenders) run(iterations);
  const samples: number[][] = contenders.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    contenders.forEach((run, i) => {
      const start = performance.now();
      run(iterations);
      samples[i]!.push(iterations / ((performance.now() - start) / 1000));
    });
  }
  return samples.map(median);
}

function chunked(bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += CHUNK) chunks.push(bytes.subarray(i, Math.min(bytes.length, i + CHUNK)));
  return chunks;
}

let sink = 0;
function onPacket(packet: Packet): void {
  sink += packet.type === 'publish' ? packet.payload.length : 1;
}

interface Figures {
  name: string;
  bytesPerPacket: number;
  /** packets/s: encode, PacketEncoder, mqtt-packet generate */
  encode: number[];
  /** packets/s: PacketParser, mqtt-packet parser */
  parse: number[];
}

function measure(workload: Workload): Figures {
  const ours = workload.packets;
  const theirs = ours.map(toMqttPacket);
  const stream = Buffer.concat(ours.map((p) => encode(p)));
  // ours reads plain Uint8Arrays (what the socket adapters hand over), mqtt-packet Buffers: same bytes
  const chunks = chunked(new Uint8Array(stream.buffer, stream.byteOffset, stream.length));
  const buffers = chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.length));
  const count = ours.length;
  const bytesPerPacket = stream.length / count;
  // aim for rounds of roughly 10 ms
  const repeat = Math.max(1, Math.round(600_000 / (count * (150 + bytesPerPacket))));
  const options = { protocolVersion: 4 };
  const encoder = new PacketEncoder();
  const encodeRates = rates([
    (n) => {
      for (let r = 0; r < n; r++) for (let i = 0; i < count; i++) sink += encode(ours[i]!).length;
    },
    (n) => {
      for (let r = 0; r < n; r++) for (let i = 0; i < count; i++) sink += encoder.encode(ours[i]!).length;
    },
    (n) => {
      for (let r = 0; r < n; r++) for (let i = 0; i < count; i++) sink += mqtt.generate(theirs[i]!, options).length;
    },
  ], repeat);

  const parser = new PacketParser({ maxPacketSize: 1 << 20 });
  const theirParser = mqtt.parser(options);
  theirParser.on('packet', (p: mqtt.Packet) => (sink += p.cmd === 'publish' ? (p.payload as Buffer).length : 1));
  const parseRates = rates([
    (n) => {
      for (let r = 0; r < n; r++) for (const chunk of chunks) parser.push(chunk, onPacket);
    },
    (n) => {
      for (let r = 0; r < n; r++) for (const buffer of buffers) theirParser.parse(buffer);
    },
  ], repeat);
  return { name: workload.name, bytesPerPacket, encode: encodeRates.map((r) => r * count), parse: parseRates.map((r) => r * count) };
}

function kpps(packetsPerSecond: number): string {
  return `${(packetsPerSecond / 1000).toFixed(0)} k/s`;
}

function mbps(packetsPerSecond: number, bytesPerPacket: number): string {
  return `${((packetsPerSecond * bytesPerPacket) / 1e6).toFixed(0)} MB/s`;
}

function ratio(ours: number, theirs: number): string {
  return `${(ours / theirs).toFixed(2)}x`;
}

function encodeRows(figures: Figures[]): string[][] {
  return figures.map(({ name, bytesPerPacket: b, encode: [plain, pooled, theirs] }) => [
    name, `${b.toFixed(0)} B`,
    `${kpps(plain!)} ${mbps(plain!, b)}`, `${kpps(pooled!)} ${mbps(pooled!, b)}`, `${kpps(theirs!)} ${mbps(theirs!, b)}`,
    ratio(plain!, theirs!), ratio(pooled!, theirs!),
  ]);
}

function parseRows(figures: Figures[]): string[][] {
  return figures.map(({ name, bytesPerPacket: b, parse: [ours, theirs] }) => [
    name, `${b.toFixed(0)} B`, `${kpps(ours!)} ${mbps(ours!, b)}`, `${kpps(theirs!)} ${mbps(theirs!, b)}`, ratio(ours!, theirs!),
  ]);
}

async function xsRows(): Promise<string[][]> {
  const worker = await loadIntoXs('argus-bench-mqtt', new URL('./xs-mqtt-entry.ts', import.meta.url));
  try {
    const n = 1_000;
    const run = async (call: string) => {
      await worker.evaluate(call); // warm-up
      const started = performance.now();
      const evaluation = await worker.evaluate(call);
      return { compute: evaluation.meter.compute, ms: performance.now() - started };
    };
    /** Per-operation compute units (and wall µs) of fn(n, size), set-up and loop overhead removed. */
    const perOperation = async (fn: string, size: number) => {
      const full = await run(`${fn}(${n}, ${size})`);
      const setup = await run(`${fn}(0, ${size})`);
      const loop = (await run(`emptyLoop(${n})`)).compute - (await run('emptyLoop(0)')).compute;
      return { compute: Math.round((full.compute - setup.compute - loop) / n), us: ((full.ms - setup.ms) / n) * 1000 };
    };
    const rows: string[][] = [];
    for (const size of SIZES) {
      const plain = await perOperation('encodeLoop', size);
      const pooled = await perOperation('pooledEncodeLoop', size);
      const parse = await perOperation('parseLoop', size);
      const parseNewTopic = await perOperation('parseNewTopicLoop', size);
      rows.push([`PUBLISH ${size} B`, String(plain.compute), String(pooled.compute), String(parse.compute), String(parseNewTopic.compute), parse.us.toFixed(1)]);
    }
    return rows;
  } finally {
    await worker.close();
  }
}

const figures = workloads().map(measure);
if (sink === 0) throw new Error('the benchmark was optimised away');
console.log(`MQTT codec on Node ${process.version}: packets/s and MB/s, median of ${ROUNDS} interleaved rounds after a warm-up`);
console.log(`(QoS 1 PUBLISH on a 33-character topic unless stated; parse is fed ${CHUNK / 1024} KB chunks, as from a socket)\n`);
console.log('encode');
console.log(table(['workload', 'size', 'encode()', 'PacketEncoder', 'mqtt-packet', 'encode() ratio', 'PacketEncoder ratio'], encodeRows(figures)));
console.log('\nparse');
console.log(table(['workload', 'size', 'PacketParser', 'mqtt-packet', 'ratio'], parseRows(figures)));
console.log('\nMQTT codec on XS (xsnap-worker meter: 1,000 operations after a warm-up, minus set-up and empty-loop baselines)\n');
console.log(table(['workload (QoS 1, 33-char topic)', 'encode()', 'PacketEncoder', 'parse', 'parse, new topic each time', 'parse wall µs'], await xsRows()));
