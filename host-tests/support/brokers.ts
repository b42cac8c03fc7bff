/**
 * Real MQTT brokers for Node-only tests: Debian's mosquitto and aedes, each in its own process on a
 * free loopback port, stopped by pid. A missing mosquitto is an error (tests must fail, not skip).
 *
 *   const broker = await startMosquitto();      // persistence on, in a temporary directory
 *   ... connect to broker.host:broker.port ...
 *   await broker.restart();                     // SIGKILL, then start again on the same port
 *   await broker.stop();                        // SIGTERM (mosquitto saves its database), cleanup
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const MOSQUITTO = '/usr/sbin/mosquitto';

export interface Broker {
  readonly name: 'mosquitto' | 'aedes';
  readonly host: string;
  readonly port: number;
  /** The process id of the running broker. */
  readonly pid: number;
  /** Kills the broker with SIGKILL (if running) and starts it again on the same port, with its persistence. */
  restart(): Promise<void>;
  /** Kills the broker by pid with the given signal and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Sends a signal without waiting (SIGSTOP/SIGCONT to freeze and thaw it). */
  signal(signal: NodeJS.Signals): void;
  /** Stops the broker (SIGTERM) and removes its temporary files. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (asks the kernel for one, then releases it). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface MosquittoOptions {
  /** Keep sessions and messages on disk across restarts (default true). */
  readonly persistence?: boolean;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Broker & { readonly dataDir: string; save(): Promise<void> }> {
  try {
    accessSync(MOSQUITTO, constants.X_OK);
  } catch {
    throw new Error(`mosquitto is not installed at ${MOSQUITTO} (Debian package "mosquitto")`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'argus-mosquitto-'));
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'log_dest stderr', 'log_type error', 'log_type warning'];
  if (options.persistence ?? true)
    // Save after every change (subscriptions, retained and queued messages), not only on exit.
    lines.push('persistence true', `persistence_location ${dir}/`, 'autosave_on_changes true', 'autosave_interval 1');
  if (process.getuid?.() === 0) lines.push('user root'); // otherwise it switches to "mosquitto", which cannot write dir
  writeFileSync(config, lines.join('\n') + '\n');
  const database = join(dir, 'mosquitto.db');
  const broker = await supervise('mosquitto', port, () => spawn(MOSQUITTO, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] }), () =>
    rmSync(dir, { recursive: true, force: true }),
  );
  return Object.assign(broker, {
    dataDir: dir,
    /** Forces mosquitto to write its database now (SIGUSR1) and waits until the file has changed. */
    async save(): Promise<void> {
      const before = modified(database);
      broker.signal('SIGUSR1');
      await until(() => modified(database) !== before, 5_000, 'mosquitto did not save its database');
    },
  });
}

export async function startAedes(): Promise<Broker> {
  const port = await freePort();
  const script = fileURLToPath(new URL('./aedes-broker.ts', import.meta.url));
  return supervise('aedes', port, () =>
    spawn(process.execPath, ['--import', 'tsx', script, String(port)], { stdio: ['ignore', 'ignore', 'pipe'] }),
  );
}

async function supervise(
  name: Broker['name'],
  port: number,
  launch: () => ChildProcess,
  cleanup: () => void = () => {},
): Promise<Broker> {
  let child: ChildProcess = await launchAndWait(name, port, launch);
  const exited = (p: ChildProcess) => p.exitCode !== null || p.signalCode !== null;
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (exited(child) || child.pid === undefined) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid, signal);
    await gone;
  };
  return {
    name,
    host: '127.0.0.1',
    port,
    get pid() {
      return child.pid ?? -1;
    },
    kill,
    signal(signal) {
      if (!exited(child) && child.pid !== undefined) process.kill(child.pid, signal);
    },
    async restart() {
      await kill('SIGKILL');
      child = await launchAndWait(name, port, launch);
    },
    async stop() {
      await kill('SIGTERM');
      cleanup();
    },
  };
}

async function launchAndWait(name: string, port: number, launch: () => ChildProcess): Promise<ChildProcess> {
  const child = launch();
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString('utf8')).slice(-2_000)));
  const dead = () => child.exitCode !== null || child.signalCode !== null;
  try {
    await until(async () => !dead() && (await accepts(port)), 15_000, `${name} did not accept connections on ${port}`, dead);
  } catch (error) {
    if (!dead() && child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
    throw new Error(`${(error as Error).message}${dead() ? ` (it exited: ${child.exitCode ?? child.signalCode})` : ''}\n${log}`);
  }
  return child;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls `condition` every 25 ms until it holds; fails after `ms` or as soon as `abandon` holds. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  ms: number,
  message: string,
  abandon: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await condition()) return;
    if (abandon() || Date.now() > deadline) throw new Error(message);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function modified(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}
