/**
 * Agreement on hub time through the four-timestamp (NTP) exchange over MQTT:
 * t0 client send, t1 hub receive, t2 hub send, t3 client receive (t0, t3 on the device's monotonic
 * clock; t1, t2 on the hub's). offset = ((t1 - t0) + (t2 - t3)) / 2, delay = (t3 - t0) - (t2 - t1).
 * The sample with the smallest round trip among the last few is trusted: its error is at most
 * delay / 2, and it is the one least disturbed by queueing.
 */

export interface TimeSample {
  readonly offset: number;
  readonly delay: number;
  /** Local time the sample was taken (t3). */
  readonly at: number;
}

export function sampleOf(t0: number, t1: number, t2: number, t3: number): TimeSample {
  return { offset: (t1 - t0 + (t2 - t3)) / 2, delay: t3 - t0 - (t2 - t1), at: t3 };
}

export class ClockSync {
  private readonly samples: TimeSample[] = [];
  private best: TimeSample | undefined;
  private pendingT0: number | undefined;

  /**
   * @param local the device's monotonic clock
   * @param window how many recent samples compete (old ones drop out, so drift is followed)
   */
  constructor(
    private readonly local: () => number,
    private readonly window = 16,
  ) {}

  /** Starts an exchange: the t0 to send in a time request. */
  request(): number {
    const t0 = this.local();
    this.pendingT0 = t0;
    return t0;
  }

  /**
   * Completes an exchange with the hub's answer. Answers to a request other than the latest one, and
   * impossible samples (negative round trip), are ignored; returns whether the sample was taken.
   */
  response(t0: number, t1: number, t2: number): boolean {
    if (t0 !== this.pendingT0) return false;
    this.pendingT0 = undefined;
    const sample = sampleOf(t0, t1, t2, this.local());
    if (!(sample.delay >= 0) || !Number.isFinite(sample.offset)) return false;
    this.samples.push(sample);
    if (this.samples.length > this.window) this.samples.shift();
    this.best = this.samples.reduce((a, b) => (b.delay < a.delay ? b : a));
    return true;
  }

  get synced(): boolean {
    return this.best !== undefined;
  }

  /** Local clock + offset of the best recent sample; 0 offset before the first sample. */
  get offset(): number {
    return this.best?.offset ?? 0;
  }

  /** Round trip of the sample in use (its offset is within half of this). */
  get delay(): number {
    return this.best?.delay ?? Infinity;
  }

  /** The current hub time estimate. */
  now(): number {
    return this.local() + this.offset;
  }

  toHub(localTime: number): number {
    return localTime + this.offset;
  }
}
