/** A Store in memory, for tests: survives a simulated reboot as long as the same object is reused. */
import type { Store } from '../../lib/host/index';

export class MemoryStore implements Store {
  private readonly values = new Map<string, string>();

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  set(key: string, value: string): void {
    this.values.set(key, value);
  }

  delete(key: string): void {
    this.values.delete(key);
  }

  keys(): string[] {
    return [...this.values.keys()];
  }
}

/** `store` as a device sees it that loses power on its first write of a key starting with `prefix` (nothing is written). */
export function dyingOnWrite(store: Store, prefix: string): Store {
  let dead = false;
  return {
    get: (key) => store.get(key),
    set(key, value) {
      if (!dead && key.startsWith(prefix)) {
        dead = true;
        throw new Error(`power lost while writing ${key}`);
      }
      store.set(key, value);
    },
    delete: (key) => store.delete(key),
    keys: () => store.keys(),
  };
}
