/**
 * A lock file that makes a folder's files one service's: the NDJSON outputs' `<base>.lock`, the
 * spool's `spool.lock`. Another service given the same folder (the same --out or --spool twice)
 * would write the same files: an open file taken for an earlier run's and deleted, a spool's
 * waiting items taken up by both.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/** The lock tokens this process holds (released at close). */
const LOCKS_HELD = new Set<string>();

/**
 * Claims the lock file `path` (in `dir`): its content (pid, host, a random token) is written to a
 * file of its own first and linked into place, which succeeds for one taker only and never shows a
 * half-written lock. Where the file system has no hard links (vfat, exFAT, many FUSE mounts, CIFS
 * without Unix extensions: link fails with EPERM or ENOTSUP) the lock is made by an exclusive
 * create instead, one taker only too; its content is then written after it exists, so an empty or
 * partial lock younger than a few seconds is a taker still writing: waited for, not stale.
 *
 * A lock whose owner is gone is deleted under a second lock, `<path>.break` (an exclusive create,
 * itself stale after a few seconds): one taker at a time reads the lock again and deletes it only
 * while it still holds the stale text read — a fresh lock only ever appears where none is, so no
 * other taker's fresh lock can be deleted (moving the lock aside, as before, could: a third taker
 * claimed the empty place while a second had a first's fresh lock aside, and two held the folder).
 * Then the claim is tried again.
 *
 * Refused, with the one line `refusal` makes of the owner (`pid 12`, or `pid 12 on otherhost`): a
 * lock of a running process (this one included: two services in one process), or of another host,
 * whose processes cannot be seen from here. Returns the token, which releaseLock needs.
 */
export async function takeLock(path: string, dir: string, refusal: (owner: string) => string): Promise<string> {
  const token = `${process.pid} ${hostname()} ${randomUUID()}`;
  const mine = `${path}.${randomUUID()}.tmp`;
  await writeFile(mine, `${token}\n`);
  let hardLinks = true;
  /** true once the lock is this taker's; false where one is there */
  const claim = async (): Promise<boolean> => {
    try {
      if (hardLinks) await link(mine, path);
      else await writeFile(path, `${token}\n`, { flag: 'wx' });
      return true;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      if (hardLinks && code !== undefined && NO_HARD_LINKS.has(code)) {
        hardLinks = false;
        return claim();
      }
      throw err;
    }
  };
  try {
    const deadline = Date.now() + TAKE_LOCK_MS;
    for (;;) {
      if (await claim()) {
        LOCKS_HELD.add(token);
        return token;
      }
      const held = await readFile(path, 'utf8').catch(() => null);
      if (held !== null) {
        const owner = lockOwner(held);
        if (owner !== null && ownerMayRun(owner, held.trim())) {
          throw new Error(refusal(owner.host === hostname() ? `pid ${owner.pid}` : `pid ${owner.pid} on ${owner.host}`));
        }
        if (owner !== null || !(await isYoung(path))) await clearStale(path, held, token);
        else await pause(); // a taker without hard links still writing its lock
      }
      if (Date.now() > deadline) throw new Error(`${dir}: cannot take ${path}: other processes keep taking it`);
    }
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}

/** How long a taker tries (a lock being written, another taker clearing a stale one) before it gives up. */
const TAKE_LOCK_MS = 10_000;
/** A lock file (or `.break`) younger than this may be a taker's still being written (or clearing). */
const YOUNG_MS = 5_000;
/** What link(2) fails with where the file system has no hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

async function isYoung(file: string): Promise<boolean> {
  const st = await stat(file).catch(() => null);
  return st !== null && Date.now() - st.mtimeMs < YOUNG_MS;
}

/**
 * Deletes the stale lock `path` — only while it still holds `held`, the stale text read — under
 * `<path>.break`, which one taker holds at a time; a taker finding it held waits and tries its
 * claim again. A `.break` left by a taker killed while clearing goes once it is a few seconds old.
 */
async function clearStale(path: string, held: string, token: string): Promise<void> {
  const guard = `${path}.break`;
  try {
    await writeFile(guard, `${token}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    if (!(await isYoung(guard))) await unlink(guard).catch(() => undefined);
    await pause();
    return;
  }
  try {
    if ((await readFile(path, 'utf8').catch(() => null)) === held) await unlink(path).catch(() => undefined);
  } finally {
    await unlink(guard).catch(() => undefined);
  }
}

/**
 * Removes the lock file while it still holds `token` (one taken over meanwhile is another's). Called
 * even when the service's last write failed (a full disk): nothing writes there any more, and a lock
 * left behind names a pid that a later node process may be given.
 */
export async function releaseLock(path: string, token: string): Promise<void> {
  if ((await readFile(path, 'utf8').catch(() => '')).trim() === token) await unlink(path).catch(() => undefined);
  LOCKS_HELD.delete(token);
}

/** The pid and host a lock names; null for an empty or unreadable one (a taker cut short), which is stale. */
function lockOwner(text: string): { pid: number; host: string } | null {
  const [pid, host] = text.trim().split(/\s+/);
  const n = Number(pid);
  return Number.isSafeInteger(n) && n > 0 ? { pid: n, host: host ?? hostname() } : null;
}

/**
 * Whether a lock's owner may still be writing: this process (another service of the same folder)
 * or another host always may; a pid here, while it runs a node process (a pid the system gave
 * since to another program is a dead owner's).
 */
function ownerMayRun(owner: { pid: number; host: string }, token: string): boolean {
  if (owner.host !== hostname()) return true;
  // this process: only where it holds that very lock (a container restarted after a crash is
  // often given the same pid, pid 1 even: its lock is stale)
  if (owner.pid === process.pid) return LOCKS_HELD.has(token);
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${owner.pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc to ask: it runs, whatever it is
  }
}
