/** Every shared suite: run by vitest on Node (host-tests/node) and inside XS (host-tests/xs). */
import type { Suite } from '../harness/suite';
import timer from './timer.cases';
import timerProperties from './timer.properties';
import mqttClient from './mqtt-client.cases';

export const suites: Suite[] = [timer, timerProperties, mqttClient];
