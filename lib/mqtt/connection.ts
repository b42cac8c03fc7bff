/**
 * One TCP connection carrying MQTT packets: frames inbound bytes into packets with the codec's
 * parser and writes outbound packets within the socket's write credit (ECMA-419 `onWritable`).
 * It knows nothing of sessions; the client opens a new Connection for every attempt.
 */
import type { MqttError } from './errors';
import { PacketEncoder } from './encode';
import type { Packet } from './packets';
import { PacketParser } from './parser';
import type { TcpSocket, TcpSocketFactory } from './transport';

export interface ConnectionLimits {
  /** Largest inbound packet accepted (bytes, whole packet). */
  readonly maxPacketSize: number;
  /** Bytes allowed to wait for write credit before the link counts as stalled. */
  readonly maxOutputBytes: number;
}

export type ConnectionEnd =
  | { readonly reason: 'socket-closed'; readonly detail: string }
  | { readonly reason: 'output-overflow'; readonly detail: string }
  | { readonly reason: 'protocol-error'; readonly error: MqttError; readonly detail: string };

export interface ConnectionEvents {
  /** The socket connected (first onWritable). */
  onOpen(): void;
  onPacket(packet: Packet): void;
  /** Write credit arrived on the open connection, and what waited for it took what it could. */
  onCredit(): void;
  /** The connection ended by itself (never called after `close()`). */
  onEnd(end: ConnectionEnd): void;
}

export class Connection {
  private readonly socket: TcpSocket;
  private readonly parser: PacketParser;
  private readonly encoder: PacketEncoder;
  private readonly output: Uint8Array[] = [];
  private outputBytes = 0;
  private writable = 0;
  private opened = false;
  private ended = false;

  constructor(
    factory: TcpSocketFactory,
    address: { readonly host: string; readonly port: number },
    private readonly limits: ConnectionLimits,
    private readonly events: ConnectionEvents,
  ) {
    this.parser = new PacketParser({ maxPacketSize: limits.maxPacketSize });
    // Packets are cut from 8 KB slabs that are never rewritten, so queued views stay valid.
    this.encoder = new PacketEncoder();
    this.socket = factory({
      host: address.host,
      port: address.port,
      format: 'buffer',
      nodelay: true,
      onReadable: () => this.readAll(),
      onWritable: (bytes) => this.creditArrived(bytes),
      onError: () => this.end({ reason: 'socket-closed', detail: 'the socket reported an error or closed' }),
    });
  }

  get isOpen(): boolean {
    return this.opened && !this.ended;
  }

  /** Encoded bytes waiting for write credit. */
  get waitingBytes(): number {
    return this.outputBytes;
  }

  /** Queues a packet for writing; false when the connection is not open or the output is stalled. */
  send(packet: Packet): boolean {
    if (!this.isOpen) return false;
    let bytes: Uint8Array;
    try {
      bytes = this.encoder.encode(packet);
    } catch {
      return false; // the client validates what it sends; this only guards against misuse from plain JS
    }
    if (this.outputBytes + bytes.length > this.limits.maxOutputBytes) {
      this.end({ reason: 'output-overflow', detail: `${this.outputBytes} bytes already wait for the socket` });
      return false;
    }
    this.output.push(bytes);
    this.outputBytes += bytes.length;
    this.flush();
    return !this.ended;
  }

  /** Closes the socket without reporting an end (the caller decided it). */
  close(): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
  }

  private creditArrived(bytes: number): void {
    if (this.ended) return;
    this.writable = bytes;
    if (!this.opened) {
      this.opened = true;
      this.events.onOpen();
    }
    this.flush();
    if (!this.ended) this.events.onCredit();
  }

  private flush(): void {
    while (!this.ended && this.writable > 0 && this.output.length > 0) {
      const head = this.output[0]!;
      const chunk = head.length <= this.writable ? head : head.subarray(0, this.writable);
      if (chunk === head) this.output.shift();
      else this.output[0] = head.subarray(chunk.length);
      this.writable -= chunk.length;
      this.outputBytes -= chunk.length;
      try {
        this.socket.write(chunk);
      } catch {
        this.end({ reason: 'socket-closed', detail: 'the socket refused a write' });
      }
    }
  }

  private readAll(): void {
    while (!this.ended) {
      let buffer: ArrayBuffer | undefined;
      try {
        buffer = this.socket.read();
      } catch {
        return this.end({ reason: 'socket-closed', detail: 'the socket refused a read' });
      }
      if (buffer === undefined || buffer.byteLength === 0) return;
      const error = this.parser.push(new Uint8Array(buffer), (packet) => {
        if (!this.ended) this.events.onPacket(packet);
      });
      if (error && !this.ended) return this.end({ reason: 'protocol-error', error, detail: error.detail });
    }
  }

  private end(end: ConnectionEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.release();
    this.events.onEnd(end);
  }

  private release(): void {
    this.output.length = 0;
    this.outputBytes = 0;
    this.parser.reset();
    try {
      this.socket.close();
    } catch {
      // already closed: nothing left to release
    }
  }
}
