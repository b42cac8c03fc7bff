/**
 * Payload schemas for every channel: typed messages, their compact JSON on the wire (always with
 * `"v":1`), and strict decoding of untrusted bytes. Decoding never throws; it returns a rejection.
 */
import { ok, refuse, type Result } from '../result/index';
import { encodeUtf8, decodeUtf8 } from '../mqtt/utf8';
import { checkCommand, fromWire, toWire, type Command, type InvalidReason, type TimerState } from '../timer/index';
import { isId } from './ids';
import type { RejectReason } from './reasons';
import type { Channel, TopicAddress } from './topics';

export const PROTOCOL_VERSION = 1;

/** Largest payload accepted per channel, in bytes. State and command fit one Moddable Preference value. */
export const MAX_PAYLOAD: Readonly<Record<Channel, number>> = {
  state: 4000,
  command: 4000,
  event: 512,
  telemetry: 256,
  presence: 128,
  time: 256,
  ota: 1024,
};

/** A hybrid-logical-clock stamp: hub-time milliseconds, a counter within the millisecond, the writer. */
export interface Stamp {
  readonly wall: number;
  readonly counter: number;
  readonly node: string;
}

export interface StateMessage {
  readonly channel: 'state';
  readonly dev: string;
  readonly group: string;
  /** The command that wrote this anchor, and its stamp. */
  readonly commandId: string;
  readonly stamp: Stamp;
  readonly state: TimerState;
}

export interface CommandMessage {
  readonly channel: 'command';
  readonly dev: string;
  readonly group: string;
  readonly id: string;
  readonly stamp: Stamp;
  readonly command: Command;
  /** The anchor the originator reached by applying the command. */
  readonly state: TimerState;
}

export type EventMessage =
  | { readonly channel: 'event'; readonly dev: string; readonly kind: 'ack'; readonly id: string; readonly hub: string }
  | { readonly channel: 'event'; readonly dev: string; readonly kind: 'completion'; readonly group: string; readonly n: number }
  | { readonly channel: 'event'; readonly dev: string; readonly kind: 'error'; readonly code: string; readonly id?: string };

export interface TelemetryMessage {
  readonly channel: 'telemetry';
  readonly dev: string;
  readonly uptimeMs: number;
  readonly heap?: number;
  readonly rssi?: number;
  readonly battery?: number;
}

export interface PresenceMessage {
  readonly channel: 'presence';
  readonly dev: string;
  readonly status: 'online' | 'offline';
}

export type TimeMessage =
  | { readonly channel: 'time'; readonly dev: string; readonly op: 'req'; readonly t0: number }
  | { readonly channel: 'time'; readonly dev: string; readonly op: 'res'; readonly t0: number; readonly t1: number; readonly t2: number };

export const OTA_STEPS = ['offered', 'downloading', 'verifying', 'applying', 'rebooting', 'confirmed', 'failed', 'rolled-back'] as const;
export type OtaStep = (typeof OTA_STEPS)[number];

export type OtaMessage =
  | {
      readonly channel: 'ota';
      readonly dev: string;
      readonly op: 'offer';
      readonly version: string;
      readonly url: string;
      readonly size: number;
      readonly sha256: string;
      readonly signature: string;
    }
  | { readonly channel: 'ota'; readonly dev: string; readonly op: 'status'; readonly version: string; readonly step: OtaStep; readonly pct?: number };

export type Message = StateMessage | CommandMessage | EventMessage | TelemetryMessage | PresenceMessage | TimeMessage | OtaMessage;

type Fields = Record<string, unknown>;

const MAX_TIME = 2 ** 52;
/** Largest stamp counter (and count) a payload may carry. */
export const MAX_COUNTER = 2 ** 31 - 1;

// ---- encoding -------------------------------------------------------------------------------

function stampToWire(s: Stamp): [number, number, string] {
  return [s.wall, s.counter, s.node];
}

