/**
 * Replicas converge: devices and a hub exchange commands through a network that drops, duplicates,
 * delays and reorders, with partitions and reboots; after healing every replica holds the hub's
 * anchor, every command a device accepted reached the hub exactly once, and nothing is lost.
 */
import fc from 'fast-check';
import { suite } from '../harness/suite';
import type { Check } from '../harness/check';
import { compareStamps } from '../../lib/sync/index';
import { MINUTE, type Command } from '../../lib/timer/index';
import { SyncCluster } from '../support/sync-cluster';

type Step =
  | { readonly op: 'command'; readonly device: number; readonly command: Command }
  | { readonly op: 'advance'; readonly ms: number }
  | { readonly op: 'offline' | 'online' | 'drain'; readonly device: number }
  | { readonly op: 'reboot'; readonly device: number };

const commandArb: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ type: 'start' as const }) },
  { weight: 3, arbitrary: fc.constant({ type: 'pause' as const }) },
  { weight: 3, arbitrary: fc.constant({ type: 'resume' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'skip' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'reset' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: -5, max: 5 }).filter((m) => m !== 0).map((m) => ({ type: 'adjust' as const, ms: m * MINUTE })) },
);

function stepArb(devices: number): fc.Arbitrary<Step> {
  const device = fc.integer({ min: 0, max: devices - 1 });
  return fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('command' as const), device, command: commandArb }) },
    { weight: 3, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 400 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constantFrom('offline' as const, 'online' as const, 'drain' as const), device }) },
    { weight: 1, arbitrary: fc.record({ op: fc.constant('reboot' as const), device }) },
  );
}

const scheduleArb = fc.integer({ min: 3, max: 5 }).chain((devices) =>
  fc.record({
    seed: fc.integer(),
    clockErrors: fc.array(fc.integer({ min: -30, max: 30 }), { minLength: devices, maxLength: devices }),
    faults: fc.record({
      drop: fc.double({ min: 0, max: 0.4, noNaN: true }),
      duplicate: fc.double({ min: 0, max: 0.4, noNaN: true }),
      minDelay: fc.integer({ min: 0, max: 20 }),
      maxDelay: fc.integer({ min: 20, max: 300 }),
    }),
    steps: fc.array(stepArb(devices), { minLength: 4, maxLength: 18 }),
  }),
);

type Schedule = typeof scheduleArb extends fc.Arbitrary<infer T> ? T : never;

function run(schedule: Schedule): SyncCluster {
  const cluster = new SyncCluster(schedule.seed, schedule.clockErrors);
  cluster.network.faults = { ...schedule.faults };
  for (const step of schedule.steps) {
    switch (step.op) {
      case 'command':
        cluster.command(step.device, step.command);
        break;
      case 'advance':
        cluster.network.advance(step.ms);
        break;
      case 'offline':
        cluster.setOnline(step.device, false);
        break;
      case 'online':
        cluster.setOnline(step.device, true);
        break;
      case 'drain':
        cluster.drain(step.device);
        break;
      case 'reboot':
        cluster.reboot(step.device, schedule.clockErrors[step.device]!);
        break;
    }
  }
  cluster.heal();
  return cluster;
}

function checkConverged(t: Check, cluster: SyncCluster): void {
  const hub = cluster.hub.current;
  cluster.devices.forEach((device, i) => {
    t.deepEqual(device.current, hub, `device ${i} holds the hub's anchor`);
    t.deepEqual(device.pending(), [], `device ${i} has nothing left to send`);
  });
  const applied = cluster.hubHistory.map((m) => m.id);
  t.equal(new Set(applied).size, applied.length, 'the hub applied no command twice');
  for (const { id } of cluster.issued) t.ok(applied.includes(id), `accepted command ${id} reached the hub`);
  t.equal(applied.length, cluster.issued.length, 'the hub applied only accepted commands');
  // The winner is the accepted command with the highest stamp: nothing later was lost.
  const latest = cluster.hubHistory.reduce<(typeof cluster.hubHistory)[number] | undefined>(
    (best, m) => (best === undefined || compareStamps(m.stamp, best.stamp) > 0 ? m : best),
    undefined,
  );
  if (latest) {
    t.equal(hub.commandId, latest.id, 'the canonical anchor is the last writer');
    t.deepEqual(hub.state, latest.state, 'the canonical anchor is the one that writer published');
  } else {
    t.equal(hub.commandId, '', 'no command, no writer');
  }
}

function property(t: Check, runs: number, seed: number): void {
  const exercised = { offlineCommands: 0, rebootsWithPending: 0, dropped: 0, duplicated: 0, hubDuplicates: 0 };
  fc.assert(
    fc.property(scheduleArb, (schedule) => {
      const cluster = run(schedule);
      checkConverged(t, cluster);
      exercised.offlineCommands += cluster.seen.offlineCommands;
      exercised.rebootsWithPending += cluster.seen.rebootsWithPending;
      exercised.dropped += cluster.network.dropped;
      exercised.duplicated += cluster.network.duplicated;
      exercised.hubDuplicates += cluster.hubDuplicates;
    }),
    { numRuns: runs, seed },
  );
  // The generators must reach the hard cases, or passing would prove little.
  for (const [what, count] of Object.entries(exercised)) t.ok(count > 0, `no schedule exercised ${what}`);
}

// 4 x 250 = 1,000 generated schedules per run (Node and XS alike), with fixed seeds so runs replay.
export default suite('sync convergence', {
  'schedules 1-250 converge'(t) {
    property(t, 250, 1);
  },
  'schedules 251-500 converge'(t) {
    property(t, 250, 2);
  },
  'schedules 501-750 converge'(t) {
    property(t, 250, 3);
  },
  'schedules 751-1000 converge'(t) {
    property(t, 250, 4);
  },
  'a quiet network converges without healing'(t) {
    const cluster = new SyncCluster(7, [0, 5, -5]);
    cluster.command(0, { type: 'start' });
    cluster.network.runUntilIdle();
    cluster.command(1, { type: 'pause' });
    cluster.network.runUntilIdle();
    for (const device of cluster.devices) {
      t.equal(device.current.state.status, 'paused');
      t.deepEqual(device.pending(), []);
    }
    t.equal(cluster.hubHistory.length, 2);
  },
});
