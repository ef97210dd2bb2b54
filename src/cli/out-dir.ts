import { constants } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { access, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeDir, removeMade } from '../export/make-dir.js';

/**
 * Whether `dir` can become the output folder (or another folder the run writes in, named in
 * messages by its `flag`: live's `--spool`), found out before a run reads its capture or
 * opens a socket, and leaving nothing made: the folder, or the nearest of its parents that
 * exists, must be a folder this process may write in; a folder still to make is made, and a
 * file made in it, then both removed again — some file systems refuse either whatever
 * access() says (/proc, /sys, even to root). So a mistyped `--out` stops the run at once with
 * one line naming what is in the way, rather than after the first batch (a replay makes its
 * files only once its capture has been accepted).
 */
export async function checkOutDir(dir: string, flag = '--out'): Promise<void> {
  const wanted = path.resolve(dir);
  let at = wanted;
  for (;;) {
    let isFolder: boolean;
    try {
      isFolder = (await stat(at)).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const up = path.dirname(at);
      // missing, or a parent of it is a file: look at the parent
      if ((code === 'ENOENT' || code === 'ENOTDIR') && up !== at) {
        at = up;
        continue;
      }
      throw new Error(`${flag} ${dir}: ${at}: ${code ?? String(err)}`);
    }
    const which = at === wanted ? 'it' : at;
    if (!isFolder) throw new Error(`${flag} ${dir}: ${which} is not a folder`);
    try {
      await access(at, constants.W_OK | constants.X_OK);
    } catch {
      throw new Error(`${flag} ${dir}: ${which === 'it' ? 'it is' : `${at} is`} not writable`);
    }
    const made = at === wanted ? [] : await tryMaking(flag, dir, wanted);
    try {
      await tryWriting(flag, dir, wanted);
    } finally {
      await removeMade(made);
    }
    return;
  }
}

/** Makes `wanted` (level by level: makeDir); the folders made, outermost first, for the caller to remove. */
async function tryMaking(flag: string, dir: string, wanted: string): Promise<string[]> {
  try {
    return await makeDir(wanted);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`${flag} ${dir}: cannot be made (${e.code ?? String(err)}${e.path ? ` at ${e.path}` : ''})`);
  }
}

/**
 * Makes and removes a file in the folder: a folder access() lets this process write in may
 * still take no file (an existing folder of /proc; a dangling symlink, which makeDir finds
 * already there).
 */
async function tryWriting(flag: string, dir: string, wanted: string): Promise<void> {
  const probe = path.join(wanted, `.aipref-out-check-${process.pid}-${randomUUID()}`);
  try {
    await writeFile(probe, '', { flag: 'wx' });
  } catch (err) {
    throw new Error(`${flag} ${dir}: cannot hold files (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  await unlink(probe);
}
