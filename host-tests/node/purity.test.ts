/** The shared core stays host-free, and breaking that rule is caught twice: statically and by XS. */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Plugin } from 'esbuild';
import { findImpurities } from '../../tools/purity/check';
import { loadIntoXs } from '../../tools/xs/load';
import type { XsWorker } from '../../tools/xs/worker';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'argus-purity-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('purity check', () => {
  it('finds nothing host-specific in lib/', () => {
    expect(findImpurities(here('../../lib'))).toEqual([]);
  });

  it('reports each kind of host dependency, and not locals that share a global name', () => {
    const dir = join(scratch, 'lib');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'ok.ts'), 'export function f(location: string, process: number) { return location + process; }\n');
    writeFileSync(
      join(dir, 'bad.ts'),
      [
        "import { readFileSync } from 'node:fs';",
        "import Timer from 'timer';",
        "import { x } from '../outside';",
        'export const a = Buffer.from("x");',
        'export const b = process.env.HOME;',
        'export const c = setTimeout(() => {}, 1);',
        'export const d = Date.now();',
        'console.log(a);',
        'export const e = new TextEncoder();',
        'export const f = performance.now();',
      ].join('\n'),
    );
    const found = findImpurities(dir);
    const whys = found.filter((i) => i.file.endsWith('bad.ts')).map((i) => i.why);
    expect(whys).toEqual([
      'imports "node:fs": the core takes host services as parameters',
      'imports "timer": the core takes host services as parameters',
      'imports "../outside" from outside lib/',
      'uses the host global Buffer',
      'uses the host global process',
      'uses the host global setTimeout',
      'uses the host global Date',
      'uses the host global console',
      'uses the host global TextEncoder',
      'uses the host global performance',
    ]);
    expect(found.filter((i) => i.file.endsWith('ok.ts'))).toEqual([]);
  });
});

/** Rewrites lib/timer/codec.ts on the way into the bundle so that it leans on Node's Buffer. */
const slipBufferIntoCodec: Plugin = {
  name: 'slip-buffer-into-codec',
  setup(build) {
    build.onLoad({ filter: /lib[\\/]timer[\\/]codec\.ts$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const source = await readFile(args.path, 'utf8');
      const slipped = source.replace(
        'return JSON.stringify(toWire(state));',
        'const text = JSON.stringify(toWire(state)); Buffer.byteLength(text); return text;',
      );
      if (slipped === source) throw new Error('codec.ts changed: update the slipped line');
      return { contents: slipped, loader: 'ts' };
    });
  },
};

describe('a Node-only API slipped into lib/', () => {
  it('makes the XS run of a timer case fail, where the untouched core passes', async () => {
    const entry = new URL('../xs/entry.ts', import.meta.url);
    const roundTrip = 'runCase("timer", "states round-trip through the compact wire form")';
    const outcome = async (worker: XsWorker) => {
      try {
        const { messages } = await worker.evaluate(roundTrip);
        return JSON.parse(messages.at(-1) ?? '{}') as { ok: boolean; error?: string };
      } finally {
        await worker.close();
      }
    };
    const slipped = await outcome(await loadIntoXs('argus-slipped', entry, [slipBufferIntoCodec]));
    expect(slipped.ok).toBe(false);
    expect(slipped.error).toMatch(/ReferenceError: .*Buffer/);
    expect(await outcome(await loadIntoXs('argus-clean', entry))).toEqual({ ok: true });
  });
});
