/**
 * An in-memory stand-in for ECMA-419 TCP sockets, with the broker's end scripted by the test:
 * the test accepts or fails the connection, sends packets (encoded with our codec) and reads what
 * the client wrote (parsed with our codec). Pure, for cases that run under Node and XS.
 */
import { encode } from '../../lib/mqtt/encode';
import type { Packet } from '../../lib/mqtt/packets';
import { PacketParser } from '../../lib/mqtt/parser';
import type { TcpSocket, TcpSocketFactory, TcpSocketOptions } from '../../lib/mqtt/transport';

export class MemoryNetwork {
  readonly peers: MemoryPeer[] = [];

  readonly connect: TcpSocketFactory = (options) => {
    const peer = new MemoryPeer(options);
    this.peers.push(peer);
    return peer.socket;
  };

  /** The broker's end of the newest connection. */
  get last(): MemoryPeer {
    const peer = this.peers[this.peers.length - 1];
    if (!peer) throw new Error('the client opened no connection');
    return peer;
  }
}

/** The broker's end of one connection. */
export class MemoryPeer {
  readonly socket: TcpSocket;
  /** Set when the client closed its socket. */
  closedByClient = false;
  /** Sizes of the client's individual write calls. */
  readonly writes: number[] = [];
  private credit = 0;
  private readonly inbound: Uint8Array[] = [];
  private readonly received: Packet[] = [];
  private readonly parser = new PacketParser({ maxPacketSize: 1 << 20 });
  private failed = false;

  constructor(readonly options: TcpSocketOptions) {
    this.socket = {
      read: () => {
        const chunk = this.inbound.shift();
        return chunk ? (chunk.slice().buffer as ArrayBuffer) : undefined;
      },
      write: (data) => {
        if (this.closedByClient || this.failed) throw new Error('write on a closed socket');
        if (data.length > this.credit) throw new Error(`write of ${data.length} bytes with ${this.credit} of credit`);
        this.credit -= data.length;
        this.writes.push(data.length);
        const error = this.parser.push(data.slice(), (packet) => this.received.push(packet));
        if (error) throw new Error(`the client wrote bad bytes: ${error.reason} ${error.detail}`);
      },
      close: () => {
        this.closedByClient = true;
      },
    };
  }

  /** Completes the TCP connection, granting `credit` bytes of write space. */
  accept(credit = 1 << 16): void {
    this.grant(credit);
  }

  /** ECMA-419 onWritable: the client may now write `credit` bytes. */
  grant(credit: number): void {
    this.credit = credit;
    this.options.onWritable(credit);
  }

  /** The connection fails or drops (ECMA-419 onError). */
  fail(): void {
    this.failed = true;
    this.options.onError();
  }

  send(packet: Packet): void {
    this.sendBytes(encode(packet));
  }

  sendBytes(bytes: Uint8Array): void {
    this.inbound.push(bytes);
    this.options.onReadable(bytes.length);
  }

  /** Packets the client wrote since the last take. */
  take(): Packet[] {
    return this.received.splice(0, this.received.length);
  }
}
