import fc from 'fast-check';
import { suite } from '../harness/suite';
import { deepEqual } from '../harness/check';
import {
  apply,
  decodeState,
  encodeState,
  initialState,
  phaseCount,
  phaseKind,
  phaseMs,
  rebase,
  view,
  type Command,
  type Strategy,
  type TimerState,
  type TimerView,
} from '../../lib/timer/index';
import { commandArb, pomodoroArb, stepArb, strategyArb, unsteadyStepArb } from '../support/timer-arbitraries';

/** Checks a property over 150 generated cases (under Node and XS alike); a counterexample fails the case. */
function holds<T>(property: fc.IProperty<T>): void {
  fc.assert(property, { numRuns: 150 });
}

/** Absolute position in the phase sequence since the last reset. */
const position = (s: Strategy, v: TimerView) => v.cycle * phaseCount(s) + v.phase;

function startedAt(strategy: Strategy, now: number): TimerState {
  const r = apply(initialState(strategy), { type: 'start' }, now);
  if (!r.ok) throw new Error(r.detail);
  return r.value;
}

function assertSane(v: TimerView, where: string): void {
  if (!(v.remainingMs >= 0 && v.remainingMs <= v.durationMs)) throw new Error(`${where}: remaining ${v.remainingMs} outside [0, ${v.durationMs}]`);
  if (!(v.progress >= 0 && v.progress <= 1)) throw new Error(`${where}: progress ${v.progress}`);
  if (v.elapsedMs + v.remainingMs !== v.durationMs) throw new Error(`${where}: elapsed + remaining != duration`);
}

const scenario = fc.record({
  strategy: strategyArb,
  start: fc.integer({ min: 0, max: 2 ** 40 }),
  steps: fc.array(fc.tuple(unsteadyStepArb, fc.option(commandArb, { nil: undefined, freq: 2 })), { maxLength: 40 }),
});

type Scenario = { strategy: Strategy; start: number; steps: Array<[number, Command | undefined]> };

/** Applies the scenario's commands at its clock readings; `each` sees every state reached and may veto. */
function play(s: Scenario, each: (state: TimerState) => boolean = () => true): { state: TimerState; now: number } | undefined {
  let state = initialState(s.strategy);
  let now = s.start;
  for (const [step, command] of s.steps) {
    now += step;
    if (command) {
      const r = apply(state, command, now);
      if (r.ok) state = r.value;
    }
    if (!each(state)) return undefined;
  }
  return { state, now };
}

export default suite('timer properties', {
  'for any commands and clock jumps, remaining stays within [0, duration] and refusals change nothing'() {
    holds(
      fc.property(scenario, ({ strategy, start, steps }) => {
        let state = initialState(strategy);
        let now = start;
        for (const [step, command] of steps) {
          now += step;
          assertSane(view(state, now), 'before');
          if (!command) continue;
          const before = encodeState(state);
          const result = apply(state, command, now);
          if (result.ok) {
            if (result.value.version !== state.version + 1) return false;
            state = result.value;
          } else if (encodeState(state) !== before) return false;
          assertSane(view(state, now), 'after');
        }
        return true;
      }),
    );
  },

  'with time alone, phases follow the strategy one completion at a time'() {
    holds(
      fc.property(strategyArb, fc.array(stepArb, { minLength: 1, maxLength: 30 }), (strategy, steps) => {
        const s = startedAt(strategy, 0);
        let previous = view(s, 0);
        let now = 0;
        for (const step of steps) {
          now += step;
          const v = view(s, now);
          if (v.finished) return previous.finished || v.completions === phaseCount(strategy);
          if (position(strategy, v) - position(strategy, previous) !== v.completions - previous.completions) return false;
          if (v.kind !== phaseKind(strategy, v.phase) || v.durationMs !== phaseMs(strategy, v.phase)) return false;
          previous = v;
        }
        return true;
      }),
    );
  },

  'a long break comes exactly after every N work phases'() {
    holds(
      fc.property(pomodoroArb, fc.integer({ min: 1, max: 40 }), (strategy, phases) => {
        if (strategy.type !== 'pomodoro') return true;
        const s = startedAt(strategy, 0);
        let now = 0;
        let workSinceLong = 0;
        for (let i = 0; i < phases; i++) {
          const v = view(s, now);
          if (v.kind === 'work') workSinceLong++;
          else if (v.kind === 'long-break') {
            if (workSinceLong !== strategy.longBreakEvery) return false;
            workSinceLong = 0;
          } else if (workSinceLong === strategy.longBreakEvery || v.kind !== 'short-break') return false;
          now += v.durationMs;
        }
        return true;
      }),
    );
  },

  'pausing freezes remaining for any length of pause'() {
    holds(
      fc.property(scenario, fc.array(stepArb, { minLength: 1, maxLength: 10 }), (scenario, later) => {
        const { state, now } = play(scenario)!;
        const paused = apply(state, { type: 'pause' }, now);
        if (!paused.ok) return true;
        const frozen = view(paused.value, now);
        let at = now;
        for (const step of later) {
          at += step;
          if (!deepEqual(view(paused.value, at), frozen)) return false;
        }
        return true;
      }),
    );
  },

  'the time spent in phases equals the running time'() {
    const pauseResume = fc.array(fc.tuple(stepArb, fc.constantFrom<Command['type']>('pause', 'resume')), { maxLength: 20 });
    holds(
      fc.property(strategyArb, pauseResume, stepArb, (strategy, steps, tail) => {
        let state = startedAt(strategy, 1_000);
        let now = 1_000;
        let running = 0;
        for (const [step, type] of steps) {
          now += step;
          if (state.status === 'running') running += step;
          const r = apply(state, { type } as Command, now);
          if (r.ok) state = r.value;
        }
        now += tail;
        if (state.status === 'running') running += tail;
        const v = view(state, now);
        if (v.finished) {
          let total = 0;
          for (let i = 0; i < phaseCount(strategy); i++) total += phaseMs(strategy, i);
          return running >= total;
        }
        let spent = v.elapsedMs;
        const count = phaseCount(strategy);
        for (let p = 0; p < v.cycle * count + v.phase; p++) spent += phaseMs(strategy, p % count);
        return spent === running;
      }),
    );
  },

  'a sleep of any length lands on the same view as ticking through it'() {
    holds(
      fc.property(scenario, fc.array(stepArb, { minLength: 1, maxLength: 30 }), (scenario, ticks) => {
        const { state, now } = play(scenario)!;
        let ticked = state;
        let at = now;
        for (const step of ticks) {
          at += step;
          ticked = rebase(ticked, at);
        }
        return deepEqual(view(ticked, at), view(state, at));
      }),
    );
  },

  'every reachable state survives the wire unchanged'() {
    holds(
      fc.property(scenario, (scenario) =>
        play(scenario, (state) => {
          const back = decodeState(encodeState(state));
          return back.ok && deepEqual(back.value, state);
        }) !== undefined,
      ),
    );
  },
});
