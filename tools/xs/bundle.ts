/** Bundles TypeScript for the XS engine: one self-contained script, no host modules. */
import { readFile } from 'node:fs/promises';
import { build, type Plugin } from 'esbuild';

/**
 * fast-check reads `setTimeout` when it loads (only its async and timeout helpers call it). XS has
 * no timers, so inside fast-check's own modules these names are bound to stubs; the rest of the
 * bundle (and so `lib/`) still sees no timer at all.
 */
const timerFreeFastCheck: Plugin = {
  name: 'timer-free-fast-check',
  setup(build) {
    build.onLoad({ filter: /[\\/]node_modules[\\/](fast-check|pure-rand)[\\/].*\.m?js$/ }, async (args) => ({
      contents:
        'const setTimeout = () => { throw new Error("no timers under XS"); }; const clearTimeout = () => {};\n' +
        (await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

export async function bundleForXs(entry: string, extraPlugins: Plugin[] = []): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'neutral',
    target: 'es2022',
    mainFields: ['module', 'main'],
    plugins: [...extraPlugins, timerFreeFastCheck],
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (!file) throw new Error(`esbuild produced nothing for ${entry}`);
  return file.text;
}
