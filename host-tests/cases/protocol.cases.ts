/** The wire protocol: topics, round trips of every channel, and every rejection path with its reason. */
import { suite } from '../harness/suite';
import type { Check } from '../harness/check';
import { encodeUtf8 } from '../../lib/mqtt/utf8';
import {
  CHANNELS,
  DELIVERY,
  decodeMessage,
  encodeMessage,
  isId,
  MAX_PAYLOAD,
  parseTopic,
  receive,
  Rejections,
  topicOf,
  type Message,
  type RejectReason,
} from '../../lib/protocol/index';
import { apply, initialState, toWire } from '../../lib/timer/index';

const running = (() => {
  const r = apply(initialState(), { type: 'start' }, 1_733_300_000_000);
  if (!r.ok) throw new Error('start refused');
  return r.value;
})();
const stamp = { wall: 1_733_300_000_000, counter: 0, node: 'desk-1' };

const samples: Record<string, { topic: string; message: Message }> = {
  state: { topic: 'argus/home/t-embed/desk-1/state', message: { channel: 'state', dev: 'desk-1', group: 'focus', commandId: 'k3j9x2', stamp, state: running } },
  group: { topic: 'argus/home/group/focus/state', message: { channel: 'state', dev: 'hub-1', group: 'focus', commandId: 'k3j9x2', stamp, state: running } },
  command: { topic: 'argus/home/t-embed/desk-1/command', message: { channel: 'command', dev: 'desk-1', group: 'focus', id: 'k3j9x2', stamp, command: { type: 'start' }, state: running } },
  ack: { topic: 'argus/home/t-embed/desk-1/event', message: { channel: 'event', dev: 'desk-1', kind: 'ack', id: 'k3j9x2', hub: 'hub-1' } },
  completion: { topic: 'argus/home/hub/hub-1/event', message: { channel: 'event', dev: 'hub-1', kind: 'completion', group: 'focus', n: 3 } },
  error: { topic: 'argus/home/hub/hub-1/event', message: { channel: 'event', dev: 'hub-1', kind: 'error', code: 'clock-drift', id: 'k3j9x2' } },
  telemetry: { topic: 'argus/home/presto/wall/telemetry', message: { channel: 'telemetry', dev: 'wall', uptimeMs: 360_000, heap: 81_920, rssi: -61, battery: 87 } },
  presence: { topic: 'argus/home/presto/wall/presence', message: { channel: 'presence', dev: 'wall', status: 'offline' } },
  timeReq: { topic: 'argus/home/presto/wall/time', message: { channel: 'time', dev: 'wall', op: 'req', t0: 5_012.5 } },
  timeRes: { topic: 'argus/home/presto/wall/time', message: { channel: 'time', dev: 'wall', op: 'res', t0: 5_012.5, t1: 1_733_300_000_010, t2: 1_733_300_000_011 } },
  offer: { topic: 'argus/home/presto/wall/ota', message: { channel: 'ota', dev: 'wall', op: 'offer', version: '1.4.0', url: 'http://hub.local:8080/ota/presto-1.4.0.bin', size: 1_048_576, sha256: 'a'.repeat(64), signature: 'c2lnbmF0dXJl' } },
  otaStatus: { topic: 'argus/home/presto/wall/ota', message: { channel: 'ota', dev: 'wall', op: 'status', version: '1.4.0', step: 'downloading', pct: 40 } },
};

const DESK_STATE = 'argus/home/t-embed/desk-1/state';
const DESK_COMMAND = 'argus/home/t-embed/desk-1/command';
const WALL_TIME = 'argus/home/presto/wall/time';
const WALL_PRESENCE = 'argus/home/presto/wall/presence';
const WALL_TELEMETRY = 'argus/home/presto/wall/telemetry';

function wire(name: string): Record<string, unknown> {
  const encoded = encodeMessage(samples[name]!.message);
  if (!encoded.ok) throw new Error(encoded.detail);
  let text = '';
  for (const b of encoded.value) text += String.fromCharCode(b);
  return JSON.parse(text) as Record<string, unknown>;
}

function rejects(t: Check, topic: string, payload: Uint8Array | string | object, reason: RejectReason): void {
  const bytes = payload instanceof Uint8Array ? payload : encodeUtf8(typeof payload === 'string' ? payload : JSON.stringify(payload));
  const log = new Rejections();
  const result = receive(topic, bytes, log);
  t.equal(result.ok, false, `${topic} ${typeof payload === 'string' ? payload : JSON.stringify(payload)} is refused`);
  if (!result.ok) t.equal(result.reason, reason, result.detail);
  t.equal(log.count(reason), 1, 'the rejection is counted');
}

