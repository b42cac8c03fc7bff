import { suite } from '../harness/suite';
import { apply, initialState, pomodoro, view, MINUTE } from '../../lib/timer/index';

export default suite('timer', {
  'a started pomodoro counts down from 25 minutes'(t) {
    const r = apply(initialState(), { type: 'start' }, 1_000);
    if (!r.ok) return t.fail(r.detail);
    const v = view(r.value, 1_000 + 60_000);
    t.equal(v.state, 'Working');
    t.equal(v.remainingMs, 24 * MINUTE);
    t.equal(pomodoro().workMs, 25 * MINUTE);
  },
});
