/**
 * A clock and scheduler that only move when a test says so: timers fire in due order during
 * `advance`. Pure (no host timers) so the same cases run under Node and XS.
 */
import type { Clock, Random, Scheduler, TimerHandle } from '../../lib/host/index';

interface Timer {
  readonly at: number;
  readonly callback: () => void;
}

export class VirtualTime implements Clock, Scheduler {
  private time = 0;
  private nextId = 1;
  private readonly timers = new Map<number, Timer>();

  now(): number {
    return this.time;
  }

  set(callback: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.set(id, { at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clear(handle: TimerHandle): void {
    this.timers.delete(handle as number);
  }

  /** Moves time forward by ms, firing every timer that falls due on the way (timers they set included). */
  advance(ms: number): void {
    const target = this.time + ms;
    for (;;) {
      let dueId = 0;
      let due: Timer | undefined;
      for (const [id, timer] of this.timers)
        if (timer.at <= target && (!due || timer.at < due.at)) {
          due = timer;
          dueId = id;
        }
      if (!due) break;
      this.timers.delete(dueId);
      this.time = due.at;
      due.callback();
    }
    this.time = target;
  }

  /** Due times of the timers still set, soonest first. */
  pendingAt(): number[] {
    return [...this.timers.values()].map((t) => t.at).sort((a, b) => a - b);
  }
}

/** A Random that returns the given values in turn, forever. */
export function cycleRandom(values: readonly number[]): Random {
  let i = 0;
  return () => values[i++ % values.length]!;
}
