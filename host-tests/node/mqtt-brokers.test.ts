/**
 * lib/mqtt's client against real brokers (Debian's mosquitto and aedes, each in its own process),
 * over the Node socket adapter with real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MqttClient, type InboundMessage, type MqttClientOptions } from '../../lib/mqtt/client';
import type { QoS } from '../../lib/mqtt/packets';
import { decodeUtf8, encodeUtf8 } from '../../lib/mqtt/utf8';
import { nodeHost } from '../../host/node/host';
import { nodeTcp, type NodeTcpSocket } from '../../host/node/tcp';
import { startAedes, startMosquitto, until, type Broker } from '../support/brokers';

interface TestClient {
  readonly client: MqttClient;
  readonly messages: InboundMessage[];
  readonly sockets: NodeTcpSocket[];
  readonly sessions: boolean[];
  /** Resolves at the next CONNACK accepted after this call. */
  connected(): Promise<boolean>;
}

const open: MqttClient[] = [];
let unique = 0;

function connectClient(broker: Broker, clientId: string, options: Partial<MqttClientOptions> = {}): TestClient {
  const sockets: NodeTcpSocket[] = [];
  const tcp = nodeTcp();
  const client = new MqttClient({
    ...nodeHost,
    socket: (o) => {
      const socket = tcp(o);
      sockets.push(socket);
      return socket;
    },
    host: broker.host,
    port: broker.port,
    clientId,
    keepaliveSeconds: 30,
    backoff: { initialMs: 50, maxMs: 500 },
    ...options,
  });
  const messages: InboundMessage[] = [];
  const sessions: boolean[] = [];
  client.on('message', (m) => messages.push({ ...m, payload: m.payload.slice() }));
  client.on('connect', ({ sessionPresent }) => sessions.push(sessionPresent));
  open.push(client);
  const started = client.start();
  if (!started.ok) throw new Error(started.detail);
  return {
    client,
    messages,
    sockets,
    sessions,
    connected: () => new Promise((resolve) => {
      if (client.state === 'connected') return resolve(sessions[sessions.length - 1] ?? false);
      const off = client.on('connect', ({ sessionPresent }) => {
        off();
        resolve(sessionPresent);
      });
    }),
  };
}

const text = (bytes: Uint8Array) => decodeUtf8(bytes, 0, bytes.length);

async function subscribed(c: TestClient, topic: string, qos: QoS): Promise<void> {
  await c.connected();
  const result = await c.client.subscribe([{ topic, qos }]);
  expect(result).toEqual({ ok: true, value: [{ topic, granted: qos }] });
}

afterAll(() => {
  for (const client of open) client.close();
});

for (const start of [startMosquitto, startAedes]) {
  describe(`against ${start === startMosquitto ? 'mosquitto' : 'aedes'}`, () => {
    let broker: Broker;
    beforeAll(async () => {
      broker = await start();
    });
    afterAll(async () => {
      await broker?.stop();
    });

    it('round-trips QoS 0, 1 and 2 messages, each at the QoS it was sent with', async () => {
      const base = `argus/test/${++unique}`;
      const sub = connectClient(broker, `sub-${unique}`);
      await subscribed(sub, `${base}/#`, 2);
      const pub = connectClient(broker, `pub-${unique}`);
      await pub.connected();
      for (const qos of [0, 1, 2] as const) {
        const sent = await pub.client.publish(`${base}/q${qos}`, `hello ${qos}`, { qos });
        expect(sent.ok).toBe(true);
      }
      await until(() => sub.messages.length >= 3, 10_000, 'three messages');
      const got = sub.messages.map((m) => [m.topic, text(m.payload), m.qos]).sort();
      expect(got).toEqual([
        [`${base}/q0`, 'hello 0', 0],
        [`${base}/q1`, 'hello 1', 1],
        [`${base}/q2`, 'hello 2', 2],
      ]);
    });

    it('delivers a retained message to a subscriber that arrives later, flagged retained', async () => {
      const topic = `argus/test/${++unique}/state`;
      const pub = connectClient(broker, `retainer-${unique}`);
      await pub.connected();
      expect((await pub.client.publish(topic, 'kept', { qos: 1, retain: true })).ok).toBe(true);
      const late = connectClient(broker, `late-${unique}`);
      await subscribed(late, topic, 1);
      await until(() => late.messages.length >= 1, 10_000, 'the retained message');
      expect(late.messages.map((m) => [text(m.payload), m.retain])).toEqual([['kept', true]]);
      await pub.client.publish(topic, new Uint8Array(0), { qos: 1, retain: true }); // clear it
    });

    it('publishes the Last Will when the connection drops without DISCONNECT', async () => {
      const topic = `argus/test/${++unique}/presence`;
      const watcher = connectClient(broker, `watcher-${unique}`);
      await subscribed(watcher, topic, 1);
      const device = connectClient(broker, `device-${unique}`, {
        will: { topic, payload: encodeUtf8('offline'), qos: 1, retain: false },
      });
      await device.connected();
      device.sockets[device.sockets.length - 1]!.destroy();
      await until(() => watcher.messages.length >= 1, 10_000, 'the will');
      expect(watcher.messages.map((m) => [m.topic, text(m.payload), m.qos])).toEqual([[topic, 'offline', 1]]);
      device.client.close();
    });

    it('a persistent session receives the QoS 1 messages published while it was away', async () => {
      const topic = `argus/test/${++unique}/command`;
      const id = `persistent-${unique}`;
      const first = connectClient(broker, id, { clean: false });
      await subscribed(first, topic, 1);
      first.client.close(); // DISCONNECT: the broker keeps the session
      const pub = connectClient(broker, `sender-${unique}`);
      await pub.connected();
      const sent = ['m1', 'm2', 'm3', 'm4', 'm5'];
      for (const payload of sent) expect((await pub.client.publish(topic, payload, { qos: 1 })).ok).toBe(true);
      const back = connectClient(broker, id, { clean: false });
      expect(await back.connected()).toBe(true); // session present, no new SUBSCRIBE sent
      await until(() => back.messages.length >= sent.length, 10_000, 'the missed messages');
      expect(back.messages.map((m) => text(m.payload))).toEqual(sent);
    });
  });
}

