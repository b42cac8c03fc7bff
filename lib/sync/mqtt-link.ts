/**
 * The thin wiring between a Replica and lib/mqtt's client, shared by devices and the hub: on every
 * connect subscribe, announce presence, drain the outbox and start agreeing on time; deliver every
 * message to the replica; retry overdue commands and repeat time exchanges on a schedule.
 */
import type { Scheduler, TimerHandle } from '../host/index';
import type { MqttClient, Will } from '../mqtt/index';
import type { PublishPort } from './outbox';
import type { Replica } from './replica';

/** The part of MqttClient the link uses (so a test double can stand in). */
export type SyncClient = Pick<MqttClient, 'on' | 'publish' | 'subscribe'>;

export interface LinkOptions {
  readonly scheduler: Scheduler;
  /** How often unacknowledged commands go out again while connected (default 5 s). */
  readonly resendMs?: number;
  /** Time exchanges right after connecting, one per `burstMs` (default 8, 1 s apart). */
  readonly timeBurst?: number;
  readonly burstMs?: number;
  /** Time exchanges after the burst (default every 30 s). */
  readonly timeEveryMs?: number;
  /** How often the hub looks for phase completions to report (default 1 s). */
  readonly completionMs?: number;
}

/** A publish port over the client: settles when the broker took the message, rejects on refusal. */
export function clientPublisher(client: () => SyncClient | undefined): PublishPort {
  return async (topic, payload, qos, retain) => {
    const current = client();
    if (!current) throw new Error('no client');
    const result = await current.publish(topic, payload, { qos, retain });
    if (!result.ok) throw new Error(result.detail);
  };
}

/** The Last Will a replica's client must connect with: its presence, "offline", retained. */
export function presenceWill(replica: Replica): Will {
  const { topic, payload } = replica.presenceMessage('offline');
  return { topic, payload, qos: 1, retain: true };
}

export class MqttLink {
  private readonly off: (() => void)[] = [];
  private timeTimer: TimerHandle | undefined;
  private timers: TimerHandle[] = [];
  private exchanges = 0;
  private connected = false;

  constructor(
    private readonly client: SyncClient,
    private readonly replica: Replica,
    private readonly options: LinkOptions,
  ) {
    this.off.push(client.on('message', (m) => void replica.receive(m.topic, m.payload)));
    this.off.push(client.on('connect', () => void this.onConnect()));
    this.off.push(client.on('disconnect', () => this.onDisconnect()));
  }

  /** Stops listening and scheduling (the client itself is the caller's to close). */
  stop(): void {
    for (const off of this.off.splice(0)) off();
    this.onDisconnect();
  }

  private async onConnect(): Promise<void> {
    this.connected = true;
    const subscribed = await this.client.subscribe(this.replica.subscriptions().map((topic) => ({ topic, qos: 1 as const })));
    if (!subscribed.ok || !this.connected) return;
    const presence = this.replica.presenceMessage('online');
    void this.client.publish(presence.topic, presence.payload, { qos: 1, retain: true });
    this.replica.connected();
    this.exchanges = 0;
    this.exchangeTime();
    this.every(this.options.resendMs ?? 5_000, () => {
      if (this.replica.pending().length > 0) this.replica.resend();
    });
    this.every(this.options.completionMs ?? 1_000, () => this.replica.reportCompletions());
  }

  private onDisconnect(): void {
    this.connected = false;
    if (this.timeTimer !== undefined) this.options.scheduler.clear(this.timeTimer);
    for (const timer of this.timers.splice(0)) this.options.scheduler.clear(timer);
    this.timeTimer = undefined;
  }

  private exchangeTime(): void {
    if (!this.connected) return;
    this.replica.requestTime();
    this.exchanges++;
    const { timeBurst = 8, burstMs = 1_000, timeEveryMs = 30_000 } = this.options;
    this.timeTimer = this.options.scheduler.set(() => this.exchangeTime(), this.exchanges < timeBurst ? burstMs : timeEveryMs);
  }

  /** Runs `work` every `ms` while connected. */
  private every(ms: number, work: () => void): void {
    const handle: TimerHandle = this.options.scheduler.set(() => {
      this.timers = this.timers.filter((h) => h !== handle);
      if (!this.connected) return;
      work();
      this.every(ms, work);
    }, ms);
    this.timers.push(handle);
  }
}