/** The wire object of a message (without encoding to text). */
export function toPayload(message: Message): Fields {
  const base = { v: PROTOCOL_VERSION, dev: message.dev };
  switch (message.channel) {
    case 'state':
      return { ...base, g: message.group, cid: message.commandId, hlc: stampToWire(message.stamp), s: toWire(message.state) };
    case 'command':
      return { ...base, g: message.group, id: message.id, hlc: stampToWire(message.stamp), cmd: message.command, s: toWire(message.state) };
    case 'event': {
      if (message.kind === 'ack') return { ...base, kind: 'ack', id: message.id, hub: message.hub };
      if (message.kind === 'completion') return { ...base, kind: 'completion', g: message.group, n: message.n };
      return message.id === undefined ? { ...base, kind: 'error', code: message.code } : { ...base, kind: 'error', code: message.code, id: message.id };
    }
    case 'telemetry': {
      const out: Fields = { ...base, up: message.uptimeMs };
      if (message.heap !== undefined) out.heap = message.heap;
      if (message.rssi !== undefined) out.rssi = message.rssi;
      if (message.battery !== undefined) out.batt = message.battery;
      return out;
    }
    case 'presence':
      return { ...base, status: message.status };
    case 'time':
      return message.op === 'req'
        ? { ...base, op: 'req', t0: message.t0 }
        : { ...base, op: 'res', t0: message.t0, t1: message.t1, t2: message.t2 };
    case 'ota':
      if (message.op === 'offer')
        return { ...base, op: 'offer', ver: message.version, url: message.url, size: message.size, sha256: message.sha256, sig: message.signature };
      return message.pct === undefined
        ? { ...base, op: 'status', ver: message.version, step: message.step }
        : { ...base, op: 'status', ver: message.version, step: message.step, pct: message.pct };
  }
}

/** UTF-8 JSON bytes of a message; refused when larger than its channel allows. */
export function encodeMessage(message: Message): Result<Uint8Array, RejectReason> {
  const bytes = encodeUtf8(JSON.stringify(toPayload(message)));
  const limit = MAX_PAYLOAD[message.channel];
  if (bytes.length > limit) return refuse('oversized', `${message.channel} payload of ${bytes.length} bytes exceeds ${limit}`);
  return ok(bytes);
}

// ---- decoding -------------------------------------------------------------------------------

