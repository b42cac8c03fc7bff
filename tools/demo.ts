/**
 * `npm start`: Argus on one machine, until the hub lands. An MQTT broker (embedded aedes, or an
 * external one with --broker), a hub replica and two virtual devices whose clocks are hours apart,
 * all running the shared core over real MQTT on loopback. Every device shows the same timer.
 *
 *   npm start                          interactive in a terminal
 *   npm start -- --port 1884           embedded broker port (default 1883; 0 picks a free one)
 *   npm start -- --broker host:port    use a running broker (e.g. mosquitto) instead
 *
 * Keys: 1/2 pick a device · space start/pause/resume · s skip · r reset · +/- one minute ·
 * o take the device offline / back online · q quit. Without a terminal a short script runs (start on
 * one device, pause on the other while it is offline, reconnect) and the exit code says whether the
 * replicas converged.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from '../lib/timer/index';
import { FileStore } from '../host/node/file-store';
import { startEmbeddedBroker, type EmbeddedBroker } from './sim/embedded-broker';
import { VirtualNode } from './sim/virtual-node';

const HOUR = 3_600_000;

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? process.argv[at + 1] : undefined;
}

function parseBroker(text: string): { host: string; port: number } {
  const match = /^(?:mqtt:\/\/)?([^:/]+):(\d{1,5})$/.exec(text);
  if (!match) throw new Error(`--broker wants host:port (e.g. 127.0.0.1:1883), got "${text}"`);
  return { host: match[1]!, port: Number(match[2]) };
}

async function main(): Promise<number> {
  const external = option('broker');
  let embedded: EmbeddedBroker | undefined;
  let broker: { host: string; port: number };
  if (external) broker = parseBroker(external);
  else {
    const port = Number(option('port') ?? 1883);
    try {
      embedded = await startEmbeddedBroker(port);
    } catch (error) {
      throw new Error(`cannot listen on 127.0.0.1:${port} (${(error as Error).message}); try --port 0 or --broker host:port`);
    }
    broker = embedded;
  }

  const dir = mkdtempSync(join(tmpdir(), 'argus-demo-'));
  const base = { broker, location: 'home', group: 'focus' };
  const hub = new VirtualNode({ ...base, role: 'hub', kind: 'hub', id: 'hub-1', store: new FileStore(join(dir, 'hub.json')), skewMs: Date.now() - performance.now() });
  const devices = [
    new VirtualNode({ ...base, role: 'device', kind: 't-embed', id: 'desk-1', store: new FileStore(join(dir, 'desk-1.json')), skewMs: 3 * HOUR }),
    new VirtualNode({ ...base, role: 'device', kind: 'presto', id: 'wall-1', store: new FileStore(join(dir, 'wall-1.json')), skewMs: 5 * HOUR }),
  ];
  const nodes = [hub, ...devices];
  for (const node of nodes) node.connect();

  let selected = 0;
  let note = 'waiting for the devices to agree on hub time';
  const where = external ? `broker ${broker.host}:${broker.port}` : `embedded broker on ${broker.host}:${broker.port}`;

  const send = (index: number, command: Command) => {
    const device = devices[index]!;
    const result = device.replica.command(command);
    note = `${device.id} ${command.type}: ${result.ok ? 'applied here, sent' : `refused (${result.reason})`}`;
  };

  const line = (node: VirtualNode, index: number) => {
    const v = node.replica.view();
    const total = Math.ceil(v.remainingMs / 1000);
    const clock = `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
    const bar = '#'.repeat(Math.round(v.progress * 20)).padEnd(20, '.');
    const status = `${v.state}${v.paused ? ' (paused)' : ''}`;
    const pointer = node === hub ? ' ' : index - 1 === selected ? '>' : ' ';
    const link = node.online ? 'online ' : 'OFFLINE';
    const extra = node.clock ? `clock ${node.clock.synced ? `synced, ±${Math.round(node.clock.delay / 2)} ms` : 'not synced'}  outbox ${node.replica.pending().length}` : 'canonical';
    return `${pointer} ${node.id.padEnd(7)} ${link}  ${status.padEnd(20)} ${clock} [${bar}]  ${extra}`;
  };

  const frame = () => [`Argus demo: ${where}, group "focus"`, ...nodes.map(line), `  ${note}`];
  let drawn = 0;
  const draw = () => {
    const lines = frame();
    process.stdout.write((drawn ? `\x1b[${drawn}A` : '') + lines.map((l) => `\x1b[2K${l}\n`).join(''));
    drawn = lines.length;
  };

  const converged = () => {
    const canonical = JSON.stringify(hub.replica.current);
    return devices.every((d) => JSON.stringify(d.replica.current) === canonical && d.replica.pending().length === 0);
  };

  const shutdown = async () => {
    for (const node of nodes) node.disconnect();
    await embedded?.close();
    rmSync(dir, { recursive: true, force: true });
  };

  if (process.stdin.isTTY) {
    const ticker = setInterval(draw, 250);
    process.stdout.write('keys: 1/2 device · space start/pause/resume · s skip · r reset · +/- minute · o offline/online · q quit\n');
    process.stdin.setRawMode(true);
    await new Promise<void>((resolve) => {
      process.stdin.on('data', (data) => {
        const key = data.toString();
        const device = devices[selected]!;
        if (key === 'q' || key === '\u0003') return resolve();
        if (key === '1' || key === '2') selected = Number(key) - 1;
        else if (key === ' ') {
          const v = device.replica.view();
          send(selected, { type: v.state === 'Idle' ? 'start' : v.paused ? 'resume' : 'pause' });
        } else if (key === 's') send(selected, { type: 'skip' });
        else if (key === 'r') send(selected, { type: 'reset' });
        else if (key === '+') send(selected, { type: 'adjust', ms: 60_000 });
        else if (key === '-') send(selected, { type: 'adjust', ms: -60_000 });
        else if (key === 'o') {
          if (device.linked) {
            device.cutOff();
            note = `${device.id} cut off (its Last Will says offline)`;
          } else {
            device.connect();
            note = `${device.id} reconnecting`;
          }
        }
        draw();
      });
    });
    clearInterval(ticker);
    process.stdin.setRawMode(false);
    await shutdown();
    return 0;
  }

  const step = async (ms: number, what: string, act: () => void) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    act();
    note = what;
    process.stdout.write(frame().join('\n') + '\n\n');
  };
  const [desk, wall] = devices as [VirtualNode, VirtualNode];
  await step(1500, 'desk-1 starts the timer', () => send(0, { type: 'start' }));
  await step(1000, 'wall-1 loses its link', () => wall.cutOff());
  await step(1000, 'wall-1 pauses while offline', () => send(1, { type: 'pause' }));
  await step(1000, 'wall-1 is back', () => wall.connect());
  await step(2000, 'after reconnecting', () => undefined);
  const ok = converged() && desk.replica.view().paused;
  process.stdout.write(ok ? 'converged: every replica holds the same timer, paused\n' : 'NOT converged\n');
  await shutdown();
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`argus: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
