/**
 * The MQTT client session against a scripted broker: an in-memory socket whose far end the test
 * drives with our codec, and a virtual clock. Runs under Node and XS.
 */
import fc from 'fast-check';
import { suite } from '../harness/suite';
import { check, type Check } from '../harness/check';
import { Backoff } from '../../lib/mqtt/backoff';
import {
  MqttClient,
  type DisconnectCause,
  type InboundMessage,
  type MqttClientOptions,
  type ClientProblem,
} from '../../lib/mqtt/client';
import { OfflineQueue } from '../../lib/mqtt/offline-queue';
import { PacketIds } from '../../lib/mqtt/packet-ids';
import type { Packet, PublishPacket, QoS } from '../../lib/mqtt/packets';
import { encodeUtf8 } from '../../lib/mqtt/utf8';
import { MemoryNetwork, type MemoryPeer } from '../support/memory-socket';
import { VirtualTime, cycleRandom } from '../support/virtual-time';

interface Rig {
  readonly client: MqttClient;
  readonly net: MemoryNetwork;
  readonly time: VirtualTime;
  readonly messages: InboundMessage[];
  readonly disconnects: DisconnectCause[];
  readonly connects: boolean[];
  readonly problems: ClientProblem[];
}

function rig(options: Partial<MqttClientOptions> = {}): Rig {
  const net = new MemoryNetwork();
  const time = new VirtualTime();
  const client = new MqttClient({
    socket: net.connect,
    host: 'broker.test',
    port: 1883,
    clientId: 'desk-1',
    clock: time,
    scheduler: time,
    random: cycleRandom([0]),
    backoff: { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0.5 },
    keepaliveSeconds: 0,
    ...options,
  });
  const r: Rig = { client, net, time, messages: [], disconnects: [], connects: [], problems: [] };
  client.on('message', (m) => r.messages.push({ ...m, payload: m.payload.slice() }));
  client.on('disconnect', (cause) => r.disconnects.push(cause));
  client.on('connect', ({ sessionPresent }) => r.connects.push(sessionPresent));
  client.on('error', (problem) => r.problems.push(problem));
  return r;
}

/** Starts the client and completes CONNECT/CONNACK on a fresh connection; returns the broker end. */
function online(t: Check, r: Rig, sessionPresent = false): MemoryPeer {
  if (r.client.state === 'idle') t.ok(r.client.start().ok, 'start');
  const peer = r.net.last;
  peer.accept();
  const [connect] = peer.take();
  t.equal(connect?.type, 'connect');
  peer.send({ type: 'connack', sessionPresent, returnCode: 0 });
  t.equal(r.client.state, 'connected');
  return peer;
}

/** Waits out the reconnect delay and brings the client back online. */
function reconnect(t: Check, r: Rig, sessionPresent: boolean): MemoryPeer {
  const before = r.net.peers.length;
  const due = r.time.pendingAt()[0];
  if (due === undefined) return t.fail('no reconnection is scheduled');
  r.time.advance(due - r.time.now());
  t.equal(r.net.peers.length, before + 1, 'one new connection attempt');
  return online(t, r, sessionPresent);
}

function publishes(packets: Packet[]): PublishPacket[] {
  return packets.filter((p): p is PublishPacket => p.type === 'publish');
}

/**
 * Completes CONNECT/CONNACK on the newest connection over a socket that grants 5,744 bytes at a
 * time (lwIP's default TCP send buffer), with the client's default limits (8 KiB packets, 16 KiB output).
 */
function acceptWithLwipCredit(r: Rig, sessionPresent: boolean): MemoryPeer {
  const peer = r.net.last;
  peer.accept(5_744);
  peer.take();
  peer.send({ type: 'connack', sessionPresent, returnCode: 0 });
  return peer;
}

/** Grants the client write credit until `count` PUBLISHes have arrived; returns them. */
function receiveWithCredit(peer: MemoryPeer, count: number): PublishPacket[] {
  const got: PublishPacket[] = [];
  for (let i = 0; i < 20 && got.length < count; i++) {
    got.push(...publishes(peer.take()));
    if (got.length < count) peer.grant(5_744);
  }
  return got;
}

/** Lets settled promises run their callbacks. */
function settle(): Promise<void> {
  return new Promise((resolve) => resolve());
}

function tracked<T>(promise: Promise<T>): { value: T | undefined } {
  const box: { value: T | undefined } = { value: undefined };
  void promise.then((v) => (box.value = v));
  return box;
}

const text = (s: string) => encodeUtf8(s);

