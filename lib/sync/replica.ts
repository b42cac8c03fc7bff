/**
 * One replica of a timer group: a device's (role 'device') or the hub's (role 'hub'). The same code
 * applies local commands at once, merges what arrives, remembers command ids, and (device) keeps an
 * outbox until the hub acks, or (hub) acks and publishes the canonical retained state.
 */
import type { Store } from '../host/index';
import {
  DELIVERY,
  encodeMessage,
  decodeMessage,
  GROUP_KIND,
  receive,
  Rejections,
  topicOf,
  channelFilter,
  type Channel,
  type CommandMessage,
  type Message,
  type RejectReason,
  type StateMessage,
  type TopicAddress,
} from '../protocol/index';
import { ok, refuse, type Result } from '../result/index';
import { apply, view, type Command, type RefusalReason, type TimerView } from '../timer/index';
import type { ClockSync } from './clock-sync';
import { compareStamps, HybridClock, type Stamp } from './hlc';
import { decodeUtf8, encodeUtf8 } from '../mqtt/utf8';
import { Outbox, type OutboxLimits, type PublishPort } from './outbox';
import { PresenceTracker } from './presence';
import { initialRegister, merge, type Register } from './register';
import { SeenIds } from './seen-ids';

/** The replica's view of hub time. */
export interface HubTime {
  now(): number;
  /** Whether the estimate is agreed with the hub (the hub's own clock always is). */
  readonly synced: boolean;
}

export interface ReplicaOptions {
  readonly role: 'device' | 'hub';
  readonly location: string;
  /** Device type (`t-embed`, `presto`, ...) or `hub`. */
  readonly kind: string;
  readonly id: string;
  readonly group: string;
  readonly store: Store;
  readonly time: HubTime;
  /** The device's time-exchange state (devices only); `time` is usually this same object. */
  readonly clockSync?: ClockSync;
  readonly publish: PublishPort;
  /** Yields command ids; must not repeat across reboots (e.g. random base-36). */
  readonly newId: () => string;
  readonly rejections?: Rejections;
  readonly seenBuckets?: number;
  readonly seenBucketSize?: number;
  readonly maxDriftMs?: number;
  /** Devices: how many commands may wait for the hub's ack (default DEFAULT_OUTBOX_LIMITS). */
  readonly outboxLimits?: OutboxLimits;
  /**
   * Hub: called once per command id it applies (history), before the id is remembered and acked; a
   * hub killed in between is called again for the same id when the device resends it.
   */
  readonly onApplied?: (message: CommandMessage) => void;
}

/**
 * Beyond the timer's own refusals: `oversized` (the payload would pass its limit), `not-synced` (a
 * device that has not learnt hub time since boot cannot state when its command happened), and
 * `outbox-full` (too many commands wait for the hub; see OutboxLimits).
 */
export type CommandRefusal = RefusalReason | 'oversized' | 'not-synced' | 'outbox-full';

const REGISTER_KEY = 'reg';
const CLOCK_KEY = 'hlc';
const COMPLETIONS_KEY = 'done';

export class Replica {
  readonly rejections: Rejections;
  readonly presence = new PresenceTracker();
  private register: Register;
  private readonly hlc: HybridClock;
  private readonly seen: SeenIds;
  private readonly outbox: Outbox | undefined;
  private readonly self: TopicAddress;

  constructor(private readonly options: ReplicaOptions) {
    const { store, id } = options;
    this.rejections = options.rejections ?? new Rejections();
    this.self = { location: options.location, kind: options.kind, id, channel: 'state' };
    this.register = loadRegister(store, this.self);
    this.hlc = new HybridClock(id, () => options.time.now(), options.maxDriftMs, loadStamp(store, this.register.stamp));
    this.seen = new SeenIds(store, options.seenBuckets, options.seenBucketSize);
    this.outbox = options.role === 'device' ? new Outbox(store, this.topic('command'), options.publish, options.outboxLimits) : undefined;
  }

  get current(): Register {
    return this.register;
  }

  /** What the timer shows now (hub time). */
  view(): TimerView {
    return view(this.register.state, this.options.time.now());
  }

  /** Ids of commands issued here and not yet acknowledged by the hub. */
  pending(): string[] {
    return this.outbox?.pending() ?? [];
  }

  hasSeen(commandId: string): boolean {
    return this.seen.has(commandId);
  }

