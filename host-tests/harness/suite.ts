import type { Check } from './check';

/** One test case, written once and run both by vitest on Node and inside the XS engine. */
export type Case = (t: Check) => void | Promise<void>;

export interface Suite {
  readonly name: string;
  readonly cases: Readonly<Record<string, Case>>;
}

export function suite(name: string, cases: Record<string, Case>): Suite {
  return { name, cases };
}
