/**
 * Devices whose monotonic clocks are skewed (hours apart from the hub) and drift, doing the
 * four-timestamp exchange over links with asymmetric, jittery delays, in virtual time (pure).
 */
import { ClockSync } from '../../lib/sync/index';
import { apply, initialState, view } from '../../lib/timer/index';
import { seededRandom } from './seeded-random';

export interface LinkProfile {
  /** Fixed one-way delays device->hub and hub->device, ms. */
  readonly upMs: number;
  readonly downMs: number;
  /** Extra random delay per leg, uniform in [0, jitterMs]. */
  readonly jitterMs: number;
  /** Probability of a queueing spike of up to 10x jitter on a leg. */
  readonly spike: number;
}

export interface SkewedDevice {
  /** Local clock reading at true time 0 (anything: hours away from the hub). */
  readonly skewMs: number;
  /** Rate error, e.g. 1e-4 for +100 ppm. */
  readonly drift: number;
  readonly link: LinkProfile;
}

export class SkewedWorld {
  /** True time. */
  t = 0;
  readonly syncs: ClockSync[];
  private readonly random: () => number;

  constructor(
    readonly hubEpochMs: number,
    readonly devices: readonly SkewedDevice[],
    seed: number,
    window = 16,
  ) {
    this.random = seededRandom(seed);
    this.syncs = devices.map((d) => new ClockSync(() => this.localAt(d, this.t), window));
  }

  hubAt(t: number): number {
    return this.hubEpochMs + t;
  }

  localAt(device: SkewedDevice, t: number): number {
    return device.skewMs + t * (1 + device.drift);
  }

  /** One exchange per device, each starting at the current true time; hub answers t1/t2 from its clock. */
  exchange(): void {
    const start = this.t;
    this.devices.forEach((device, i) => {
      const sync = this.syncs[i]!;
      this.t = start;
      const t0 = sync.request();
      const arrive = start + this.leg(device.link.upMs, device.link);
      const t1 = this.hubAt(arrive);
      const leave = arrive + this.random() * 2;
      const t2 = this.hubAt(leave);
      this.t = leave + this.leg(device.link.downMs, device.link);
      sync.response(t0, t1, t2);
    });
    this.t = start;
  }

  /** Each device's hub-time estimate at the current true time. */
  estimates(): number[] {
    return this.syncs.map((s) => s.now());
  }

  private leg(base: number, link: LinkProfile): number {
    const spike = this.random() < link.spike ? this.random() * link.jitterMs * 10 : 0;
    return base + this.random() * link.jitterMs + spike;
  }
}

/** Largest difference in remaining time between any two devices (and the hub) after synchronising. */
/** Runs `exchanges` rounds, then probes a running timer five times. */
export function worstDisagreement(world: SkewedWorld, exchanges: number, intervalMs: number): number {
  for (let i = 0; i < exchanges; i++) {
    world.exchange();
    world.t += intervalMs;
  }
  const started = apply(initialState(), { type: 'start' }, world.hubAt(world.t - 60_000));
  if (!started.ok) return Infinity;
  let worst = 0;
  for (let probe = 0; probe < 5; probe++) {
    world.t += 137;
    const truth = view(started.value, world.hubAt(world.t)).remainingMs;
    const shown = world.estimates().map((now) => view(started.value, now).remainingMs);
    for (const r of [truth, ...shown]) for (const s of shown) worst = Math.max(worst, Math.abs(r - s));
  }
  return worst;
}
