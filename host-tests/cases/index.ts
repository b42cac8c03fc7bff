/** Every shared suite: run by vitest on Node (host-tests/node) and inside XS (host-tests/xs). */
import type { Suite } from '../harness/suite';
import timer from './timer.cases';
import timerProperties from './timer.properties';
import mqttCodec from './mqtt-codec.cases';
import mqttCodecProperties from './mqtt-codec.properties';

export const suites: Suite[] = [timer, timerProperties, mqttCodec, mqttCodecProperties];
