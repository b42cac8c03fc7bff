/**
 * A replica on Node, wired as a device or the hub wires it: lib/sync's Replica over lib/mqtt's client
 * over host/node's TCP socket, through MqttLink. Its clock may be skewed to stand in for a device
 * whose clock is far from the hub's. Used by the terminal demo and the end-to-end tests.
 */
import { performance } from 'node:perf_hooks';
import type { Store } from '../../lib/host/index';
import { MqttClient } from '../../lib/mqtt/client';
import { ClockSync, clientPublisher, MqttLink, presenceWill, Replica, type HubTime, type LinkOptions } from '../../lib/sync/index';
import { nodeHost } from '../../host/node/host';
import { nodeTcp, type NodeTcpSocket } from '../../host/node/tcp';

export interface VirtualNodeOptions {
  readonly broker: { readonly host: string; readonly port: number };
  readonly role: 'hub' | 'device';
  readonly kind: string;
  readonly id: string;
  readonly location: string;
  readonly group: string;
  readonly store: Store;
  /** Added to this machine's monotonic clock to make the node's local clock. */
  readonly skewMs: number;
  readonly link?: Omit<LinkOptions, 'scheduler'>;
}

let unique = 0;

export class VirtualNode {
  readonly replica: Replica;
  /** Devices: the estimate of hub time; the hub's own clock is the reference. */
  readonly clock: ClockSync | undefined;
  /** Hub: how many times each command id was applied. */
  readonly applied = new Map<string, number>();
  private client: MqttClient | undefined;
  private link: MqttLink | undefined;
  private socket: NodeTcpSocket | undefined;

  constructor(private readonly options: VirtualNodeOptions) {
    const local = () => performance.now() + options.skewMs;
    this.clock = options.role === 'device' ? new ClockSync(local) : undefined;
    const time: HubTime = this.clock ?? { now: local, synced: true };
    this.replica = new Replica({
      role: options.role,
      location: options.location,
      kind: options.kind,
      id: options.id,
      group: options.group,
      store: options.store,
      time,
      ...(this.clock ? { clockSync: this.clock } : {}),
      publish: clientPublisher(() => this.client),
      newId: () => `${options.id}-${Date.now().toString(36)}-${(unique++).toString(36)}`,
      onApplied: (message) => this.applied.set(message.id, (this.applied.get(message.id) ?? 0) + 1),
    });
  }

  get id(): string {
    return this.options.id;
  }

  /** Has a client (connected, or connecting and retrying), as opposed to cut off or disconnected. */
  get linked(): boolean {
    return this.client !== undefined;
  }

  get online(): boolean {
    return this.client?.state === 'connected';
  }

  connect(): void {
    if (this.client) return;
    const tcp = nodeTcp();
    const client = new MqttClient({
      ...nodeHost,
      socket: (options) => (this.socket = tcp(options)),
      host: this.options.broker.host,
      port: this.options.broker.port,
      clientId: `${this.options.id}-${(unique++).toString(36)}`,
      keepaliveSeconds: 10,
      backoff: { initialMs: 50, maxMs: 500 },
      will: presenceWill(this.replica),
    });
    this.client = client;
    this.link = new MqttLink(client, this.replica, { scheduler: nodeHost.scheduler, burstMs: 50, resendMs: 200, ...this.options.link });
    const started = client.start();
    if (!started.ok) throw new Error(started.detail);
  }

  /** The link dies as Wi-Fi does: no DISCONNECT, so the broker publishes the Last Will. */
  cutOff(): void {
    this.socket?.destroy();
    this.disconnect();
  }

  /** A clean goodbye (DISCONNECT). */
  disconnect(): void {
    this.link?.stop();
    this.client?.close();
    this.link = undefined;
    this.client = undefined;
  }
}
