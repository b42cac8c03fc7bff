/**
 * Timer benchmark: throughput on Node, and on XS the deterministic compute units and the heap
 * slots allocated per 1,000 ticks (a tick is one `viewInto` at a new instant).
 */
import { apply, emptyView, initialState, view, viewInto, type TimerState } from '../../lib/timer/index';
import { loadIntoXs } from '../xs/load';
import { median, table } from './report';

function perSecond(run: (n: number) => void, n: number): number {
  run(n);
  const rates: number[] = [];
  for (let round = 0; round < 7; round++) {
    const start = performance.now();
    run(n);
    rates.push(n / ((performance.now() - start) / 1000));
  }
  return median(rates);
}

function nodeFigures(): string[][] {
  const started = apply(initialState(), { type: 'start' }, 1_000);
  const state: TimerState = started.ok ? started.value : initialState();
  const out = emptyView();
  let now = 1_000;
  let sink = 0;
  const rows = [
    ['viewInto (reused view)', perSecond((n) => { for (let i = 0; i < n; i++) sink += viewInto(state, (now += 16), out).remainingMs; }, 1_000_000)],
    ['view (new object)', perSecond((n) => { for (let i = 0; i < n; i++) sink += view(state, (now += 16)).remainingMs; }, 1_000_000)],
    ['view after a 30-day sleep', perSecond((n) => { for (let i = 0; i < n; i++) sink += viewInto(state, (now += 16) + 30 * 86_400_000, out).remainingMs; }, 1_000_000)],
    ['apply pause/resume', perSecond((n) => {
      let s = state;
      for (let i = 0; i < n; i++) {
        const r = apply(s, { type: i % 2 === 0 ? 'pause' : 'resume' }, (now += 16));
        if (r.ok) s = r.value;
      }
      sink += s.version;
    }, 200_000)],
  ] as const;
  if (sink === 0) throw new Error('the benchmark was optimised away');
  return rows.map(([name, rate]) => [name, `${(rate / 1e6).toFixed(2)} M/s`]);
}

async function xsFigures(): Promise<string[][]> {
  const worker = await loadIntoXs('argus-bench-timer', new URL('./xs-timer-entry.ts', import.meta.url));
  try {
    const n = 1_000;
    const measure = async (fn: string) => {
      await worker.evaluate(`${fn}(${n})`);
      const before = await worker.evaluate('0');
      const run = await worker.evaluate(`${fn}(${n})`);
      return { compute: run.meter.compute, slots: run.meter.currentHeapCount - before.meter.currentHeapCount };
    };
    const empty = await measure('emptyLoop');
    const rows: string[][] = [];
    for (const [name, fn] of [['viewInto tick', 'ticks'], ['view tick (allocating)', 'allocatingTicks'], ['apply pause/resume', 'commands']] as const) {
      const m = await measure(fn);
      rows.push([name, String(Math.round((m.compute - empty.compute) / n)), String(m.slots - empty.slots)]);
    }
    return rows;
  } finally {
    await worker.close();
  }
}

console.log('Timer on Node (median of 7 rounds)');
console.log(table(['operation', 'throughput'], nodeFigures()));
console.log('\nTimer on XS (xsnap-worker meter, 1,000 operations after one warm-up round)');
console.log(table(['operation', 'compute units / op', 'heap slots / 1,000 ops'], await xsFigures()));
