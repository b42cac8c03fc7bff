/** fast-check generators for timer strategies, commands and clock steps (pure: runs under XS too). */
import fc from 'fast-check';
import { MINUTE, type Command, type Phase, type Strategy } from '../../lib/timer/index';

const duration = fc.integer({ min: 1_000, max: 2 * 60 * MINUTE });

export const pomodoroArb: fc.Arbitrary<Strategy> = fc.record({
  type: fc.constant('pomodoro' as const),
  workMs: duration,
  shortBreakMs: duration,
  longBreakMs: duration,
  longBreakEvery: fc.integer({ min: 1, max: 6 }),
});

const phaseArb: fc.Arbitrary<Phase> = fc.record({
  name: fc.constantFrom('Focus', 'Rest', 'Deep work', 'Walk'),
  kind: fc.constantFrom('work' as const, 'short-break' as const, 'long-break' as const),
  ms: duration,
});

export const strategyArb: fc.Arbitrary<Strategy> = fc.oneof(
  pomodoroArb,
  fc.record({ type: fc.constant('custom' as const), phases: fc.array(phaseArb, { minLength: 1, maxLength: 6 }), repeat: fc.boolean() }),
  fc.record({ type: fc.constant('countdown' as const), name: fc.constant('Countdown'), ms: duration }),
);

export const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.constant({ type: 'start' as const }) },
  { weight: 3, arbitrary: fc.constant({ type: 'pause' as const }) },
  { weight: 3, arbitrary: fc.constant({ type: 'resume' as const }) },
  { weight: 2, arbitrary: fc.constant({ type: 'skip' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: -1, max: 12 }).map((to) => ({ type: 'skip' as const, to })) },
  { weight: 1, arbitrary: fc.constant({ type: 'reset' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: -90 * MINUTE, max: 90 * MINUTE }).map((ms) => ({ type: 'adjust' as const, ms })) },
  { weight: 1, arbitrary: strategyArb.map((strategy) => ({ type: 'configure' as const, strategy })) },
);

/** Clock steps: mostly ticks and minutes, sometimes a sleep of up to a month. */
export const stepArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 5_000 }) },
  { weight: 4, arbitrary: fc.integer({ min: 0, max: 90 * MINUTE }) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 30 * 24 * 60 * MINUTE }) },
);

/** Clock steps that sometimes go backwards, as a device's clock does when it is corrected. */
export const unsteadyStepArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 6, arbitrary: stepArb },
  { weight: 1, arbitrary: fc.integer({ min: -90 * MINUTE, max: -1 }) },
);
