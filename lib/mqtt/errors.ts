/** Why the codec refused bytes or a packet. Every refusal is one of these, never an exception. */
export type MqttErrorReason =
  /** The remaining-length field runs past four bytes. */
  | 'malformed-remaining-length'
  /** The fixed header announces a packet larger than the parser's maxPacketSize. */
  | 'packet-too-large'
  /** A string is not well-formed UTF-8, contains U+0000 or a surrogate, or exceeds 65535 bytes. */
  | 'invalid-utf8'
  /** A bit the specification reserves is set (fixed header flags, CONNECT flag 0, CONNACK flags, SUBSCRIBE options). */
  | 'reserved-flags'
  /** A QoS of 3 (or any value outside 0, 1, 2). */
  | 'invalid-qos'
  /** DUP set on a QoS 0 PUBLISH [MQTT-3.3.1-2]. */
  | 'dup-on-qos0'
  /** A PUBLISH or will topic contains `+` or `#`. */
  | 'wildcard-in-topic'
  /** A topic name that is empty or otherwise unusable. */
  | 'invalid-topic'
  /** A SUBSCRIBE/UNSUBSCRIBE filter with a misplaced `+`/`#` or empty. */
  | 'invalid-topic-filter'
  /** A packet identifier of 0 (or outside 1..65535). */
  | 'zero-packet-id'
  /** SUBSCRIBE, SUBACK or UNSUBSCRIBE with no entries. */
  | 'empty-subscription-list'
  /** A CONNACK return code above 5 or a SUBACK code other than 0, 1, 2, 0x80. */
  | 'invalid-return-code'
  /** Packet type 0 or 15 (reserved in 3.1.1), or a type field the encoder does not know. */
  | 'unknown-packet-type'
  /** CONNECT with a protocol level other than 4 (a server answers CONNACK 0x01). */
  | 'unsupported-protocol-version'
  /** CONNECT with an empty client id and CleanSession 0 (a server answers CONNACK 0x02) [MQTT-3.1.3-8]. */
  | 'identifier-rejected'
  /** The remaining length disagrees with the content (too short for its fields, or bytes left over). */
  | 'malformed-packet'
  /** Well-formed bytes that break a rule of the protocol (wrong protocol name, will flags, password without user name...). */
  | 'protocol-violation'
  /** A number outside its field (keepalive, lengths). */
  | 'value-out-of-range';

export interface MqttError {
  readonly reason: MqttErrorReason;
  readonly detail: string;
}

export function mqttError(reason: MqttErrorReason, detail: string): MqttError {
  return { reason, detail };
}
