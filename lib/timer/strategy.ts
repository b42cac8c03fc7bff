/**
 * Strategies describe the sequence of phases a timer runs through. Lookups return primitives so a
 * steady-state tick allocates nothing.
 */
export type PhaseKind = 'work' | 'short-break' | 'long-break';

export interface Phase {
  readonly name: string;
  readonly kind: PhaseKind;
  readonly ms: number;
}

export interface PomodoroStrategy {
  readonly type: 'pomodoro';
  readonly workMs: number;
  readonly shortBreakMs: number;
  readonly longBreakMs: number;
  /** A long break replaces the short one after every this many work phases. */
  readonly longBreakEvery: number;
}

export interface CustomStrategy {
  readonly type: 'custom';
  readonly phases: readonly Phase[];
  readonly repeat: boolean;
}

export interface CountdownStrategy {
  readonly type: 'countdown';
  readonly name: string;
  readonly ms: number;
}

export type Strategy = PomodoroStrategy | CustomStrategy | CountdownStrategy;

export const MINUTE = 60_000;
export const MIN_PHASE_MS = 1_000;
export const MAX_PHASE_MS = 24 * 60 * MINUTE;
export const MAX_PHASES = 32;
export const MAX_NAME_LENGTH = 24;
export const MAX_LONG_BREAK_EVERY = 12;

export function pomodoro(options: Partial<Omit<PomodoroStrategy, 'type'>> = {}): PomodoroStrategy {
  return {
    type: 'pomodoro',
    workMs: options.workMs ?? 25 * MINUTE,
    shortBreakMs: options.shortBreakMs ?? 5 * MINUTE,
    longBreakMs: options.longBreakMs ?? 15 * MINUTE,
    longBreakEvery: options.longBreakEvery ?? 4,
  };
}

export function custom(phases: readonly Phase[], repeat = false): CustomStrategy {
  return { type: 'custom', phases, repeat };
}

export function countdown(ms: number, name = 'Countdown'): CountdownStrategy {
  return { type: 'countdown', name, ms };
}

/** Number of phases in one pass through the strategy. */
export function phaseCount(strategy: Strategy): number {
  switch (strategy.type) {
    case 'pomodoro':
      return 2 * strategy.longBreakEvery;
    case 'custom':
      return strategy.phases.length;
    case 'countdown':
      return 1;
  }
}

/** Whether the strategy starts over after its last phase (otherwise the timer finishes). */
export function repeats(strategy: Strategy): boolean {
  return strategy.type === 'pomodoro' || (strategy.type === 'custom' && strategy.repeat);
}

export function phaseKind(strategy: Strategy, index: number): PhaseKind {
  switch (strategy.type) {
    case 'pomodoro':
      if (index % 2 === 0) return 'work';
      return index === 2 * strategy.longBreakEvery - 1 ? 'long-break' : 'short-break';
    case 'custom':
      return strategy.phases[index]?.kind ?? 'work';
    case 'countdown':
      return 'work';
  }
}

export function phaseMs(strategy: Strategy, index: number): number {
  switch (strategy.type) {
    case 'pomodoro': {
      const kind = phaseKind(strategy, index);
      return kind === 'work' ? strategy.workMs : kind === 'short-break' ? strategy.shortBreakMs : strategy.longBreakMs;
    }
    case 'custom':
      return strategy.phases[index]?.ms ?? 0;
    case 'countdown':
      return strategy.ms;
  }
}

const POMODORO_NAMES: Readonly<Record<PhaseKind, string>> = {
  work: 'Work',
  'short-break': 'Short break',
  'long-break': 'Long break',
};

export function phaseName(strategy: Strategy, index: number): string {
  switch (strategy.type) {
    case 'pomodoro':
      return POMODORO_NAMES[phaseKind(strategy, index)];
    case 'custom':
      return strategy.phases[index]?.name ?? '';
    case 'countdown':
      return strategy.name;
  }
}

/** Length of one pass through the strategy in milliseconds. */
export function cycleMs(strategy: Strategy): number {
  let total = 0;
  const count = phaseCount(strategy);
  for (let i = 0; i < count; i++) total += phaseMs(strategy, i);
  return total;
}
