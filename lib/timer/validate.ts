/**
 * Strict checks for strategies, states and commands that arrive as untrusted data: wrong types,
 * out-of-range numbers, unknown fields and oversized lists are refused with a reason.
 */
import { ok, refuse, type Result } from '../result/index';
import {
  MAX_LONG_BREAK_EVERY,
  MAX_NAME_LENGTH,
  MAX_PHASE_MS,
  MAX_PHASES,
  MIN_PHASE_MS,
  type PhaseKind,
  type Strategy,
} from './strategy';

export type InvalidReason = 'invalid-type' | 'unknown-field' | 'missing-field' | 'out-of-range' | 'too-long' | 'inconsistent';

export type Checked<T> = Result<T, InvalidReason>;

export const MAX_TIME_MS = 2 ** 52;
export const MAX_COUNT = 2 ** 31 - 1;

export function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Refuses any key outside `allowed` and any of `required` that is missing. */
export function checkKeys(
  record: Record<string, unknown>,
  allowed: readonly string[],
  required: readonly string[],
  where: string,
): Checked<true> {
  for (const key of Object.keys(record))
    if (!allowed.includes(key)) return refuse('unknown-field', `${where}: unknown field "${key}"`);
  for (const key of required)
    if (record[key] === undefined) return refuse('missing-field', `${where}: missing field "${key}"`);
  return ok(true);
}

export function checkInteger(value: unknown, min: number, max: number, where: string): Checked<number> {
  if (typeof value !== 'number' || !Number.isInteger(value)) return refuse('invalid-type', `${where} must be an integer`);
  if (value < min || value > max) return refuse('out-of-range', `${where} must be within ${min}..${max}, got ${value}`);
  return ok(value);
}

export function checkName(value: unknown, where: string): Checked<string> {
  if (typeof value !== 'string') return refuse('invalid-type', `${where} must be a string`);
  if (value.length === 0 || value.length > MAX_NAME_LENGTH)
    return refuse('out-of-range', `${where} must have 1..${MAX_NAME_LENGTH} characters`);
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x20 || (code >= 0x7f && code <= 0x9f)) return refuse('out-of-range', `${where} must not contain control characters`);
  }
  return ok(value);
}

const KINDS: readonly PhaseKind[] = ['work', 'short-break', 'long-break'];
const duration = (value: unknown, where: string) => checkInteger(value, MIN_PHASE_MS, MAX_PHASE_MS, where);

/** Checks a strategy given as a typed object (for example from a local configure command). */
export function checkStrategy(input: unknown): Checked<Strategy> {
  if (!isRecord(input)) return refuse('invalid-type', 'strategy must be an object');
  switch (input.type) {
    case 'pomodoro': {
      const keys = checkKeys(input, ['type', 'workMs', 'shortBreakMs', 'longBreakMs', 'longBreakEvery'], ['workMs', 'shortBreakMs', 'longBreakMs', 'longBreakEvery'], 'pomodoro');
      if (!keys.ok) return keys;
      for (const field of ['workMs', 'shortBreakMs', 'longBreakMs'] as const) {
        const checked = duration(input[field], `pomodoro.${field}`);
        if (!checked.ok) return checked;
      }
      const every = checkInteger(input.longBreakEvery, 1, MAX_LONG_BREAK_EVERY, 'pomodoro.longBreakEvery');
      if (!every.ok) return every;
      return ok(input as unknown as Strategy);
    }
    case 'custom': {
      const keys = checkKeys(input, ['type', 'phases', 'repeat'], ['phases', 'repeat'], 'custom');
      if (!keys.ok) return keys;
      if (typeof input.repeat !== 'boolean') return refuse('invalid-type', 'custom.repeat must be a boolean');
      const phases = input.phases;
      if (!Array.isArray(phases)) return refuse('invalid-type', 'custom.phases must be a list');
      if (phases.length === 0) return refuse('out-of-range', 'custom.phases must not be empty');
      if (phases.length > MAX_PHASES) return refuse('too-long', `custom.phases holds at most ${MAX_PHASES} phases`);
      for (let i = 0; i < phases.length; i++) {
        const phase: unknown = phases[i];
        const where = `custom.phases[${i}]`;
        if (!isRecord(phase)) return refuse('invalid-type', `${where} must be an object`);
        const phaseKeys = checkKeys(phase, ['name', 'kind', 'ms'], ['name', 'kind', 'ms'], where);
        if (!phaseKeys.ok) return phaseKeys;
        const name = checkName(phase.name, `${where}.name`);
        if (!name.ok) return name;
        if (typeof phase.kind !== 'string') return refuse('invalid-type', `${where}.kind must be a string`);
        if (!KINDS.includes(phase.kind as PhaseKind)) return refuse('out-of-range', `${where}.kind must be one of ${KINDS.join(', ')}`);
        const ms = duration(phase.ms, `${where}.ms`);
        if (!ms.ok) return ms;
      }
      return ok(input as unknown as Strategy);
    }
    case 'countdown': {
      const keys = checkKeys(input, ['type', 'name', 'ms'], ['name', 'ms'], 'countdown');
      if (!keys.ok) return keys;
      const name = checkName(input.name, 'countdown.name');
      if (!name.ok) return name;
      const ms = duration(input.ms, 'countdown.ms');
      if (!ms.ok) return ms;
      return ok(input as unknown as Strategy);
    }
    default:
      if (typeof input.type !== 'string') return refuse('invalid-type', 'strategy.type must be a string');
      return refuse('out-of-range', `unknown strategy type ${JSON.stringify(input.type)}`);
  }
}
