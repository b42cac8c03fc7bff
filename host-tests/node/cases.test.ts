/** The shared cases on Node. */
import { describe, it } from 'vitest';
import { check } from '../harness/check';
import { suites } from '../cases/index';

for (const suite of suites) {
  describe(`Node: ${suite.name}`, () => {
    for (const [name, run] of Object.entries(suite.cases)) {
      it(name, () => run(check));
    }
  });
}
