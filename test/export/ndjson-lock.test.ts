/**
 * The <base>.lock of the rotating NDJSON exporter: one process per folder and base.
 */
import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { RotatingNdjsonExporter } from '../../src/export/ndjson-rotating.js';

const run = promisify(execFile);
const LOCK_CHILD = join(__dirname, 'lock-child.mjs');
const dirs: string[] = [];
const children: { kill(): boolean }[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'aipref-ndjson-lock-'));
  dirs.push(d);
  return d;
}
afterEach(async () => {
  for (const c of children.splice(0)) c.kill();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('NDJSON <base>.lock', () => {
  it('a crashed owner (SIGKILL) leaves its lock; the next start takes it over', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, [LOCK_CHILD, dir, '60000', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    expect(existsSync(join(dir, 'exports.lock'))).toBe(true);
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    await ex.close();
  });

  it('an empty or garbage lock (crash between create and write) is taken over', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'exports.lock'), '');
    await (await RotatingNdjsonExporter.open({ dir, base: 'exports' })).close();
    await writeFile(join(dir, 'exports.lock'), 'garbage\n');
    await (await RotatingNdjsonExporter.open({ dir, base: 'exports' })).close();
  });

  it('two bases in one folder each have their own lock; closing one leaves the other', async () => {
    const dir = await tempDir();
    const a = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    const b = await RotatingNdjsonExporter.open({ dir, base: 'reports' });
    await a.close();
    expect(existsSync(join(dir, 'reports.lock'))).toBe(true);
    await b.close();
  });

  it("a stale lock whose pid now belongs to an unrelated running process (pid reused after a crash/reboot) is taken over: the owner is dead", async () => {
    const dir = await tempDir();
    const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
    children.push(sleeper);
    // the enforcer that wrote this lock is gone; its pid was handed to `sleep`
    await writeFile(join(dir, 'exports.lock'), `${sleeper.pid}\n`);
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    await ex.close();
  });

  it('a second exporter on the same base in the same process (two services embedded in one process) is refused', async () => {
    const dir = await tempDir();
    const first = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    try {
      await expect(RotatingNdjsonExporter.open({ dir, base: 'exports' }).then((e) => e.close())).rejects.toThrow(/another/);
    } finally {
      await first.close();
    }
  });

  it('close() called twice: the second resolves only once the lock is released', async () => {
    const dir = await tempDir();
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    await ex.writeLine('{"a":1}', null);
    void ex.close();
    await ex.close();
    expect(existsSync(join(dir, 'exports.lock'))).toBe(false);
  });

  it('two processes starting together over a stale lock: at most one runs', async () => {
    let both = 0;
    for (let round = 0; round < 12; round++) {
      const dir = await tempDir();
      await writeFile(join(dir, 'exports.lock'), '999999\n'); // a dead owner
      const startAt = Date.now() + 400;
      const outs = await Promise.all(
        [0, 1].map((): Promise<string> => run(process.execPath, [LOCK_CHILD, dir, '800', String(startAt)]).then((r) => r.stdout.trim())),
      );
      if (outs.every((o) => o === 'ok')) both++;
    }
    expect(both).toBe(0);
  }, 60_000);
});
