/** Loaded into XS by tools/bench/timer.ts: loops whose cost the worker's meter reports. */
import { apply, emptyView, initialState, viewInto, view, type TimerState } from '../../lib/timer/index';

const started = apply(initialState(), { type: 'start' }, 1_000);
const state: TimerState = started.ok ? started.value : initialState();
const out = emptyView();
let now = 1_000;

const g = globalThis as Record<string, unknown>;
g.emptyLoop = (n: number) => {
  for (let i = 0; i < n; i++) now += 16;
};
g.ticks = (n: number) => {
  for (let i = 0; i < n; i++) viewInto(state, (now += 16), out);
};
g.allocatingTicks = (n: number) => {
  for (let i = 0; i < n; i++) view(state, (now += 16));
};
g.commands = (n: number) => {
  let s = state;
  for (let i = 0; i < n; i++) {
    const r = apply(s, { type: i % 2 === 0 ? 'pause' : 'resume' }, (now += 16));
    if (r.ok) s = r.value;
  }
};
