export * from './packets';
export * from './errors';
export { checkTopicFilter, checkTopicName, topicMatches } from './topic';
export { checkPacket, encode, encodedLength } from './encode';
export { PacketParser, type ParserOptions } from './parser';
export { decodeUtf8, encodeUtf8, isMqttString, utf8Length } from './utf8';
