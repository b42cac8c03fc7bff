/** The shared cases again, this time inside Moddable's XS engine (xsnap-worker). */
import { afterAll, beforeAll, describe, it } from 'vitest';
import { suites } from '../cases/index';
import { loadIntoXs } from '../../tools/xs/load';
import type { XsWorker } from '../../tools/xs/worker';

let worker: XsWorker;

beforeAll(async () => {
  worker = await loadIntoXs('argus-cases', new URL('./entry.ts', import.meta.url));
});

afterAll(async () => {
  await worker?.close();
});

for (const suite of suites) {
  describe(`XS: ${suite.name}`, () => {
    for (const name of Object.keys(suite.cases)) {
      it(name, async () => {
        const { messages } = await worker.evaluate(`runCase(${JSON.stringify(suite.name)}, ${JSON.stringify(name)})`);
        const result = JSON.parse(messages.at(-1) ?? '{"ok":false,"error":"the case never reported"}') as {
          ok: boolean;
          error?: string;
        };
        if (!result.ok) throw new Error(result.error);
      });
    }
  });
}
