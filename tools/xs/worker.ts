/**
 * Drives Moddable's XS engine as a process: the `xsnap-worker` binary that `@agoric/xsnap` builds.
 * We speak its netstring protocol directly (commands on fd 3, replies on fd 4) so that `@endo/init`,
 * which freezes the realm that imports it, never enters the test runner's process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';

export interface Meter {
  /** Live heap slots after the evaluation (no collection runs in between unless the heap fills). */
  currentHeapCount: number;
  /** Deterministic compute units spent by the evaluation. */
  compute: number;
  /** Bytes of heap the engine has reserved from the system so far. */
  allocate: number;
}

export interface Evaluation {
  meter: Meter;
  /** Every message the script sent with `issueCommand(arrayBuffer)`, decoded as UTF-8. */
  messages: string[];
}

export function xsnapWorkerPath(): string {
  const pkg = createRequire(import.meta.url).resolve('@agoric/xsnap/package.json');
  return join(dirname(pkg), 'xsnap-native/xsnap/build/bin/lin/release/xsnap-worker');
}

export class XsWorker {
  private readonly process: ChildProcess;
  private readonly input: Writable;
  private buffered = Buffer.alloc(0);
  private waiting: ((reply: Buffer) => void) | undefined;
  private readonly replies: Buffer[] = [];
  private exited: Error | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  stdout = '';

  constructor(name = 'argus') {
    this.process = spawn(xsnapWorkerPath(), [name], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    });
    this.input = this.process.stdio[3] as Writable;
    const output = this.process.stdio[4] as Readable;
    output.on('data', (chunk: Buffer) => this.receive(chunk));
    this.process.stdout?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.process.stderr?.on('data', (chunk: Buffer) => (this.stdout += chunk.toString('utf8')));
    this.process.on('exit', (code, signal) => {
      this.exited = new Error(`xsnap-worker exited (code ${code}, signal ${signal})`);
      this.waiting?.(Buffer.from('!' + this.exited.message));
    });
    this.input.on('error', () => {});
  }

  /** Evaluates a script; rejects with the engine's error text if it throws. */
  evaluate(source: string): Promise<Evaluation> {
    const run = this.queue.then(() => this.evaluateNow(source));
    this.queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    if (this.exited) return;
    const done = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.send(Buffer.from('q'));
    const timer = setTimeout(() => this.process.kill('SIGKILL'), 2000);
    await done;
    clearTimeout(timer);
  }

  private async evaluateNow(source: string): Promise<Evaluation> {
    if (this.exited) throw this.exited;
    this.send(Buffer.from('e' + source, 'utf8'));
    const messages: string[] = [];
    for (;;) {
      const reply = await this.next();
      const kind = String.fromCharCode(reply[0] ?? 0);
      if (kind === '?') {
        messages.push(reply.subarray(1).toString('utf8'));
        this.send(Buffer.from('/'));
      } else if (kind === '.') {
        const end = reply.indexOf(1);
        const meter = JSON.parse(reply.subarray(1, end < 0 ? reply.length : end).toString('utf8')) as Meter;
        return { meter, messages };
      } else if (kind === '!') {
        throw new Error(`XS: ${reply.subarray(1).toString('utf8')}`);
      } else {
        throw new Error(`xsnap protocol error: ${reply.toString('latin1').slice(0, 80)}`);
      }
    }
  }

  private send(payload: Buffer): void {
    this.input.write(Buffer.concat([Buffer.from(`${payload.length}:`), payload, Buffer.from(',')]));
  }

  private next(): Promise<Buffer> {
    const ready = this.replies.shift();
    if (ready) return Promise.resolve(ready);
    if (this.exited) return Promise.resolve(Buffer.from('!' + this.exited.message));
    return new Promise((resolve) => (this.waiting = resolve));
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    for (;;) {
      const colon = this.buffered.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.buffered.subarray(0, colon).toString('latin1'));
      if (this.buffered.length < colon + 1 + length + 1) return;
      const reply = this.buffered.subarray(colon + 1, colon + 1 + length);
      this.buffered = this.buffered.subarray(colon + 2 + length);
      const waiting = this.waiting;
      this.waiting = undefined;
      if (waiting) waiting(Buffer.from(reply));
      else this.replies.push(Buffer.from(reply));
    }
  }
}
