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
