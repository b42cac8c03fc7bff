/**
 * The design target "a steady-state tick allocates nothing on XS", held as a test: the engine's heap
 * slot count is deterministic (unlike time), so it can be asserted. The allocating `view` shows the
 * meter would notice.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadIntoXs } from '../../tools/xs/load';
import type { XsWorker } from '../../tools/xs/worker';

let worker: XsWorker;

beforeAll(async () => {
  worker = await loadIntoXs('argus-allocation', new URL('../../tools/bench/xs-timer-entry.ts', import.meta.url));
});

afterAll(async () => {
  await worker?.close();
});

/** Heap slots that `fn(1000)` allocates beyond `fn(0)` (evaluating a call costs a few slots itself). */
async function slotsPerThousand(fn: string): Promise<number> {
  const measure = async (n: number) => {
    await worker.evaluate(`${fn}(${n})`);
    const before = await worker.evaluate('0');
    const after = await worker.evaluate(`${fn}(${n})`);
    return after.meter.currentHeapCount - before.meter.currentHeapCount;
  };
  return (await measure(1000)) - (await measure(0));
}

it('1,000 steady-state ticks (viewInto a reused view) allocate no heap slot', async () => {
  expect(await slotsPerThousand('ticks')).toBe(0);
});

it('1,000 allocating views do allocate, so the count above is meaningful', async () => {
  expect(await slotsPerThousand('allocatingTicks')).toBeGreaterThan(1000);
});
