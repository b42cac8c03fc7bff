/**
 * Messages waiting for a connection (or for room in the in-flight window), in order, bounded.
 *
 * Drop policy when full: the oldest QoS 0 message is evicted to make room (QoS 0 promises nothing);
 * if every queued message is QoS 1 or 2, the new message is refused instead, so nothing the caller
 * was promised at-least-once is silently discarded. Both outcomes are counted.
 */
import type { QoS } from './packets';

export type Enqueued<T> =
  | { readonly accepted: true; readonly evicted?: T }
  | { readonly accepted: false };

export class OfflineQueue<T extends { readonly qos: QoS }> {
  private readonly items: T[] = [];
  /** QoS 0 messages evicted to make room. */
  dropped = 0;
  /** Messages refused because the queue was full of QoS 1/2 messages. */
  refused = 0;

  constructor(readonly limit: number) {}

  push(item: T): Enqueued<T> {
    if (this.items.length < this.limit) {
      this.items.push(item);
      return { accepted: true };
    }
    const oldestQos0 = this.items.findIndex((queued) => queued.qos === 0);
    if (oldestQos0 < 0 || this.limit === 0) {
      this.refused++;
      return { accepted: false };
    }
    const [evicted] = this.items.splice(oldestQos0, 1);
    this.items.push(item);
    this.dropped++;
    return evicted === undefined ? { accepted: true } : { accepted: true, evicted };
  }

  peek(): T | undefined {
    return this.items[0];
  }

  shift(): T | undefined {
    return this.items.shift();
  }

  /** Empties the queue, returning what it held. */
  takeAll(): T[] {
    return this.items.splice(0, this.items.length);
  }

  get length(): number {
    return this.items.length;
  }
}
