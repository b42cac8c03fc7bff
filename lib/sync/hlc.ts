/**
 * Hybrid logical clock (Kulkarni et al.): stamps that follow physical time closely, never go
 * backwards on one node, and order every send after every receive it could have seen. Physical time
 * here is the node's estimate of hub time, so stamps of different nodes are comparable.
 */
import { ok, refuse, type Result } from '../result/index';
import { MAX_COUNTER, type Stamp } from '../protocol/index';

export type { Stamp };

export const ZERO_STAMP: Stamp = { wall: 0, counter: 0, node: '' };

/** Orders stamps by wall time, then counter, then node id: a total order (negative when a < b). */
export function compareStamps(a: Stamp, b: Stamp): number {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  return a.node < b.node ? -1 : a.node > b.node ? 1 : 0;
}

export class HybridClock {
  private last: Stamp;

  /**
   * @param physical current hub-time estimate in ms
   * @param maxDriftMs a remote stamp further than this ahead of `physical` is refused, so one bad
   *   clock cannot drag every stamp into the future
   */
  constructor(
    readonly node: string,
    private readonly physical: () => number,
    private readonly maxDriftMs = 60_000,
    start: Stamp = ZERO_STAMP,
  ) {
    this.last = { wall: start.wall, counter: start.counter, node };
  }

  /** The latest stamp issued or observed (for persisting across a reboot). */
  get current(): Stamp {
    return this.last;
  }

  /** A fresh stamp for a local event or a message about to be sent. */
  send(): Stamp {
    const pt = Math.floor(this.physical());
    const wall = Math.max(this.last.wall, pt);
    const counter = wall === this.last.wall ? this.last.counter + 1 : 0;
    return this.advance(wall, counter);
  }

  /** Folds a remote stamp into the clock. `bounded` false skips the drift check (clock not yet agreed). */
  receive(remote: Stamp, bounded = true): Result<Stamp, 'clock-drift'> {
    const pt = Math.floor(this.physical());
    if (bounded && remote.wall - pt > this.maxDriftMs)
      return refuse('clock-drift', `stamp ${remote.wall} is ${remote.wall - pt} ms ahead of this clock`);
    const wall = Math.max(this.last.wall, remote.wall, pt);
    let counter: number;
    if (wall === this.last.wall && wall === remote.wall) counter = Math.max(this.last.counter, remote.counter) + 1;
    else if (wall === this.last.wall) counter = this.last.counter + 1;
    else if (wall === remote.wall) counter = remote.counter + 1;
    else counter = 0;
    return ok(this.advance(wall, counter));
  }

  /** Moves to (wall, counter), or to the next millisecond when the counter would leave the wire's range. */
  private advance(wall: number, counter: number): Stamp {
    this.last = counter > MAX_COUNTER ? { wall: wall + 1, counter: 0, node: this.node } : { wall, counter, node: this.node };
    return this.last;
  }
}
