/** The focus timer: a derived-state machine shared by every device and the hub. */
export * from './strategy';
export * from './state';
export * from './view';
export { apply, rebase, type Command, type CommandType, type RefusalReason, type ApplyResult } from './commands';
export { checkStrategy, type InvalidReason, type Checked } from './validate';
export { toWire, fromWire, encodeState, decodeState, checkCommand, parseJson, MAX_TIMER_JSON, type WireState } from './codec';
