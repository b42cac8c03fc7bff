/** Every shared suite: run by vitest on Node (host-tests/node) and inside XS (host-tests/xs). */
import type { Suite } from '../harness/suite';
import timer from './timer.cases';
import timerProperties from './timer.properties';
import protocol from './protocol.cases';
import syncParts from './sync.cases';
import syncConvergence from './sync.convergence';
import syncClock from './sync.clock';
import syncLink from './sync.link';
import mqttClient from './mqtt-client.cases';
import mqttCodec from './mqtt-codec.cases';
import mqttCodecProperties from './mqtt-codec.properties';

export const suites: Suite[] = [timer, timerProperties, protocol, syncParts, syncConvergence, syncClock, syncLink, mqttClient, mqttCodec, mqttCodecProperties];
