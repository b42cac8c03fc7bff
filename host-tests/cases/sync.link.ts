/** MqttLink wiring a replica to an MQTT client (a fake one here), and the hub's completion reports. */
import { suite } from '../harness/suite';
import type { InboundMessage, MqttClientEvents } from '../../lib/mqtt/index';
import { ok } from '../../lib/result/index';
import { ClockSync, MqttLink, presenceWill, Replica, type SyncClient } from '../../lib/sync/index';
import { custom } from '../../lib/timer/index';
import { MemoryStore } from '../support/memory-store';
import { VirtualTime } from '../support/virtual-time';

interface Published { topic: string; text: string; qos: number; retain: boolean }

/** Records what the link asks of the client and lets the test fire client events. */
class FakeClient implements SyncClient {
  readonly published: Published[] = [];
  readonly subscribed: string[][] = [];
  private readonly listeners: { [K in keyof MqttClientEvents]: MqttClientEvents[K][] } = { connect: [], disconnect: [], message: [], error: [] };

  on<K extends keyof MqttClientEvents>(event: K, listener: MqttClientEvents[K]): () => void {
    const list = this.listeners[event] as MqttClientEvents[K][];
    list.push(listener);
    return () => list.splice(list.indexOf(listener), 1);
  }

  publish(topic: string, payload: Uint8Array | string, options: { qos?: 0 | 1 | 2; retain?: boolean } = {}) {
    let text = '';
    if (typeof payload === 'string') text = payload;
    else for (const b of payload) text += String.fromCharCode(b);
    this.published.push({ topic, text, qos: options.qos ?? 0, retain: options.retain ?? false });
    return Promise.resolve(ok(undefined));
  }

  subscribe(subscriptions: readonly { topic: string; qos: 0 | 1 | 2 }[]) {
    this.subscribed.push(subscriptions.map((s) => s.topic));
    return Promise.resolve(ok(subscriptions.map((s) => ({ topic: s.topic, granted: s.qos }))));
  }

  connect(): void {
    for (const l of this.listeners.connect) l({ sessionPresent: false });
  }

  disconnect(): void {
    for (const l of this.listeners.disconnect) l({ reason: 'socket-closed', detail: 'test' });
  }

  deliver(message: InboundMessage): void {
    for (const l of this.listeners.message) l(message);
  }
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

function device(client: FakeClient, time: VirtualTime, store = new MemoryStore()) {
  let n = 0;
  const clockSync = new ClockSync(() => time.now());
  // Hub time was agreed on an earlier connection (offset zero): commands are taken while offline.
  const t0 = clockSync.request();
  clockSync.response(t0, t0, t0);
  return new Replica({
    role: 'device', location: 'home', kind: 't-embed', id: 'desk-1', group: 'focus', store,
    time: clockSync, clockSync,
    publish: (topic, payload, qos, retain) => client.publish(topic, payload, { qos, retain }),
    newId: () => `c${n++}`,
  });
}

export default suite('sync link', {
  async 'on connect: subscribe, announce presence, drain, ask the time; resend until acked'(t) {
    const time = new VirtualTime();
    const client = new FakeClient();
    const replica = device(client, time);
    const link = new MqttLink(client, replica, { scheduler: time, resendMs: 1_000, burstMs: 100, timeBurst: 2, timeEveryMs: 10_000 });
    t.deepEqual(presenceWill(replica), {
      topic: 'argus/home/t-embed/desk-1/presence', payload: replica.presenceMessage('offline').payload, qos: 1, retain: true,
    });
    const started = replica.command({ type: 'start' });
    t.ok(started.ok);
    client.published.length = 0;
    client.connect();
    await settle();
    t.deepEqual(client.subscribed, [replica.subscriptions()]);
    t.deepEqual(client.published.map((p) => p.topic.split('/').pop()), ['presence', 'command', 'state', 'time']);
    t.deepEqual(JSON.parse(client.published[0]!.text), { v: 1, dev: 'desk-1', status: 'online' });
    t.equal(client.published[0]!.retain, true);
    client.published.length = 0;
    time.advance(1_000);
    const kinds = () => client.published.map((p) => p.topic.split('/').pop());
    t.deepEqual(kinds().filter((k) => k === 'command').length, 1, 'the unacked command went out again');
    t.deepEqual(kinds().filter((k) => k === 'time').length, 1, 'the burst has two exchanges, then waits');
    client.deliver({ topic: 'argus/home/t-embed/desk-1/event', payload: replica.presenceMessage('online').payload.slice(0, 0), qos: 1, retain: false });
    t.equal(replica.rejections.count('malformed-json'), 1, 'garbage is counted, not fatal');
    const ack = `{"v":1,"dev":"desk-1","kind":"ack","id":"c0","hub":"hub-1"}`;
    client.deliver({ topic: 'argus/home/t-embed/desk-1/event', payload: Uint8Array.from(ack, (c) => c.charCodeAt(0)), qos: 1, retain: false });
    t.deepEqual(replica.pending(), []);
    client.published.length = 0;
    time.advance(5_000);
    t.deepEqual(kinds(), [], 'nothing left to resend, no time exchange due');
    client.disconnect();
    time.advance(60_000);
    t.deepEqual(time.pendingAt(), [], 'no timer survives a disconnect');
    link.stop();
  },
  'the hub reports each completion once, across a restart'(t) {
    const time = new VirtualTime();
    const sent: Published[] = [];
    const store = new MemoryStore();
    const hub = () => new Replica({
      role: 'hub', location: 'home', kind: 'hub', id: 'hub-1', group: 'focus', store,
      time: { now: () => 1_000_000 + time.now(), synced: true },
      publish: (topic, payload, qos, retain) => {
        let text = '';
        for (const b of payload) text += String.fromCharCode(b);
        sent.push({ topic, text, qos, retain });
        return Promise.resolve();
      },
      newId: () => `h${store.keys().length}`,
    });
    const replica = hub();
    t.deepEqual(replica.reportCompletions(), [], 'nothing before any command');
    const phases = [{ name: 'A', kind: 'work' as const, ms: 1_000 }, { name: 'B', kind: 'short-break' as const, ms: 2_000 }];
    t.ok(replica.command({ type: 'configure', strategy: custom(phases, true) }).ok);
    t.ok(replica.command({ type: 'start' }).ok);
    time.advance(3_500);
    t.deepEqual(replica.reportCompletions(), [1, 2]);
    t.deepEqual(replica.reportCompletions(), []);
    const events = sent.filter((s) => s.topic === 'argus/home/hub/hub-1/event').map((s) => JSON.parse(s.text));
    t.deepEqual(events, [{ v: 1, dev: 'hub-1', kind: 'completion', g: 'focus', n: 1 }, { v: 1, dev: 'hub-1', kind: 'completion', g: 'focus', n: 2 }]);
    time.advance(1_000);
    t.deepEqual(hub().reportCompletions(), [3], 'a restarted hub continues from the stored count');
    time.advance(30_000);
    t.deepEqual(hub().reportCompletions(4), [20, 21, 22, 23], 'after a long outage (23 done by now) only the latest few');
  },
});
