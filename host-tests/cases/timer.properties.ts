import fc from 'fast-check';
import { suite } from '../harness/suite';
import { apply, initialState, view } from '../../lib/timer/index';

export default suite('timer properties', {
  'remaining stays within [0, duration]'(t) {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 ** 9 }), (dt) => {
      const r = apply(initialState(), { type: 'start' }, 0);
      if (!r.ok) return false;
      const v = view(r.value, dt);
      return v.remainingMs >= 0 && v.remainingMs <= v.durationMs;
    }));
    t.ok(true);
  },
});
