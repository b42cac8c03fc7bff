/**
 * The byte stream the MQTT client runs over, in the shape of ECMA-419 `embedded:io/socket/tcp` so a
 * device can pass `(options) => new TCP(options)` unchanged; Node passes `host/node/tcp.ts`.
 *
 * ECMA-419 semantics the client relies on:
 * - the socket connects asynchronously; the first `onWritable` means "connected";
 * - `onWritable(bytes)` states how many bytes `write` accepts now (a write beyond that may throw);
 * - `onReadable(bytes)` states how many bytes `read()` can return; `read()` in buffer format returns
 *   an ArrayBuffer of what is available, or undefined when nothing is;
 * - `onError()` reports a failed connection or a lost one (the socket is then unusable);
 * - no callback fires from inside the constructor or from inside `write`/`close`.
 *
 * On a device: `socket: (options) => new TCP(options) as unknown as TcpSocket` (the SDK types `read`
 * as returning `number | ArrayBuffer`; in buffer format it returns an ArrayBuffer or undefined). A
 * TCP implementation that wants an IP `address` instead of `host` gets `{ ...options, address }`.
 */

export interface TcpSocket {
  read(): ArrayBuffer | undefined;
  write(data: Uint8Array): void;
  close(): void;
}

export interface TcpSocketOptions {
  readonly host: string;
  readonly port: number;
  /** ECMA-419: the client asks for ArrayBuffers. */
  readonly format: 'buffer';
  readonly nodelay?: boolean;
  onReadable(bytes: number): void;
  onWritable(bytes: number): void;
  onError(): void;
}

/** Opens one connection. A factory, not a class, so hosts may add their own options (TLS, secure). */
export type TcpSocketFactory = (options: TcpSocketOptions) => TcpSocket;
