/**
 * Loaded into XS by tools/bench/mqtt.ts: loops whose cost the worker's meter reports. Each loop does
 * its own set-up, so the caller subtracts the same call with n = 0 (and an empty loop) as baseline.
 */
import { PacketEncoder, PacketParser, encode, type Packet, type PublishPacket } from '../../lib/mqtt/index';

function publish(size: number, topic = 'argus/office/t-embed/dev-01/state'): PublishPacket {
  const payload = new Uint8Array(size);
  for (let i = 0; i < size; i++) payload[i] = i & 0xff;
  return { type: 'publish', topic, payload, qos: 1, retain: false, dup: false, packetId: 42 };
}

let received = 0;
function onPacket(packet: Packet): void {
  if (packet.type === 'publish') received += packet.payload.length;
}

const g = globalThis as Record<string, unknown>;
g.emptyLoop = (n: number) => {
  for (let i = 0; i < n; i++) received++;
};
g.encodeLoop = (n: number, size: number) => {
  const packet = publish(size);
  for (let i = 0; i < n; i++) received += encode(packet).length;
};
g.pooledEncodeLoop = (n: number, size: number) => {
  const packet = publish(size);
  const encoder = new PacketEncoder();
  for (let i = 0; i < n; i++) received += encoder.encode(packet).length;
};
g.parseLoop = (n: number, size: number) => {
  const bytes = encode(publish(size));
  const parser = new PacketParser({ maxPacketSize: 1 << 16 });
  for (let i = 0; i < n; i++) parser.push(bytes, onPacket);
};
/** Sixteen topics of one length that share a cache slot: every parse decodes its topic afresh. */
g.parseNewTopicLoop = (n: number, size: number) => {
  const packets: Uint8Array[] = [];
  for (let k = 0; k < 16; k++) packets.push(encode(publish(size, `argus/office/t-embed/dev-${k < 10 ? '0' : ''}${k}/state`)));
  const parser = new PacketParser({ maxPacketSize: 1 << 16 });
  for (let i = 0; i < n; i++) parser.push(packets[i & 15]!, onPacket);
};
