/**
 * Clock agreement: devices hours apart and drifting, over asymmetric, jittery links, show the same
 * remaining time within 50 ms once they have exchanged timestamps with the hub.
 */
import fc from 'fast-check';
import { suite } from '../harness/suite';
import { ClockSync, sampleOf } from '../../lib/sync/index';
import { MINUTE } from '../../lib/timer/index';
import { SkewedWorld, worstDisagreement, type SkewedDevice } from '../support/skewed-clocks';

const HOUR = 60 * MINUTE;

const deviceArb: fc.Arbitrary<SkewedDevice> = fc.record({
  skewMs: fc.integer({ min: -6 * HOUR, max: 6 * HOUR }).map((s) => s + 12 * HOUR),
  drift: fc.integer({ min: -100, max: 100 }).map((ppm) => ppm * 1e-6),
  link: fc.record({
    upMs: fc.integer({ min: 2, max: 30 }),
    downMs: fc.integer({ min: 2, max: 30 }),
    jitterMs: fc.integer({ min: 0, max: 50 }),
    spike: fc.double({ min: 0, max: 0.3, noNaN: true }),
  }),
});

const worldArb = fc.record({
  hubEpochMs: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
  devices: fc.array(deviceArb, { minLength: 3, maxLength: 5 }),
  seed: fc.integer(),
});

export default suite('sync clock agreement', {
  'offset and delay of one exchange follow the NTP formulas'(t) {
    // Device clock 1000 ms behind; 10 ms up, 4 ms down, 2 ms at the hub.
    const sample = sampleOf(5_000, 6_010, 6_012, 5_016);
    t.equal(sample.delay, 14);
    t.equal(sample.offset, 1_003);
    // The error (3 ms) is half the asymmetry (10 - 4) / 2, within delay / 2.
    t.ok(Math.abs(sample.offset - 1_000) <= sample.delay / 2);
  },
  'the smallest round trip of the window wins, and old samples leave it'(t) {
    let local = 0;
    const sync = new ClockSync(() => local, 3);
    t.equal(sync.synced, false);
    const exchange = (t1: number, rtt: number) => {
      const t0 = sync.request();
      local += rtt;
      t.ok(sync.response(t0, t1, t1));
    };
    exchange(500 + 50, 100); // offset 500, rtt 100
    exchange(local + 700 + 5, 10); // offset 700, rtt 10: best
    exchange(local + 900 + 40, 80);
    t.equal(sync.offset, 700);
    t.equal(sync.delay, 10);
    exchange(local + 900 + 30, 60);
    exchange(local + 900 + 25, 50);
    exchange(local + 900 + 45, 90); // the rtt-10 sample has left the window of 3
    t.equal(sync.offset, 900);
    t.equal(sync.delay, 50);
    t.equal(sync.toHub(1), 901);
  },
  'stale or impossible answers are ignored'(t) {
    let local = 100;
    const sync = new ClockSync(() => local);
    const first = sync.request();
    local = 120;
    const second = sync.request();
    local = 150;
    t.equal(sync.response(first, 10, 10), false, 'an answer to an older request');
    t.equal(sync.response(second, 10, 500), false, 'a hub that held the request longer than the round trip');
    t.equal(sync.synced, false);
  },
  'devices hours apart agree on remaining time within 50 ms'(t) {
    fc.assert(
      fc.property(worldArb, ({ hubEpochMs, devices, seed }) => {
        const worst = worstDisagreement(new SkewedWorld(hubEpochMs, devices, seed, 16), 16, 1_000);
        t.ok(worst <= 50, `remaining time differs by ${worst} ms`);
      }),
      { numRuns: 200, seed: 11 },
    );
  },
  'unsynchronised devices do not agree (the exchange is what makes them)'(t) {
    const world = new SkewedWorld(1_700_000_000_000, [
      { skewMs: 3 * HOUR, drift: 0, link: { upMs: 5, downMs: 5, jitterMs: 0, spike: 0 } },
      { skewMs: 5 * HOUR, drift: 0, link: { upMs: 5, downMs: 5, jitterMs: 0, spike: 0 } },
    ], 1);
    world.t = 1_000;
    const [a, b] = world.estimates();
    t.ok(Math.abs(a! - b!) >= HOUR);
    t.ok(worstDisagreement(world, 4, 1_000) <= 1, 'and agree closely once they exchange');
  },
});
