/**
 * A fresh temp folder for each test (`dir`), and what the test registers to undo (`cleanups`:
 * exporters to close, servers to stop), run in reverse order before the folder is removed.
 */
import { afterEach, beforeEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDirEachTest(prefix: string): { readonly dir: string; readonly cleanups: (() => Promise<void>)[] } {
  const temp = { dir: '', cleanups: [] as (() => Promise<void>)[] };
  beforeEach(async () => {
    temp.dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    for (const c of temp.cleanups.splice(0).reverse()) await c();
    await rm(temp.dir, { recursive: true, force: true });
  });
  return temp;
}
