/** Keeping replicas of the timer convergent: HLC stamps, LWW register, outbox, ids seen, hub time, presence. */
export { HybridClock, compareStamps, ZERO_STAMP, type Stamp } from './hlc';
export { ClockSync, sampleOf, type TimeSample } from './clock-sync';
export { initialRegister, merge, type Register } from './register';
export { SeenIds } from './seen-ids';
export { Outbox, DEFAULT_OUTBOX_LIMITS, type OutboxLimits, type PublishPort } from './outbox';
export { PresenceTracker } from './presence';
export { Replica, type ReplicaOptions, type HubTime, type CommandRefusal } from './replica';
export { MqttLink, clientPublisher, presenceWill, type LinkOptions, type SyncClient } from './mqtt-link';
