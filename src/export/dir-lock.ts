/**
 * A lock file that makes a folder's files one service's: the NDJSON outputs' `<base>.lock`, the
 * spool's `spool.lock`. Another service given the same folder (the same --out or --spool twice)
 * would write the same files: an open file taken for an earlier run's and deleted, a spool's
 * waiting items taken up by both.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';

/** The lock tokens this process holds (released at close). */
const LOCKS_HELD = new Set<string>();

/**
 * Claims the lock file `path` (in `dir`): its content (pid, host, a random token) is written to a
 * file of its own first and linked into place, which succeeds for one taker only and never shows a
 * half-written lock. A lock whose owner is gone is moved aside (one taker wins that rename), checked
 * to be the one read, and deleted; then the claim is tried again. Refused, with the one line
 * `refusal` makes of the owner (`pid 12`, or `pid 12 on otherhost`): a lock of a running process
 * (this one included: two services in one process), or of another host, whose processes cannot be
 * seen from here. Returns the token, which releaseLock needs.
 */
export async function takeLock(path: string, dir: string, refusal: (owner: string) => string): Promise<string> {
  const token = `${process.pid} ${hostname()} ${randomUUID()}`;
  const mine = `${path}.${randomUUID()}.tmp`;
  await writeFile(mine, `${token}\n`);
  try {
    for (let attempt = 0; attempt < 8; attempt++) {
      try {
        await link(mine, path);
        LOCKS_HELD.add(token);
        return token;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const held = await readFile(path, 'utf8').catch(() => null);
      if (held === null) continue;
      const owner = lockOwner(held);
      if (owner !== null && ownerMayRun(owner, held.trim())) {
        throw new Error(refusal(owner.host === hostname() ? `pid ${owner.pid}` : `pid ${owner.pid} on ${owner.host}`));
      }
      const aside = `${path}.${randomUUID()}.stale`;
      if (!(await rename(path, aside).then(() => true, () => false))) continue;
      if ((await readFile(aside, 'utf8').catch(() => null)) !== held) {
        // another taker's fresh lock, not the stale one read: back in place (unless yet another is there)
        await link(aside, path).catch(() => undefined);
      }
      await unlink(aside).catch(() => undefined);
    }
    throw new Error(`${dir}: cannot take ${path}: other processes keep taking it`);
  } finally {
    await unlink(mine).catch(() => undefined);
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
