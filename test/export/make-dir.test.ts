import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeDir } from '../../src/export/make-dir.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function scratch(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), 'aipref-makedir-'));
  dirs.push(d);
  return d;
}

describe('makeDir', () => {
  it('makes every missing level, and is content with a folder that exists', async () => {
    const root = await scratch();
    const deep = path.join(root, 'a', 'b', 'c');
    expect(await makeDir(deep)).toEqual([path.join(root, 'a'), path.join(root, 'a', 'b'), deep]);
    expect((await stat(deep)).isDirectory()).toBe(true);
    expect(await makeDir(deep)).toEqual([]);
    expect(await makeDir(root)).toEqual([]);
  });

  it('fails with the error of the level that cannot be made (a file in the way)', async () => {
    const root = await scratch();
    await writeFile(path.join(root, 'file'), 'x');
    await expect(makeDir(path.join(root, 'file', 'out'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  // Node 20's mkdir({ recursive: true }) spins for ever on this one
  it.skipIf(!existsSync('/proc/self'))('fails, and returns, where the kernel answers ENOENT under an existing parent (/proc)', async () => {
    await expect(makeDir('/proc/aipref-no-such-folder/out')).rejects.toMatchObject({ code: 'ENOENT' });
  }, 5000);
});