  /** Topic filters this replica needs. */
  subscriptions(): string[] {
    const { location, group } = this.options;
    if (this.options.role === 'hub')
      return [channelFilter(location, 'command'), channelFilter(location, 'time'), channelFilter(location, 'presence')];
    return [
      channelFilter(location, 'command'),
      this.topic('state', { location, kind: GROUP_KIND, id: group }),
      this.topic('event'),
      this.topic('time'),
      channelFilter(location, 'presence'),
    ];
  }

  /** A person's command: applied here at once at the current hub-time estimate, then sent. */
  command(command: Command): Result<Register, CommandRefusal> {
    if (!this.options.time.synced)
      return refuse('not-synced', 'hub time is not known since boot; commands are taken after the first time answer');
    const applied = apply(this.register.state, command, Math.max(0, this.options.time.now()));
    if (!applied.ok) return applied;
    const stamp = this.hlc.send();
    const id = this.options.newId();
    const message: CommandMessage = {
      channel: 'command', dev: this.options.id, group: this.options.group, id, stamp, command, state: applied.value,
    };
    const bytes = encodeMessage(message);
    if (!bytes.ok) return refuse('oversized', bytes.detail);
    if (this.outbox && !this.outbox.fits(bytes.value.length))
      return refuse('outbox-full', `${this.outbox.pending().length} commands already wait for the hub`);
    this.seen.add(id);
    this.store(CLOCK_KEY, `${stamp.wall},${stamp.counter}`);
    // The outbox before the register: a rebooted device never shows a command it will not send (dying
    // in between, it sends the command and gets its anchor back from the hub's group state).
    this.outbox?.add(id, bytes.value);
    this.setRegister({ state: applied.value, stamp, commandId: id }, false);
    if (!this.outbox) this.applyAtHub(message);
    this.publishState();
    return ok(this.register);
  }

  /** The link is up again: resend what the hub has not acknowledged, republish our state. */
  connected(): void {
    this.outbox?.drain();
    this.publishState();
  }

  /** Resends unacknowledged commands (an ack is overdue) without republishing state. */
  resend(): void {
    this.outbox?.drain();
  }

  /** This replica's presence topic and payloads (the offline one is the MQTT Last Will). */
  presenceMessage(status: 'online' | 'offline'): { topic: string; payload: Uint8Array } {
    const bytes = encodeMessage({ channel: 'presence', dev: this.options.id, status });
    return { topic: this.topic('presence'), payload: bytes.ok ? bytes.value : new Uint8Array(0) };
  }

  /**
   * Hub: publishes a completion event for every phase completed by time since the last report (at
   * most `burst` after a long outage), each number once, even across a restart. Devices: nothing.
   */
  reportCompletions(burst = 8): number[] {
    if (this.options.role !== 'hub' || this.register.commandId === '') return [];
    const done = view(this.register.state, this.options.time.now()).completions;
    const last = Number(this.options.store.get(COMPLETIONS_KEY) ?? '0');
    if (!(done > last)) return [];
    const reported: number[] = [];
    for (let n = Math.max(last + 1, done - burst + 1); n <= done; n++) {
      this.send('event', { channel: 'event', dev: this.options.id, kind: 'completion', group: this.options.group, n });
      reported.push(n);
    }
    this.store(COMPLETIONS_KEY, String(done));
    return reported;
  }

  /** Devices: starts a time exchange with the hub. */
  requestTime(): void {
    const sync = this.options.clockSync;
    if (!sync) return;
    this.send('time', { channel: 'time', dev: this.options.id, op: 'req', t0: sync.request() });
  }

  /** Everything the MQTT client delivers comes in here. Rejected messages are counted and change nothing. */
  receive(topic: string, payload: Uint8Array): Result<Message, RejectReason> {
    const received = receive(topic, payload, this.rejections);
    if (!received.ok) return received;
    const { address, message } = received.value;
    const handled = this.handle(address, message);
    if (!handled.ok) {
      this.rejections.record(handled, topic);
      return handled;
    }
    return ok(message);
  }

  private handle(address: TopicAddress, message: Message): Result<true, RejectReason> {
    const hub = this.options.role === 'hub';
    switch (message.channel) {
      case 'command':
        if (message.group !== this.options.group) return ok(true);
        if (hub) return this.applyAtHub(message, address);
        if (this.seen.has(message.id)) return ok(true);
        // Without hub time a peer's stamp cannot be bounded, and one far-future clock would poison
        // ours; the hub checks every command, and its group state brings their effect.
        if (!this.options.time.synced) return ok(true);
        return this.mergeRemote(message, () => this.seen.add(message.id));
      case 'state':
        if (hub || address.kind !== GROUP_KIND || message.group !== this.options.group) return ok(true);
        return this.mergeRemote(message);
      case 'event':
        if (!hub && message.kind === 'ack' && address.id === this.options.id) this.outbox?.ack(message.id);
        return ok(true);
      case 'time':
        if (hub && message.op === 'req') {
          const t1 = this.options.time.now();
          this.send('time', { channel: 'time', dev: message.dev, op: 'res', t0: message.t0, t1, t2: this.options.time.now() }, address);
        } else if (!hub && message.op === 'res' && address.id === this.options.id) {
          this.options.clockSync?.response(message.t0, message.t1, message.t2);
        }
        return ok(true);
      case 'presence':
        this.presence.update(message);
        return ok(true);
      default:
        return ok(true);
    }
  }

