import { suite } from '../harness/suite';
import {
  apply,
  checkCommand,
  countdown,
  custom,
  decodeState,
  encodeState,
  fromWire,
  initialState,
  MINUTE,
  pomodoro,
  rebase,
  toWire,
  view,
  type Command,
  type TimerState,
} from '../../lib/timer/index';
import type { Check } from '../harness/check';

const SECOND = 1_000;

function run(t: Check, state: TimerState, command: Command, now: number): TimerState {
  const result = apply(state, command, now);
  if (!result.ok) return t.fail(`${command.type} refused: ${result.reason} (${result.detail})`);
  return result.value;
}

function refused(t: Check, state: TimerState, command: Command, now: number, reason: string): void {
  const result = apply(state, command, now);
  if (result.ok) return t.fail(`${command.type} was accepted, expected ${reason}`);
  t.equal(result.reason, reason);
  t.ok(result.detail.length > 0, 'a refusal explains itself');
}

const started = (t: Check, at = 1_000, state = initialState()) => run(t, state, { type: 'start' }, at);

export default suite('timer', {
  'an idle pomodoro shows a full work phase'(t) {
    const v = view(initialState(), 123_456);
    t.equal(v.state, 'Idle');
    t.equal(v.kind, 'work');
    t.equal(v.remainingMs, 25 * MINUTE);
    t.equal(v.progress, 0);
    t.equal(v.completions, 0);
  },

  'a started pomodoro counts down from 25 minutes'(t) {
    const s = started(t, 1_000);
    const v = view(s, 1_000 + MINUTE);
    t.equal(v.state, 'Working');
    t.equal(v.remainingMs, 24 * MINUTE);
    t.equal(v.progress, 1 / 25);
    t.equal(s.version, 1);
  },

  'work ends into a short break and every fourth into a long break'(t) {
    const s = started(t, 0);
    const states: string[] = [];
    const pomodoroMs = 25 * MINUTE;
    let at = 0;
    const durations = [25, 5, 25, 5, 25, 5, 25, 15, 25];
    for (const minutes of durations) {
      states.push(view(s, at + SECOND).state);
      at += minutes * MINUTE;
    }
    t.deepEqual(states, ['Working', 'ShortBreak', 'Working', 'ShortBreak', 'Working', 'ShortBreak', 'Working', 'LongBreak', 'Working']);
    const afterCycle = view(s, 4 * pomodoroMs + 3 * 5 * MINUTE + 15 * MINUTE + SECOND);
    t.equal(afterCycle.cycle, 1);
    t.equal(afterCycle.phase, 0);
    t.equal(afterCycle.completions, 8);
  },

  'the phase boundary belongs to the next phase'(t) {
    const s = started(t, 0);
    t.equal(view(s, 25 * MINUTE - 1).state, 'Working');
    const at = view(s, 25 * MINUTE);
    t.equal(at.state, 'ShortBreak');
    t.equal(at.remainingMs, 5 * MINUTE);
    t.equal(at.completions, 1);
  },

  'pause freezes the remaining time and resume continues it'(t) {
    let s = started(t, 0);
    s = run(t, s, { type: 'pause' }, 10 * MINUTE);
    t.equal(view(s, 10 * MINUTE).remainingMs, 15 * MINUTE);
    t.equal(view(s, 500 * MINUTE).remainingMs, 15 * MINUTE);
    t.ok(view(s, 500 * MINUTE).paused);
    t.equal(view(s, 500 * MINUTE).state, 'Working');
    s = run(t, s, { type: 'resume' }, 60 * MINUTE);
    t.equal(view(s, 61 * MINUTE).remainingMs, 14 * MINUTE);
    t.ok(!view(s, 61 * MINUTE).paused);
  },

  'commands that make no sense are refused and change nothing'(t) {
    const idle = initialState();
    refused(t, idle, { type: 'resume' }, 0, 'not-paused');
    refused(t, idle, { type: 'pause' }, 0, 'not-running');
    refused(t, idle, { type: 'reset' }, 0, 'no-change');
    const running = started(t, 0);
    refused(t, running, { type: 'start' }, 10, 'not-idle');
    refused(t, running, { type: 'resume' }, 10, 'not-paused');
    refused(t, running, { type: 'skip', to: 8 }, 10, 'unknown-phase');
    refused(t, running, { type: 'skip', to: -1 }, 10, 'unknown-phase');
    refused(t, running, { type: 'adjust', ms: 0 }, 10, 'invalid-duration');
    refused(t, running, { type: 'adjust', ms: 1.5 }, 10, 'invalid-duration');
    refused(t, running, { type: 'configure', strategy: pomodoro({ workMs: -5 }) }, 10, 'invalid-strategy');
    refused(t, running, { type: 'configure', strategy: custom([]) }, 10, 'invalid-strategy');
    refused(t, running, { type: 'pause' }, Number.NaN, 'invalid-time');
    refused(t, running, { type: 'bogus' } as unknown as Command, 10, 'unknown-command');
    t.equal(running.version, 1, 'the refused commands left the version alone');
  },

  'skip ends the phase without counting a completion'(t) {
    let s = started(t, 0);
    s = run(t, s, { type: 'skip' }, 3 * MINUTE);
    const v = view(s, 3 * MINUTE);
    t.equal(v.state, 'ShortBreak');
    t.equal(v.remainingMs, 5 * MINUTE);
    t.equal(v.completions, 0);
    s = run(t, s, { type: 'skip', to: 7 }, 4 * MINUTE);
    t.equal(view(s, 4 * MINUTE).state, 'LongBreak');
    s = run(t, s, { type: 'skip' }, 5 * MINUTE);
    t.equal(view(s, 5 * MINUTE).cycle, 1, 'skipping past the long break starts the next cycle');
  },

  'skip while paused stays paused at the start of the next phase'(t) {
    let s = run(t, started(t, 0), { type: 'pause' }, MINUTE);
    s = run(t, s, { type: 'skip' }, 2 * MINUTE);
    const v = view(s, 90 * MINUTE);
    t.ok(v.paused);
    t.equal(v.state, 'ShortBreak');
    t.equal(v.remainingMs, 5 * MINUTE);
  },

  'skip while idle selects the phase a start will run'(t) {
    const s = run(t, initialState(), { type: 'skip', to: 1 }, 0);
    t.equal(view(s, 0).state, 'Idle');
    t.equal(view(s, 0).kind, 'short-break');
    const r = run(t, s, { type: 'start' }, 100);
    t.equal(view(r, 200).state, 'ShortBreak');
  },

  'reset returns to an idle first phase and keeps the completion count'(t) {
    let s = started(t, 0);
    const later = 26 * MINUTE;
    s = run(t, s, { type: 'reset' }, later);
    const v = view(s, later + MINUTE);
    t.equal(v.state, 'Idle');
    t.equal(v.phase, 0);
    t.equal(v.remainingMs, 25 * MINUTE);
    t.equal(v.completions, 1, 'completion numbers never repeat');
  },

  'adjust adds and removes time in the current phase'(t) {
    let s = started(t, 0);
    s = run(t, s, { type: 'adjust', ms: 5 * MINUTE }, MINUTE);
    t.equal(view(s, MINUTE).remainingMs, 29 * MINUTE);
    t.equal(view(s, MINUTE).durationMs, 30 * MINUTE);
    s = run(t, s, { type: 'adjust', ms: -10 * MINUTE }, 2 * MINUTE);
    t.equal(view(s, 2 * MINUTE).remainingMs, 18 * MINUTE);
    t.equal(view(s, 20 * MINUTE).state, 'ShortBreak', 'the shortened phase ends earlier');
    t.equal(view(s, 20 * MINUTE).durationMs, 5 * MINUTE, 'the adjustment applies to one phase only');
  },

  'removing more than remains ends the phase now'(t) {
    let s = started(t, 0);
    s = run(t, s, { type: 'adjust', ms: -60 * MINUTE }, 10 * MINUTE);
    const v = view(s, 10 * MINUTE);
    t.equal(v.state, 'ShortBreak');
    t.equal(v.completions, 1);
    refused(t, initialState(), { type: 'adjust', ms: 24 * 60 * MINUTE + 1 }, 0, 'invalid-duration');
  },

  'adjust while idle changes the phase a start will run, down to one second'(t) {
    let s = run(t, initialState(), { type: 'adjust', ms: -30 * MINUTE }, 0);
    t.equal(view(s, 0).durationMs, SECOND);
    refused(t, s, { type: 'adjust', ms: -MINUTE }, 0, 'no-change');
    s = run(t, s, { type: 'start' }, 0);
    t.equal(view(s, SECOND).state, 'ShortBreak');
  },

  'a countdown runs once and finishes idle'(t) {
    const s = started(t, 0, initialState(countdown(90 * SECOND, 'Tea')));
    t.equal(view(s, 30 * SECOND).name, 'Tea');
    t.equal(view(s, 30 * SECOND).remainingMs, 60 * SECOND);
    const done = view(s, 10 * MINUTE);
    t.equal(done.state, 'Idle');
    t.ok(done.finished);
    t.equal(done.completions, 1);
    const again = run(t, s, { type: 'start' }, 10 * MINUTE);
    t.equal(view(again, 10 * MINUTE + SECOND).state, 'Working', 'a finished timer starts anew');
    t.equal(view(again, 10 * MINUTE + SECOND).completions, 1);
  },

  'a custom strategy runs its phases in order and repeats when asked'(t) {
    const phases = [
      { name: 'Read', kind: 'work' as const, ms: 10 * MINUTE },
      { name: 'Stretch', kind: 'short-break' as const, ms: 2 * MINUTE },
      { name: 'Write', kind: 'work' as const, ms: 20 * MINUTE },
    ];
    const once = started(t, 0, initialState(custom(phases, false)));
    t.equal(view(once, 11 * MINUTE).name, 'Stretch');
    t.equal(view(once, 13 * MINUTE).name, 'Write');
    t.ok(view(once, 33 * MINUTE).finished);
    const looping = started(t, 0, initialState(custom(phases, true)));
    const v = view(looping, 32 * MINUTE + 10 * MINUTE + 2 * MINUTE + MINUTE);
    t.equal(v.name, 'Write');
    t.equal(v.cycle, 1);
    t.equal(v.completions, 5);
  },

  'configure changes durations while keeping the place in the phase'(t) {
    let s = started(t, 0);
    s = run(t, s, { type: 'configure', strategy: pomodoro({ workMs: 50 * MINUTE }) }, 10 * MINUTE);
    t.equal(view(s, 10 * MINUTE).remainingMs, 40 * MINUTE);
    s = run(t, s, { type: 'configure', strategy: countdown(5 * MINUTE) }, 11 * MINUTE);
    t.equal(view(s, 11 * MINUTE).finished, true, 'a phase already longer than the new duration completes');
    let onBreak = run(t, started(t, 0), { type: 'skip', to: 3 }, 0);
    onBreak = run(t, onBreak, { type: 'configure', strategy: countdown(5 * MINUTE) }, 0);
    t.equal(onBreak.status, 'idle', 'a phase the new strategy lacks resets to idle');
  },

  'a clock that runs backwards never shows more than the full duration'(t) {
    const s = started(t, 10 * MINUTE);
    const v = view(s, 5 * MINUTE);
    t.equal(v.remainingMs, 25 * MINUTE);
    t.equal(v.elapsedMs, 0);
  },

  'a clock behind the anchor pauses at zero elapsed and cannot resume before time zero'(t) {
    const s = started(t, 10 * MINUTE);
    const paused = run(t, s, { type: 'pause' }, 4 * MINUTE);
    t.equal(paused.pausedAt, 10 * MINUTE, 'never paused before the phase began');
    t.equal(view(paused, 20 * MINUTE).remainingMs, 25 * MINUTE);
    const half = run(t, run(t, s, { type: 'pause' }, 20 * MINUTE), { type: 'resume' }, 30 * MINUTE);
    const late = run(t, half, { type: 'pause' }, 31 * MINUTE);
    refused(t, late, { type: 'resume' }, 5 * MINUTE, 'invalid-time');
  },

  'a sleep of a year lands on the exact phase'(t) {
    const s = started(t, 0);
    const cycle = 4 * 25 * MINUTE + 3 * 5 * MINUTE + 15 * MINUTE;
    const year = 365 * 24 * 60 * MINUTE;
    const v = view(s, year);
    const inCycle = year % cycle;
    t.equal(v.cycle, Math.floor(year / cycle));
    t.equal(v.completions, v.cycle * 8 + v.phase);
    let start = 0;
    for (let i = 0; i < v.phase; i++) start += i % 2 === 0 ? 25 * MINUTE : 5 * MINUTE;
    t.equal(v.elapsedMs, inCycle - start);
  },

  'rebase keeps the view and moves the anchor forward'(t) {
    const s = started(t, 0);
    const at = 3 * 60 * MINUTE + 7 * SECOND;
    const moved = rebase(s, at);
    t.deepEqual(view(moved, at + 5 * SECOND), view(s, at + 5 * SECOND));
    t.equal(moved.phase, view(s, at).phase);
    t.equal(rebase(moved, at), moved, 'rebasing again at the same time changes nothing');
  },

  'a fractional clock reading anchors at whole milliseconds, so the state stays valid on the wire'(t) {
    const s = run(t, initialState(), { type: 'start' }, 1_234.75);
    t.equal(s.startedAt, 1_234);
    t.ok(decodeState(encodeState(run(t, s, { type: 'pause' }, 5_000.5))).ok);
  },

  'states round-trip through the compact wire form'(t) {
    let s = started(t, 5_000, initialState(custom([{ name: 'Focus', kind: 'work', ms: 30 * MINUTE }], true)));
    s = run(t, s, { type: 'pause' }, 9_000);
    const text = encodeState(s);
    const back = decodeState(text);
    if (!back.ok) return t.fail(back.detail);
    t.deepEqual(back.value, s);
    t.ok(text.length < 200, `compact: ${text.length} characters`);
  },

  'untrusted states are refused with a reason'(t) {
    const good = toWire(started(t, 5_000));
    const cases: Array<[unknown, string]> = [
      [null, 'invalid-type'],
      [[], 'invalid-type'],
      [{ ...good, x: 1 }, 'unknown-field'],
      [{ ...good, v: undefined }, 'missing-field'],
      [{ ...good, p: 8 }, 'out-of-range'],
      [{ ...good, p: '1' }, 'invalid-type'],
      [{ ...good, t0: -1 }, 'out-of-range'],
      [{ ...good, t0: 1.5 }, 'invalid-type'],
      [{ ...good, st: 'x' }, 'out-of-range'],
      [{ ...good, st: 'i' }, 'inconsistent'],
      [{ ...good, tp: 10 }, 'inconsistent'],
      [{ ...good, s: { ...good.s, workMs: 0 } }, 'out-of-range'],
      [{ ...good, s: { ...good.s, extra: true } }, 'unknown-field'],
      [{ ...good, s: { type: 'custom', phases: [], repeat: true } }, 'out-of-range'],
      [{ ...good, s: { type: 'custom', phases: Array.from({ length: 33 }, () => ({ name: 'x', kind: 'work', ms: MINUTE })), repeat: true } }, 'too-long'],
      [{ ...good, s: { type: 'custom', phases: [{ name: '', kind: 'work', ms: MINUTE }], repeat: true } }, 'out-of-range'],
      [{ ...good, s: { type: 'custom', phases: [{ name: 'x', kind: 'nap', ms: MINUTE }], repeat: true } }, 'out-of-range'],
      [{ ...good, s: { type: 'custom', phases: [{ name: 'x', kind: 'work', ms: MINUTE }], repeat: 1 } }, 'invalid-type'],
      [{ ...good, s: { type: 'countdown', name: 'a\u0001', ms: MINUTE } }, 'out-of-range'],
      [{ ...good, s: { type: 'laps' } }, 'out-of-range'],
      [{ ...good, s: { type: 7 } }, 'invalid-type'],
      [{ ...good, st: 1 }, 'invalid-type'],
      [{ ...good, st: 'toString' }, 'out-of-range'],
      [{ ...good, s: { type: 'custom', phases: [{ name: 'x', kind: 3, ms: MINUTE }], repeat: true } }, 'invalid-type'],
      [{ ...good, s: { type: 'countdown', name: 'tab\u007f', ms: MINUTE } }, 'out-of-range'],
      [{ ...good, s: { type: 'countdown', name: 'c1\u0085', ms: MINUTE } }, 'out-of-range'],
    ];
    for (const [input, reason] of cases) {
      const result = fromWire(input);
      if (result.ok) return t.fail(`accepted ${JSON.stringify(input)}`);
      t.equal(result.reason, reason, JSON.stringify(input));
    }
    t.equal(decodeState('{"s":').ok, false);
    const huge = decodeState(' '.repeat(5000));
    t.equal(huge.ok ? 'accepted' : huge.reason, 'too-long');
  },

  'commands from untrusted data are checked before they reach the timer'(t) {
    t.deepEqual(checkCommand({ type: 'adjust', ms: 60_000 }), { ok: true, value: { type: 'adjust', ms: 60_000 } });
    t.deepEqual(checkCommand({ type: 'skip' }), { ok: true, value: { type: 'skip' } });
    t.deepEqual(checkCommand({ type: 'skip', to: 2 }), { ok: true, value: { type: 'skip', to: 2 } });
    const refusals: Array<[unknown, string]> = [
      ['start', 'invalid-type'],
      [{ type: 'launch' }, 'out-of-range'],
      [{ type: 1 }, 'invalid-type'],
      [{}, 'invalid-type'],
      [{ type: 'toString' }, 'out-of-range'],
      [{ type: 'start', now: 5 }, 'unknown-field'],
      [{ type: 'adjust' }, 'missing-field'],
      [{ type: 'adjust', ms: '5' }, 'invalid-type'],
      [{ type: 'adjust', ms: 10 ** 12 }, 'out-of-range'],
      [{ type: 'configure', strategy: { type: 'pomodoro', workMs: MINUTE } }, 'missing-field'],
    ];
    for (const [input, reason] of refusals) {
      const result = checkCommand(input);
      t.equal(result.ok ? 'accepted' : result.reason, reason, JSON.stringify(input));
    }
  },
});
