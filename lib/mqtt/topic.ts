/** Topic names, topic filters and matching, as MQTT 3.1.1 defines them (section 4.7). */
import { ok, refuse, type Result } from '../result/index';
import type { MqttErrorReason } from './errors';
import { isMqttString } from './utf8';

const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const DOLLAR = 0x24;

/** A topic a PUBLISH (or will) may carry: non-empty, valid MQTT string, no wildcard. */
export function checkTopicName(topic: string): Result<string, MqttErrorReason> {
  if (topic.length === 0) return refuse('invalid-topic', 'a topic name must not be empty');
  if (!isMqttString(topic)) return refuse('invalid-utf8', 'a topic name must be an MQTT string (no U+0000, no lone surrogate, at most 65535 bytes)');
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === PLUS || c === HASH) return refuse('wildcard-in-topic', `a topic name must not contain '+' or '#': ${topic}`);
  }
  return ok(topic);
}

/** A filter a SUBSCRIBE/UNSUBSCRIBE may carry: `+` and `#` only as whole levels, `#` only last. */
export function checkTopicFilter(filter: string): Result<string, MqttErrorReason> {
  if (filter.length === 0) return refuse('invalid-topic-filter', 'a topic filter must not be empty');
  if (!isMqttString(filter)) return refuse('invalid-utf8', 'a topic filter must be an MQTT string (no U+0000, no lone surrogate, at most 65535 bytes)');
  const problem = wildcardPlacementProblem(filter);
  return problem === undefined ? ok(filter) : refuse('invalid-topic-filter', `${problem}: ${filter}`);
}

/** Why the wildcards of a filter (already a valid MQTT string) are misplaced, or undefined if they are not. */
export function wildcardPlacementProblem(filter: string): string | undefined {
  if (filter.length === 0) return 'a topic filter must not be empty';
  const last = filter.length - 1;
  for (let i = 0; i <= last; i++) {
    const c = filter.charCodeAt(i);
    if (c !== PLUS && c !== HASH) continue;
    const alone = (i === 0 || filter.charCodeAt(i - 1) === SLASH) && (i === last || filter.charCodeAt(i + 1) === SLASH);
    if (!alone) return 'a wildcard must fill a whole level';
    if (c === HASH && i !== last) return "'#' must be the last level";
  }
  return undefined;
}

/**
 * Whether `topic` (a valid topic name) matches `filter` (a valid topic filter). A filter that starts
 * with a wildcard does not match a topic that starts with `$` [MQTT-4.7.2-1]. Allocates nothing.
 */
export function topicMatches(filter: string, topic: string): boolean {
  const filterLength = filter.length;
  const topicLength = topic.length;
  const first = filter.charCodeAt(0);
  if (topic.charCodeAt(0) === DOLLAR && (first === PLUS || first === HASH)) return false;
  let f = 0; // start of the current filter level
  let t = 0; // start of the current topic level; topicLength + 1 once the topic has no levels left
  for (;;) {
    let fEnd = filter.indexOf('/', f);
    if (fEnd < 0) fEnd = filterLength;
    const single = fEnd - f === 1 ? filter.charCodeAt(f) : -1;
    if (single === HASH) return true; // '#' also matches the parent level ('a/#' matches 'a')
    if (t > topicLength) return false;
    let tEnd = topic.indexOf('/', t);
    if (tEnd < 0) tEnd = topicLength;
    if (single !== PLUS) {
      if (fEnd - f !== tEnd - t) return false;
      for (let i = 0; i < fEnd - f; i++) if (filter.charCodeAt(f + i) !== topic.charCodeAt(t + i)) return false;
    }
    f = fEnd + 1;
    t = tEnd + 1;
    if (f > filterLength) return t > topicLength;
  }
}
