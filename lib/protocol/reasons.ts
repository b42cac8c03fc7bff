/**
 * Why a received message was rejected, and a small counter/log the receiver keeps. A rejected message
 * changes nothing: the receiver counts it, logs it and drops it.
 */

export type RejectReason =
  /** The topic is not `argus/{location}/{kind}/{id}/{channel}` with valid ids and a known channel. */
  | 'bad-topic'
  /** Bytes that are not well-formed UTF-8. */
  | 'invalid-utf8'
  /** Text that is not well-formed JSON, or JSON that is not an object. */
  | 'malformed-json'
  /** A payload larger than its channel's limit. */
  | 'oversized'
  /** `v` missing or not a version this receiver speaks. */
  | 'unknown-version'
  /** A field of the wrong JSON type. */
  | 'wrong-type'
  /** A field the schema does not define. */
  | 'unknown-field'
  /** A required field is absent. */
  | 'missing-field'
  /** A number outside its range, an invalid id, an unknown enum value. */
  | 'out-of-range'
  /** Fields that contradict each other (e.g. a paused timer with no pause time). */
  | 'inconsistent'
  /** The payload's device id (or group, or stamp owner) disagrees with its topic. */
  | 'id-mismatch'
  /** A hybrid-logical-clock stamp too far ahead of the receiver's clock. */
  | 'clock-drift';

export interface Rejection {
  readonly ok: false;
  readonly reason: RejectReason;
  readonly detail: string;
}

export interface RejectionEntry {
  readonly reason: RejectReason;
  readonly detail: string;
  readonly topic: string;
}

/** Counts rejections by reason and keeps the most recent few for diagnosis. */
export class Rejections {
  readonly counts: Partial<Record<RejectReason, number>> = {};
  total = 0;
  private readonly log: RejectionEntry[] = [];

  constructor(private readonly keep = 16) {}

  record(rejection: { readonly reason: RejectReason; readonly detail: string }, topic: string): void {
    this.total++;
    this.counts[rejection.reason] = (this.counts[rejection.reason] ?? 0) + 1;
    this.log.push({ reason: rejection.reason, detail: rejection.detail, topic });
    if (this.log.length > this.keep) this.log.shift();
  }

  count(reason: RejectReason): number {
    return this.counts[reason] ?? 0;
  }

  /** The most recent rejections, oldest first. */
  recent(): readonly RejectionEntry[] {
    return this.log.slice();
  }
}
