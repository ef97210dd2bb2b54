import { mkdir, rmdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * `mkdir -p`, one level at a time. Node 20's `mkdir(dir, { recursive: true })` never returns
 * where the kernel answers ENOENT for a folder whose parent exists (under /proc, say): it
 * spins, retrying. Made level by level from the nearest folder that exists, such a folder
 * fails with the kernel's error instead (and the levels it made before are removed again).
 * Resolves to the folders it made, outermost first.
 */
export async function makeDir(dir: string): Promise<string[]> {
  const missing: string[] = [];
  for (let at = path.resolve(dir); ; at = path.dirname(at)) {
    const exists = await stat(at).then(
      () => true,
      (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return false;
        throw err;
      },
    );
    if (exists || path.dirname(at) === at) break;
    missing.push(at);
  }
  const made: string[] = [];
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      await mkdir(missing[i]!);
      made.push(missing[i]!);
    } catch (err) {
      // made meanwhile by someone else: fine (a file in the way fails at the next level, or at open)
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      // a level it cannot make: the outer ones it made go again, as if never begun
      await removeMade(made);
      throw err;
    }
  }
  return made;
}

/**
 * Removes folders makeDir made (outermost first, as it returns them), innermost first; one
 * something else put something in meanwhile stays.
 */
export async function removeMade(made: readonly string[]): Promise<void> {
  for (let i = made.length - 1; i >= 0; i--) await rmdir(made[i]!).catch(() => undefined);
}
