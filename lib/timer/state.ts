import { pomodoro, type Strategy } from './strategy';

export type Status = 'idle' | 'running' | 'paused';

/**
 * The anchor: everything needed to derive what the timer shows at any instant. Times are in
 * shared-clock (hub) milliseconds. Only commands create new anchors; time passing never does.
 */
export interface TimerState {
  readonly strategy: Strategy;
  readonly status: Status;
  /** Index of the anchored phase within one pass of the strategy. */
  readonly phase: number;
  /** Completed passes through the strategy since the last reset. */
  readonly cycle: number;
  /** When the anchored phase began, moved forward by the time spent paused. 0 when idle. */
  readonly startedAt: number;
  /** When the timer was paused; 0 unless paused. */
  readonly pausedAt: number;
  /** Added to the anchored phase's duration by `adjust`. */
  readonly adjustMs: number;
  /** Phases completed by time before this anchor; completion n is reported once, as number n. */
  readonly completions: number;
  /** Incremented by every accepted command. */
  readonly version: number;
}

export function initialState(strategy: Strategy = pomodoro()): TimerState {
  return {
    strategy,
    status: 'idle',
    phase: 0,
    cycle: 0,
    startedAt: 0,
    pausedAt: 0,
    adjustMs: 0,
    completions: 0,
    version: 0,
  };
}
