/**
 * Input: `npm run build` (scripts/build-bundle.mjs) in an environment with NODE_OPTIONS set — e.g.
 *   `NODE_OPTIONS=--max-old-space-size=4096` (common on CI) or `NODE_OPTIONS=--enable-source-maps`
 *   (common for TypeScript work) — then the command run as usual (no NODE_OPTIONS).
 * Was: the warm-up child inherits NODE_OPTIONS. With --max-old-space-size (a V8 flag) the build
 *   passes but writes caches made under a flag the command never runs with: V8 refuses both caches
 *   in every ordinary run (cached: false), so the build's warm-up was for nothing. With
 *   --enable-source-maps the warm-up's loadBundle takes the require() path (no vm.Script, saveCache a
 *   no-op) and the build fails: "the warm-up wrote no code cache for dist/bundle/main.cjs" — a build
 *   that passed before this change.
 * Correct: scripts/build-bundle.mjs warmUp(): "the flags of bin/aipref-enforcer.js's batch commands,
 *   set as it sets them: V8 takes a cache made under the same flags only"; bundle-loader.ts: V8 takes
 *   the cache when "its version and flags are those it was made with (the batch commands' flags)";
 *   README: only "V8 flags in NODE_OPTIONS" at run time make V8 refuse the cache.
 * Fix: in scripts/build-bundle.mjs, spawn the warm-up child with NODE_OPTIONS removed from its env
 *   (`env: { ...process.env, NODE_OPTIONS: '' }`), so that it runs under the batch flags alone.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildCopy, cachesTaken, runBundleBuild } from './build-copy.js';

const copies: Array<() => void> = [];
afterAll(() => copies.forEach((c) => c()));

describe('the bundle build under NODE_OPTIONS', () => {
  it('passes and writes caches that an ordinary run (no NODE_OPTIONS) takes', { timeout: 60_000 }, () => {
    const outcome: Record<string, unknown> = {};
    for (const nodeOptions of ['--max-old-space-size=4096', '--enable-source-maps']) {
      const { root, cleanup } = buildCopy('node-options');
      copies.push(cleanup);
      const build = runBundleBuild(root, { NODE_OPTIONS: nodeOptions });
      outcome[nodeOptions] = build.status === 0 ? cachesTaken(root) : `build failed: ${build.stderr.trim().split('\n').pop()}`;
    }
    expect(outcome).toEqual({
      '--max-old-space-size=4096': { main: true, shard: true },
      '--enable-source-maps': { main: true, shard: true },
    });
  });
});
