/** The Argus wire protocol: topics, payload schemas, validation and rejection bookkeeping. See docs/protocol.md. */
export { isId, MAX_ID_LENGTH } from './ids';
export { Rejections, type RejectReason, type Rejection, type RejectionEntry } from './reasons';
export * from './topics';
export * from './payloads';
export { receive, type Received } from './receive';
