/**
 * A durable Store for Node (the hub, the simulator): every key in one JSON file, rewritten whole on
 * each change through a temporary file, fsync and rename, so a crash leaves the old or the new
 * content, never half of either. Fine for the few kilobytes sync keeps; history belongs in SQLite.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import type { Store } from '../../lib/host/index';

export class FileStore implements Store {
  private readonly values: Map<string, string>;

  constructor(private readonly path: string) {
    this.values = new Map(Object.entries(readValues(path)));
  }

  get(key: string): string | undefined {
    return this.values.get(key);
  }

  set(key: string, value: string): void {
    if (this.values.get(key) === value) return;
    this.values.set(key, value);
    this.flush();
  }

  delete(key: string): void {
    if (this.values.delete(key)) this.flush();
  }

  keys(): string[] {
    return [...this.values.keys()];
  }

  private flush(): void {
    const temporary = `${this.path}.tmp`;
    const fd = openSync(temporary, 'w');
    try {
      writeSync(fd, JSON.stringify(Object.fromEntries(this.values)));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, this.path);
  }
}

function readValues(path: string): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed = JSON.parse(text) as unknown;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`${path} is not a store file`);
  const values: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') values[key] = value;
  return values;
}
