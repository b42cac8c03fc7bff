/**
 * A streaming MQTT 3.1.1 parser: bytes in any split, packets out. A packet that lies entirely in one
 * chunk is decoded in place (a PUBLISH payload is a view on that chunk); only a packet split across
 * chunks is assembled, in a buffer of exactly its size, which the fixed header bounds by maxPacketSize.
 */
import { PacketDecoder } from './decode';
import { mqttError, type MqttError } from './errors';
import { MAX_REMAINING_LENGTH, PUBLISH, PUBREL, SUBSCRIBE, UNSUBSCRIBE } from './header';
import type { Packet } from './packets';

export interface ParserOptions {
  /** The largest packet accepted, fixed header included; larger ones are refused from their header. */
  readonly maxPacketSize: number;
}

/** The remaining length a packet type must have, or -1 when it varies. Indexed by packet type. */
const FIXED_REMAINING_LENGTH: readonly number[] = [-1, -1, 2, -1, 2, 2, 2, 2, -1, -1, -1, 2, 0, 0, 0, -1];

/** The largest packet MQTT can frame: 1 + 4 + MAX_REMAINING_LENGTH bytes. */
const MAX_PACKET_SIZE = 5 + MAX_REMAINING_LENGTH;

export class PacketParser {
  private readonly maxPacketSize: number;
  private readonly decoder = new PacketDecoder();
  private failure: MqttError | undefined;
  /** Fixed-header bytes of a packet whose header was split (at most 5). */
  private readonly head = new Uint8Array(5);
  private headLength = 0;
  /** The packet being assembled across chunks, once its size is known. */
  private assembly: Uint8Array | undefined;
  private assembled = 0;

  constructor(options: ParserOptions) {
    // A limit that is not a number would disable the bound on memory: treat it as the smallest packet.
    const limit = Math.floor(options.maxPacketSize);
    this.maxPacketSize = limit >= 2 ? Math.min(limit, MAX_PACKET_SIZE) : 2;
  }

  /**
   * Parses every complete packet in `chunk`, calling onPacket for each (a PUBLISH payload may be a
   * view on `chunk`: copy it to keep it). Returns the first MqttError, after which the parser stays
   * failed and returns that error for every later push. If onPacket throws, the exception propagates
   * and the parser is failed too (the rest of the chunk was not read).
   */
  push(chunk: Uint8Array, onPacket: (packet: Packet) => void): MqttError | undefined {
    if (this.failure) return this.failure;
    try {
      return this.parse(chunk, onPacket);
    } catch (error) {
      this.failure ??= mqttError('protocol-violation', 'the packet listener threw; the rest of the stream was not read');
      throw error;
    } finally {
      this.decoder.release();
    }
  }

  private parse(chunk: Uint8Array, onPacket: (packet: Packet) => void): MqttError | undefined {
    const end = chunk.length;
    let pos = 0;
    if (this.headLength > 0 || this.assembly) {
      pos = this.continueSplitPacket(chunk);
      if (pos < 0) return this.failure;
      const whole = this.assembly;
      if (!whole || this.assembled < whole.length) return undefined;
      this.assembly = undefined;
      this.headLength = 0;
      const packet = this.decodeFrame(whole, 0, whole.length);
      if (!packet) return this.failure;
      onPacket(packet);
    }
    while (pos < end) {
      const size = this.frameSize(chunk, pos, end);
      if (size < 0) return this.failure;
      if (size === 0 || pos + size > end) {
        this.startSplitPacket(chunk, pos, size);
        return undefined;
      }
      const packet = this.decodeFrame(chunk, pos, pos + size);
      if (!packet) return this.failure;
      pos += size;
      onPacket(packet);
    }
    return undefined;
  }

  /** Bytes held for a packet split across chunks (at most maxPacketSize). */
  get bufferedBytes(): number {
    return this.assembly ? this.assembly.length : this.headLength;
  }

  /** Forgets everything, including a failure: for a new connection. */
  reset(): void {
    this.failure = undefined;
    this.headLength = 0;
    this.assembly = undefined;
    this.assembled = 0;
  }

