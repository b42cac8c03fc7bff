/**
 * The replicated timer as a last-writer-wins register: the anchor written with the highest HLC stamp
 * wins (the stamp's node id breaks ties). `merge` is commutative, associative and idempotent, so
 * replicas that saw the same writes hold the same anchor whatever the order or repetition.
 */
import { initialState, type TimerState } from '../timer/index';
import { compareStamps, ZERO_STAMP, type Stamp } from './hlc';

export interface Register {
  readonly state: TimerState;
  readonly stamp: Stamp;
  /** The command that wrote the anchor; '' for the initial one. */
  readonly commandId: string;
}

export function initialRegister(state: TimerState = initialState()): Register {
  return { state, stamp: ZERO_STAMP, commandId: '' };
}

export function merge(a: Register, b: Register): Register {
  return compareStamps(b.stamp, a.stamp) > 0 ? b : a;
}
