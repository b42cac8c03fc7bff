export * from './packets';
export * from './errors';
export { checkTopicFilter, checkTopicName, topicMatches } from './topic';
export { PacketEncoder, checkPacket, encode, encodedLength } from './encode';
export { PacketParser, type ParserOptions } from './parser';
export { decodeUtf8, encodeUtf8, isMqttString, utf8Length } from './utf8';
export {
  MqttClient,
  DEFAULT_LIMITS,
  type MqttClientOptions,
  type MqttClientLimits,
  type MqttClientEvents,
  type MqttClientStats,
  type ClientState,
  type ClientProblem,
  type ConnackRefusal,
  type DisconnectCause,
  type InboundMessage,
  type PublishOptions,
  type PublishRefusal,
  type RequestRefusal,
  type SubscribeOutcome,
} from './client';
export { DEFAULT_BACKOFF, type BackoffPolicy } from './backoff';
export type { TcpSocket, TcpSocketFactory, TcpSocketOptions } from './transport';