  /** Keeps the start of a packet that `chunk` cuts off: its header bytes, or (size known) all of it. */
  private startSplitPacket(chunk: Uint8Array, pos: number, size: number): void {
    if (size === 0) {
      this.head.set(chunk.subarray(pos), 0);
      this.headLength = chunk.length - pos;
      return;
    }
    this.assembly = new Uint8Array(size);
    this.assembly.set(chunk.subarray(pos), 0);
    this.assembled = chunk.length - pos;
  }

  /** Feeds `chunk` into the split packet; returns the position after what it took, or -1 on failure. */
  private continueSplitPacket(chunk: Uint8Array): number {
    let pos = 0;
    while (!this.assembly) {
      if (pos >= chunk.length) return pos;
      this.head[this.headLength++] = chunk[pos++]!;
      const size = this.frameSize(this.head, 0, this.headLength);
      if (size < 0) return -1;
      if (size > 0) {
        this.assembly = new Uint8Array(size);
        this.assembly.set(this.head.subarray(0, this.headLength), 0);
        this.assembled = this.headLength;
      }
    }
    const take = Math.min(this.assembly.length - this.assembled, chunk.length - pos);
    this.assembly.set(chunk.subarray(pos, pos + take), this.assembled);
    this.assembled += take;
    return pos + take;
  }

  /**
   * Checks the fixed header at bytes[start, end): the whole packet's size, 0 if the header is not
   * complete yet, or -1 (failure set) if it breaks a rule or announces too large a packet.
   */
  private frameSize(bytes: Uint8Array, start: number, end: number): number {
    const first = bytes[start]!;
    const type = first >> 4;
    const flags = first & 0x0f;
    if (type === PUBLISH) {
      if ((flags & 0b0110) === 0b0110) return this.fail('invalid-qos', 'PUBLISH with QoS 3 [MQTT-3.3.1-4]');
      if ((flags & 0b1110) === 0b1000) return this.fail('dup-on-qos0', 'DUP set on a QoS 0 PUBLISH [MQTT-3.3.1-2]');
    } else if (type === 0 || type === 15) {
      return this.fail('unknown-packet-type', `packet type ${type} is reserved in MQTT 3.1.1`);
    } else if (flags !== (type === PUBREL || type === SUBSCRIBE || type === UNSUBSCRIBE ? 0b0010 : 0)) {
      return this.fail('reserved-flags', `fixed header flags 0x${flags.toString(16)} are reserved for packet type ${type} [MQTT-2.2.2-1]`);
    }
    let remaining = 0;
    let multiplier = 1;
    for (let i = start + 1; i < start + 5; i++) {
      if (i >= end) return 0;
      const digit = bytes[i]!;
      remaining += (digit & 0x7f) * multiplier;
      if (digit < 0x80) {
        const fixed = FIXED_REMAINING_LENGTH[type]!;
        if (fixed >= 0 && remaining !== fixed)
          return this.fail('malformed-packet', `remaining length ${remaining} where packet type ${type} has ${fixed}`);
        const size = i + 1 - start + remaining;
        if (size > this.maxPacketSize) return this.fail('packet-too-large', `a ${size}-byte packet exceeds the ${this.maxPacketSize}-byte limit`);
        return size;
      }
      multiplier *= 128;
      // Not complete, but the digits so far may already rule out every size within the limit; checked
      // digit by digit so that the outcome does not depend on where the stream was split.
      const smallest = i + 2 - start + remaining;
      if (smallest > this.maxPacketSize)
        return this.fail('packet-too-large', `a packet of at least ${smallest} bytes exceeds the ${this.maxPacketSize}-byte limit`);
    }
    return this.fail('malformed-remaining-length', 'the remaining length runs past four bytes');
  }

  private decodeFrame(bytes: Uint8Array, start: number, end: number): Packet | undefined {
    let bodyStart = start + 2;
    while (bytes[bodyStart - 1]! >= 0x80) bodyStart++;
    const packet = this.decoder.decode(bytes[start]!, bytes, bodyStart, end);
    if (!packet) this.failure = this.decoder.error ?? mqttError('malformed-packet', 'undecodable packet');
    return packet;
  }

  private fail(reason: MqttError['reason'], detail: string): -1 {
    this.failure = mqttError(reason, detail);
    return -1;
  }
}

