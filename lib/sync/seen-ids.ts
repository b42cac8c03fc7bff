/**
 * Command ids seen recently, kept in a bounded window that survives a reboot. The window is a ring
 * of buckets, each one Store value, so remembering an id rewrites one small value and forgetting
 * drops a whole old bucket at once.
 */
import type { Store } from '../host/index';

const CURRENT_KEY = 'seen.at';
const bucketKey = (i: number) => `seen.${i}`;

export class SeenIds {
  private readonly buckets: Set<string>[] = [];
  private at: number;

  /** Remembers at least (buckets - 1) * bucketSize of the latest ids. */
  constructor(
    private readonly store: Store,
    private readonly bucketCount = 4,
    private readonly bucketSize = 32,
  ) {
    for (let i = 0; i < bucketCount; i++) {
      const text = store.get(bucketKey(i));
      this.buckets.push(new Set(text ? text.split(',') : []));
    }
    const at = Number(store.get(CURRENT_KEY) ?? '0');
    this.at = Number.isInteger(at) && at >= 0 && at < bucketCount ? at : 0;
  }

  has(id: string): boolean {
    for (const bucket of this.buckets) if (bucket.has(id)) return true;
    return false;
  }

  /** Remembers `id`; returns false when it was already known. */
  add(id: string): boolean {
    if (this.has(id)) return false;
    let bucket = this.buckets[this.at]!;
    if (bucket.size >= this.bucketSize) {
      this.at = (this.at + 1) % this.bucketCount;
      bucket = this.buckets[this.at]!;
      bucket.clear();
      this.store.set(CURRENT_KEY, String(this.at));
    }
    bucket.add(id);
    this.store.set(bucketKey(this.at), [...bucket].join(','));
    return true;
  }
}
