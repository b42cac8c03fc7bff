/**
 * A hub and several device replicas wired to a simulated network, for convergence tests (pure).
 * Devices keep their Store across reboots and lose everything else.
 */
import { Replica } from '../../lib/sync/index';
import type { CommandMessage } from '../../lib/protocol/index';
import type { Command } from '../../lib/timer/index';
import { MemoryStore } from './memory-store';
import { SimNetwork } from './sim-network';
import { seededRandom } from './seeded-random';

export const LOCATION = 'lab';
export const GROUP = 'focus';
export const HUB = 'hub-1';

export interface Issued {
  readonly id: string;
  readonly dev: string;
}

export class SyncCluster {
  readonly network: SimNetwork;
  readonly hub: Replica;
  readonly devices: Replica[] = [];
  readonly names: string[] = [];
  /** Every command the hub applied, in order (its history). */
  readonly hubHistory: CommandMessage[] = [];
  /** Every command a device accepted locally. */
  readonly issued: Issued[] = [];
  /** What the schedule exercised, so tests can show their generators reach the hard cases. */
  readonly seen = { offlineCommands: 0, rebootsWithPending: 0 };
  /** Commands that reached the hub again after it had applied them. */
  hubDuplicates = 0;
  private readonly stores: MemoryStore[] = [];
  private readonly idRandom: () => number;

  /**
   * @param clockErrors per device, a fixed error of its hub-time estimate in ms
   */
  constructor(seed: number, clockErrors: readonly number[]) {
    this.network = new SimNetwork(seededRandom(seed));
    this.idRandom = seededRandom(seed ^ 0x5bd1e995);
    const hubStore = new MemoryStore();
    this.hub = this.replica('hub', HUB, hubStore, 0);
    clockErrors.forEach((error, i) => {
      const name = `dev-${i}`;
      this.names.push(name);
      this.stores.push(new MemoryStore());
      this.devices.push(this.replica('sim', name, this.stores[i]!, error));
    });
    this.network.setOnline(HUB, true);
    this.hub.connected();
    for (const name of this.names) this.network.setOnline(name, true);
  }

  command(device: number, command: Command): void {
    const replica = this.devices[device]!;
    const result = replica.command(command);
    if (!result.ok) return;
    this.issued.push({ id: result.value.commandId, dev: this.names[device]! });
    if (!this.network.isOnline(this.names[device]!)) this.seen.offlineCommands++;
  }

  setOnline(device: number, online: boolean): void {
    this.network.setOnline(this.names[device]!, online);
    if (online) this.devices[device]!.connected();
  }

  /** Power cycle: RAM (the replica object, in-flight deliveries) is lost, the Store is kept. */
  reboot(device: number, clockError: number): void {
    const name = this.names[device]!;
    if (this.devices[device]!.pending().length > 0) this.seen.rebootsWithPending++;
    this.network.setOnline(name, false);
    this.devices[device] = this.replica('sim', name, this.stores[device]!, clockError);
  }

  drain(device: number): void {
    if (this.network.isOnline(this.names[device]!)) this.devices[device]!.connected();
  }

  /** Faults stop, every device reconnects and resends until its outbox is empty. */
  heal(rounds = 8): void {
    this.network.faults = { ...this.network.faults, drop: 0, duplicate: 0 };
    this.network.runUntilIdle();
    for (let i = 0; i < this.devices.length; i++) {
      this.network.setOnline(this.names[i]!, false);
      this.setOnline(i, true);
    }
    this.network.runUntilIdle();
    for (let round = 0; round < rounds && this.devices.some((d) => d.pending().length > 0); round++) {
      this.devices.forEach((d) => d.connected());
      this.network.runUntilIdle();
    }
  }

  private replica(kind: string, id: string, store: MemoryStore, clockError: number): Replica {
    const network = this.network;
    const time = { now: () => network.now + clockError, synced: true };
    const replica: Replica = new Replica({
      role: kind === 'hub' ? 'hub' : 'device',
      location: LOCATION,
      kind,
      id,
      group: GROUP,
      store,
      time,
      publish: network.publisher(id),
      newId: () => this.newId(),
      seenBuckets: 4,
      seenBucketSize: kind === 'hub' ? 256 : 32,
      ...(kind === 'hub' ? { onApplied: (message: CommandMessage) => this.hubHistory.push(message) } : {}),
    });
    network.attach(id, replica.subscriptions(), (topic, payload) => {
      const applied = this.hubHistory.length;
      const received = replica.receive(topic, payload);
      if (kind === 'hub' && received.ok && received.value.channel === 'command' && this.hubHistory.length === applied) this.hubDuplicates++;
    });
    return replica;
  }

  private newId(): string {
    let id = '';
    for (let i = 0; i < 12; i++) id += Math.floor(this.idRandom() * 36).toString(36);
    return id;
  }
}
