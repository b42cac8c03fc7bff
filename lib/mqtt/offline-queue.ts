/**
 * Messages waiting for a connection (or for room in the in-flight window), in order, bounded both
 * in count and in bytes.
 *
 * Drop policy when a new message does not fit: the oldest QoS 0 messages are evicted until it does
 * (QoS 0 promises nothing); if evicting every queued QoS 0 message would still not make room, the
 * new message is refused and nothing is evicted, so a message the caller was promised at least
 * once is never discarded silently. Both outcomes are counted.
 */
import type { QoS } from './packets';

export interface Queueable {
  readonly qos: QoS;
  /** Bytes the message holds while queued. */
  readonly size: number;
}

export type Enqueued<T> = { readonly accepted: true; readonly evicted: readonly T[] } | { readonly accepted: false };

export class OfflineQueue<T extends Queueable> {
  private readonly items: T[] = [];
  private queuedBytes = 0;
  /** QoS 0 messages evicted to make room. */
  dropped = 0;
  /** Messages refused because no room could be made. */
  refused = 0;

  constructor(
    readonly limit: number,
    readonly maxBytes: number,
  ) {}

  push(item: T): Enqueued<T> {
    if (!this.canMakeRoom(item)) {
      this.refused++;
      return { accepted: false };
    }
    const evicted: T[] = [];
    while (this.items.length + 1 > this.limit || this.queuedBytes + item.size > this.maxBytes) {
      const oldestQos0 = this.items.findIndex((queued) => queued.qos === 0);
      const [victim] = this.items.splice(oldestQos0, 1);
      this.queuedBytes -= victim!.size;
      evicted.push(victim!);
    }
    this.dropped += evicted.length;
    this.items.push(item);
    this.queuedBytes += item.size;
    return { accepted: true, evicted };
  }

  peek(): T | undefined {
    return this.items[0];
  }

  shift(): T | undefined {
    const item = this.items.shift();
    if (item) this.queuedBytes -= item.size;
    return item;
  }

  /** Empties the queue, returning what it held. */
  takeAll(): T[] {
    this.queuedBytes = 0;
    return this.items.splice(0, this.items.length);
  }

  get length(): number {
    return this.items.length;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  /** Whether evicting QoS 0 messages alone could make room for `item`. */
  private canMakeRoom(item: T): boolean {
    let keptCount = 0;
    let keptBytes = 0;
    for (const queued of this.items)
      if (queued.qos > 0) {
        keptCount++;
        keptBytes += queued.size;
      }
    return keptCount + 1 <= this.limit && keptBytes + item.size <= this.maxBytes;
  }
}
