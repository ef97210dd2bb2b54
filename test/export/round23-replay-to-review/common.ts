import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { ensureBuilt, tempDir, writeJson } from '../../live/live-vs-replay-review/lvr-helpers.js';

/** A temp folder and a raw-export policy for one test file. */
export function setup(prefix: string): { dir: () => string; policy: () => string } {
  let dir = '';
  let cleanup: (() => Promise<void>) | undefined;
  let policy = '';
  beforeAll(async () => {
    await ensureBuilt();
    ({ dir, cleanup } = await tempDir(prefix));
    policy = await writeJson(path.join(dir, 'p.json'), { apts: { d: { type: 'domain', export: 'raw', retention: '9999d' } }, default: 'd' });
  });
  afterAll(async () => cleanup?.());
  return { dir: () => dir, policy: () => policy };
}
/** a report's detail without its "frame N: " (live numbers the frames it received) */
export const detailOf = (r: Record<string, unknown>) => String(r.detail).replace(/^frame \d+: /, '');
