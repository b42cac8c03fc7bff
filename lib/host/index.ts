/**
 * What the shared core needs from its host, handed in rather than reached for: a clock, one-shot
 * timers, randomness and a small key-value store. Moddable provides them through `time`, `timer`
 * and `preference`; Node through `host/node`.
 */

/** Monotonic milliseconds (Moddable: `Time.ticks`; Node: `performance.now()`). */
export interface Clock {
  now(): number;
}

export type TimerHandle = unknown;

/** One-shot timers (Moddable: `Timer.set/clear`; Node: `setTimeout/clearTimeout`). */
export interface Scheduler {
  set(callback: () => void, ms: number): TimerHandle;
  clear(handle: TimerHandle): void;
}

/** Uniform numbers in [0, 1), for jitter and identifiers. */
export type Random = () => number;

/**
 * Durable string values by key (Moddable: Preference, keys of at most 15 characters and values of
 * at most 4,000 bytes; Node: a file or SQLite). Writes are durable when `set` returns.
 */
export interface Store {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
  keys(): string[];
}
