/** `npm start` without a terminal runs its script end to end and reports convergence by exit code. */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

function runDemo(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tools/demo.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

it('the demo brings up a broker, a hub and two devices that converge after one of them was offline', async () => {
  const { code, out } = await runDemo(['--port', '0']);
  expect(out).toContain('wall-1  OFFLINE  Working (paused)');
  expect(out).toContain('converged: every replica holds the same timer, paused');
  expect(code).toBe(0);
});

it('a malformed --broker is refused with a clear message', async () => {
  const { code, out } = await runDemo(['--broker', 'nonsense']);
  expect(out).toContain('--broker wants host:port');
  expect(code).toBe(1);
});
