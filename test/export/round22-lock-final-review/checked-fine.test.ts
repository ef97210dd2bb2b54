/**
 * Review of src/export/dir-lock.ts after 991101e (chain 1ac796c, 991101e). Checked and FINE:
 * - races between processes (dist, test/export/lock-child.mjs, started at one agreed millisecond):
 *   two takers of a fresh folder, 25 rounds — exactly one "ok", the other refused naming the
 *   winner's pid; three takers of a folder holding a stale lock (a dead pid, a start not its own),
 *   15 rounds — exactly one "ok", never two (the .break path); two spools (spool.lock, through
 *   round22-lock-review/titled-lock-child.mjs), 15 rounds — exactly one;
 * - the no-hard-links path (link failing EPERM, mocked), mount clock as this host's: a taker still
 *   writing its lock (300 ms, empty meanwhile) is waited for (isYoung/pause), the second taker is
 *   refused naming this pid, the lock holds the first's line whole, release removes it; a partial
 *   lock a minute old (a taker killed mid-write) is cleared and taken;
 * - releaseLock on a replaced lock: another's lock put in its place (a regular file with another
 *   token) is left as it is, for the NDJSON exporter and the spool; a lock already gone: no error;
 * - a lock path that is a symbolic link to a valid lock file (NDJSON and spool): refused at once
 *   in one line naming the folder and the lock path, "(a symbolic link): delete it"; the link and
 *   its target are left untouched (deleting a link never deletes its target: the advice is safe);
 *   a dangling link likewise. The CLI prints the same one line (live --out / --spool, by hand);
 * - an --out folder that is itself a symbolic link to a folder works (only the lock's own name is
 *   not followed): taken, a second taker through the real path is refused, released at close.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, symlink, writeFile as realWriteFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

const mode = vi.hoisted(() => ({ noLinks: false }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const writeFile = async (file: unknown, data: unknown, opts?: unknown): Promise<void> => {
    const flag = typeof opts === 'object' && opts !== null ? (opts as { flag?: string }).flag : undefined;
    if (mode.noLinks && flag === 'wx' && String(file).endsWith('.lock')) {
      const h = await real.open(file as string, 'wx');
      try {
        await new Promise((r) => setTimeout(r, 300)); // still writing: the lock is empty meanwhile
        await h.writeFile(data as string);
      } finally {
        await h.close();
      }
      return;
    }
    return (real.writeFile as (...a: unknown[]) => Promise<void>)(file, data, opts);
  };
  const link = async (...a: unknown[]): Promise<void> => {
    if (mode.noLinks) throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM', errno: -1 });
    return (real.link as (...x: unknown[]) => Promise<void>)(...a);
  };
  return { ...real, default: { ...real, writeFile, link }, writeFile, link };
});

const { takeLock, releaseLock } = await import('../../../src/export/dir-lock.js');
const { RotatingNdjsonExporter } = await import('../../../src/export/ndjson-rotating.js');
const { DiskSpool } = await import('../../../src/export/spool.js');

const LOCK_CHILD = join(__dirname, '..', 'lock-child.mjs');
const TITLED_CHILD = join(__dirname, '..', 'round22-lock-review', 'titled-lock-child.mjs');
const linux = existsSync('/proc/self/stat') && existsSync('/proc/sys/kernel/random/boot_id');
const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

let dir: string;
let other: string;
beforeEach(async () => {
  mode.noLinks = false;
  dir = await mkdtemp(join(tmpdir(), 'r22-final-pass-'));
  other = await mkdtemp(join(tmpdir(), 'r22-final-pass-other-'));
});
afterEach(async () => {
  mode.noLinks = false;
  await rm(dir, { recursive: true, force: true });
  await rm(other, { recursive: true, force: true });
});

/**
 * Takers started together (`argsOf(i)`, holding "stdin"): each one's line once all have tried —
 * the winner holds the lock until then, so a taker a loaded machine starts late still races it
 * (with a fixed hold, one started after the winner's release took the lock too: "ok | ok").
 */
