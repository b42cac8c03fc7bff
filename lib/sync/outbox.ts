/**
 * Commands this device issued that the hub has not acknowledged yet. Each is written to the Store
 * before it is sent, survives a reboot, and is sent again in issue order on every drain until the
 * hub's ack event removes it.
 */
import type { Store } from '../host/index';
import { decodeUtf8, encodeUtf8 } from '../mqtt/utf8';

/** The one thing sync needs from an MQTT client; the promise settles when the broker took the message. */
export type PublishPort = (topic: string, payload: Uint8Array, qos: 0 | 1, retain: boolean) => Promise<unknown>;

const PREFIX = 'ob.';

interface Entry {
  readonly seq: number;
  readonly id: string;
  readonly topic: string;
  readonly text: string;
}

/**
 * How much may wait for the hub. Each entry is one Store value; on a device that is flash (ESP32 NVS
 * partitions are tens of kilobytes), so the bound is in bytes as well as in commands.
 */
export interface OutboxLimits {
  readonly maxCommands: number;
  readonly maxBytes: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = { maxCommands: 32, maxBytes: 16 * 1024 };

export class Outbox {
  private entries: Entry[] = [];
  private nextSeq = 0;
  private bytes = 0;

  constructor(
    private readonly store: Store,
    private readonly topic: string,
    private readonly publish: PublishPort,
    private readonly limits: OutboxLimits = DEFAULT_OUTBOX_LIMITS,
  ) {
    for (const key of store.keys()) {
      if (!key.startsWith(PREFIX)) continue;
      const seq = Number(key.slice(PREFIX.length));
      const text = store.get(key);
      const id = text === undefined ? undefined : commandIdOf(text);
      if (!Number.isInteger(seq) || id === undefined || text === undefined) {
        store.delete(key);
        continue;
      }
      this.entries.push({ seq, id, topic, text });
      this.bytes += text.length;
      this.nextSeq = Math.max(this.nextSeq, seq + 1);
    }
    this.entries.sort((a, b) => a.seq - b.seq);
  }

  /** Whether a command of `size` bytes still fits. */
  fits(size: number): boolean {
    return this.entries.length < this.limits.maxCommands && this.bytes + size <= this.limits.maxBytes;
  }

  /** Persists the command payload, then sends it. The caller checks `fits` first. */
  add(id: string, payload: Uint8Array): void {
    const text = decodeUtf8(payload, 0, payload.length) ?? '';
    const entry = { seq: this.nextSeq++, id, topic: this.topic, text };
    this.store.set(PREFIX + entry.seq, text);
    this.entries.push(entry);
    this.bytes += text.length;
    this.send(entry);
  }

  /** The hub acknowledged `id`: forget it. Returns whether it was pending. */
  ack(id: string): boolean {
    const index = this.entries.findIndex((e) => e.id === id);
    if (index < 0) return false;
    const [entry] = this.entries.splice(index, 1);
    this.store.delete(PREFIX + entry!.seq);
    this.bytes -= entry!.text.length;
    return true;
  }

  /** Sends every pending command again, oldest first (on reconnect, or when an ack is overdue). */
  drain(): void {
    for (const entry of this.entries) this.send(entry);
  }

  pending(): string[] {
    return this.entries.map((e) => e.id);
  }

  private send(entry: Entry): void {
    // A failed publish is not an error here: the entry stays until acked and goes out on the next drain.
    this.publish(entry.topic, encodeUtf8(entry.text), 1, false).then(undefined, () => undefined);
  }
}

function commandIdOf(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : undefined;
  } catch {
    return undefined;
  }
}
