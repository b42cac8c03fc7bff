import type { TimerState } from './state';
import { cycleMs, phaseCount, phaseKind, phaseMs, phaseName, repeats, type PhaseKind } from './strategy';

export type TimerPhaseState = 'Idle' | 'Working' | 'ShortBreak' | 'LongBreak';

/** What a screen shows at one instant: a pure function of the anchor and the shared clock. */
export interface TimerView {
  state: TimerPhaseState;
  paused: boolean;
  /** The phase shown: the one running, or the one a start would run. */
  phase: number;
  cycle: number;
  name: string;
  kind: PhaseKind;
  durationMs: number;
  elapsedMs: number;
  remainingMs: number;
  /** elapsed / duration in [0, 1]. */
  progress: number;
  /** Phases completed by time so far; a change from n to m means completions n+1..m happened. */
  completions: number;
  /** A non-repeating strategy ran to its end; the timer is idle again. */
  finished: boolean;
}

export function emptyView(): TimerView {
  return {
    state: 'Idle',
    paused: false,
    phase: 0,
    cycle: 0,
    name: '',
    kind: 'work',
    durationMs: 0,
    elapsedMs: 0,
    remainingMs: 0,
    progress: 0,
    completions: 0,
    finished: false,
  };
}

const STATE_OF_KIND: Readonly<Record<PhaseKind, TimerPhaseState>> = {
  work: 'Working',
  'short-break': 'ShortBreak',
  'long-break': 'LongBreak',
};

function fill(
  out: TimerView,
  state: TimerState,
  phase: number,
  cycle: number,
  durationMs: number,
  elapsedMs: number,
  completions: number,
): TimerView {
  const { strategy } = state;
  const idle = state.status === 'idle';
  out.kind = phaseKind(strategy, phase);
  out.state = idle ? 'Idle' : STATE_OF_KIND[out.kind];
  out.paused = state.status === 'paused';
  out.phase = phase;
  out.cycle = cycle;
  out.name = phaseName(strategy, phase);
  out.durationMs = durationMs;
  out.elapsedMs = elapsedMs;
  out.remainingMs = durationMs - elapsedMs;
  out.progress = durationMs > 0 ? elapsedMs / durationMs : 1;
  out.completions = completions;
  out.finished = false;
  return out;
}

function fillFinished(out: TimerView, state: TimerState, completions: number): TimerView {
  const duration = phaseMs(state.strategy, 0);
  fill(out, state, 0, 0, duration, 0, completions);
  out.state = 'Idle';
  out.paused = false;
  out.finished = true;
  return out;
}

/**
 * Derives the view at `now` into `out` without allocating. Phases that ended since the anchor are
 * walked (whole passes are skipped arithmetically), so a wake after any sleep is exact.
 */
export function viewInto(state: TimerState, now: number, out: TimerView): TimerView {
  const { strategy } = state;
  let phase = state.phase;
  let duration = Math.max(0, phaseMs(strategy, phase) + state.adjustMs);
  if (state.status === 'idle') return fill(out, state, phase, state.cycle, duration, 0, state.completions);

  const until = state.status === 'paused' ? state.pausedAt : now;
  let elapsed = Math.max(0, until - state.startedAt);
  let cycle = state.cycle;
  let completions = state.completions;
  if (elapsed < duration) return fill(out, state, phase, cycle, duration, elapsed, completions);

  const count = phaseCount(strategy);
  for (;;) {
    elapsed -= duration;
    completions++;
    phase++;
    if (phase === count) {
      if (!repeats(strategy)) return fillFinished(out, state, completions);
      phase = 0;
      cycle++;
      const pass = cycleMs(strategy);
      if (elapsed >= pass) {
        const passes = Math.floor(elapsed / pass);
        elapsed -= passes * pass;
        cycle += passes;
        completions += passes * count;
      }
    }
    duration = phaseMs(strategy, phase);
    if (elapsed < duration) return fill(out, state, phase, cycle, duration, elapsed, completions);
  }
}

export function view(state: TimerState, now: number): TimerView {
  return viewInto(state, now, emptyView());
}
