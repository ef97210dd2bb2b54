// The dir-lock.ts of 1ac796c^ (the version before the start was recorded), copied as a fixture: the old reader of a mixed-version folder.
/**
 * A lock file that makes a folder's files one service's: the NDJSON outputs' `<base>.lock`, the
 * spool's `spool.lock`. Another service given the same folder (the same --out or --spool twice)
 * would write the same files: an open file taken for an earlier run's and deleted, a spool's
 * waiting items taken up by both.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/** The lock tokens this process holds (released at close). */
const LOCKS_HELD = new Set<string>();

/**
 * Claims the lock file `path` (in `dir`): its content (pid, host, a random token, a newline) is
 * written to a file of its own first and linked into place, which succeeds for one taker only and
 * never shows a half-written lock. Where the file system has no hard links (vfat, exFAT, many FUSE
 * mounts, CIFS without Unix extensions: link fails with EPERM or ENOTSUP) the lock is made by an
 * exclusive create instead, one taker only too; its content is then written after it exists, so a
 * lock not ending in its newline (empty, partial) that is younger than a few seconds is a taker
 * still writing: waited for, not stale.
 *
 * A lock whose owner is gone is deleted under a second lock, `<path>.break` (an exclusive create),
 * one taker at a time, and only while the lock file is still the one judged stale — the same
 * inode, modification time and text, not merely the same text (every lock made without hard
 * links is empty for a moment) — so a fresh lock, which only ever appears where none is, is never deleted;
 * moving the lock aside, as before, let a third taker claim the empty place while a second had a
 * first's fresh lock aside. A `.break` left by a taker killed while clearing is itself cleared once
 * a few seconds old: moved aside and deleted if it is the one judged, else put back; a holder
 * whose `.break` is no longer its own deletes nothing. Then the claim is tried again.
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
      const held = await readLock(path);
      if (held !== null) {
        const owner = lockOwner(held.text);
        if (owner !== null && ownerMayRun(owner, held.text.trim())) {
          throw new Error(refusal(owner.host === hostname() ? `pid ${owner.pid}` : `pid ${owner.pid} on ${owner.host}`));
        }
        if (owner !== null || !isYoung(held.mtimeMs)) await clearStale(path, held, token);
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
/** A lock file (or `.break`) modified less than this ago (either way: a mount's clock may run ahead) may be a taker's still being written (or clearing). */
const YOUNG_MS = 5_000;
/** What link(2) fails with where the file system has no hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

function isYoung(mtimeMs: number): boolean {
  return Math.abs(Date.now() - mtimeMs) < YOUNG_MS;
}

/** A file's identity: a file deleted and another made in its place may get its inode number, not also its modification time. */
interface FileIdentity {
  ino: number;
  mtimeMs: number;
}

const sameFile = (a: FileIdentity | null, b: FileIdentity | null): boolean => a !== null && b !== null && a.ino === b.ino && a.mtimeMs === b.mtimeMs;

async function identity(file: string): Promise<FileIdentity | null> {
  const st = await stat(file).catch(() => null);
  return st === null ? null : { ino: st.ino, mtimeMs: st.mtimeMs };
}

/** The lock's text and identity, read through one handle (both of the same file); null when there is none. */
async function readLock(path: string): Promise<(FileIdentity & { text: string }) | null> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const st = await handle.stat();
    return { ino: st.ino, mtimeMs: st.mtimeMs, text: await handle.readFile('utf8') };
  } catch {
    return null;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Deletes the stale lock `path` — only while it is still the file judged (`held`) — under
 * `<path>.break`, which one taker holds at a time; a taker finding it held clears it if it is a
 * killed taker's (a few seconds old), waits and tries its claim again.
 */
async function clearStale(path: string, held: FileIdentity & { text: string }, token: string): Promise<void> {
  const guard = `${path}.break`;
  let own: FileIdentity | null;
  try {
    await writeFile(guard, `${token}\n`, { flag: 'wx' });
    own = await identity(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    await clearStaleGuard(guard);
    await pause();
    return;
  }
  try {
    // the lock still the one judged stale — its inode, modification time and text: where mtimes
    // are coarse (1 s) and freed inode numbers are given again at once (ext4 does), a fresh lock
    // made within the second can share the first two — and `.break` still this taker's (not
    // cleared as a killed taker's)
    const now = await readLock(path);
    if (sameFile(now, held) && now!.text === held.text && sameFile(await identity(guard), own)) await unlink(path).catch(() => undefined);
  } finally {
    if (sameFile(await identity(guard), own)) await unlink(guard).catch(() => undefined);
  }
}

/** A `.break` a killed taker left (a few seconds old) goes: moved aside, deleted if it is the one judged, else put back. */
async function clearStaleGuard(guard: string): Promise<void> {
  const judged = await identity(guard);
  if (judged === null || isYoung(judged.mtimeMs)) return;
  const aside = `${guard}.${randomUUID()}`;
  if (!(await rename(guard, aside).then(() => true, () => false))) return;
  // another taker's fresh `.break`, cleared by another as stale meanwhile and made again: back in
  // place (where yet another was made meanwhile, this one's holder finds `.break` not its own and deletes nothing)
  if (!sameFile(await identity(aside), judged)) await link(aside, guard).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
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

/**
 * The pid and host a lock names; null for one not ending in its newline — empty or partial (a taker
 * without hard links still writing it, or one cut short) — or unreadable, which is stale once old.
 */
function lockOwner(text: string): { pid: number; host: string } | null {
  if (!text.endsWith('\n')) return null;
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
