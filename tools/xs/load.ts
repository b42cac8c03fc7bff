/** An XS worker with a TypeScript entry bundled and evaluated in it: what every XS test and bench starts with. */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'esbuild';
import { bundleForXs } from './bundle';
import { XsWorker } from './worker';

export async function loadIntoXs(name: string, entry: URL, plugins: Plugin[] = []): Promise<XsWorker> {
  const script = await bundleForXs(fileURLToPath(entry), plugins);
  const worker = new XsWorker(name);
  try {
    await worker.evaluate(script);
  } catch (error) {
    await worker.close();
    throw error;
  }
  return worker;
}