export default suite('mqtt client', {
  'CONNECT carries the session options and CONNACK 0 reports connect with session present'(t) {
    const will = { topic: 'argus/desk/t-embed/1/presence', payload: text('offline'), qos: 1 as QoS, retain: true };
    const r = rig({ clean: false, keepaliveSeconds: 30, username: 'dev', password: 'secret', will });
    t.ok(r.client.start().ok);
    t.equal(r.client.state, 'connecting');
    const peer = r.net.last;
    t.deepEqual(peer.take(), [], 'nothing is written before the socket connects');
    peer.accept();
    t.deepEqual(peer.take(), [
      {
        type: 'connect',
        protocolName: 'MQTT',
        protocolVersion: 4,
        clientId: 'desk-1',
        clean: false,
        keepalive: 30,
        username: 'dev',
        password: text('secret'),
        will,
      },
    ]);
    peer.send({ type: 'connack', sessionPresent: true, returnCode: 0 });
    t.equal(r.client.state, 'connected');
    t.deepEqual(r.connects, [true]);
  },

  'a refused CONNACK closes with a typed reason and retries after the backoff'(t) {
    const r = rig();
    r.client.start();
    const peer = r.net.last;
    peer.accept();
    peer.send({ type: 'connack', sessionPresent: false, returnCode: 5 });
    t.equal(r.disconnects[0]?.reason, 'refused');
    t.equal(r.disconnects[0]?.reason === 'refused' ? r.disconnects[0].refusal : undefined, 'not-authorized');
    t.ok(peer.closedByClient, 'the socket is closed');
    t.equal(r.client.state, 'reconnecting');
    r.time.advance(999);
    t.equal(r.net.peers.length, 1, 'no retry before the first delay');
    r.time.advance(1);
    t.equal(r.net.peers.length, 2, 'a retry once the delay is over');
  },

  'start refuses options that make an invalid CONNECT'(t) {
    const r = rig({ will: { topic: 'argus/+/presence', payload: text('x'), qos: 0, retain: false } });
    const started = r.client.start();
    t.equal(started.ok ? 'ok' : started.reason, 'wildcard-in-topic');
    t.equal(r.net.peers.length, 0);
  },

  async 'SUBSCRIBE settles with the granted QoS or failure of each filter'(t) {
    const r = rig();
    const offline = await r.client.subscribe([{ topic: 'a', qos: 1 }]);
    t.equal(offline.ok ? 'ok' : offline.reason, 'offline');
    const peer = online(t, r);
    const bad = await r.client.subscribe([{ topic: 'a/#/b', qos: 1 }]);
    t.equal(bad.ok ? 'ok' : bad.reason, 'invalid-filter');
    const result = tracked(r.client.subscribe([{ topic: 'argus/#', qos: 2 }, { topic: '$SYS/x', qos: 1 }]));
    const [subscribe] = peer.take();
    if (subscribe?.type !== 'subscribe') return t.fail('expected SUBSCRIBE');
    t.deepEqual(subscribe.subscriptions, [{ topic: 'argus/#', qos: 2 }, { topic: '$SYS/x', qos: 1 }]);
    peer.send({ type: 'suback', packetId: subscribe.packetId, granted: [1, 0x80] });
    await settle();
    t.deepEqual(result.value, { ok: true, value: [{ topic: 'argus/#', granted: 1 }, { topic: '$SYS/x', granted: 'failure' }] });
    const unsub = tracked(r.client.unsubscribe(['argus/#']));
    const [unsubscribe] = peer.take();
    if (unsubscribe?.type !== 'unsubscribe') return t.fail('expected UNSUBSCRIBE');
    peer.send({ type: 'unsuback', packetId: unsubscribe.packetId });
    await settle();
    t.equal(unsub.value?.ok, true);
  },

  async 'QoS 0 is sent without a packet id and settles once handed to the socket'(t) {
    const r = rig();
    const peer = online(t, r);
    const sent = await r.client.publish('argus/t', 'hi', { qos: 0, retain: true });
    t.equal(sent.ok, true);
    t.deepEqual(peer.take(), [{ type: 'publish', topic: 'argus/t', payload: text('hi'), qos: 0, retain: true, dup: false }]);
  },

  async 'QoS 1 settles only on PUBACK'(t) {
    const r = rig();
    const peer = online(t, r);
    const done = tracked(r.client.publish('argus/t', 'one', { qos: 1 }));
    const [publish] = publishes(peer.take());
    t.equal(publish?.qos, 1);
    t.equal(publish?.dup, false);
    await settle();
    t.equal(done.value, undefined, 'not settled before PUBACK');
    peer.send({ type: 'puback', packetId: publish!.packetId! });
    await settle();
    t.deepEqual(done.value, { ok: true, value: undefined });
    t.equal(r.client.stats().inflight, 0);
  },

  async 'QoS 2 answers PUBREC with PUBREL and settles only on PUBCOMP'(t) {
    const r = rig();
    const peer = online(t, r);
    const done = tracked(r.client.publish('argus/t', 'two', { qos: 2 }));
    const [publish] = publishes(peer.take());
    const packetId = publish!.packetId!;
    peer.send({ type: 'pubrec', packetId });
    t.deepEqual(peer.take(), [{ type: 'pubrel', packetId }]);
    await settle();
    t.equal(done.value, undefined, 'not settled at PUBREC');
    peer.send({ type: 'pubcomp', packetId });
    await settle();
    t.deepEqual(done.value, { ok: true, value: undefined });
  },

  'inbound QoS 0, 1 and 2 are delivered and acknowledged as the protocol requires'(t) {
    const r = rig();
    const peer = online(t, r);
    peer.send({ type: 'publish', topic: 'a', payload: text('0'), qos: 0, retain: false, dup: false });
    peer.send({ type: 'publish', topic: 'b', payload: text('1'), qos: 1, retain: true, dup: false, packetId: 7 });
    peer.send({ type: 'publish', topic: 'c', payload: text('2'), qos: 2, retain: false, dup: false, packetId: 8 });
    t.deepEqual(
      r.messages.map((m) => [m.topic, m.qos, m.retain]),
      [['a', 0, false], ['b', 1, true], ['c', 2, false]],
    );
    t.deepEqual(peer.take(), [
      { type: 'puback', packetId: 7 },
      { type: 'pubrec', packetId: 8 },
    ]);
    peer.send({ type: 'pubrel', packetId: 8 });
    t.deepEqual(peer.take(), [{ type: 'pubcomp', packetId: 8 }]);
  },

  'inbound QoS 2 reaches the application once even when the PUBLISH is repeated before PUBREL'(t) {
    const r = rig({ clean: false });
    const peer = online(t, r);
    const message = { type: 'publish', topic: 'cmd', payload: text('start'), qos: 2, retain: false, packetId: 42 } as const;
    peer.send({ ...message, dup: false });
    peer.send({ ...message, dup: true });
    t.equal(r.messages.length, 1, 'delivered once');
    t.deepEqual(peer.take(), [{ type: 'pubrec', packetId: 42 }, { type: 'pubrec', packetId: 42 }]);
    // The link drops before PUBREL; the broker resends the PUBLISH on the resumed session.
    peer.fail();
    const again = reconnect(t, r, true);
    again.send({ ...message, dup: true });
    t.equal(r.messages.length, 1, 'still once after a reconnect');
    t.equal(r.client.stats().awaitingPubrel, 1);
    again.send({ type: 'pubrel', packetId: 42 });
    t.equal(r.client.stats().awaitingPubrel, 0);
    t.deepEqual(again.take(), [{ type: 'pubrec', packetId: 42 }, { type: 'pubcomp', packetId: 42 }]);
    t.equal(r.client.stats().duplicatesSuppressed, 2);
    // Released: the same id now carries a new message.
    again.send({ ...message, dup: false });
    t.equal(r.messages.length, 2);
  },

  async 'after a reconnect unacknowledged PUBLISHes are resent with DUP and PUBRELs resent'(t) {
    const r = rig({ clean: false });
    const peer = online(t, r);
    const q1 = tracked(r.client.publish('a', 'q1', { qos: 1 }));
    const q2 = tracked(r.client.publish('b', 'q2', { qos: 2 }));
    const q2b = tracked(r.client.publish('c', 'q2b', { qos: 2 }));
    const [p1, p2, p3] = publishes(peer.take());
    peer.send({ type: 'pubrec', packetId: p2!.packetId! });
    peer.take();
    peer.fail();
    t.equal(r.disconnects[0]?.reason, 'socket-closed');
    const again = reconnect(t, r, true);
    t.deepEqual(again.take(), [
      { ...p1!, dup: true },
      { type: 'pubrel', packetId: p2!.packetId! },
      { ...p3!, dup: true },
    ]);
    t.equal(r.client.stats().retransmitted, 3);
    again.send({ type: 'puback', packetId: p1!.packetId! });
    again.send({ type: 'pubcomp', packetId: p2!.packetId! });
    await settle();
    t.equal(q1.value?.ok, true);
    t.equal(q2.value?.ok, true);
    t.equal(q2b.value, undefined, 'the third still awaits its PUBREC');
  },

  async 'a session the broker did not keep: every unfinished message is published again'(t) {
    const r = rig({ clean: true });
    const peer = online(t, r);
    const atPubrec = tracked(r.client.publish('a', 'x', { qos: 2 }));
    void r.client.publish('b', 'y', { qos: 1 });
    const [p1, p2] = publishes(peer.take());
    peer.send({ type: 'pubrec', packetId: p1!.packetId! });
    peer.send({ type: 'publish', topic: 'in', payload: text('z'), qos: 2, retain: false, dup: false, packetId: 5 });
    peer.fail();
    const again = reconnect(t, r, false);
    t.deepEqual(again.take(), [{ ...p1!, dup: true }, { ...p2!, dup: true }]);
    again.send({ type: 'pubrec', packetId: p1!.packetId! });
    again.send({ type: 'pubcomp', packetId: p1!.packetId! });
    await settle();
    t.equal(atPubrec.value?.ok, true, 'settles once the new session completes it');
    // The new session forgot inbound id 5: a PUBLISH with it is a new message.
    again.send({ type: 'publish', topic: 'in', payload: text('w'), qos: 2, retain: false, dup: false, packetId: 5 });
    t.equal(r.messages.length, 2);
  },

  async 'the in-flight window holds further QoS 1/2 messages back until an acknowledgement frees a slot'(t) {
    const r = rig({ limits: { maxInflight: 2 } });
    const peer = online(t, r);
    void r.client.publish('t', '1', { qos: 1 });
    void r.client.publish('t', '2', { qos: 1 });
    void r.client.publish('t', '3', { qos: 1 });
    const first = publishes(peer.take());
    t.deepEqual(first.map((p) => p.packetId), [1, 2]);
    t.equal(r.client.stats().queued, 1);
    peer.send({ type: 'puback', packetId: 1 });
    t.deepEqual(publishes(peer.take()).map((p) => [p.packetId, p.payload[0]]), [[3, '3'.charCodeAt(0)]]);
  },

  async 'a burst of large publishes waits for write credit instead of overflowing the output'(t) {
    const r = rig();
    r.client.start();
    const peer = acceptWithLwipCredit(r, false);
    const results = [1, 2, 3, 4].map((n) => tracked(r.client.publish('t', new Uint8Array(7_000).fill(n), { qos: 1 })));
    t.deepEqual(r.disconnects, [], 'publishes within the limits do not end the link');
    const sent = receiveWithCredit(peer, 4);
    t.deepEqual(sent.map((p) => p.payload[0]), [1, 2, 3], 'what waits for credit goes out in order');
    for (const p of sent) peer.send({ type: 'puback', packetId: p.packetId! });
    await settle();
    // The waiting ones were held in the offline queue (16 KiB): the fourth did not fit there.
    t.deepEqual(results.map((result) => (result.value?.ok === false ? result.value.reason : result.value?.ok)), [true, true, true, 'queue-full']);
    t.deepEqual(r.disconnects, []);
  },

  async 'after a reconnect large unacknowledged publishes are resent as write credit allows'(t) {
    const r = rig({ clean: false });
    r.client.start();
    const peer = acceptWithLwipCredit(r, false);
    const results: { value: { ok: boolean } | undefined }[] = [];
    for (const batch of [[1, 2], [3, 4]]) {
      for (const n of batch) results.push(tracked(r.client.publish('t', new Uint8Array(7_000).fill(n), { qos: 1 })));
      receiveWithCredit(peer, 2);
    }
    peer.fail(); // no PUBACK came back
    r.time.advance(1_000);
    const again = acceptWithLwipCredit(r, true);
    t.deepEqual(r.disconnects.map((d) => d.reason), ['socket-closed'], 'the retransmission does not end the new link');
    const resent = receiveWithCredit(again, 4);
    t.deepEqual(resent.map((p) => [p.payload[0], p.dup]), [[1, true], [2, true], [3, true], [4, true]]);
    for (const p of resent) again.send({ type: 'puback', packetId: p.packetId! });
    await settle();
    t.deepEqual(results.map((result) => result.value?.ok), [true, true, true, true]);
  },

  'packet ids run 1..65535, wrap, and skip ids still in use'(t) {
    const ids = new PacketIds();
    t.equal(ids.take(), 1);
    t.equal(ids.take(), 2);
    ids.release(1);
    for (let i = 3; i <= 65535; i++) ids.take();
    t.equal(ids.take(), 1, 'wraps to the released id');
    t.equal(ids.take(), undefined, 'all in use');
    ids.release(40_000);
    t.equal(ids.take(), 40_000);
  },

  'keepalive sends PINGREQ each period and a missing PINGRESP closes and reconnects'(t) {
    const r = rig({ keepaliveSeconds: 10, pingTimeoutMs: 3_000 });
    const peer = online(t, r);
    r.time.advance(10_000);
    t.deepEqual(peer.take(), [{ type: 'pingreq' }]);
    peer.send({ type: 'pingresp' });
    r.time.advance(10_000);
    t.deepEqual(peer.take(), [{ type: 'pingreq' }]);
    r.time.advance(2_999);
    t.equal(r.client.state, 'connected', 'still within the bound');
    r.time.advance(1);
    t.equal(r.disconnects[0]?.reason, 'ping-timeout');
    t.ok(peer.closedByClient);
    r.time.advance(1_000);
    t.equal(r.net.peers.length, 2, 'reconnecting after the backoff');
  },

  'a PINGREQ that finds the link stalled ends it without leaving keepalive timers behind'(t) {
    const r = rig({ keepaliveSeconds: 10, pingTimeoutMs: 3_000, limits: { maxOutputBytes: 64 } });
    const peer = online(t, r);
    peer.grant(0); // the socket stops taking bytes
    void r.client.publish('t', new Uint8Array(58)); // 63 bytes wait for write credit
    r.time.advance(10_000); // the PINGREQ does not fit: the link counts as stalled
    t.deepEqual(r.disconnects.map((d) => d.reason), ['output-overflow']);
    t.deepEqual(r.time.pendingAt(), [r.time.now() + 1_000], 'only the reconnection is scheduled');
    reconnect(t, r, false);
    r.time.advance(5_000);
    t.equal(r.client.state, 'connected', 'the new link is not timed out by the old ping deadline');
    t.equal(r.disconnects.length, 1);
  },

  'backoff delays double up to the maximum and jitter stays within its bound'(t) {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1, maxLength: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (draws, jitter) => {
          const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, factor: 2, jitter }, cycleRandom(draws));
          for (let n = 0; n < draws.length; n++) {
            const base = Math.min(30_000, 500 * 2 ** n);
            const delay = backoff.next();
            if (!(delay <= base && delay >= base * (1 - jitter))) return false;
          }
          return true;
        },
      ),
      { numRuns: 200 },
    );
    const backoff = new Backoff({ initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 }, cycleRandom([0]));
    t.deepEqual([1, 2, 3, 4, 5, 6, 7, 8].map(() => backoff.next()), [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
    backoff.reset();
    t.equal(backoff.next(), 500);
  },

  'failed connection attempts are spaced by growing, jittered delays, reset by a success'(t) {
    const r = rig({ random: cycleRandom([0.5]) }); // jitter 0.5 * 0.5: each delay is 3/4 of its base
    r.client.start();
    const opened: number[] = [];
    for (let i = 0; i < 5; i++) {
      opened.push(r.time.now());
      r.net.last.fail();
      const before = r.net.peers.length;
      while (r.net.peers.length === before) r.time.advance(1);
    }
    const gaps = opened.slice(1).map((at, i) => at - opened[i]!);
    t.deepEqual(gaps, [750, 1_500, 3_000, 6_000]);
    online(t, r);
    r.net.last.fail();
    t.deepEqual(r.time.pendingAt(), [r.time.now() + 750], 'back to the first delay');
  },

  async 'the offline queue is bounded: oldest QoS 0 evicted first, then new messages refused'(t) {
    const r = rig({ limits: { offlineQueue: 3 } });
    const a0 = tracked(r.client.publish('t', 'a0', { qos: 0 }));
    const b1 = tracked(r.client.publish('t', 'b1', { qos: 1 }));
    const c0 = tracked(r.client.publish('t', 'c0', { qos: 0 }));
    const d1 = tracked(r.client.publish('t', 'd1', { qos: 1 }));
    const e2 = tracked(r.client.publish('t', 'e2', { qos: 2 }));
    const f0 = tracked(r.client.publish('t', 'f0', { qos: 0 }));
    await settle();
    t.equal(a0.value?.ok === false ? a0.value.reason : 'ok', 'dropped');
    t.equal(c0.value?.ok === false ? c0.value.reason : 'ok', 'dropped');
    t.equal(f0.value?.ok === false ? f0.value.reason : 'ok', 'queue-full');
    const stats = r.client.stats();
    t.deepEqual([stats.queued, stats.offlineDropped, stats.offlineRefused], [3, 2, 1]);
    const peer = online(t, r);
    const sent = publishes(peer.take()).map((p) => String.fromCharCode(...p.payload));
    t.deepEqual(sent, ['b1', 'd1', 'e2'], 'queued messages go out in order on connect');
    t.equal(b1.value, undefined);
    t.equal(d1.value, undefined);
    t.equal(e2.value, undefined);
  },

  'the offline queue is bounded in bytes too, evicting QoS 0 messages only when that makes room'(t) {
    const q = new OfflineQueue<{ qos: QoS; size: number; name: string }>(10, 100);
    t.ok(q.push({ qos: 0, size: 40, name: 'a0' }).accepted);
    t.ok(q.push({ qos: 1, size: 40, name: 'b1' }).accepted);
    const c = q.push({ qos: 1, size: 50, name: 'c1' });
    t.deepEqual(c.accepted ? c.evicted.map((m) => m.name) : 'refused', ['a0']);
    t.equal(q.push({ qos: 0, size: 20, name: 'd0' }).accepted, false, 'no QoS 0 left to evict');
    t.equal(q.push({ qos: 0, size: 10, name: 'e0' }).accepted, true, 'fits as it is');
    t.deepEqual([q.length, q.bytes, q.dropped, q.refused], [3, 100, 1, 1]);
    t.equal(new OfflineQueue<{ qos: QoS; size: number }>(0, 100).push({ qos: 0, size: 1 }).accepted, false);
  },

  'an inbound packet above maxPacketSize closes the connection with the reason'(t) {
    const r = rig({ limits: { maxPacketSize: 64 } });
    const peer = online(t, r);
    peer.send({ type: 'publish', topic: 't', payload: new Uint8Array(100), qos: 0, retain: false, dup: false });
    const cause = r.disconnects[0];
    t.equal(cause?.reason, 'protocol-error');
    t.equal(cause?.reason === 'protocol-error' ? cause.error.reason : undefined, 'packet-too-large');
    t.ok(peer.closedByClient);
    t.equal(r.messages.length, 0);
  },

  'a packet no broker may send is a protocol violation that closes the connection'(t) {
    const r = rig();
    const peer = online(t, r);
    peer.send({ type: 'pingreq' });
    t.equal(r.disconnects[0]?.reason, 'protocol-error');
    t.ok(peer.closedByClient);
    const again = reconnect(t, r, false);
    again.sendBytes(new Uint8Array([0xf0, 0x00])); // packet type 15 is reserved
    t.equal(r.disconnects[1]?.reason, 'protocol-error');
  },

  async 'a SUBACK with the wrong number of codes settles the request and closes the connection'(t) {
    const r = rig();
    const peer = online(t, r);
    const result = tracked(r.client.subscribe([{ topic: 'a', qos: 1 }, { topic: 'b', qos: 1 }]));
    const [subscribe] = peer.take();
    peer.send({ type: 'suback', packetId: (subscribe as { packetId: number }).packetId, granted: [1] });
    await settle();
    t.equal(result.value?.ok, false);
    t.equal(r.disconnects[0]?.reason, 'protocol-error');
  },

  async 'an outbound PUBLISH above maxPacketSize or with a wildcard topic is refused, not sent'(t) {
    const r = rig({ limits: { maxPacketSize: 64 } });
    const peer = online(t, r);
    const big = await r.client.publish('t', new Uint8Array(100), { qos: 1 });
    t.equal(big.ok ? 'ok' : big.reason, 'too-large');
    const wild = await r.client.publish('a/+', 'x');
    t.equal(wild.ok ? 'ok' : wild.reason, 'invalid-topic');
    t.deepEqual(peer.take(), []);
  },

  async 'a PUBLISH larger than maxOutputBytes is refused, not sent to overflow every link'(t) {
    const r = rig({ limits: { maxPacketSize: 4_096, maxOutputBytes: 1_024 } });
    const peer = online(t, r);
    const big = tracked(r.client.publish('t', new Uint8Array(2_000), { qos: 1 }));
    await settle();
    t.equal(big.value?.ok === false ? big.value.reason : big.value?.ok, 'too-large');
    t.deepEqual(r.disconnects, []);
    t.deepEqual(peer.take(), []);
    const fits = await r.client.publish('t', new Uint8Array(1_000));
    t.equal(fits.ok, true, 'a PUBLISH within both limits goes out');
  },

  'too many inbound QoS 2 messages awaiting PUBREL close the connection'(t) {
    const r = rig({ limits: { maxInboundQos2: 2 } });
    const peer = online(t, r);
    for (const packetId of [1, 2, 3])
      peer.send({ type: 'publish', topic: 't', payload: text('x'), qos: 2, retain: false, dup: false, packetId });
    t.equal(r.messages.length, 2);
    t.equal(r.disconnects[0]?.reason, 'too-many-inbound-qos2');
  },

  'writes stay within the socket write credit'(t) {
    const r = rig();
    r.client.start();
    const peer = r.net.last;
    peer.accept(5);
    t.deepEqual(peer.take(), [], 'the CONNECT waits for more credit');
    while (peer.take().length === 0) peer.grant(5);
    t.ok(peer.writes.every((n) => n <= 5), `write sizes ${peer.writes.join(',')}`);
    t.ok(peer.writes.length > 2);
  },

  'no CONNACK within the connect timeout closes the attempt and retries'(t) {
    const r = rig({ connectTimeoutMs: 5_000 });
    r.client.start();
    r.net.last.accept();
    r.time.advance(4_999);
    t.equal(r.client.state, 'connecting');
    r.time.advance(1);
    t.equal(r.disconnects[0]?.reason, 'connect-timeout');
    t.ok(r.net.peers[0]!.closedByClient);
    r.time.advance(1_000);
    t.equal(r.net.peers.length, 2);
  },

  async 'property: across lost packets and dropped links every QoS 1/2 message settles; the broker gets QoS 2 once, QoS 1 at least once'() {
    type Step =
      | { readonly kind: 'publish'; readonly qos: 1 | 2 }
      | { readonly kind: 'toBroker' | 'toClient'; readonly n: number }
      | { readonly kind: 'drop' };
    const step: fc.Arbitrary<Step> = fc.oneof(
      fc.record({ kind: fc.constant('publish' as const), qos: fc.constantFrom(1 as const, 2 as const) }),
      fc.record({ kind: fc.constantFrom('toBroker' as const, 'toClient' as const), n: fc.integer({ min: 1, max: 4 }) }),
      fc.record({ kind: fc.constant('drop' as const) }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        const r = rig({ clean: false, limits: { maxInflight: 3, offlineQueue: 64 } });
        let peer = online(check, r);
        // Packets in the network, not yet processed by the other end; a dropped link loses them.
        let toBroker: Packet[] = [];
        let toClient: Packet[] = [];
        const awaitingPubrel = new Set<number>(); // the broker's QoS 2 session state, kept across links
        const received = new Map<string, number>();
        const results: Promise<{ ok: boolean }>[] = [];
        const qosOf: QoS[] = [];
        const brokerStep = (n: number) => {
          toBroker.push(...peer.take());
          for (const packet of toBroker.splice(0, n)) {
            if (packet.type === 'publish') {
              const id = packet.packetId!;
              const key = String.fromCharCode(...packet.payload);
              if (packet.qos === 1 || !awaitingPubrel.has(id)) received.set(key, (received.get(key) ?? 0) + 1);
              if (packet.qos === 2) awaitingPubrel.add(id);
              toClient.push({ type: packet.qos === 1 ? 'puback' : 'pubrec', packetId: id });
            } else if (packet.type === 'pubrel') {
              awaitingPubrel.delete(packet.packetId);
              toClient.push({ type: 'pubcomp', packetId: packet.packetId });
            }
          }
        };
        const clientStep = (n: number) => {
          for (const packet of toClient.splice(0, n)) if (r.client.state === 'connected') peer.send(packet);
        };
        for (const s of steps) {
          if (s.kind === 'publish') {
            qosOf.push(s.qos);
            results.push(r.client.publish('t', String(qosOf.length - 1), { qos: s.qos }));
          } else if (s.kind === 'toBroker') brokerStep(s.n);
          else if (s.kind === 'toClient') clientStep(s.n);
          else {
            toBroker = [];
            toClient = [];
            peer.take();
            peer.fail();
            peer = reconnect(check, r, true);
          }
        }
        for (let quiet = 0; quiet < 100 && (r.client.stats().inflight > 0 || toClient.length > 0); quiet++) {
          brokerStep(1_000);
          clientStep(1_000);
        }
        check.deepEqual([r.client.stats().inflight, r.client.stats().queued], [0, 0], 'nothing left unacknowledged');
        const settled = await Promise.all(results);
        check.ok(settled.every((result) => result.ok), 'every publish settled ok');
        qosOf.forEach((qos, i) => {
          const count = received.get(String(i)) ?? 0;
          if (qos === 2) check.equal(count, 1, `QoS 2 message ${i}`);
          else check.ok(count >= 1, `QoS 1 message ${i} arrived`);
        });
      }),
      { numRuns: 150 },
    );
  },

  async 'property: inbound QoS 2 reaches the application exactly once whatever is repeated or lost'() {
    type Step = { readonly kind: 'new' | 'repeat' | 'release' | 'drop'; readonly pick: number };
    const step = fc.record({ kind: fc.constantFrom('new' as const, 'repeat' as const, 'release' as const, 'drop' as const), pick: fc.nat(7) });
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps: Step[]) => {
        const r = rig({ clean: false });
        let peer = online(check, r);
        // The broker's outbound QoS 2 state: packet id -> [message number, stage]; ids 1..3 are reused.
        const pending = new Map<number, { n: number; stage: 'published' | 'released' }>();
        let sent = 0;
        const publish = (packetId: number, n: number, dup: boolean) =>
          peer.send({ type: 'publish', topic: 't', payload: text(String(n)), qos: 2, retain: false, dup, packetId });
        const readAcks = () => {
          for (const packet of peer.take()) {
            const entry = pending.get((packet as { packetId: number }).packetId);
            if (packet.type === 'pubrec' && entry) {
              entry.stage = 'released';
              peer.send({ type: 'pubrel', packetId: packet.packetId });
            } else if (packet.type === 'pubcomp' && entry?.stage === 'released') pending.delete(packet.packetId);
          }
        };
        for (const s of steps) {
          const ids = [...pending.keys()];
          if (s.kind === 'new') {
            const free = [1, 2, 3].find((id) => !pending.has(id));
            if (free === undefined) continue;
            pending.set(free, { n: sent, stage: 'published' });
            publish(free, sent++, false);
          } else if (s.kind === 'repeat' && ids.length > 0) {
            const id = ids[s.pick % ids.length]!;
            const entry = pending.get(id)!;
            if (entry.stage === 'published') publish(id, entry.n, true);
          } else if (s.kind === 'release') readAcks();
          else if (s.kind === 'drop') {
            peer.take(); // acknowledgements lost with the link
            peer.fail();
            peer = reconnect(check, r, true);
            for (const [id, entry] of pending)
              if (entry.stage === 'published') publish(id, entry.n, true);
              else peer.send({ type: 'pubrel', packetId: id });
          }
        }
        for (let i = 0; i < 10 && pending.size > 0; i++) readAcks();
        check.equal(pending.size, 0, 'every exchange completed');
        check.deepEqual(
          r.messages.map((m) => Number(String.fromCharCode(...m.payload))),
          Array.from({ length: sent }, (_, n) => n),
          'each message once, in order',
        );
      }),
      { numRuns: 150 },
    );
  },

  'a throwing listener is reported as an error event and the exchange still completes'(t) {
    const r = rig();
    r.client.on('message', () => {
      throw new Error('app bug');
    });
    const peer = online(t, r);
    peer.send({ type: 'publish', topic: 't', payload: text('x'), qos: 1, retain: false, dup: false, packetId: 9 });
    t.equal(r.problems[0]?.reason, 'listener-failed');
    t.deepEqual(peer.take(), [{ type: 'puback', packetId: 9 }]);
  },

  async 'close sends DISCONNECT, settles what is pending and stops reconnecting'(t) {
    const r = rig();
    const peer = online(t, r);
    const pending = tracked(r.client.publish('t', 'x', { qos: 1 }));
    peer.take();
    r.client.close();
    t.deepEqual(peer.take(), [{ type: 'disconnect' }]);
    t.ok(peer.closedByClient);
    await settle();
    t.equal(pending.value?.ok === false ? pending.value.reason : 'ok', 'closed');
    t.equal(r.disconnects[0]?.reason, 'client-closed');
    r.time.advance(120_000);
    t.equal(r.net.peers.length, 1, 'no reconnection');
    const after = await r.client.publish('t', 'y');
    t.equal(after.ok ? 'ok' : after.reason, 'closed');
  },

  async 'close on a stalled link reports one client-closed disconnect and settles requests with closed'(t) {
    const r = rig({ limits: { maxOutputBytes: 64 } });
    const peer = online(t, r);
    const request = tracked(r.client.subscribe([{ topic: 'a', qos: 1 }]));
    peer.grant(0); // the socket stops taking bytes
    void r.client.publish('t', new Uint8Array(58)); // 63 bytes wait: no room for the DISCONNECT
    r.client.close();
    await settle();
    t.deepEqual(r.disconnects.map((d) => d.reason), ['client-closed']);
    t.equal(request.value?.ok === false ? request.value.reason : 'unsettled', 'closed');
    t.equal(r.client.state, 'closed');
    t.deepEqual(r.time.pendingAt(), [], 'no timer left behind');
  },
});
