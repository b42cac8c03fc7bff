/**
 * The host the shared core expects (lib/host), provided by Node: a monotonic clock, one-shot
 * timers and randomness. The hub, the simulator and the tests hand these to lib.
 */
import { performance } from 'node:perf_hooks';
import type { Clock, Random, Scheduler, TimerHandle } from '../../lib/host/index';

export const nodeClock: Clock = { now: () => performance.now() };

export const nodeScheduler: Scheduler = {
  set: (callback: () => void, ms: number): TimerHandle => setTimeout(callback, ms),
  clear: (handle: TimerHandle): void => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const nodeRandom: Random = Math.random;

export interface NodeHost {
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly random: Random;
}

export const nodeHost: NodeHost = { clock: nodeClock, scheduler: nodeScheduler, random: nodeRandom };