/** Parses, validates and checks a payload against the topic it arrived on. */
export function decodeMessage(address: TopicAddress, bytes: Uint8Array): Result<Message, RejectReason> {
  const limit = MAX_PAYLOAD[address.channel];
  if (bytes.length > limit) return refuse('oversized', `${address.channel} payload of ${bytes.length} bytes exceeds ${limit}`);
  const text = decodeUtf8(bytes, 0, bytes.length);
  if (text === undefined) return refuse('invalid-utf8', 'payload is not well-formed UTF-8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return refuse('malformed-json', 'payload is not well-formed JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return refuse('malformed-json', 'payload must be a JSON object');
  const fields = parsed as Fields;
  if (fields.v === undefined) return refuse('unknown-version', 'payload has no "v"');
  if (fields.v !== PROTOCOL_VERSION) return refuse('unknown-version', `version ${JSON.stringify(fields.v)} is not spoken here`);
  if (!isId(fields.dev)) return typeof fields.dev === 'string' || fields.dev === undefined
    ? refuse(fields.dev === undefined ? 'missing-field' : 'out-of-range', '"dev" must be an id')
    : refuse('wrong-type', '"dev" must be a string');
  const checked = DECODERS[address.channel](fields);
  if (!checked.ok) return checked;
  return matchesTopic(address, checked.value);
}

function matchesTopic(address: TopicAddress, message: Message): Result<Message, RejectReason> {
  if (address.kind === 'group') {
    // A group's state is written by a hub: the group named in the payload must be the topic's.
    if (message.channel !== 'state' || message.group !== address.id)
      return refuse('id-mismatch', `payload group does not match topic group ${address.id}`);
    return ok(message);
  }
  if (message.dev !== address.id) return refuse('id-mismatch', `payload dev ${message.dev} disagrees with topic id ${address.id}`);
  if (message.channel === 'command' && message.stamp.node !== message.dev)
    return refuse('id-mismatch', 'a command is stamped by the device that issued it');
  return ok(message);
}

const DECODERS: Readonly<Record<Channel, (f: Fields) => Result<Message, RejectReason>>> = {
  state(f) {
    const keys = onlyKeys(f, ['v', 'dev', 'g', 'cid', 'hlc', 's'], ['g', 'cid', 'hlc', 's']);
    if (!keys.ok) return keys;
    const group = idField(f.g, 'g');
    if (!group.ok) return group;
    const cid = idField(f.cid, 'cid');
    if (!cid.ok) return cid;
    const stamp = decodeStamp(f.hlc);
    if (!stamp.ok) return stamp;
    const state = timerField(fromWire(f.s));
    if (!state.ok) return state;
    return ok({ channel: 'state', dev: f.dev as string, group: group.value, commandId: cid.value, stamp: stamp.value, state: state.value });
  },
  command(f) {
    const keys = onlyKeys(f, ['v', 'dev', 'g', 'id', 'hlc', 'cmd', 's'], ['g', 'id', 'hlc', 'cmd', 's']);
    if (!keys.ok) return keys;
    const group = idField(f.g, 'g');
    if (!group.ok) return group;
    const id = idField(f.id, 'id');
    if (!id.ok) return id;
    const stamp = decodeStamp(f.hlc);
    if (!stamp.ok) return stamp;
    const command = timerField(checkCommand(f.cmd));
    if (!command.ok) return command;
    // The timer's shape check allows 0, which no issuer can produce: apply refuses a zero adjustment.
    if (command.value.type === 'adjust' && command.value.ms === 0) return refuse('out-of-range', '"cmd.ms" of an adjust is non-zero');
    const state = timerField(fromWire(f.s));
    if (!state.ok) return state;
    return ok({ channel: 'command', dev: f.dev as string, group: group.value, id: id.value, stamp: stamp.value, command: command.value, state: state.value });
  },
  event(f) {
    const dev = f.dev as string;
    switch (f.kind) {
      case 'ack': {
        const keys = onlyKeys(f, ['v', 'dev', 'kind', 'id', 'hub'], ['id', 'hub']);
        if (!keys.ok) return keys;
        const id = idField(f.id, 'id');
        if (!id.ok) return id;
        const hub = idField(f.hub, 'hub');
        return hub.ok ? ok({ channel: 'event', dev, kind: 'ack', id: id.value, hub: hub.value }) : hub;
      }
      case 'completion': {
        const keys = onlyKeys(f, ['v', 'dev', 'kind', 'g', 'n'], ['g', 'n']);
        if (!keys.ok) return keys;
        const group = idField(f.g, 'g');
        if (!group.ok) return group;
        const n = integerField(f.n, 1, MAX_COUNTER, 'n');
        return n.ok ? ok({ channel: 'event', dev, kind: 'completion', group: group.value, n: n.value }) : n;
      }
      case 'error': {
        const keys = onlyKeys(f, ['v', 'dev', 'kind', 'code', 'id'], ['code']);
        if (!keys.ok) return keys;
        const code = idField(f.code, 'code');
        if (!code.ok) return code;
        if (f.id === undefined) return ok({ channel: 'event', dev, kind: 'error', code: code.value });
        const id = idField(f.id, 'id');
        return id.ok ? ok({ channel: 'event', dev, kind: 'error', code: code.value, id: id.value }) : id;
      }
      default:
        return unknownTag(f.kind, 'kind', `unknown event kind ${JSON.stringify(f.kind)}`);
    }
  },
  telemetry(f) {
    const keys = onlyKeys(f, ['v', 'dev', 'up', 'heap', 'rssi', 'batt'], ['up']);
    if (!keys.ok) return keys;
    const up = integerField(f.up, 0, MAX_TIME, 'up');
    if (!up.ok) return up;
    const out: { -readonly [K in keyof TelemetryMessage]: TelemetryMessage[K] } = { channel: 'telemetry', dev: f.dev as string, uptimeMs: up.value };
    if (f.heap !== undefined) {
      const heap = integerField(f.heap, 0, MAX_COUNTER, 'heap');
      if (!heap.ok) return heap;
      out.heap = heap.value;
    }
    if (f.rssi !== undefined) {
      const rssi = integerField(f.rssi, -150, 0, 'rssi');
      if (!rssi.ok) return rssi;
      out.rssi = rssi.value;
    }
    if (f.batt !== undefined) {
      const batt = integerField(f.batt, 0, 100, 'batt');
      if (!batt.ok) return batt;
      out.battery = batt.value;
    }
    return ok(out);
  },
  presence(f) {
    const keys = onlyKeys(f, ['v', 'dev', 'status'], ['status']);
    if (!keys.ok) return keys;
    if (typeof f.status !== 'string') return refuse('wrong-type', '"status" must be a string');
    if (f.status !== 'online' && f.status !== 'offline') return refuse('out-of-range', '"status" is "online" or "offline"');
    return ok({ channel: 'presence', dev: f.dev as string, status: f.status });
  },
  time(f) {
    const dev = f.dev as string;
    if (f.op === 'req') {
      const keys = onlyKeys(f, ['v', 'dev', 'op', 't0'], ['t0']);
      if (!keys.ok) return keys;
      const t0 = timeField(f.t0, 't0');
      return t0.ok ? ok({ channel: 'time', dev, op: 'req', t0: t0.value }) : t0;
    }
    if (f.op === 'res') {
      const keys = onlyKeys(f, ['v', 'dev', 'op', 't0', 't1', 't2'], ['t0', 't1', 't2']);
      if (!keys.ok) return keys;
      const t0 = timeField(f.t0, 't0');
      if (!t0.ok) return t0;
      const t1 = timeField(f.t1, 't1');
      if (!t1.ok) return t1;
      const t2 = timeField(f.t2, 't2');
      if (!t2.ok) return t2;
      if (t2.value < t1.value) return refuse('inconsistent', 'the hub cannot answer (t2) before it received (t1)');
      return ok({ channel: 'time', dev, op: 'res', t0: t0.value, t1: t1.value, t2: t2.value });
    }
    return unknownTag(f.op, 'op', '"op" is "req" or "res"');
  },
  ota(f) {
    const dev = f.dev as string;
    if (f.op === 'offer') {
      const keys = onlyKeys(f, ['v', 'dev', 'op', 'ver', 'url', 'size', 'sha256', 'sig'], ['ver', 'url', 'size', 'sha256', 'sig']);
      if (!keys.ok) return keys;
      const version = textField(f.ver, 32, 'ver');
      if (!version.ok) return version;
      const url = textField(f.url, 512, 'url');
      if (!url.ok) return url;
      if (!url.value.startsWith('http://') && !url.value.startsWith('https://')) return refuse('out-of-range', '"url" must be http(s)');
      const size = integerField(f.size, 1, MAX_COUNTER, 'size');
      if (!size.ok) return size;
      const sha = textField(f.sha256, 64, 'sha256');
      if (!sha.ok) return sha;
      if (!/^[0-9a-f]{64}$/.test(sha.value)) return refuse('out-of-range', '"sha256" is 64 lowercase hex digits');
      const sig = textField(f.sig, 128, 'sig');
      if (!sig.ok) return sig;
      return ok({ channel: 'ota', dev, op: 'offer', version: version.value, url: url.value, size: size.value, sha256: sha.value, signature: sig.value });
    }
    if (f.op === 'status') {
      const keys = onlyKeys(f, ['v', 'dev', 'op', 'ver', 'step', 'pct'], ['ver', 'step']);
      if (!keys.ok) return keys;
      const version = textField(f.ver, 32, 'ver');
      if (!version.ok) return version;
      if (typeof f.step !== 'string') return refuse('wrong-type', '"step" must be a string');
      const step = OTA_STEPS.find((s) => s === f.step);
      if (step === undefined) return refuse('out-of-range', `unknown ota step ${f.step}`);
      if (f.pct === undefined) return ok({ channel: 'ota', dev, op: 'status', version: version.value, step });
      const pct = integerField(f.pct, 0, 100, 'pct');
      return pct.ok ? ok({ channel: 'ota', dev, op: 'status', version: version.value, step, pct: pct.value }) : pct;
    }
    return unknownTag(f.op, 'op', '"op" is "offer" or "status"');
  },
};

// ---- field checks ---------------------------------------------------------------------------

export function decodeStamp(value: unknown): Result<Stamp, RejectReason> {
  if (value === undefined) return refuse('missing-field', '"hlc" is required');
  if (!Array.isArray(value) || value.length !== 3) return refuse('wrong-type', '"hlc" is [wall, counter, node]');
  const wall = integerField(value[0], 0, MAX_TIME, 'hlc wall');
  if (!wall.ok) return wall;
  const counter = integerField(value[1], 0, MAX_COUNTER, 'hlc counter');
  if (!counter.ok) return counter;
  const node = idField(value[2], 'hlc node');
  return node.ok ? ok({ wall: wall.value, counter: counter.value, node: node.value }) : node;
}

/** Why a tag field (`kind`, `op`) matched no variant: absent, not a string, or an unknown value. */
function unknownTag(value: unknown, name: string, unknown: string): Result<never, RejectReason> {
  if (value === undefined) return refuse('missing-field', `missing field "${name}"`);
  if (typeof value !== 'string') return refuse('wrong-type', `"${name}" must be a string`);
  return refuse('out-of-range', unknown);
}

function onlyKeys(f: Fields, allowed: readonly string[], required: readonly string[]): Result<true, RejectReason> {
  for (const key of Object.keys(f)) if (!allowed.includes(key)) return refuse('unknown-field', `unknown field "${key}"`);
  for (const key of required) if (f[key] === undefined) return refuse('missing-field', `missing field "${key}"`);
  return ok(true);
}

function idField(value: unknown, name: string): Result<string, RejectReason> {
  if (typeof value !== 'string') return refuse('wrong-type', `"${name}" must be a string`);
  return isId(value) ? ok(value) : refuse('out-of-range', `"${name}" must be 1..32 of a-z, 0-9, -`);
}

function textField(value: unknown, max: number, name: string): Result<string, RejectReason> {
  if (typeof value !== 'string') return refuse('wrong-type', `"${name}" must be a string`);
  return value.length > 0 && value.length <= max ? ok(value) : refuse('out-of-range', `"${name}" must have 1..${max} characters`);
}

function integerField(value: unknown, min: number, max: number, name: string): Result<number, RejectReason> {
  if (typeof value !== 'number' || !Number.isInteger(value)) return refuse('wrong-type', `"${name}" must be an integer`);
  return value >= min && value <= max ? ok(value) : refuse('out-of-range', `"${name}" must be within ${min}..${max}`);
}

/** Clock readings in the time exchange: non-negative, finite, possibly fractional milliseconds. */
function timeField(value: unknown, name: string): Result<number, RejectReason> {
  if (typeof value !== 'number' || !Number.isFinite(value)) return refuse('wrong-type', `"${name}" must be a number`);
  return value >= 0 && value <= MAX_TIME ? ok(value) : refuse('out-of-range', `"${name}" must be within 0..2^52`);
}

const TIMER_REASON: Readonly<Record<InvalidReason, RejectReason>> = {
  'invalid-type': 'wrong-type',
  'unknown-field': 'unknown-field',
  'missing-field': 'missing-field',
  'out-of-range': 'out-of-range',
  'too-long': 'out-of-range',
  inconsistent: 'inconsistent',
};

function timerField<T>(checked: Result<T, InvalidReason>): Result<T, RejectReason> {
  return checked.ok ? checked : refuse(TIMER_REASON[checked.reason], checked.detail);
}