  /**
   * Hub: merge the anchor (publishing canonical state), record it in the history, remember the id,
   * and only then ack (again, for a duplicate): a hub that dies part way has not acked, so the device
   * resends and the command is applied then (at worst the history sees an id twice; it never misses one).
   */
  private applyAtHub(message: CommandMessage, from?: TopicAddress): Result<true, RejectReason> {
    if (this.seen.has(message.id) && from) {
      this.ack(message, from);
      return ok(true);
    }
    if (from) {
      const merged = this.mergeRemote(message);
      if (!merged.ok) return merged;
    }
    this.options.onApplied?.(message);
    if (from) {
      this.seen.add(message.id);
      this.ack(message, from);
    }
    return ok(true);
  }

  private ack(message: CommandMessage, from: TopicAddress): void {
    this.send('event', { channel: 'event', dev: message.dev, kind: 'ack', id: message.id, hub: this.options.id }, from);
  }

  private mergeRemote(message: CommandMessage | StateMessage, remember?: () => void): Result<true, RejectReason> {
    const clock = this.hlc.receive(message.stamp, this.options.time.synced);
    if (!clock.ok) return clock;
    remember?.();
    const commandId = message.channel === 'command' ? message.id : message.commandId;
    this.store(CLOCK_KEY, `${clock.value.wall},${clock.value.counter}`);
    this.setRegister(merge(this.register, { state: message.state, stamp: message.stamp, commandId }));
    return ok(true);
  }

  /** Persists the anchor before anything is sent about it, so a reboot never forgets what was shown. */
  private setRegister(next: Register, publish = true): void {
    if (next === this.register) return;
    this.register = next;
    const bytes = encodeMessage(this.stateMessage());
    if (bytes.ok) this.store(REGISTER_KEY, decodeText(bytes.value));
    if (publish) this.publishState();
  }

  private stateMessage(): StateMessage {
    const { state, stamp, commandId } = this.register;
    return { channel: 'state', dev: this.options.id, group: this.options.group, commandId, stamp, state };
  }

  /** Devices publish their own anchor; the hub publishes the group's canonical one. Both retained. */
  private publishState(): void {
    if (this.register.commandId === '') return;
    const where = this.options.role === 'hub' ? { kind: GROUP_KIND, id: this.options.group } : undefined;
    this.send('state', this.stateMessage(), where && { ...this.self, ...where });
  }

  private topic(channel: Channel, address: Omit<TopicAddress, 'channel'> = this.self): string {
    const topic = topicOf({ ...address, channel });
    return topic.ok ? topic.value : '';
  }

  private send(channel: Channel, message: Message, to: Omit<TopicAddress, 'channel'> = this.self): void {
    const bytes = encodeMessage(message);
    if (!bytes.ok) return;
    const { qos, retain } = DELIVERY[channel];
    this.options.publish(this.topic(channel, to), bytes.value, qos, retain).then(undefined, () => undefined);
  }

  private store(key: string, value: string): void {
    this.options.store.set(key, value);
  }
}

function decodeText(bytes: Uint8Array): string {
  return decodeUtf8(bytes, 0, bytes.length) ?? '';
}

function loadRegister(store: Store, self: TopicAddress): Register {
  const text = store.get(REGISTER_KEY);
  if (text === undefined) return initialRegister();
  const decoded = decodeMessage(self, encodeUtf8(text));
  if (!decoded.ok || decoded.value.channel !== 'state') return initialRegister();
  const { state, stamp, commandId } = decoded.value;
  return { state, stamp, commandId };
}

function loadStamp(store: Store, floor: Stamp): Stamp {
  const [wall, counter] = (store.get(CLOCK_KEY) ?? '').split(',').map(Number);
  if (wall === undefined || counter === undefined || !Number.isInteger(wall) || !Number.isInteger(counter)) return floor;
  const stored = { wall, counter, node: floor.node };
  return compareStamps(stored, floor) > 0 ? stored : floor;
}
