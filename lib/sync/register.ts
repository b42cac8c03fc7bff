/**
 * The replicated timer as a last-writer-wins register: the anchor written with the highest HLC stamp
 * wins (the stamp's node id breaks ties, then the command id). `merge` is commutative, associative and idempotent, so
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
  const order = compareStamps(b.stamp, a.stamp);
  // Equal stamps from two writes (a device id reused after its Store was lost): the command id decides,
  // so every replica keeps the same one whatever the order of arrival.
  if (order === 0) return b.commandId > a.commandId ? b : a;
  return order > 0 ? b : a;
}
