/** The Node file Store: durable across instances, atomic replacement, and good enough for a replica reboot. */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileStore } from '../../host/node/file-store';
import { Replica } from '../../lib/sync/index';

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'argus-store-'));
  dirs.push(dir);
  return join(dir, 'store.json');
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('FileStore', () => {
  it('keeps values across instances and forgets deleted keys', () => {
    const path = tempFile();
    const a = new FileStore(path);
    a.set('reg', '{"x":1}');
    a.set('ob.0', 'é ✓ 𝄞');
    a.set('ob.1', 'gone');
    a.delete('ob.1');
    const b = new FileStore(path);
    expect(b.get('reg')).toBe('{"x":1}');
    expect(b.get('ob.0')).toBe('é ✓ 𝄞');
    expect(b.get('ob.1')).toBeUndefined();
    expect(b.keys().sort()).toEqual(['ob.0', 'reg']);
  });

  it('replaces the file by rename: no temporary file is left, a stale one is ignored', () => {
    const path = tempFile();
    writeFileSync(`${path}.tmp`, 'half a wri');
    const store = new FileStore(path);
    store.set('k', 'v');
    expect(readdirSync(join(path, '..'))).toEqual(['store.json']);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ k: 'v' });
  });

  it('starts empty without a file and refuses a file that is not a store', () => {
    const path = tempFile();
    expect(new FileStore(path).keys()).toEqual([]);
    writeFileSync(path, '[1,2]');
    expect(() => new FileStore(path)).toThrow(/not a store file/);
  });

  it('carries a device replica across a restart', () => {
    const path = tempFile();
    let now = 1_000_000;
    let n = 0;
    const make = () =>
      new Replica({
        role: 'device', location: 'home', kind: 't-embed', id: 'desk-1', group: 'focus', store: new FileStore(path),
        time: { now: () => now, synced: true }, publish: () => Promise.reject(new Error('offline')), newId: () => `c${n++}`,
      });
    const before = make();
    expect(before.command({ type: 'start' }).ok).toBe(true);
    now += 5_000;
    const after = make();
    expect(after.current).toEqual(before.current);
    expect(after.pending()).toEqual(before.pending());
    expect(after.view().elapsedMs).toBe(5_000);
  });
});
