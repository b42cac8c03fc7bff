/** The pieces of lib/sync one by one: HLC, register laws, ids seen, outbox, replica roles, presence. */
import fc from 'fast-check';
import { suite } from '../harness/suite';
import { encodeUtf8 } from '../../lib/mqtt/utf8';
import { encodeMessage, type CommandMessage } from '../../lib/protocol/index';
import { compareStamps, HybridClock, merge, Outbox, Replica, SeenIds, type Register, type Stamp } from '../../lib/sync/index';
import { apply, initialState, toWire } from '../../lib/timer/index';
import type { Store } from '../../lib/host/index';
import { dyingOnWrite, MemoryStore } from '../support/memory-store';

const stampArb: fc.Arbitrary<Stamp> = fc.record({
  wall: fc.integer({ min: 0, max: 50 }),
  counter: fc.integer({ min: 0, max: 3 }),
  node: fc.constantFrom('a', 'b', 'c'),
});
/** Registers as writes make them: one anchor per command id; stamps may collide (a reused device id). */
const registerArb: fc.Arbitrary<Register> = fc.record({
  stamp: fc.record({ wall: fc.integer({ min: 0, max: 3 }), counter: fc.integer({ min: 0, max: 1 }), node: fc.constantFrom('a', 'b') }),
  version: fc.integer({ min: 0, max: 2 }),
}).map(({ stamp, version }) => ({ stamp, commandId: `x${version}`, state: { ...initialState(), version } }));

/** What the fake link saw. */
interface Sent { topic: string; text: string; retain: boolean }
function recorder(sent: Sent[], online = () => true) {
  return (topic: string, payload: Uint8Array, _qos: 0 | 1, retain: boolean) => {
    if (!online()) return Promise.reject(new Error('offline'));
    let text = '';
    for (const b of payload) text += String.fromCharCode(b);
    sent.push({ topic, text, retain });
    return Promise.resolve();
  };
}

/** `history` collects what the hub applies, or is the hub's history hook itself. */
function replica(role: 'device' | 'hub', id: string, store: Store, sent: Sent[], now: { t: number }, history?: CommandMessage[] | ((m: CommandMessage) => void)) {
  let n = 0;
  const onApplied = typeof history === 'function' ? history : history && ((m: CommandMessage) => history.push(m));
  return new Replica({
    role, location: 'home', kind: role === 'hub' ? 'hub' : 't-embed', id, group: 'focus', store,
    time: { now: () => now.t, synced: true }, publish: recorder(sent), newId: () => `${id}-c${n++}-${store.keys().length}`,
    ...(onApplied ? { onApplied } : {}),
  });
}

