import { constants } from 'node:fs';
import { access, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { makeDir } from '../export/make-dir.js';

/**
 * Whether `dir` can become the output folder, found out before a run reads its capture or
 * opens a socket, and leaving nothing made: the folder, or the nearest of its parents that
 * exists, must be a folder this process may write in — and a folder still to make is made and
 * removed again, since some file systems refuse it whatever access() says (/proc, /sys, a
 * read-only mount, even to root). So a mistyped `--out` stops the run at once with one line
 * naming what is in the way, rather than after the first batch (a replay makes its files only
 * once its capture has been accepted).
 */
export async function checkOutDir(dir: string): Promise<void> {
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
      throw new Error(`--out ${dir}: ${at}: ${code ?? String(err)}`);
    }
    const which = at === wanted ? 'it' : at;
    if (!isFolder) throw new Error(`--out ${dir}: ${which} is not a folder`);
    try {
      await access(at, constants.W_OK | constants.X_OK);
    } catch {
      throw new Error(`--out ${dir}: ${which === 'it' ? 'it is' : `${at} is`} not writable`);
    }
    if (at !== wanted) await tryMaking(dir, wanted);
    return;
  }
}

/** Makes `wanted` (level by level: makeDir), then removes what it made, innermost first. */
async function tryMaking(dir: string, wanted: string): Promise<void> {
  let made: string[];
  try {
    made = await makeDir(wanted);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`--out ${dir}: cannot be made (${e.code ?? String(err)}${e.path ? ` at ${e.path}` : ''})`);
  }
  // (a folder something else put something in meanwhile stays)
  for (const at of made.reverse()) await rmdir(at).catch(() => undefined);
}