describe('a mosquitto killed and restarted mid-stream (persistence on)', () => {
  let broker: Awaited<ReturnType<typeof startMosquitto>>;
  beforeAll(async () => {
    broker = await startMosquitto({ persistence: true });
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('loses no QoS 1 or 2 message: QoS 2 arrives exactly once, QoS 1 at least once', async () => {
    const topic = 'argus/test/restart';
    const sub = connectClient(broker, 'restart-sub', { clean: false });
    await subscribed(sub, `${topic}/#`, 2);
    const pub = connectClient(broker, 'restart-pub', { clean: false, limits: { maxInflight: 8, offlineQueue: 64 } });
    await pub.connected();
    const qosOf = (n: number): QoS => (n % 2 === 0 ? 1 : 2);
    const publish = (n: number) => pub.client.publish(`${topic}/${n}`, String(n), { qos: qosOf(n) });

    // A: a first stretch, acknowledged end to end, and on disk at the broker.
    const first = await Promise.all(Array.from({ length: 20 }, (_, n) => publish(n)));
    expect(first.every((r) => r.ok)).toBe(true);
    await until(() => sub.messages.length >= 20 && sub.client.stats().awaitingPubrel === 0, 10_000, 'the first stretch');
    // A round trip after the subscriber's last PUBCOMP: the broker has processed it before it saves.
    expect((await sub.client.unsubscribe(['argus/test/barrier'])).ok).toBe(true);
    await broker.save();

    // B: freeze the broker, publish into the frozen link (unacknowledged in flight, the rest queued),
    // kill it with SIGKILL and start it again on the same port.
    broker.signal('SIGSTOP');
    const second = Array.from({ length: 20 }, (_, n) => publish(20 + n));
    await until(() => pub.client.stats().inflight === 8, 5_000, 'a full in-flight window');
    await broker.restart();
    // C: more while the clients are still reconnecting.
    const third = Array.from({ length: 20 }, (_, n) => publish(40 + n));

    const settled = await Promise.all([...second, ...third]);
    expect(settled.filter((r) => !r.ok)).toEqual([]);
    // A last QoS 2 marker, sent after everything else settled, marks the end of the stream.
    expect((await pub.client.publish(`${topic}/end`, 'end', { qos: 2 })).ok).toBe(true);
    await until(() => sub.messages.some((m) => m.topic === `${topic}/end`), 20_000, 'the end marker');

    const deliveries = new Map<number, number>();
    for (const m of sub.messages) {
      const n = Number(text(m.payload));
      if (Number.isInteger(n)) deliveries.set(n, (deliveries.get(n) ?? 0) + 1);
    }
    const missing = Array.from({ length: 60 }, (_, n) => n).filter((n) => !deliveries.has(n));
    const qos2Repeats = [...deliveries].filter(([n, count]) => qosOf(n) === 2 && count !== 1);
    expect(missing).toEqual([]);
    expect(qos2Repeats).toEqual([]);
    expect(pub.client.stats().retransmitted).toBeGreaterThan(0); // the frozen window went out again with DUP
    // The subscriber reconnected to the restarted broker and found its session (and subscription) there.
    expect(sub.sessions.length).toBeGreaterThan(1);
    expect(sub.sessions.slice(1).every((present) => present)).toBe(true);
  });
});
