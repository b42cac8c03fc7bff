/**
 * Node-only bridge to mqtt-packet, the reference codec: our packet objects to its shapes and back,
 * and a helper that parses a stream with its parser.
 */
import mqtt from 'mqtt-packet';
import type { Packet } from '../../lib/mqtt/index';

type Loose = Record<string, unknown>;

/** Our packet as mqtt-packet's `generate` expects it (Buffers, `cmd`, `messageId`, `unsubscriptions`). */
export function toMqttPacket(packet: Packet): mqtt.Packet {
  const buffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  switch (packet.type) {
    case 'connect': {
      const out: Loose = {
        cmd: 'connect', protocolId: packet.protocolName, protocolVersion: packet.protocolVersion,
        clientId: packet.clientId, clean: packet.clean, keepalive: packet.keepalive,
      };
      if (packet.username !== undefined) out.username = packet.username;
      if (packet.password !== undefined) out.password = buffer(packet.password);
      if (packet.will) out.will = { ...packet.will, payload: buffer(packet.will.payload) };
      return out as unknown as mqtt.Packet;
    }
    case 'publish': {
      const out: Loose = { cmd: 'publish', topic: packet.topic, payload: buffer(packet.payload), qos: packet.qos, retain: packet.retain, dup: packet.dup };
      if (packet.packetId !== undefined) out.messageId = packet.packetId;
      return out as unknown as mqtt.Packet;
    }
    case 'connack':
      return { cmd: 'connack', sessionPresent: packet.sessionPresent, returnCode: packet.returnCode };
    case 'subscribe':
      return { cmd: 'subscribe', messageId: packet.packetId, subscriptions: packet.subscriptions.map((s) => ({ ...s })) };
    case 'suback':
      return { cmd: 'suback', messageId: packet.packetId, granted: [...packet.granted] } as unknown as mqtt.Packet;
    case 'unsubscribe':
      return { cmd: 'unsubscribe', messageId: packet.packetId, unsubscriptions: [...packet.topics] };
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'unsuback':
      return { cmd: packet.type, messageId: packet.packetId } as mqtt.Packet;
    case 'pingreq':
    case 'pingresp':
    case 'disconnect':
      return { cmd: packet.type } as mqtt.Packet;
  }
}

/** A packet mqtt-packet parsed, in our shape (header fields it reports for every type dropped). */
export function fromMqttPacket(parsed: mqtt.Packet): Packet {
  const p = parsed as unknown as Loose & { cmd: string };
  const bytes = (b: unknown) => new Uint8Array(b as Buffer);
  switch (p.cmd) {
    case 'connect': {
      const out: Loose = {
        type: 'connect', protocolName: p.protocolId, protocolVersion: p.protocolVersion,
        clientId: p.clientId, clean: p.clean, keepalive: p.keepalive,
      };
      if (p.username !== undefined) out.username = p.username;
      if (p.password !== undefined) out.password = bytes(p.password);
      const will = p.will as Loose | undefined;
      if (will) out.will = { topic: will.topic, payload: bytes(will.payload), qos: will.qos, retain: will.retain };
      return out as unknown as Packet;
    }
    case 'publish': {
      const out: Loose = { type: 'publish', topic: p.topic, payload: bytes(p.payload), qos: p.qos, retain: p.retain, dup: p.dup };
      if (p.qos !== 0) out.packetId = p.messageId;
      return out as unknown as Packet;
    }
    case 'connack':
      return { type: 'connack', sessionPresent: p.sessionPresent, returnCode: p.returnCode } as Packet;
    case 'subscribe':
      return { type: 'subscribe', packetId: p.messageId, subscriptions: p.subscriptions } as Packet;
    case 'suback':
      return { type: 'suback', packetId: p.messageId, granted: p.granted } as Packet;
    case 'unsubscribe':
      return { type: 'unsubscribe', packetId: p.messageId, topics: p.unsubscriptions } as Packet;
    case 'puback':
    case 'pubrec':
    case 'pubrel':
    case 'pubcomp':
    case 'unsuback':
      return { type: p.cmd, packetId: p.messageId } as Packet;
    default:
      return { type: p.cmd } as Packet;
  }
}

/** mqtt-packet's parse of a stream given in chunks: its packets (our shape) and its first error. */
export function mqttPacketParse(chunks: readonly Uint8Array[]): { packets: Packet[]; error: Error | undefined } {
  const parser = mqtt.parser({ protocolVersion: 4 });
  const packets: Packet[] = [];
  let error: Error | undefined;
  parser.on('packet', (p) => packets.push(fromMqttPacket(p)));
  parser.on('error', (e: Error) => (error ??= e));
  for (const chunk of chunks) {
    parser.parse(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    if (error) break;
  }
  return { packets, error };
}
