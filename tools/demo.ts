/**
 * Terminal demo of the shared timer core until the hub exists: one pomodoro, shown live.
 * Keys: space start/pause/resume, s skip, r reset, + / - adjust by a minute, q quit.
 * `--speed N` runs the clock N times faster (default 1; without a terminal, a scripted run at 300x).
 */
import { apply, emptyView, initialState, viewInto, type Command, type TimerState } from '../lib/timer/index';

const interactive = process.stdin.isTTY === true;
const speedArg = process.argv.indexOf('--speed');
const speed = speedArg > 0 ? Number(process.argv[speedArg + 1]) : interactive ? 1 : 300;
const origin = performance.now();
const now = () => Math.round((performance.now() - origin) * speed);

let state: TimerState = initialState();
let note = interactive ? 'space: start/pause  s: skip  r: reset  +/-: minute  q: quit' : 'scripted demo';
const view = emptyView();
let lastCompletions = 0;

function send(command: Command): void {
  const result = apply(state, command, now());
  if (result.ok) {
    state = result.value;
    note = `${command.type} accepted (version ${state.version})`;
  } else note = `${command.type} refused: ${result.reason}`;
}

function mmss(ms: number): string {
  const total = Math.ceil(ms / 1000);
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

function draw(): void {
  viewInto(state, now(), view);
  if (view.completions > lastCompletions) {
    note = `completed: ${view.completions - lastCompletions} phase(s), now ${view.name}`;
    lastCompletions = view.completions;
  }
  const width = 30;
  const filled = Math.round(view.progress * width);
  const bar = '#'.repeat(filled) + '.'.repeat(width - filled);
  const status = `${view.state}${view.paused ? ' (paused)' : ''}`.padEnd(20);
  process.stdout.write(`\r${status} ${mmss(view.remainingMs)} [${bar}] cycle ${view.cycle} phase ${view.phase}  ${note}   `);
}

const ticker = setInterval(draw, 200);

function quit(): void {
  clearInterval(ticker);
  draw();
  process.stdout.write('\n');
  process.exit(0);
}

if (interactive) {
  process.stdin.setRawMode(true);
  process.stdin.on('data', (data) => {
    const key = data.toString();
    const v = viewInto(state, now(), view);
    if (key === 'q' || key === '\u0003') quit();
    else if (key === ' ') send({ type: v.state === 'Idle' ? 'start' : v.paused ? 'resume' : 'pause' });
    else if (key === 's') send({ type: 'skip' });
    else if (key === 'r') send({ type: 'reset' });
    else if (key === '+') send({ type: 'adjust', ms: 60_000 });
    else if (key === '-') send({ type: 'adjust', ms: -60_000 });
  });
} else {
  const script: Array<[number, Command]> = [
    [200, { type: 'start' }],
    [1500, { type: 'pause' }],
    [2500, { type: 'resume' }],
    [3500, { type: 'skip' }],
    [4500, { type: 'adjust', ms: -60_000 }],
  ];
  for (const [at, command] of script) setTimeout(() => { send(command); draw(); process.stdout.write('\n'); }, at);
  setTimeout(quit, 6000);
}
