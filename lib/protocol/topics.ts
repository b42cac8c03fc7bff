/**
 * Topic tree: `argus/{location}/{kind}/{id}/{channel}`. `kind` is a device type (`t-embed`, `presto`,
 * ...), `hub` for a hub instance, or `group` for a timer group, whose only channel is `state`.
 */
import { ok, refuse, type Result } from '../result/index';
import { isId } from './ids';
import type { RejectReason } from './reasons';

export const ROOT = 'argus';
export const CHANNELS = ['state', 'command', 'event', 'telemetry', 'presence', 'time', 'ota'] as const;
export type Channel = (typeof CHANNELS)[number];
export const HUB_KIND = 'hub';
export const GROUP_KIND = 'group';

export interface TopicAddress {
  readonly location: string;
  /** Device type, `hub` or `group`. */
  readonly kind: string;
  /** Device id, hub id or group name. */
  readonly id: string;
  readonly channel: Channel;
}

export type QoS = 0 | 1;

/** How each channel is published (see docs/protocol.md). */
export const DELIVERY: Readonly<Record<Channel, { readonly qos: QoS; readonly retain: boolean }>> = {
  state: { qos: 1, retain: true },
  command: { qos: 1, retain: false },
  event: { qos: 1, retain: false },
  telemetry: { qos: 0, retain: false },
  presence: { qos: 1, retain: true },
  time: { qos: 1, retain: false },
  ota: { qos: 1, retain: false },
};

export function isChannel(value: string): value is Channel {
  return (CHANNELS as readonly string[]).includes(value);
}

/** The topic for an address; refuses ids that are not valid topic levels. */
export function topicOf(address: TopicAddress): Result<string, RejectReason> {
  const { location, kind, id, channel } = address;
  if (!isId(location) || !isId(kind) || !isId(id)) return refuse('bad-topic', `invalid id in ${location}/${kind}/${id}`);
  if (!isChannel(channel)) return refuse('bad-topic', `unknown channel ${channel}`);
  if (kind === GROUP_KIND && channel !== 'state') return refuse('bad-topic', 'a group has only a state channel');
  return ok(`${ROOT}/${location}/${kind}/${id}/${channel}`);
}

export function parseTopic(topic: string): Result<TopicAddress, RejectReason> {
  const levels = topic.split('/');
  if (levels.length !== 5 || levels[0] !== ROOT) return refuse('bad-topic', `not argus/{location}/{kind}/{id}/{channel}: ${topic}`);
  const [, location, kind, id, channel] = levels as [string, string, string, string, string];
  if (!isId(location) || !isId(kind) || !isId(id)) return refuse('bad-topic', `invalid id level in ${topic}`);
  if (!isChannel(channel)) return refuse('bad-topic', `unknown channel in ${topic}`);
  if (kind === GROUP_KIND && channel !== 'state') return refuse('bad-topic', `a group has only a state channel: ${topic}`);
  return ok({ location, kind, id, channel });
}

/** Filter for one channel of every device (and hub) at a location, e.g. `argus/home/+/+/command`. */
export function channelFilter(location: string, channel: Channel): string {
  return `${ROOT}/${location}/+/+/${channel}`;
}
