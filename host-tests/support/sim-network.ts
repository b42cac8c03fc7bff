/**
 * A simulated MQTT broker and network in virtual time, for convergence tests (pure: no host timers).
 * Deliveries from the broker to subscribers may be dropped, duplicated, delayed and so reordered; a
 * node can go offline (a partition or a reboot), and on coming back it receives the retained
 * messages matching its subscriptions, as a real broker sends them on subscribe.
 */
import { topicMatches } from '../../lib/mqtt/topic';

export interface Faults {
  /** Probability that one broker-to-subscriber delivery is lost. */
  drop: number;
  /** Probability that a delivery happens twice. */
  duplicate: number;
  /** One-way delay range in virtual ms. */
  minDelay: number;
  maxDelay: number;
}

export type Deliver = (topic: string, payload: Uint8Array) => void;

interface Node {
  online: boolean;
  subscriptions: string[];
  deliver: Deliver;
}

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly run: () => void;
}

export class SimNetwork {
  now = 0;
  faults: Faults = { drop: 0, duplicate: 0, minDelay: 1, maxDelay: 1 };
  delivered = 0;
  dropped = 0;
  duplicated = 0;
  private readonly nodes = new Map<string, Node>();
  private readonly retained = new Map<string, Uint8Array>();
  private queue: Pending[] = [];
  private seq = 0;
  private readonly lastAtBroker = new Map<string, number>();

  constructor(private readonly random: () => number) {}

  /** Registers (or, after a reboot, re-registers) a node; it starts offline. */
  attach(name: string, subscriptions: string[], deliver: Deliver): void {
    this.nodes.set(name, { online: false, subscriptions, deliver });
  }

  isOnline(name: string): boolean {
    return this.nodes.get(name)?.online ?? false;
  }

  /** Connects or disconnects a node; connecting sends it the matching retained messages. */
  setOnline(name: string, online: boolean): void {
    const node = this.nodes.get(name);
    if (!node || node.online === online) return;
    node.online = online;
    if (!online) return;
    for (const [topic, payload] of this.retained)
      if (node.subscriptions.some((f) => topicMatches(f, topic))) this.toSubscriber(name, topic, payload);
  }

  /** The publish port of node `from`: refused while offline, else reaches the broker after a delay. */
  publisher(from: string): (topic: string, payload: Uint8Array, qos: 0 | 1, retain: boolean) => Promise<void> {
    return (topic, payload, _qos, retain) => {
      if (!this.isOnline(from)) return Promise.reject(new Error(`${from} is offline`));
      // One client's publishes reach the broker in order (one TCP connection); deliveries onward may not.
      const copy = payload.slice();
      const at = Math.max(this.now + this.delay(), this.lastAtBroker.get(from) ?? 0);
      this.lastAtBroker.set(from, at);
      this.schedule(at - this.now, () => this.atBroker(topic, copy, retain));
      return Promise.resolve();
    };
  }

  /** Runs deliveries until none are left (or `limit` virtual ms pass). */
  runUntilIdle(limit = 60_000): void {
    const end = this.now + limit;
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      if (next.at > end) break;
      this.queue.shift();
      this.now = Math.max(this.now, next.at);
      next.run();
    }
  }

  /** Lets `ms` of virtual time pass, running what falls due. */
  advance(ms: number): void {
    const end = this.now + ms;
    while (this.queue.length > 0 && this.queue[0]!.at <= end) {
      const next = this.queue.shift()!;
      this.now = next.at;
      next.run();
    }
    this.now = end;
  }

  private atBroker(topic: string, payload: Uint8Array, retain: boolean): void {
    if (retain) this.retained.set(topic, payload);
    for (const [name, node] of this.nodes)
      if (node.subscriptions.some((f) => topicMatches(f, topic))) {
        if (this.random() < this.faults.drop) {
          this.dropped++;
          continue;
        }
        this.toSubscriber(name, topic, payload);
        if (this.random() < this.faults.duplicate) {
          this.duplicated++;
          this.toSubscriber(name, topic, payload);
        }
      }
  }

  private toSubscriber(name: string, topic: string, payload: Uint8Array): void {
    this.schedule(this.delay(), () => {
      const node = this.nodes.get(name);
      if (!node?.online) return;
      this.delivered++;
      node.deliver(topic, payload);
    });
  }

  private delay(): number {
    const { minDelay, maxDelay } = this.faults;
    return minDelay + Math.floor(this.random() * (maxDelay - minDelay + 1));
  }

  private schedule(after: number, run: () => void): void {
    const item = { at: this.now + after, seq: this.seq++, run };
    let i = this.queue.length;
    while (i > 0 && (this.queue[i - 1]!.at > item.at || (this.queue[i - 1]!.at === item.at && this.queue[i - 1]!.seq > item.seq))) i--;
    this.queue.splice(i, 0, item);
  }
}
