/**
 * ECMA-419-shaped TCP sockets (lib/mqtt/transport.ts) over Node's `net`, or `tls` when TLS options
 * are given, so lib's MQTT client runs on Node exactly as it does over `embedded:io/socket/tcp`:
 * - connection is signalled by the first `onWritable`, loss or failure by `onError` (once);
 * - `onReadable(n)` announces n buffered bytes, `read()` hands them all over as one ArrayBuffer;
 * - `onWritable(n)` grants n bytes of write space: what the stream's high-water mark leaves free.
 * No callback fires after `close()`.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { TcpSocket, TcpSocketFactory, TcpSocketOptions } from '../../lib/mqtt/transport';

export interface NodeTcpSettings {
  /** Connect with TLS using these options (servername, ca, cert, key, rejectUnauthorized...). */
  readonly tls?: tls.ConnectionOptions;
}

export class NodeTcpSocket implements TcpSocket {
  private readonly stream: net.Socket;
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private done = false;
  private creditPending = false;

  constructor(
    private readonly options: TcpSocketOptions,
    settings: NodeTcpSettings = {},
  ) {
    const { host, port } = options;
    this.stream = settings.tls ? tls.connect({ ...settings.tls, host, port }) : net.connect({ host, port });
    this.stream.setNoDelay(options.nodelay ?? true);
    this.stream.once(settings.tls ? 'secureConnect' : 'connect', () => this.grantCredit());
    this.stream.on('drain', () => this.grantCredit());
    this.stream.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (!this.done) this.options.onReadable(this.buffered);
    });
    this.stream.on('error', () => {}); // 'close' follows and reports it
    this.stream.on('close', () => this.fail());
  }

  read(): ArrayBuffer | undefined {
    if (this.buffered === 0) return undefined;
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks.length = 0;
    this.buffered = 0;
    return all.buffer.slice(all.byteOffset, all.byteOffset + all.length) as ArrayBuffer;
  }

  write(data: Uint8Array): void {
    if (this.done || this.stream.destroyed) throw new Error('write on a closed socket');
    if (this.stream.write(data)) this.scheduleCredit();
    // else: 'drain' grants credit once the stream has emptied.
  }

  /** Closes gracefully: what was written is still sent, then FIN. */
  close(): void {
    if (this.done) return;
    this.done = true;
    this.stream.end();
    this.stream.destroySoon();
  }

  /** Drops the connection at once without a FIN handshake, as a crash or a lost link would (for tests). */
  destroy(): void {
    this.stream.resetAndDestroy();
  }

  private credit(): number {
    return Math.max(0, this.stream.writableHighWaterMark - this.stream.writableLength);
  }

  private grantCredit(): void {
    this.creditPending = false;
    if (!this.done) this.options.onWritable(this.credit());
  }

  /** Written bytes may have left at once (no 'drain' follows then): announce the space again. */
  private scheduleCredit(): void {
    if (this.creditPending) return;
    this.creditPending = true;
    setImmediate(() => this.grantCredit());
  }

  private fail(): void {
    if (this.done) return;
    this.done = true;
    this.options.onError();
  }
}

/** A socket factory for lib/mqtt's client; give `tls` settings for MQTT over TLS. */
export function nodeTcp(settings: NodeTcpSettings = {}): (options: TcpSocketOptions) => NodeTcpSocket {
  return (options) => new NodeTcpSocket(options, settings);
}

export type { TcpSocketFactory };