const race = (n: number, argsOf: (i: number) => string[]): Promise<string[]> => {
  const children = Array.from({ length: n }, (_, i) => spawn(process.execPath, argsOf(i), { stdio: ['pipe', 'pipe', 'inherit'] }));
  const lines = children.map(
    (c) =>
      new Promise<string>((resolve) => {
        let out = '';
        c.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) resolve(out.trim());
        });
        c.on('close', () => resolve(out.trim()));
      }),
  );
  const closed = children.map((c) => new Promise((r) => c.on('close', r)));
  return Promise.all(lines).then(async (outs) => {
    for (const c of children) c.stdin.end();
    await Promise.all(closed);
    return outs;
  });
};

const deadPid = (): number => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);

describe.skipIf(!linux)('races between processes: exactly one taker wins', () => {
  it('two takers of a fresh folder, 25 rounds', async () => {
    for (let i = 0; i < 25; i++) {
      const d = await mkdtemp(join(tmpdir(), 'r22-final-race-'));
      try {
        const at = String(Date.now() + 400);
        const outs = await race(2, () => [LOCK_CHILD, d, 'stdin', at]);
        expect(outs.filter((o) => o === 'ok').length, outs.join(' | ')).toBe(1);
        expect(outs.find((o) => o !== 'ok')).toMatch(/^refused .*another exporter \(pid \d+, /);
      } finally {
        await rm(d, { recursive: true, force: true });
      }
    }
  });

  it('three takers of a folder holding a stale lock, 15 rounds', async () => {
    for (let i = 0; i < 15; i++) {
      const d = await mkdtemp(join(tmpdir(), 'r22-final-race-stale-'));
      try {
        await realWriteFile(join(d, 'exports.lock'), `${deadPid()} ${hostname()} 11111111-dead-4000-8000-00000000000${i % 10} ${bootId()}/1\n`);
        const at = String(Date.now() + 400);
        const outs = await race(3, () => [LOCK_CHILD, d, 'stdin', at]);
        expect(outs.filter((o) => o === 'ok').length, outs.join(' | ')).toBe(1);
        expect(existsSync(join(d, 'exports.lock.break'))).toBe(false);
      } finally {
        await rm(d, { recursive: true, force: true });
      }
    }
  });

  it('two spools of one folder, 15 rounds', async () => {
    for (let i = 0; i < 15; i++) {
      const d = await mkdtemp(join(tmpdir(), 'r22-final-race-spool-'));
      try {
        const outs = await race(2, () => [TITLED_CHILD, '-', d, 'stdin', 'spool']);
        expect(outs.filter((o) => o === 'ok').length, outs.join(' | ')).toBe(1);
        expect(outs.find((o) => o !== 'ok')).toMatch(/^refused .*the spool is being used by another exporter \(pid \d+, /);
      } finally {
        await rm(d, { recursive: true, force: true });
      }
    }
  });
});

describe.skipIf(!linux)('no hard links (link fails EPERM): exclusive create, then the line', () => {
  it('a taker still writing its lock is waited for; the second is refused; the first holds a whole line; release removes it', async () => {
    mode.noLinks = true;
    const lock = join(dir, 'exports.lock');
    const a = takeLock(lock, dir, (o) => `refused (${o})`);
    await new Promise((r) => setTimeout(r, 50));
    const b = takeLock(lock, dir, (o) => `refused (${o})`);
    const [ra, rb] = await Promise.allSettled([a, b]);
    expect(ra.status).toBe('fulfilled');
    expect(rb.status === 'rejected' ? String(rb.reason) : rb.status).toMatch(new RegExp(`refused \\(pid ${process.pid}\\)`));
    const token = (ra as PromiseFulfilledResult<string>).value;
    expect(readFileSync(lock, 'utf8')).toBe(`${token}\n`);
    await releaseLock(lock, token);
    expect(existsSync(lock)).toBe(false);
  });

  it('a partial lock a minute old (a taker killed mid-write) is cleared and taken', async () => {
    mode.noLinks = true;
    const lock = join(dir, 'exports.lock');
    await realWriteFile(lock, `${process.pid} ${hostname()} 1111`);
    const t = new Date(Date.now() - 60_000);
    await (await import('node:fs/promises')).utimes(lock, t, t);
    const token = await takeLock(lock, dir, (o) => `refused (${o})`);
    expect(readFileSync(lock, 'utf8')).toBe(`${token}\n`);
    await releaseLock(lock, token);
  });
});

describe.skipIf(!linux)('releaseLock on a replaced lock', () => {
  it("another's lock put in its place is left (NDJSON exporter, spool); a lock already gone: no error", async () => {
    const ex = await RotatingNdjsonExporter.open({ dir, base: 'exports' });
    const s = await DiskSpool.open(dir, { lock: true });
    const foreign = `4242 ${hostname()} 22222222-dead-4000-8000-000000000000 ${bootId()}/1\n`;
    await realWriteFile(join(dir, 'exports.lock'), foreign);
    await realWriteFile(join(dir, 'spool.lock'), foreign);
    await ex.close();
    await s.close();
    expect(readFileSync(join(dir, 'exports.lock'), 'utf8')).toBe(foreign);
    expect(readFileSync(join(dir, 'spool.lock'), 'utf8')).toBe(foreign);
    const ex2 = await RotatingNdjsonExporter.open({ dir: other, base: 'exports' });
    await rm(join(other, 'exports.lock'));
    await expect(ex2.close()).resolves.toBeUndefined();
  });
});

describe.skipIf(!linux)('a lock path that is a symbolic link', () => {
  it('to a valid lock file (NDJSON, spool) or dangling: refused at once, one line naming folder and lock; link and target untouched', async () => {
    const target = join(other, 'real.lock');
    const text = `999999 ${hostname()} 33333333-dead-4000-8000-000000000000 ${bootId()}/1\n`;
    await realWriteFile(target, text);
    for (const [name, open] of [
      ['exports.lock', () => RotatingNdjsonExporter.open({ dir, base: 'exports' })],
      ['spool.lock', () => DiskSpool.open(dir, { lock: true })],
    ] as const) {
      const lock = join(dir, name);
      await symlink(target, lock);
      const t0 = Date.now();
      const msg = await (open as () => Promise<{ close(): Promise<void> }>)().then(
        async (x) => {
          await x.close();
          return 'opened';
        },
        (e: Error) => e.message,
      );
      expect(Date.now() - t0).toBeLessThan(2000);
      expect(msg).toBe(`${dir}: cannot take ${lock}: not a regular file (a symbolic link): delete it`);
      expect(msg).not.toContain('\n');
      expect(lstatSync(lock).isSymbolicLink()).toBe(true);
      expect(readFileSync(target, 'utf8')).toBe(text);
      await rm(lock);
    }
    await symlink(join(other, 'nothing-there'), join(dir, 'exports.lock'));
    await expect(RotatingNdjsonExporter.open({ dir, base: 'exports' })).rejects.toThrow(`${dir}: cannot take ${join(dir, 'exports.lock')}: not a regular file (a symbolic link): delete it`);
  });

  it('an --out folder that is itself a symbolic link works: taken, a taker through the real path refused, released at close', async () => {
    const via = join(other, 'out-link');
    await symlink(dir, via);
    const ex = await RotatingNdjsonExporter.open({ dir: via, base: 'exports' });
    await expect(RotatingNdjsonExporter.open({ dir, base: 'exports' })).rejects.toThrow(new RegExp(`another exporter \\(pid ${process.pid}, `));
    await ex.close();
    expect(existsSync(join(dir, 'exports.lock'))).toBe(false);
  });
});
