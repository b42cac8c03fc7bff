/**
 * Compact wire form of timer anchors and commands, and their strict decoding from untrusted data.
 *
 * State: {"s": strategy, "st": "i"|"r"|"p", "p": phase, "c": cycle, "t0": startedAt, "tp": pausedAt,
 *         "a": adjustMs, "n": completions, "v": version}
 */
import { ok, refuse } from '../result/index';
import type { Command } from './commands';
import type { Status, TimerState } from './state';
import { MAX_PHASE_MS, phaseCount, type Strategy } from './strategy';
import { checkInteger, checkKeys, checkStrategy, isRecord, MAX_COUNT, MAX_TIME_MS, type Checked } from './validate';

export interface WireState {
  s: Strategy;
  st: 'i' | 'r' | 'p';
  p: number;
  c: number;
  t0: number;
  tp: number;
  a: number;
  n: number;
  v: number;
}

/** Largest encoded state or command text accepted. */
export const MAX_TIMER_JSON = 4096;

const STATUS_CODE: Readonly<Record<Status, WireState['st']>> = { idle: 'i', running: 'r', paused: 'p' };
const STATUS_OF: Readonly<Record<string, Status>> = { i: 'idle', r: 'running', p: 'paused' };
const STATE_KEYS = ['s', 'st', 'p', 'c', 't0', 'tp', 'a', 'n', 'v'] as const;

export function toWire(state: TimerState): WireState {
  return {
    s: state.strategy,
    st: STATUS_CODE[state.status],
    p: state.phase,
    c: state.cycle,
    t0: state.startedAt,
    tp: state.pausedAt,
    a: state.adjustMs,
    n: state.completions,
    v: state.version,
  };
}

export function fromWire(input: unknown): Checked<TimerState> {
  if (!isRecord(input)) return refuse('invalid-type', 'state must be an object');
  const keys = checkKeys(input, STATE_KEYS, STATE_KEYS, 'state');
  if (!keys.ok) return keys;
  const strategy = checkStrategy(input.s);
  if (!strategy.ok) return strategy;
  if (typeof input.st !== 'string') return refuse('invalid-type', 'state.st must be a string');
  const status = Object.prototype.hasOwnProperty.call(STATUS_OF, input.st) ? STATUS_OF[input.st] : undefined;
  if (status === undefined) return refuse('out-of-range', 'state.st must be "i", "r" or "p"');
  const numbers = [
    checkInteger(input.p, 0, phaseCount(strategy.value) - 1, 'state.p'),
    checkInteger(input.c, 0, MAX_COUNT, 'state.c'),
    checkInteger(input.t0, 0, MAX_TIME_MS, 'state.t0'),
    checkInteger(input.tp, 0, MAX_TIME_MS, 'state.tp'),
    checkInteger(input.a, -MAX_PHASE_MS, MAX_PHASE_MS, 'state.a'),
    checkInteger(input.n, 0, MAX_COUNT, 'state.n'),
    checkInteger(input.v, 0, MAX_COUNT, 'state.v'),
  ];
  for (const n of numbers) if (!n.ok) return n;
  const [phase, cycle, startedAt, pausedAt, adjustMs, completions, version] = numbers.map((n) => (n.ok ? n.value : 0)) as [
    number, number, number, number, number, number, number,
  ];
  if (status === 'idle' && (startedAt !== 0 || pausedAt !== 0))
    return refuse('inconsistent', 'an idle state has no start or pause time');
  if (status === 'running' && pausedAt !== 0) return refuse('inconsistent', 'a running state has no pause time');
  if (status === 'paused' && pausedAt < startedAt) return refuse('inconsistent', 'paused before the phase started');
  return ok({ strategy: strategy.value, status, phase, cycle, startedAt, pausedAt, adjustMs, completions, version });
}

export function encodeState(state: TimerState): string {
  return JSON.stringify(toWire(state));
}

/** Parses JSON text of bounded size; never throws. */
export function parseJson(text: string, limit: number): Checked<unknown> {
  if (text.length > limit) return refuse('too-long', `text of ${text.length} characters exceeds ${limit}`);
  try {
    return ok(JSON.parse(text) as unknown);
  } catch {
    return refuse('invalid-type', 'not well-formed JSON');
  }
}

export function decodeState(text: string): Checked<TimerState> {
  const parsed = parseJson(text, MAX_TIMER_JSON);
  return parsed.ok ? fromWire(parsed.value) : parsed;
}

const COMMAND_FIELDS: Readonly<Record<string, readonly string[]>> = {
  start: [],
  pause: [],
  resume: [],
  reset: [],
  skip: ['to'],
  adjust: ['ms'],
  configure: ['strategy'],
};

/**
 * Checks the shape of a command from untrusted data. Whether it makes sense for the current state
 * (e.g. resume when not paused) is `apply`'s business.
 */
export function checkCommand(input: unknown): Checked<Command> {
  if (!isRecord(input)) return refuse('invalid-type', 'command must be an object');
  const type = input.type;
  if (typeof type !== 'string') return refuse('invalid-type', 'command.type must be a string');
  const fields = Object.prototype.hasOwnProperty.call(COMMAND_FIELDS, type) ? COMMAND_FIELDS[type] : undefined;
  if (fields === undefined) return refuse('out-of-range', `unknown command type ${JSON.stringify(type)}`);
  const required = type === 'skip' ? [] : fields;
  const keys = checkKeys(input, ['type', ...fields], required, `command ${type}`);
  if (!keys.ok) return keys;
  switch (type) {
    case 'skip': {
      if (input.to === undefined) return ok({ type: 'skip' });
      const to = checkInteger(input.to, 0, MAX_COUNT, 'skip.to');
      return to.ok ? ok({ type: 'skip', to: to.value }) : to;
    }
    case 'adjust': {
      const ms = checkInteger(input.ms, -MAX_PHASE_MS, MAX_PHASE_MS, 'adjust.ms');
      return ms.ok ? ok({ type: 'adjust', ms: ms.value }) : ms;
    }
    case 'configure': {
      const strategy = checkStrategy(input.strategy);
      return strategy.ok ? ok({ type: 'configure', strategy: strategy.value }) : strategy;
    }
    default:
      return ok({ type } as Command);
  }
}
