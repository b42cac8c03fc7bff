/**
 * A minimal assertion surface that runs unchanged under Node and inside XS (no host globals).
 * Every case in host-tests/cases receives one of these.
 */
export class CheckFailure extends Error {
  override name = 'CheckFailure';
}

export interface Check {
  ok(value: unknown, message?: string): void;
  equal<T>(actual: T, expected: T, message?: string): void;
  deepEqual(actual: unknown, expected: unknown, message?: string): void;
  /** Fails unless fn throws; returns the thrown value for further checks. */
  throws(fn: () => unknown, message?: string): unknown;
  fail(message: string): never;
}

export function show(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_k, v) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `bytes[${Array.from(v).join(',')}]` : v,
    );
    return text === undefined ? String(value) : text.length > 400 ? `${text.slice(0, 400)}…` : text;
  } catch {
    return String(value);
  }
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (ArrayBuffer.isView(a) || ArrayBuffer.isView(b)) {
    if (!(a instanceof Uint8Array) || !(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  const ka = Object.keys(a as object);
  const kb = Object.keys(b as object);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k)) return false;
    if (!deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

export const check: Check = {
  ok(value, message) {
    if (!value) throw new CheckFailure(message ?? `expected a truthy value, got ${show(value)}`);
  },
  equal(actual, expected, message) {
    if (!Object.is(actual, expected))
      throw new CheckFailure(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  },
  deepEqual(actual, expected, message) {
    if (!deepEqual(actual, expected))
      throw new CheckFailure(`${message ? `${message}: ` : ''}expected ${show(expected)}, got ${show(actual)}`);
  },
  throws(fn, message) {
    try {
      fn();
    } catch (error) {
      return error;
    }
    throw new CheckFailure(message ?? 'expected a throw');
  },
  fail(message) {
    throw new CheckFailure(message);
  },
};
