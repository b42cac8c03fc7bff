/**
 * Reconnection delays: exponential growth capped at a maximum, with jitter so that many devices
 * dropped by the same outage do not return in lockstep.
 *
 * Attempt n (from 0) waits base(n) * (1 - jitter * r), r uniform in [0, 1), where
 * base(n) = min(maxMs, initialMs * factor^n): always within (base(n) * (1 - jitter), base(n)].
 */
import type { Random } from '../host/index';

export interface BackoffPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
  readonly factor: number;
  /** Fraction of the delay that is randomised, 0..1. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, factor: 2, jitter: 0.5 };

export class Backoff {
  private attempt = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: Random,
  ) {}

  /** The un-jittered delay of attempt n. */
  base(attempt: number): number {
    const { initialMs, maxMs, factor } = this.policy;
    return Math.min(maxMs, initialMs * Math.pow(factor, attempt));
  }

  /** The delay before the next attempt; each call counts one attempt. */
  next(): number {
    const base = this.base(this.attempt);
    this.attempt++;
    const jitter = Math.min(1, Math.max(0, this.policy.jitter));
    return base * (1 - jitter * this.random());
  }

  /** After a successful connection the next failure starts again from initialMs. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
