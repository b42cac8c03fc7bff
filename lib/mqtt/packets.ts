/** MQTT 3.1.1 control packets as plain data (field names follow the specification and mqtt-packet). */

export type QoS = 0 | 1 | 2;

export interface Will {
  readonly topic: string;
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
}

export interface ConnectPacket {
  readonly type: 'connect';
  readonly protocolName: 'MQTT';
  readonly protocolVersion: 4;
  readonly clientId: string;
  readonly clean: boolean;
  /** Seconds; 0 disables keepalive. */
  readonly keepalive: number;
  readonly username?: string;
  readonly password?: Uint8Array;
  readonly will?: Will;
}

/** 0 accepted; 1 bad protocol version; 2 identifier rejected; 3 server unavailable; 4 bad credentials; 5 not authorized. */
export type ConnectReturnCode = 0 | 1 | 2 | 3 | 4 | 5;

export interface ConnackPacket {
  readonly type: 'connack';
  readonly sessionPresent: boolean;
  readonly returnCode: ConnectReturnCode;
}

export interface PublishPacket {
  readonly type: 'publish';
  readonly topic: string;
  /** A view into the received bytes when parsed (no copy); copy it if you keep it past the callback. */
  readonly payload: Uint8Array;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly dup: boolean;
  /** Present exactly when qos > 0. */
  readonly packetId?: number;
}

export interface AckPacket<T extends 'puback' | 'pubrec' | 'pubrel' | 'pubcomp' | 'unsuback'> {
  readonly type: T;
  readonly packetId: number;
}

export type PubackPacket = AckPacket<'puback'>;
export type PubrecPacket = AckPacket<'pubrec'>;
export type PubrelPacket = AckPacket<'pubrel'>;
export type PubcompPacket = AckPacket<'pubcomp'>;
export type UnsubackPacket = AckPacket<'unsuback'>;

export interface Subscription {
  readonly topic: string;
  readonly qos: QoS;
}

export interface SubscribePacket {
  readonly type: 'subscribe';
  readonly packetId: number;
  readonly subscriptions: readonly Subscription[];
}

/** Granted QoS per filter, or 0x80 for failure. */
export type SubackReturnCode = QoS | 0x80;

export interface SubackPacket {
  readonly type: 'suback';
  readonly packetId: number;
  readonly granted: readonly SubackReturnCode[];
}

export interface UnsubscribePacket {
  readonly type: 'unsubscribe';
  readonly packetId: number;
  readonly topics: readonly string[];
}

export interface PingreqPacket {
  readonly type: 'pingreq';
}
export interface PingrespPacket {
  readonly type: 'pingresp';
}
export interface DisconnectPacket {
  readonly type: 'disconnect';
}

export type Packet =
  | ConnectPacket
  | ConnackPacket
  | PublishPacket
  | PubackPacket
  | PubrecPacket
  | PubrelPacket
  | PubcompPacket
  | SubscribePacket
  | SubackPacket
  | UnsubscribePacket
  | UnsubackPacket
  | PingreqPacket
  | PingrespPacket
  | DisconnectPacket;

export type PacketType = Packet['type'];
