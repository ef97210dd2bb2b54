import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
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

  // (the outer levels stayed behind; here: a user whose umask makes `a` unwritable to itself)
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  it.skipIf(!isRoot || !existsSync('dist/src/export/make-dir.js'))('removes the levels it made when a deeper one cannot be made', async () => {
    const root = await scratch();
    await chmod(root, 0o777);
    const script = `import('${path.resolve('dist/src/export/make-dir.js')}').then((m) => m.makeDir(process.argv[1])).then(() => process.exit(0), (e) => { console.error(e.code); process.exit(3); })`;
    const r = spawnSync('/bin/sh', ['-c', 'umask 277; exec "$0" -e "$1" "$2"', process.execPath, script, path.join(root, 'a', 'b')], { uid: 65534, gid: 65534, encoding: 'utf8' });
    expect([r.status, r.stderr.trim()]).toEqual([3, 'EACCES']);
    expect(await readdir(root)).toEqual([]);
  });

  // Node 20's mkdir({ recursive: true }) spins for ever on this one
  it.skipIf(!existsSync('/proc/self'))('fails, and returns, where the kernel answers ENOENT under an existing parent (/proc)', async () => {
    await expect(makeDir('/proc/aipref-no-such-folder/out')).rejects.toMatchObject({ code: 'ENOENT' });
  }, 5000);
});
