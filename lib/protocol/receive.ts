import type { Result } from '../result/index';
import { decodeMessage, type Message } from './payloads';
import type { Rejections, RejectReason } from './reasons';
import { parseTopic, type TopicAddress } from './topics';

export interface Received {
  readonly address: TopicAddress;
  readonly message: Message;
}

/**
 * Topic + bytes to a validated message. A rejection is recorded in `rejections` (counted and logged)
 * and returned; the caller then changes nothing.
 */
export function receive(topic: string, payload: Uint8Array, rejections?: Rejections): Result<Received, RejectReason> {
  const address = parseTopic(topic);
  if (!address.ok) {
    rejections?.record(address, topic);
    return address;
  }
  const message = decodeMessage(address.value, payload);
  if (!message.ok) {
    rejections?.record(message, topic);
    return message;
  }
  return { ok: true, value: { address: address.value, message: message.value } };
}