export default suite('protocol', {
  'ids are 1..32 of lowercase letters, digits and dashes'(t) {
    for (const good of ['a', 'desk-1', 't-embed', 'x'.repeat(32)]) t.ok(isId(good), good);
    for (const bad of ['', 'Desk', 'a b', 'a/b', '+', '#', '$sys', 'x'.repeat(33), 'é', 'a_b']) t.ok(!isId(bad), bad);
  },
  'topics are built and parsed, groups only carry state'(t) {
    const built = topicOf({ location: 'home', kind: 't-embed', id: 'desk-1', channel: 'command' });
    t.deepEqual(built, { ok: true, value: 'argus/home/t-embed/desk-1/command' });
    t.deepEqual(parseTopic('argus/home/t-embed/desk-1/command'), {
      ok: true, value: { location: 'home', kind: 't-embed', id: 'desk-1', channel: 'command' },
    });
    t.equal(topicOf({ location: 'home', kind: 'group', id: 'focus', channel: 'command' }).ok, false);
    t.equal(topicOf({ location: 'Home', kind: 't-embed', id: 'desk-1', channel: 'state' }).ok, false);
    t.equal(topicOf({ location: 'home', kind: 't-embed', id: 'desk/1', channel: 'state' }).ok, false);
    t.deepEqual(CHANNELS.map((c) => [c, DELIVERY[c].qos, DELIVERY[c].retain]), [
      ['state', 1, true], ['command', 1, false], ['event', 1, false], ['telemetry', 0, false],
      ['presence', 1, true], ['time', 1, false], ['ota', 1, false],
    ]);
  },
  'every channel round-trips through bytes'(t) {
    for (const [name, { topic, message }] of Object.entries(samples)) {
      const encoded = encodeMessage(message);
      if (!encoded.ok) return t.fail(`${name}: ${encoded.detail}`);
      const address = parseTopic(topic);
      if (!address.ok) return t.fail(`${name}: ${address.detail}`);
      t.deepEqual(decodeMessage(address.value, encoded.value), { ok: true, value: message }, name);
      t.equal(wire(name).v, 1, `${name} carries "v":1`);
    }
  },
  'the compact wire form is as documented'(t) {
    t.deepEqual(wire('command'), { v: 1, dev: 'desk-1', g: 'focus', id: 'k3j9x2', hlc: [1_733_300_000_000, 0, 'desk-1'], cmd: { type: 'start' }, s: toWire(running) });
    t.deepEqual(wire('presence'), { v: 1, dev: 'wall', status: 'offline' });
    t.deepEqual(wire('ack'), { v: 1, dev: 'desk-1', kind: 'ack', id: 'k3j9x2', hub: 'hub-1' });
  },
  'bad topics: bad-topic'(t) {
    const ok = wire('presence');
    for (const topic of [
      'argus/home/presto/wall', 'argus/home/presto/wall/presence/x', 'other/home/presto/wall/presence',
      'argus/Home/presto/wall/presence', 'argus/home/presto/+/presence', 'argus/home/presto/#/presence',
      'argus/home/presto/wall/gossip', 'argus/home/presto//presence', `argus/home/presto/${'w'.repeat(33)}/presence`,
      'argus/home/group/focus/command',
    ])
      rejects(t, topic, ok, 'bad-topic');
  },
  'not UTF-8: invalid-utf8'(t) {
    rejects(t, WALL_PRESENCE, Uint8Array.of(0x7b, 0xff, 0x7d), 'invalid-utf8');
    rejects(t, WALL_PRESENCE, Uint8Array.of(0xc0, 0x80), 'invalid-utf8');
  },
  'not a JSON object: malformed-json'(t) {
    for (const text of ['{', '', 'null', '[1]', '"online"', '{"v":1,}']) rejects(t, WALL_PRESENCE, text, 'malformed-json');
  },
  'larger than the channel allows: oversized'(t) {
    rejects(t, WALL_TELEMETRY, { ...wire('telemetry'), pad: 'x'.repeat(MAX_PAYLOAD.telemetry) }, 'oversized');
    rejects(t, DESK_STATE, new Uint8Array(MAX_PAYLOAD.state + 1).fill(0x20), 'oversized');
    const big = encodeMessage({ ...samples.offer!.message, url: `http://${'h'.repeat(1_100)}` } as Message);
    t.equal(big.ok ? 'encoded' : big.reason, 'oversized', 'the sender refuses to encode it too');
  },
  'missing or unknown version: unknown-version'(t) {
    for (const v of [2, 0, '1', null, undefined]) rejects(t, WALL_PRESENCE, { ...wire('presence'), v }, 'unknown-version');
  },
  'fields of the wrong type: wrong-type'(t) {
    rejects(t, WALL_PRESENCE, { v: 1, dev: 7, status: 'online' }, 'wrong-type');
    rejects(t, WALL_PRESENCE, { v: 1, dev: 'wall', status: true }, 'wrong-type');
    rejects(t, WALL_TIME, { ...wire('timeReq'), t0: '5012' }, 'wrong-type');
    rejects(t, DESK_COMMAND, { ...wire('command'), hlc: '1733300000000.0.desk-1' }, 'wrong-type');
    rejects(t, DESK_COMMAND, { ...wire('command'), hlc: [1.5, 0, 'desk-1'] }, 'wrong-type');
    rejects(t, DESK_COMMAND, { ...wire('command'), s: { ...toWire(running), t0: 'soon' } }, 'wrong-type');
    rejects(t, WALL_TELEMETRY, { ...wire('telemetry'), heap: 1.5 }, 'wrong-type');
    rejects(t, 'argus/home/hub/hub-1/event', { v: 1, dev: 'hub-1', kind: 7 }, 'wrong-type');
    rejects(t, WALL_TIME, { v: 1, dev: 'wall', op: ['req'], t0: 1 }, 'wrong-type');
    rejects(t, 'argus/home/presto/wall/ota', { ...wire('otaStatus'), op: true }, 'wrong-type');
  },
  'fields the schema does not define: unknown-field'(t) {
    rejects(t, WALL_PRESENCE, { ...wire('presence'), mood: 'happy' }, 'unknown-field');
    rejects(t, DESK_COMMAND, { ...wire('command'), cmd: { type: 'start', force: true } }, 'unknown-field');
    rejects(t, DESK_STATE, { ...wire('state'), s: { ...toWire(running), x: 1 } }, 'unknown-field');
  },
  'required fields absent: missing-field'(t) {
    const { cmd: _cmd, ...noCommand } = wire('command');
    rejects(t, DESK_COMMAND, noCommand, 'missing-field');
    const { dev: _dev, ...noDev } = wire('presence');
    rejects(t, WALL_PRESENCE, noDev, 'missing-field');
    rejects(t, WALL_TIME, { v: 1, dev: 'wall', t0: 1 }, 'missing-field');
    rejects(t, 'argus/home/hub/hub-1/event', { v: 1, dev: 'hub-1', id: 'x' }, 'missing-field');
  },
  'values outside their range: out-of-range'(t) {
    rejects(t, WALL_PRESENCE, { v: 1, dev: 'Wall', status: 'online' }, 'out-of-range');
    rejects(t, WALL_PRESENCE, { v: 1, dev: 'wall', status: 'away' }, 'out-of-range');
    rejects(t, WALL_TELEMETRY, { ...wire('telemetry'), rssi: 12 }, 'out-of-range');
    rejects(t, WALL_TIME, { ...wire('timeReq'), t0: -1 }, 'out-of-range');
    rejects(t, DESK_COMMAND, { ...wire('command'), id: 'Not An Id' }, 'out-of-range');
    rejects(t, DESK_COMMAND, { ...wire('command'), cmd: { type: 'explode' } }, 'out-of-range');
    rejects(t, DESK_COMMAND, { ...wire('command'), cmd: { type: 'adjust', ms: 0 } }, 'out-of-range');
    rejects(t, 'argus/home/presto/wall/ota', { ...wire('otaStatus'), step: 'dancing' }, 'out-of-range');
    rejects(t, 'argus/home/presto/wall/ota', { ...wire('offer'), sha256: 'XYZ' }, 'out-of-range');
    rejects(t, 'argus/home/hub/hub-1/event', { v: 1, dev: 'hub-1', kind: 'party' }, 'out-of-range');
  },
  'contradictory fields: inconsistent'(t) {
    rejects(t, WALL_TIME, { ...wire('timeRes'), t1: 100, t2: 99 }, 'inconsistent');
    rejects(t, DESK_STATE, { ...wire('state'), s: { ...toWire(initialState()), t0: 5 } }, 'inconsistent');
  },
  'payload ids that disagree with the topic: id-mismatch'(t) {
    rejects(t, 'argus/home/presto/kitchen/presence', wire('presence'), 'id-mismatch');
    rejects(t, DESK_COMMAND, { ...wire('command'), hlc: [1_733_300_000_000, 0, 'wall'] }, 'id-mismatch');
    rejects(t, 'argus/home/group/other/state', wire('group'), 'id-mismatch');
  },
  'the rejection log counts by reason and keeps only the latest entries'(t) {
    const log = new Rejections(2);
    receive('nope', encodeUtf8('{}'), log);
    receive(WALL_PRESENCE, encodeUtf8('{'), log);
    receive(WALL_PRESENCE, encodeUtf8('{'), log);
    t.equal(log.total, 3);
    t.equal(log.count('bad-topic'), 1);
    t.equal(log.count('malformed-json'), 2);
    t.deepEqual(log.recent().map((e) => [e.reason, e.topic]), [['malformed-json', WALL_PRESENCE], ['malformed-json', WALL_PRESENCE]]);
  },
});