export default suite('sync parts', {
  'HLC stamps only go forward and follow what they receive'(t) {
    let pt = 1_000;
    const clock = new HybridClock('a', () => pt);
    const s1 = clock.send();
    const s2 = clock.send();
    t.deepEqual([s1, s2], [{ wall: 1_000, counter: 0, node: 'a' }, { wall: 1_000, counter: 1, node: 'a' }]);
    pt = 900; // the physical clock stepped back: stamps do not
    t.ok(compareStamps(clock.send(), s2) > 0);
    const received = clock.receive({ wall: 1_500, counter: 4, node: 'b' });
    t.deepEqual(received, { ok: true, value: { wall: 1_500, counter: 5, node: 'a' } });
    pt = 2_000;
    t.deepEqual(clock.send(), { wall: 2_000, counter: 0, node: 'a' });
  },
  'HLC refuses a stamp absurdly far ahead, unless the clock is not agreed yet'(t) {
    const clock = new HybridClock('a', () => 10_000, 60_000);
    const far = { wall: 10_000 + 60_001, counter: 0, node: 'b' };
    const refused = clock.receive(far);
    t.equal(refused.ok ? 'taken' : refused.reason, 'clock-drift');
    t.equal(clock.current.wall, 0, 'a refused stamp moves nothing');
    t.equal(clock.receive(far, false).ok, true);
  },
  'a received counter at the wire maximum does not make this clock issue stamps receivers refuse'(t) {
    const now = { t: 1_000_000 };
    const sent: Sent[] = [];
    const desk = replica('device', 'desk-1', new MemoryStore(), sent, now);
    const state = apply(initialState(), { type: 'start' }, now.t);
    if (!state.ok) return t.fail('start refused');
    const top = { wall: now.t, counter: 2 ** 31 - 1, node: 'x' }; // valid on the wire (docs/protocol.md 4.1)
    const bytes = encodeMessage({ channel: 'command', dev: 'x', group: 'focus', id: 'c-top', stamp: top, command: { type: 'start' }, state: state.value });
    if (!bytes.ok) return t.fail(bytes.detail);
    t.ok(desk.receive('argus/home/t-embed/x/command', bytes.value).ok);
    const paused = desk.command({ type: 'pause' });
    if (!paused.ok) return t.fail('pause refused');
    t.ok(compareStamps(paused.value.stamp, top) > 0, 'the new stamp still comes after what was received');
    const hub = replica('hub', 'hub-1', new MemoryStore(), [], now, []);
    const command = sent.find((s) => s.topic.endsWith('/command'))!;
    const received = hub.receive(command.topic, encodeUtf8(command.text));
    t.equal(received.ok ? 'applied' : received.reason, 'applied', 'the hub accepts the command');
  },
  'stamps order by wall, counter, then node id'(t) {
    fc.assert(fc.property(stampArb, stampArb, stampArb, (a, b, c) => {
      const ab = compareStamps(a, b);
      t.ok(Math.sign(ab) + Math.sign(compareStamps(b, a)) === 0, 'antisymmetric');
      t.equal(ab === 0, a.wall === b.wall && a.counter === b.counter && a.node === b.node);
      if (ab <= 0 && compareStamps(b, c) <= 0) t.ok(compareStamps(a, c) <= 0, 'transitive');
    }));
  },
  'merge is commutative, associative and idempotent'(t) {
    fc.assert(fc.property(registerArb, registerArb, registerArb, (a, b, c) => {
      t.deepEqual(merge(a, b), merge(b, a), 'commutative, equal stamps included');
      t.deepEqual(merge(merge(a, b), c), merge(a, merge(b, c)), 'associative');
      t.equal(merge(a, a), a);
      t.ok(compareStamps(merge(a, b).stamp, a.stamp) >= 0 && compareStamps(merge(a, b).stamp, b.stamp) >= 0);
    }));
  },
  'ids seen survive a reboot and the oldest bucket is forgotten'(t) {
    const store = new MemoryStore();
    const seen = new SeenIds(store, 3, 2);
    t.ok(seen.add('a'));
    t.ok(!seen.add('a'), 'a second time is not new');
    for (const id of ['b', 'c', 'd', 'e']) seen.add(id);
    const again = new SeenIds(store, 3, 2);
    for (const id of ['a', 'b', 'c', 'd', 'e']) t.ok(again.has(id), `${id} remembered after reboot`);
    again.add('f');
    again.add('g'); // a fourth bucket is needed: the one holding a, b goes
    t.ok(!again.has('a') && !again.has('b'));
    t.ok(again.has('c') && again.has('g'));
    for (const key of store.keys()) t.ok(key.length <= 15, `Preference keys are short: ${key}`);
  },
  'the outbox survives a reboot, drains in order and forgets what is acked'(t) {
    const store = new MemoryStore();
    let online = false;
    const sent: Sent[] = [];
    const box = new Outbox(store, 'argus/home/t-embed/desk-1/command', recorder(sent, () => online));
    for (const id of ['c1', 'c2', 'c3']) box.add(id, encodeUtf8(JSON.stringify({ v: 1, id })));
    t.equal(sent.length, 0, 'offline: nothing went out');
    const rebooted = new Outbox(store, 'argus/home/t-embed/desk-1/command', recorder(sent, () => online));
    t.deepEqual(rebooted.pending(), ['c1', 'c2', 'c3']);
    online = true;
    rebooted.ack('c2');
    rebooted.drain();
    t.deepEqual(sent.map((s) => JSON.parse(s.text).id), ['c1', 'c3']);
    t.equal(rebooted.ack('c2'), false, 'a second ack finds nothing');
    rebooted.add('c4', encodeUtf8(JSON.stringify({ v: 1, id: 'c4' })));
    t.deepEqual(new Outbox(store, 'x', recorder([])).pending(), ['c1', 'c3', 'c4']);
  },
  'a device applies at once, offline; a refused command changes nothing'(t) {
    const now = { t: 1_000_000 };
    const sent: Sent[] = [];
    let online = false;
    let n = 0;
    const desk = new Replica({
      role: 'device', location: 'home', kind: 't-embed', id: 'desk-1', group: 'focus', store: new MemoryStore(),
      time: { now: () => now.t, synced: true }, publish: recorder(sent, () => online), newId: () => `c${n++}`,
    });
    const refused = desk.command({ type: 'pause' });
    t.equal(refused.ok ? 'applied' : refused.reason, 'not-running');
    t.equal(desk.current.commandId, '');
    const started = desk.command({ type: 'start' });
    t.ok(started.ok);
    t.equal(desk.view().state, 'Working');
    t.equal(desk.pending().length, 1);
    t.equal(sent.length, 0, 'nothing could be sent');
    online = true;
    desk.connected();
    t.deepEqual(sent.map((s) => [s.topic, s.retain]), [['argus/home/t-embed/desk-1/command', false], ['argus/home/t-embed/desk-1/state', true]]);
    t.equal(JSON.parse(sent[0]!.text).id, started.ok ? started.value.commandId : '');
  },
  'the hub applies a command once, acks every copy, publishes retained group state'(t) {
    const now = { t: 5_000 };
    const sent: Sent[] = [];
    const history: CommandMessage[] = [];
    const hub = replica('hub', 'hub-1', new MemoryStore(), sent, now, history);
    const state = apply(initialState(), { type: 'start' }, 4_990);
    if (!state.ok) return t.fail('start refused');
    const command: CommandMessage = { channel: 'command', dev: 'desk-1', group: 'focus', id: 'c1', stamp: { wall: 4_990, counter: 0, node: 'desk-1' }, command: { type: 'start' }, state: state.value };
    const bytes = encodeMessage(command);
    if (!bytes.ok) return t.fail(bytes.detail);
    hub.receive('argus/home/t-embed/desk-1/command', bytes.value);
    hub.receive('argus/home/t-embed/desk-1/command', bytes.value);
    t.equal(history.length, 1, 'applied once');
    t.equal(hub.current.commandId, 'c1');
    const acks = sent.filter((s) => s.topic === 'argus/home/t-embed/desk-1/event');
    t.equal(acks.length, 2, 'acknowledged again');
    t.deepEqual(JSON.parse(acks[1]!.text), { v: 1, dev: 'desk-1', kind: 'ack', id: 'c1', hub: 'hub-1' });
    const group = sent.filter((s) => s.topic === 'argus/home/group/focus/state');
    t.equal(group.length, 1, 'the canonical state is published once');
    t.equal(group[0]!.retain, true);
  },
  'the hub acks a command only after its history has it, so a hub dying in between loses nothing'(t) {
    const now = { t: 5_000 };
    const store = new MemoryStore();
    const sent: Sent[] = [];
    const history: string[] = [];
    let dies = true;
    // The hub's history hook fails once, as a hub killed while writing it would.
    const hub = () => replica('hub', 'hub-1', store, sent, now, (m) => {
      if (dies) { dies = false; throw new Error('killed while writing history'); }
      history.push(m.id);
    });
    const state = apply(initialState(), { type: 'start' }, 4_990);
    if (!state.ok) return t.fail('start refused');
    const bytes = encodeMessage({ channel: 'command', dev: 'desk-1', group: 'focus', id: 'c1', stamp: { wall: 4_990, counter: 0, node: 'desk-1' }, command: { type: 'start' }, state: state.value });
    if (!bytes.ok) return t.fail(bytes.detail);
    t.throws(() => hub().receive('argus/home/t-embed/desk-1/command', bytes.value));
    t.equal(sent.filter((s) => s.topic.endsWith('/event')).length, 0, 'no ack for a command the history does not hold');
    hub().receive('argus/home/t-embed/desk-1/command', bytes.value); // the device resends it
    t.deepEqual(history, ['c1'], 'the restarted hub applies it');
    t.equal(sent.filter((s) => s.topic.endsWith('/event')).length, 1, 'and acks it');
  },
  'a command stamped far in the future is rejected, counted, and changes nothing'(t) {
    const now = { t: 5_000 };
    const sent: Sent[] = [];
    const history: CommandMessage[] = [];
    const hub = replica('hub', 'hub-1', new MemoryStore(), sent, now, history);
    const state = apply(initialState(), { type: 'start' }, 5_000 + 3_600_000);
    if (!state.ok) return t.fail('start refused');
    const bytes = encodeMessage({ channel: 'command', dev: 'desk-1', group: 'focus', id: 'c9', stamp: { wall: 5_000 + 3_600_000, counter: 0, node: 'desk-1' }, command: { type: 'start' }, state: state.value });
    if (!bytes.ok) return t.fail(bytes.detail);
    const result = hub.receive('argus/home/t-embed/desk-1/command', bytes.value);
    t.equal(result.ok ? 'taken' : result.reason, 'clock-drift');
    t.equal(hub.rejections.count('clock-drift'), 1);
    t.equal(history.length, 0);
    t.equal(hub.current.commandId, '');
    t.equal(sent.length, 0, 'no ack, no state');
  },
  'a device restarts from its Store with the same anchor and pending commands'(t) {
    const now = { t: 1_000_000 };
    const store = new MemoryStore();
    const desk = replica('device', 'desk-1', store, [], now);
    desk.command({ type: 'start' });
    now.t += 1_000;
    desk.command({ type: 'pause' });
    const rebooted = replica('device', 'desk-1', store, [], now);
    t.deepEqual(rebooted.current, desk.current);
    t.deepEqual(rebooted.pending(), desk.pending());
    now.t = 500_000; // even with the clock stepped back, new stamps come after the old ones
    const resumed = rebooted.command({ type: 'resume' });
    t.ok(resumed.ok && compareStamps(resumed.value.stamp, desk.current.stamp) > 0);
  },
  'a device that dies while storing a command shows after reboot only what it will still send'(t) {
    for (const dyingWrite of ['ob.', 'reg']) {
      const store = new MemoryStore();
      const now = { t: 1_000_000 };
      t.throws(() => replica('device', 'desk-1', dyingOnWrite(store, dyingWrite), [], now).command({ type: 'start' }));
      const rebooted = replica('device', 'desk-1', store, [], now);
      const shown = rebooted.current.commandId;
      t.ok(shown === '' || rebooted.pending().includes(shown), `killed writing ${dyingWrite}: shows ${shown || 'the initial anchor'}, pending ${rebooted.pending().join() || 'nothing'}`);
    }
  },
  'a command issued at a fractional hub time is accepted by the others'(t) {
    const now = { t: 1_000_000.625 };
    const sent: Sent[] = [];
    const desk = replica('device', 'desk-1', new MemoryStore(), sent, now);
    const started = desk.command({ type: 'start' });
    t.ok(started.ok);
    const wall = replica('device', 'wall', new MemoryStore(), [], now);
    const command = sent.find((s) => s.topic.endsWith('/command'))!;
    const received = wall.receive(command.topic, encodeUtf8(command.text));
    t.equal(received.ok ? 'merged' : received.reason, 'merged');
    t.deepEqual(wall.current, desk.current);
  },
  'a device that has not learnt hub time since boot refuses commands and changes nothing'(t) {
    const time = { now: () => 5_000, synced: false };
    const desk = new Replica({
      role: 'device', location: 'home', kind: 't-embed', id: 'desk-1', group: 'focus', store: new MemoryStore(),
      time, publish: recorder([]), newId: () => 'c1',
    });
    const refused = desk.command({ type: 'start' });
    t.equal(refused.ok ? 'applied' : refused.reason, 'not-synced');
    t.equal(desk.current.commandId, '');
    t.deepEqual(desk.pending(), []);
    time.synced = true;
    t.ok(desk.command({ type: 'start' }).ok, 'accepted once synced');
  },

  'before it knows hub time a device takes the group state from the hub but no peer command, so no peer clock can poison its own'(t) {
    const time = { now: () => 5_000, synced: false };
    const desk = new Replica({
      role: 'device', location: 'home', kind: 't-embed', id: 'desk-1', group: 'focus', store: new MemoryStore(),
      time, publish: recorder([]), newId: () => 'c1',
    });
    const farFuture = 10 ** 13;
    const state = initialState();
    const command = encodeUtf8(JSON.stringify({ v: 1, dev: 'rogue', g: 'focus', id: 'r1', hlc: [farFuture, 0, 'rogue'], cmd: { type: 'reset' }, s: toWire(state) }));
    desk.receive('argus/home/t-embed/rogue/command', command);
    t.equal(desk.current.commandId, '', 'the peer command was left to the hub');
    t.ok(!desk.hasSeen('r1'), 'and not marked seen, so a later copy still counts');
    const group = encodeUtf8(JSON.stringify({ v: 1, dev: 'hub-1', g: 'focus', cid: 'h1', hlc: [1_000_000, 0, 'wall'], s: toWire(state) }));
    desk.receive('argus/home/group/focus/state', group);
    t.equal(desk.current.commandId, 'h1', 'the group state is merged');
    time.synced = true;
    (time as { now: () => number }).now = () => 1_000_500;
    const mine = desk.command({ type: 'start' });
    if (!mine.ok) return t.fail(mine.detail);
    t.ok(mine.value.stamp.wall < farFuture, 'stamped near hub time');
    t.equal(desk.current.commandId, mine.value.commandId, 'and it wins over the group state it saw');
  },

  'the outbox is bounded: past its limit a command is refused and nothing changes until an ack frees room'(t) {
    const store = new MemoryStore();
    let n = 0;
    const desk = new Replica({
      role: 'device', location: 'home', kind: 't-embed', id: 'desk-1', group: 'focus', store,
      time: { now: () => 1_000_000, synced: true }, publish: recorder([], () => false), newId: () => `c${n++}`,
      outboxLimits: { maxCommands: 2, maxBytes: 100_000 },
    });
    const first = desk.command({ type: 'start' });
    t.ok(first.ok && desk.command({ type: 'pause' }).ok);
    const before = desk.current;
    const keys = store.keys().length;
    const refused = desk.command({ type: 'resume' });
    t.equal(refused.ok ? 'applied' : refused.reason, 'outbox-full');
    t.equal(desk.current, before);
    t.equal(store.keys().length, keys, 'nothing more was stored');
    const ack = encodeUtf8(JSON.stringify({ v: 1, dev: 'desk-1', kind: 'ack', id: first.ok ? first.value.commandId : '', hub: 'hub-1' }));
    desk.receive('argus/home/t-embed/desk-1/event', ack);
    t.ok(desk.command({ type: 'resume' }).ok, 'room again after an ack');
    const tiny = new Replica({
      role: 'device', location: 'home', kind: 't-embed', id: 'wall', group: 'focus', store: new MemoryStore(),
      time: { now: () => 1_000_000, synced: true }, publish: recorder([], () => false), newId: () => `w${n++}`,
      outboxLimits: { maxCommands: 10, maxBytes: 50 },
    });
    const big = tiny.command({ type: 'start' });
    t.equal(big.ok ? 'applied' : big.reason, 'outbox-full', 'the byte bound holds too');
  },

  'an ack for this device empties its outbox; acks for others do not'(t) {
    const now = { t: 1_000_000 };
    const desk = replica('device', 'desk-1', new MemoryStore(), [], now);
    const started = desk.command({ type: 'start' });
    if (!started.ok) return t.fail('start refused');
    const ack = (dev: string) => encodeUtf8(JSON.stringify({ v: 1, dev, kind: 'ack', id: started.value.commandId, hub: 'hub-1' }));
    desk.receive('argus/home/presto/wall/event', ack('wall'));
    t.equal(desk.pending().length, 1);
    desk.receive('argus/home/t-embed/desk-1/event', ack('desk-1'));
    t.deepEqual(desk.pending(), []);
  },
  'presence follows online messages and Last Will offline messages'(t) {
    const desk = replica('device', 'desk-1', new MemoryStore(), [], { t: 0 });
    desk.receive('argus/home/presto/wall/presence', encodeUtf8('{"v":1,"dev":"wall","status":"online"}'));
    desk.receive('argus/home/hub/hub-1/presence', encodeUtf8('{"v":1,"dev":"hub-1","status":"online"}'));
    t.deepEqual(desk.presence.online(), ['hub-1', 'wall']);
    desk.receive('argus/home/presto/wall/presence', encodeUtf8('{"v":1,"dev":"wall","status":"offline"}'));
    t.deepEqual(desk.presence.online(), ['hub-1']);
    t.ok(!desk.presence.isOnline('wall'));
    t.deepEqual(desk.presence.known(), ['hub-1', 'wall']);
  },
  'the hub answers time requests on the device topic and the device takes the sample'(t) {
    const hubNow = { t: 1_700_000_000_000 };
    const hubSent: Sent[] = [];
    const hub = replica('hub', 'hub-1', new MemoryStore(), hubSent, hubNow);
    hub.receive('argus/home/t-embed/desk-1/time', encodeUtf8('{"v":1,"dev":"desk-1","op":"req","t0":250}'));
    t.equal(hubSent.length, 1);
    t.equal(hubSent[0]!.topic, 'argus/home/t-embed/desk-1/time');
    t.deepEqual(JSON.parse(hubSent[0]!.text), { v: 1, dev: 'desk-1', op: 'res', t0: 250, t1: 1_700_000_000_000, t2: 1_700_000_000_000 });
  },
});
