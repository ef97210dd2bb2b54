/**
 * A lock file that makes a folder's files one service's: the NDJSON outputs' `<base>.lock`, the
 * spool's `spool.lock`. Another service given the same folder (the same --out or --spool twice)
 * would write the same files: an open file taken for an earlier run's and deleted, a spool's
 * waiting items taken up by both.
 */
import { randomUUID } from 'node:crypto';
import { constants, readFileSync, type Stats } from 'node:fs';
import { link, lstat, open, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { errorReason } from './ndjson-file.js';

/** The lock tokens this process holds (released at close). */
const LOCKS_HELD = new Set<string>();

/**
 * Claims the lock file `path` (in `dir`): its content (pid, host, a random token, where /proc tells
 * it this process's start — `<boot id>/<start tick>` —, a newline) is
 * written to a file of its own first and linked into place, which succeeds for one taker only and
 * never shows a half-written lock. Where the file system has no hard links (vfat, exFAT, many FUSE
 * mounts, CIFS without Unix extensions: link fails with EPERM or ENOTSUP) the lock is made by an
 * exclusive create instead, one taker only too; its content is then written after it exists, so a
 * lock not ending in its newline (empty, partial) may be a taker still writing: waited for, and
 * stale only once this taker has seen it unchanged (inode, modification time, size, text) for a
 * few seconds by its own monotonic clock — not by its mtime, which such a mount stamps with its
 * own clock, often off by more than seconds. A taker that took longer than that to write its line
 * (a stalled mount, a stopped process) may have had its lock deleted meanwhile, its line landing in
 * the deleted file: it holds the lock only once, the line written and no `.break` held (a clearer
 * that read the lock empty has deleted it by then), the path still holds its line; else it reads
 * the lock there as any taker (refused by its owner).
 *
 * A lock whose owner is gone is deleted under a second lock, `<path>.break` (an exclusive create),
 * one taker at a time, and only while the lock file is still the one judged stale — the same
 * inode, modification time and text, not merely the same text (every lock made without hard
 * links is empty for a moment) — so a fresh lock, which only ever appears where none is, is never deleted;
 * moving the lock aside, as before, let a third taker claim the empty place while a second had a
 * first's fresh lock aside. A `.break` left by a taker killed while clearing is itself cleared: at
 * once where its line names a clearer that cannot be running (judged as a lock's owner), else —
 * empty, partial, another host's — once this taker has seen it unchanged for a few seconds (its own
 * clock, as a partial lock: not its mtime; watched from the first turn it is seen, the wait on an
 * owner-less lock included): moved aside and deleted if it is the one judged, else put back; a
 * holder whose `.break` is no longer its own deletes nothing. Then the claim is tried again. A taker
 * whose lock (or `.break`) was created but whose line could not be written (ENOSPC) removes it
 * before failing (createWritten).
 *
 * Refused, with the one line `refusal` makes of the owner (`pid 12`, or `pid 12 on otherhost`): a
 * lock of a running process that may be its owner (see ownerMayRun; this one included: two
 * services in one process), or of another host, whose processes cannot be seen from here.
 * Refused at once too, in one line naming the lock file and what is wrong with it: a lock path
 * that is not a regular file (a folder, a FIFO, a symbolic link…) or cannot be read (EACCES) —
 * no taker made it, and none can clear it; waiting would not change it. A regular file longer
 * than any lock (one short line) is no taker's, whatever its age: cleared as stale.
 * Returns the token, which releaseLock needs.
 */
export async function takeLock(path: string, dir: string, refusal: (owner: string) => string): Promise<string> {
  const start = ownStart();
  const token = `${process.pid} ${hostname()} ${randomUUID()}${start === null ? '' : ` ${start}`}`;
  const line = `${token}\n`;
  const guard = `${path}.break`;
  const mine = `${path}.${randomUUID()}.tmp`;
  await createWritten(mine, line, dir);
  let hardLinks = true;
  /** true once the lock is made (linked: this taker's; created without hard links: see `written`); false where one is there */
  const claim = async (): Promise<boolean> => {
    try {
      if (hardLinks) await link(mine, path);
      else await createWritten(path, line, dir);
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
  // held from now on for this process's other takers: the line, once written, is a live taker's
  LOCKS_HELD.add(token);
  /**
   * Without hard links: this taker created the lock and wrote its line, and has not yet seen that
   * it is still the one at the path — while empty (a write taking more than YOUNG_MS) it may have
   * been judged a killed taker's and deleted, the line then landing in the deleted file.
   */
  let written = false;
  try {
    // by this process's monotonic clock, as a lock's age is judged: a wall clock stepped back does not hold the taker past it
    const deadline = performance.now() + TAKE_LOCK_MS;
    /** the owner-less lock last read, and since when this taker has seen it unchanged */
    let partial: Watch = null;
    /** the same for `.break` (kept across turns: its mtime is the mount's clock, no witness of its age) */
    const guardWatch: { seen: Watch } = { seen: null };
    for (;;) {
      if (!written && (await claim())) {
        if (hardLinks) return token;
        written = true;
      }
      if (written) {
        // every deletion of a stale lock is made under `.break`: once none is held, a clearer that
        // read the lock before the line landed has unlinked it, and one reading it since finds the
        // line (a live taker's); then the path says whether the lock is still this taker's
        if (await clearStaleGuard(guard, dir, guardWatch)) await pause();
        else {
          written = false;
          const now = await readLock(path, dir);
          if (now !== null && !now.cut && now.text === line) return token;
          // judged stale and deleted while empty: the lock there now (if any) is another's
        }
      }
      if (!written) {
        const held = await readLock(path, dir);
        if (held !== null) {
          const owner = held.cut ? null : lockOwner(held.text);
          if (owner !== null && ownerMayRun(owner, held.text)) {
            throw new Error(refusal(owner.host === hostname() ? `pid ${owner.pid}` : `pid ${owner.pid} on ${owner.host}`));
          }
          if (owner !== null || held.cut) await clearStale(path, dir, held, token, guardWatch);
          else {
            // owner-less (empty, partial): a taker without hard links may be writing it
            partial = watched(partial, held);
            if (isStale(partial)) await clearStale(path, dir, held, token, guardWatch);
            else {
              // a `.break` there is watched meanwhile (or cleared, a killed clearer's): its wait
              // runs with this one, not after it (5 + 5 s reached the deadline)
              await clearStaleGuard(guard, dir, guardWatch);
              await pause();
            }
          }
        }
      }
      if (performance.now() > deadline) throw new Error(`${dir}: cannot take ${path}: other processes keep taking it`);
    }
  } catch (err) {
    // a line this taker wrote and may still have at the path goes with it (releaseLock forgets the token)
    if (written) await releaseLock(path, token);
    else LOCKS_HELD.delete(token);
    throw err;
  } finally {
    await unlink(mine).catch(() => undefined);
  }
}

/** How long a taker tries (a lock being written, another taker clearing a stale one) before it gives up. */
const TAKE_LOCK_MS = 10_000;
/**
 * An owner-less lock seen unchanged by a taker for less than this (its own clock) may be a taker's
 * still being written; a `.break` so seen, a taker's still clearing.
 */
const YOUNG_MS = 5_000;
/** What link(2) fails with where the file system has no hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

const pause = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/**
 * A file a taker waits on (an owner-less lock, a `.break`): as last read, and since when
 * (performance.now()) this taker has seen it unchanged — its age by the taker's own monotonic
 * clock, not by its mtime, which a mount stamps with its own clock (often off by more than seconds).
 */
type Watch = { lock: HeldLock; since: number } | null;

/** The watch kept where `now` is the file last seen, else begun at `now` (first seen, or changed). */
const watched = (watch: Watch, now: HeldLock): Watch => (watch !== null && sameLock(watch.lock, now) ? watch : { lock: now, since: performance.now() });

/** Whether the watched file has stayed unchanged for YOUNG_MS. */
const isStale = (watch: Watch): boolean => watch !== null && performance.now() - watch.since >= YOUNG_MS;

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

/** The most of a lock file read: a lock is one line of well under 200 bytes (pid, host, token, start). */
const LOCK_MAX_BYTES = 4096;

/** A lock file as read: its identity, its text (its first LOCK_MAX_BYTES), and whether it is longer than that (no taker's). */
interface HeldLock extends FileIdentity {
  size: number;
  text: string;
  cut: boolean;
}

/** The same lock file, unchanged: inode, modification time, size and text. */
const sameLock = (a: HeldLock, b: HeldLock): boolean => sameFile(a, b) && a.size === b.size && a.text === b.text && a.cut === b.cut;

/**
 * The lock's text and identity, read through one handle (both of the same file); null when there
 * is none (gone: claim again). Only a regular file is read, its first LOCK_MAX_BYTES only (a 3 GiB
 * file is no lock: read whole, it failed and was taken for gone, again and again for 10 s): lstat
 * first, so that a FIFO is not opened (its open would wait for a writer), and the open neither
 * follows a link nor waits (something put in the lock's place since). A lock path that is not a
 * regular file, or that cannot be read (EACCES), throws the one line takeLock refuses with.
 */
async function readLock(path: string, dir: string): Promise<HeldLock | null> {
  const cannot = (what: string, cause?: unknown): Error => new Error(`${dir}: cannot take ${path}: ${what}`, { cause });
  const gone = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';
  let handle;
  try {
    const kind = fileKind(await lstat(path));
    if (kind !== null) throw cannot(`not a regular file (${kind}): delete it`);
    handle = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if (gone(err)) return null;
    if ((err as NodeJS.ErrnoException).code === undefined) throw err;
    throw cannot(`cannot read it: ${errorReason(err)}`, err);
  }
  try {
    const st = await handle.stat();
    const kind = fileKind(st);
    if (kind !== null) throw cannot(`not a regular file (${kind}): delete it`);
    const buf = Buffer.alloc(LOCK_MAX_BYTES + 1);
    let n = 0;
    for (let got = -1; got !== 0 && n < buf.length; n += got) got = (await handle.read(buf, n, buf.length - n, n)).bytesRead;
    const cut = n > LOCK_MAX_BYTES;
    return { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, text: buf.toString('utf8', 0, Math.min(n, LOCK_MAX_BYTES)), cut };
  } catch (err) {
    if (gone(err)) return null;
    if ((err as NodeJS.ErrnoException).code === undefined) throw err;
    throw cannot(`cannot read it: ${errorReason(err)}`, err);
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** What a lock path is when it is not a regular file (`a folder`…); null for a regular file. */
function fileKind(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'a folder';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'a device';
}

/**
 * Deletes the stale lock `path` — only while it is still the file judged (`held`) — under
 * `<path>.break`, which one taker holds at a time; a taker finding it held clears it if it is a
 * killed taker's (seen unchanged for YOUNG_MS: `guardWatch`), waits and tries its claim again.
 */
async function clearStale(path: string, dir: string, held: HeldLock, token: string, guardWatch: { seen: Watch }): Promise<void> {
  const guard = `${path}.break`;
  let own: FileIdentity | null;
  try {
    await createWritten(guard, `${token}\n`, dir);
    own = await identity(guard);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    await clearStaleGuard(guard, dir, guardWatch);
    await pause();
    return;
  }
  try {
    // the lock still the one judged stale — its inode, modification time and text: where mtimes
    // are coarse (1 s) and freed inode numbers are given again at once (ext4 does), a fresh lock
    // made within the second can share the first two — and `.break` still this taker's (not
    // cleared as a killed taker's)
    const now = await readLock(path, dir);
    if (sameFile(now, held) && now!.text === held.text && sameFile(await identity(guard), own)) await unlink(path).catch(() => undefined);
  } finally {
    if (sameFile(await identity(guard), own)) await unlink(guard).catch(() => undefined);
  }
}

/**
 * Whether a `.break` is there; one a killed taker left goes — moved aside, deleted if it is the one
 * judged, else put back: at once where its line names an owner that cannot be clearing (a pid of
 * this host not running the process that wrote it, this process not holding that token: as a lock's
 * owner is judged, ownerMayRun), else once seen unchanged (inode, mtime, size, text) for YOUNG_MS by
 * this taker (`watch`, kept across its turns) — empty or partial (its clearer killed before its
 * line landed), or another host's — not judged by its mtime.
 */
async function clearStaleGuard(guard: string, dir: string, watch: { seen: Watch }): Promise<boolean> {
  const judged = await readGuard(guard, dir);
  if (judged === null) {
    watch.seen = null;
    return false;
  }
  const owner = judged.cut ? null : lockOwner(judged.text);
  if (owner === null || ownerMayRun(owner, judged.text)) {
    watch.seen = watched(watch.seen, judged);
    if (!isStale(watch.seen)) return true;
  }
  watch.seen = null;
  const aside = `${guard}.${randomUUID()}`;
  if (!(await rename(guard, aside).then(() => true, () => false))) return true;
  // another taker's fresh `.break`, cleared by another as stale meanwhile and made again: back in
  // place (where yet another was made meanwhile, this one's holder finds `.break` not its own and deletes nothing)
  const moved = await readGuard(aside, dir);
  if (moved === null || !sameLock(moved, judged)) await link(aside, guard).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
  return true;
}

/**
 * Creates `file` (exclusive: EEXIST where one is there) and writes `text` to it. Where the write
 * fails once the file is made (ENOSPC: a directory entry still fits, its line does not; EIO), the
 * file is removed before the error goes on — a lock or `.break` left empty would be waited on by
 * every later taker — while it is surely still this taker's: read back as nothing but a start of
 * `text`, and less than YOUNG_MS / 2 after the create began (another taker deletes an owner-less
 * file only once it has seen it unchanged for YOUNG_MS, and only then may make its own there).
 * (One writeFile call, the one the tests' simulated slow or failing mounts wrap: the file's inode is
 * not at hand, hence the read-back and the time bound.)
 */
async function createWritten(file: string, text: string, dir: string): Promise<void> {
  const began = performance.now();
  try {
    await writeFile(file, text, { flag: 'wx' });
  } catch (err) {
    const syscall = (err as NodeJS.ErrnoException).syscall;
    // failed at its open: nothing made (a file there since is another's)
    if (syscall !== undefined && syscall !== 'open') {
      const left = await readLock(file, dir).catch(() => null);
      if (left !== null && !left.cut && text.startsWith(left.text) && performance.now() - began < YOUNG_MS / 2) await unlink(file).catch(() => undefined);
    }
    throw err;
  }
}

/** A `.break` as readLock reads a lock; one that is not a regular file or cannot be read (no taker's), by its lstat alone. */
async function readGuard(guard: string, dir: string): Promise<HeldLock | null> {
  return readLock(guard, dir).catch(async () => {
    const st = await lstat(guard).catch(() => null);
    return st === null ? null : { ino: st.ino, mtimeMs: st.mtimeMs, size: st.size, text: '', cut: false };
  });
}

/**
 * Removes the lock file while it still holds `token` (one taken over meanwhile is another's). Called
 * even when the service's last write failed (a full disk): nothing writes there any more, and a lock
 * left behind names a pid that a later node process may be given. Read as takeLock reads it
 * (readLock): something put in its place that is not a regular file (a FIFO, whose open would wait
 * for a writer for ever and hang close), or cannot be read, is not this service's: left, silently.
 */
export async function releaseLock(path: string, token: string): Promise<void> {
  const held = await readLock(path, dirname(path)).catch(() => null);
  if (held !== null && !held.cut && held.text.trim() === token) await unlink(path).catch(() => undefined);
  LOCKS_HELD.delete(token);
}

/**
 * The pid and host a lock names; null for one not ending in its newline — empty or partial (a taker
 * without hard links still writing it, or one cut short) — or unreadable, which is stale once old
 * (one longer than any lock is not asked here: stale at once).
 */
function lockOwner(text: string): { pid: number; host: string } | null {
  if (!text.endsWith('\n')) return null;
  const [pid, host] = text.trim().split(/\s+/);
  const n = Number(pid);
  return Number.isSafeInteger(n) && n > 0 ? { pid: n, host: host ?? hostname() } : null;
}

/**
 * Whether a lock's owner may still be writing: this process (another service of the same folder)
 * or another host always may; a pid here, while it runs the process that took the lock. Where /proc
 * tells a process's state and start (read once, /proc/<pid>/stat): not a zombie or dead one (it has
 * exited, writes nothing: kill(0) still answers for it until its parent reaps it), and the one
 * started when the lock recorded (its boot id and start tick: a pid given since to another
 * program, node or not, started at another tick; a lock of an earlier boot names no running
 * process). A lock without a recorded start (an earlier version's, during an upgrade): a running
 * node process is its owner — its mtime is no witness of when it was written against a process's
 * start (a clock stepped since, a mount's clock behind), so a pid reused by another node program
 * holds such a lock, a known limit. No /proc: any running pid.
 */
function ownerMayRun(owner: { pid: number; host: string }, text: string): boolean {
  if (owner.host !== hostname()) return true;
  // this process: only where it holds that very lock (a container restarted after a crash is
  // often given the same pid, pid 1 even: its lock is stale)
  if (owner.pid === process.pid) return LOCKS_HELD.has(text.trim());
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const proc = procStat(owner.pid);
  if (proc !== null) {
    if (EXITED_STATES.has(proc.state)) return false;
    const recorded = text.trim().split(/\s+/)[3]?.split('/');
    if (recorded?.length === 2) {
      const [boot, at] = recorded as [string, string];
      const now = bootId();
      return at === proc.ticks && (boot === UNKNOWN_BOOT || now === null || boot === now);
    }
  }
  try {
    return readFileSync(`/proc/${owner.pid}/cmdline`, 'utf8').includes('node');
  } catch {
    return true; // no /proc to ask: it runs, whatever it is
  }
}

/** /proc/<pid>/stat states of a process that has exited: zombie, dead (`x` on Linux 2.6.33–3.13). */
const EXITED_STATES = new Set(['Z', 'X', 'x']);

/** The boot id written in a lock where /proc/sys/kernel/random/boot_id cannot be read. */
const UNKNOWN_BOOT = '-';

/**
 * A process's state (/proc/<pid>/stat field 3: `R`, `S`, `Z`…) and start, in clock ticks since boot
 * (field 22, as text), from one read of the file; null where /proc does not tell them.
 */
function procStat(pid: number): { state: string; ticks: string } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // field 2, the command name in parentheses, may hold spaces and parentheses itself: fields 3… follow its last ')'
  const close = stat.lastIndexOf(')');
  const fields = close < 0 ? [] : stat.slice(close + 2).split(' ');
  const [state, ticks] = [fields[3 - 3], fields[22 - 3]];
  return state !== undefined && ticks !== undefined && /^\d+$/.test(ticks) ? { state, ticks } : null;
}

/** This boot's id (changes at every boot); null where it cannot be read. */
function bootId(): string | null {
  try {
    const id = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return /^[0-9a-f-]+$/i.test(id) ? id : null;
  } catch {
    return null;
  }
}

/** `<boot id>/<start tick>` of this process, written into its locks; null where /proc does not tell its start. */
function ownStart(): string | null {
  const proc = procStat(process.pid);
  return proc === null ? null : `${bootId() ?? UNKNOWN_BOOT}/${proc.ticks}`;
}
