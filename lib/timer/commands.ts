import { ok, refuse, type Result } from '../result/index';
import type { TimerState } from './state';
import { MAX_PHASE_MS, MIN_PHASE_MS, phaseCount, phaseMs, type Strategy } from './strategy';
import { checkStrategy } from './validate';
import { emptyView, viewInto } from './view';

export type Command =
  | { readonly type: 'start' }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  /** Ends the current phase now without counting it as completed; `to` jumps to a given phase. */
  | { readonly type: 'skip'; readonly to?: number }
  | { readonly type: 'reset' }
  /** Adds (or, negative, removes) time from the current phase. */
  | { readonly type: 'adjust'; readonly ms: number }
  | { readonly type: 'configure'; readonly strategy: Strategy };

export type CommandType = Command['type'];

export type RefusalReason =
  | 'invalid-time'
  | 'not-idle'
  | 'not-running'
  | 'not-paused'
  | 'unknown-phase'
  | 'invalid-duration'
  | 'invalid-strategy'
  | 'no-change'
  | 'unknown-command';

export type ApplyResult = Result<TimerState, RefusalReason>;

const scratch = emptyView();

/**
 * The same timer re-anchored at `now`: phases that ended by time become the past, so the anchor
 * names the phase running at `now`. The view is unchanged by rebasing; a finished timer, whose view
 * no longer changes, is left as it is.
 */
export function rebase(state: TimerState, now: number): TimerState {
  if (state.status === 'idle') return state;
  const v = viewInto(state, now, scratch);
  if (v.finished || (v.phase === state.phase && v.cycle === state.cycle)) return state;
  const at = Math.max(state.status === 'paused' ? state.pausedAt : now, state.startedAt);
  return { ...state, phase: v.phase, cycle: v.cycle, startedAt: at - v.elapsedMs, adjustMs: 0, completions: v.completions };
}

/** Rebases, and turns a finished timer into the idle one that a command acts on. */
function settle(state: TimerState, now: number): TimerState {
  const current = rebase(state, now);
  if (current.status === 'idle' || !viewInto(current, now, scratch).finished) return current;
  return { ...current, status: 'idle', phase: 0, cycle: 0, startedAt: 0, pausedAt: 0, adjustMs: 0, completions: scratch.completions };
}

/**
 * Applies a person's command at shared-clock time `now` (taken in whole milliseconds, as anchors are
 * stated). A refusal leaves the state untouched.
 */
export function apply(state: TimerState, command: Command, at: number): ApplyResult {
  if (!Number.isFinite(at) || at < 0) return refuse('invalid-time', `now must be a non-negative number, got ${at}`);
  const now = Math.floor(at);
  const current = settle(state, now);
  const next = transition(current, command, now);
  if (!next.ok) return next;
  if (next.value.startedAt < 0) return refuse('invalid-time', `the clock (${now}) reads earlier than the time the phase has already run`);
  return ok({ ...next.value, version: state.version + 1 });
}

function transition(s: TimerState, command: Command, now: number): ApplyResult {
  switch (command.type) {
    case 'start':
      if (s.status !== 'idle') return refuse('not-idle', `cannot start while ${s.status}`);
      return ok({ ...s, status: 'running', startedAt: now, pausedAt: 0 });
    case 'pause':
      if (s.status !== 'running') return refuse('not-running', `cannot pause while ${s.status}`);
      // A clock behind the phase start pauses at zero elapsed, never before the start.
      return ok({ ...s, status: 'paused', pausedAt: Math.max(now, s.startedAt) });
    case 'resume':
      if (s.status !== 'paused') return refuse('not-paused', `cannot resume while ${s.status}`);
      return ok({ ...s, status: 'running', startedAt: now - (s.pausedAt - s.startedAt), pausedAt: 0 });
    case 'skip':
      return skip(s, command.to, now);
    case 'reset':
      if (s.status === 'idle' && s.phase === 0 && s.cycle === 0 && s.adjustMs === 0)
        return refuse('no-change', 'the timer is already reset');
      return ok({ ...s, status: 'idle', phase: 0, cycle: 0, startedAt: 0, pausedAt: 0, adjustMs: 0 });
    case 'adjust':
      return adjust(s, command.ms, now);
    case 'configure':
      return configure(s, command.strategy);
    default:
      return refuse('unknown-command', `unknown command ${(command as { type?: unknown }).type}`);
  }
}

function skip(s: TimerState, to: number | undefined, now: number): ApplyResult {
  const count = phaseCount(s.strategy);
  let phase: number;
  let cycle = s.cycle;
  if (to !== undefined) {
    if (!Number.isInteger(to) || to < 0 || to >= count)
      return refuse('unknown-phase', `phase ${to} is not in 0..${count - 1}`);
    phase = to;
  } else {
    phase = s.phase + 1;
    if (phase === count) {
      if (s.strategy.type === 'countdown' || (s.strategy.type === 'custom' && !s.strategy.repeat)) {
        if (s.status === 'idle' && s.phase === 0 && s.cycle === 0 && count === 1)
          return refuse('no-change', 'a single idle phase has nothing to skip to');
        return ok({ ...s, status: 'idle', phase: 0, cycle: 0, startedAt: 0, pausedAt: 0, adjustMs: 0 });
      }
      phase = 0;
      cycle++;
    }
  }
  if (s.status === 'idle') return ok({ ...s, phase, cycle, adjustMs: 0 });
  const pausedAt = s.status === 'paused' ? now : 0;
  return ok({ ...s, phase, cycle, startedAt: now, pausedAt, adjustMs: 0 });
}

function adjust(s: TimerState, ms: number, now: number): ApplyResult {
  if (!Number.isInteger(ms) || ms === 0 || Math.abs(ms) > MAX_PHASE_MS)
    return refuse('invalid-duration', `adjust needs a non-zero whole number of ms within ±${MAX_PHASE_MS}, got ${ms}`);
  const base = phaseMs(s.strategy, s.phase);
  const elapsed = s.status === 'idle' ? 0 : Math.max(0, (s.status === 'paused' ? s.pausedAt : now) - s.startedAt);
  const shortest = s.status === 'idle' ? MIN_PHASE_MS : elapsed;
  const duration = Math.min(MAX_PHASE_MS, Math.max(shortest, base + s.adjustMs + ms));
  const adjustMs = duration - base;
  if (adjustMs === s.adjustMs) return refuse('no-change', `the phase is already at its ${ms > 0 ? 'longest' : 'shortest'}`);
  return ok({ ...s, adjustMs });
}

function configure(s: TimerState, strategy: Strategy): ApplyResult {
  const checked = checkStrategy(strategy);
  if (!checked.ok) return refuse('invalid-strategy', checked.detail);
  if (s.phase >= phaseCount(strategy))
    return ok({ ...s, strategy, status: 'idle', phase: 0, cycle: 0, startedAt: 0, pausedAt: 0, adjustMs: 0 });
  return ok({ ...s, strategy, adjustMs: 0 });
}
