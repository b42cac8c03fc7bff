/**
 * host/node/tcp.ts keeps the ECMA-419 contract lib/mqtt relies on: connection signalled by the first
 * onWritable, failure and loss by one onError, nothing after close(), write credit that never
 * stalls, and the same over TLS (the MQTT client included).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { Aedes } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttClient } from '../../lib/mqtt/client';
import type { TcpSocketOptions } from '../../lib/mqtt/transport';
import { decodeUtf8 } from '../../lib/mqtt/utf8';
import { nodeHost } from '../../host/node/host';
import { NodeTcpSocket, nodeTcp } from '../../host/node/tcp';
import { freePort, until } from '../support/brokers';

interface Probe {
  readonly events: string[];
  readonly received: number[];
  options(port: number): TcpSocketOptions;
  /** The socket whose bytes onReadable reads. */
  attach(socket: NodeTcpSocket): void;
}

function probe(): Probe {
  const events: string[] = [];
  const received: number[] = [];
  let socket: NodeTcpSocket | undefined;
  const p: Probe = {
    events,
    received,
    options: (port) => ({
      host: '127.0.0.1',
      port,
      format: 'buffer',
      onWritable: (n) => events.push(`writable ${n > 0}`),
      onReadable: () => {
        for (let b = socket?.read(); b; b = socket?.read()) received.push(...new Uint8Array(b));
      },
      onError: () => events.push('error'),
    }),
    attach: (s) => {
      socket = s;
    },
  };
  return p;
}

function open(p: Probe, port: number, settings?: ConstructorParameters<typeof NodeTcpSocket>[1]): NodeTcpSocket {
  const socket = new NodeTcpSocket(p.options(port), settings);
  p.attach(socket);
  return socket;
}

function echoServer(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

describe('host/node/tcp over net', () => {
  const server = net.createServer((s) => s.pipe(s));
  let port: number;
  beforeAll(async () => {
    port = await echoServer(server);
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('signals the connection by onWritable and echoes bytes through read()', async () => {
    const p = probe();
    const socket = open(p, port);
    await until(() => p.events.length > 0, 5_000, 'connect');
    expect(p.events[0]).toBe('writable true');
    socket.write(new Uint8Array([1, 2, 3]));
    await until(() => p.received.length === 3, 5_000, 'echo');
    expect(p.received).toEqual([1, 2, 3]);
    socket.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(p.events).not.toContain('error'); // nothing after our own close
  });

  it('reports a refused connection with one onError and no onWritable', async () => {
    const p = probe();
    open(p, await freePort());
    await until(() => p.events.length > 0, 5_000, 'error');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(p.events).toEqual(['error']);
  });

  it('grants write credit until a megabyte has gone through, without stalling', async () => {
    let total = 0;
    const sink = net.createServer((s) => s.on('data', (chunk: Buffer) => (total += chunk.length)));
    const sinkPort = await echoServer(sink);
    let left = 1 << 20;
    let socket: NodeTcpSocket | undefined;
    const written: number[] = [];
    const pump = (credit: number) => {
      while (socket && left > 0 && credit > 0) {
        const n = Math.min(credit, left, 4096);
        socket.write(new Uint8Array(n));
        written.push(n);
        left -= n;
        credit -= n;
      }
    };
    socket = new NodeTcpSocket({ host: '127.0.0.1', port: sinkPort, format: 'buffer', onWritable: pump, onReadable: () => {}, onError: () => {} });
    await until(() => total === 1 << 20, 20_000, 'a megabyte through the sink');
    socket.close();
    await new Promise<void>((resolve) => sink.close(() => resolve()));
    expect(written.reduce((a, b) => a + b, 0)).toBe(1 << 20);
  });
});

describe('host/node/tcp over tls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'argus-tls-'));
  let key: Buffer;
  let cert: Buffer;
  beforeAll(() => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('echoes over TLS when the certificate is trusted, and fails with onError when it is not', async () => {
    const server = tls.createServer({ key, cert }, (s) => s.pipe(s));
    const port = await echoServer(server);
    const trusted = probe();
    const socket = open(trusted, port, { tls: { ca: cert, servername: 'localhost' } });
    await until(() => trusted.events.length > 0, 5_000, 'secure connect');
    socket.write(new Uint8Array([9, 8, 7]));
    await until(() => trusted.received.length === 3, 5_000, 'echo');
    expect(trusted.received).toEqual([9, 8, 7]);
    socket.close();
    const untrusted = probe();
    open(untrusted, port, { tls: { servername: 'localhost' } });
    await until(() => untrusted.events.length > 0, 5_000, 'failure');
    expect(untrusted.events).toEqual(['error']);
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('carries the MQTT client to a TLS broker (aedes) with QoS 1 both ways', async () => {
    const broker = await Aedes.createBroker();
    const server = tls.createServer({ key, cert }, broker.handle);
    const port = await echoServer(server);
    const client = new MqttClient({
      ...nodeHost,
      socket: nodeTcp({ tls: { ca: cert, servername: 'localhost' } }),
      host: '127.0.0.1',
      port,
      clientId: 'tls-client',
    });
    const got: string[] = [];
    client.on('message', (m) => got.push(decodeUtf8(m.payload, 0, m.payload.length) ?? ''));
    const up = new Promise<void>((resolve) => client.on('connect', () => resolve()));
    expect(client.start().ok).toBe(true);
    await up;
    expect((await client.subscribe([{ topic: 'secure/#', qos: 1 }])).ok).toBe(true);
    expect((await client.publish('secure/x', 'over tls', { qos: 1 })).ok).toBe(true);
    await until(() => got.length === 1, 5_000, 'the message back');
    expect(got).toEqual(['over tls']);
    client.close();
    await new Promise<void>((resolve) => broker.close(() => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
