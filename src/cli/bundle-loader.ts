/**
 * Loads one of the command's bundles (dist/bundle/*.cjs, CommonJS, one file per thread's entry)
 * with V8's code cache, written beside it by `npm run build` (scripts/build-bundle.mjs) after a
 * warm-up replay of the sample capture. A fresh process otherwise parses the bundle and compiles
 * every function it runs for the first time — SIP, SDP, RTCP, the windows: ~40 ms on the main
 * thread and ~15 ms in each shard thread, a third of a small capture's replay. The cache holds
 * the bytecode of every function the warm-up ran, so only what it did not run is compiled.
 *
 * V8 takes a cache only when its version and flags are those it was made with (the batch
 * commands' flags, src/cli/v8-flags.ts): another Node, NODE_OPTIONS with V8 flags, or `live`
 * (run without the batch flags) compile as if there were none — correct, only slower to start.
 * Node 20 has no code cache for ES modules (module.enableCompileCache came in Node 22), hence
 * CommonJS bundles compiled with node:vm. A function restored from a cache cannot call import()
 * (V8 loses the callback Node keeps per script), so the bundles hold none: packages loaded
 * lazily are required (scripts/build-bundle.mjs refuses a bundle with an import()).
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/**
 * How the bundles' caches are named: beside their bundle. A cache file is the SHA-256 of the
 * bundle it was made of, then V8's data: V8 checks a cache against its source's length only,
 * and would run a cache of another bundle of the same length (an edit in place) as its code.
 */
export function codeCacheFile(bundle: string): string {
  return `${bundle}.v8-cache`;
}

/** The build's warm-up asks every loaded bundle to write its cache (scripts/build-bundle.mjs). */
export const WRITE_CODE_CACHE_ENV = 'AIPREF_ENFORCER_WRITE_CODE_CACHE';

const DIGEST_BYTES = 32;

export interface LoadedBundle {
  /** the bundle's module.exports */
  exports: Record<string, unknown>;
  /** whether V8 took the cache (false: none, unreadable, of another bundle, or made by another V8 or under other flags) */
  cached: boolean;
  /** Writes the cache of what has run so far, when the build asks for it (WRITE_CODE_CACHE_ENV); else does nothing. */
  saveCache(): void;
}

/**
 * Runs `bundle` as a CommonJS module of this thread, from its code cache when `useCache` and V8
 * takes it. With source maps on (AIPREF_DEBUG, bin/aipref-enforcer.js) it is required as any
 * module is, so that Node maps its stack traces (it maps only what its own loaders compile).
 */
export function loadBundle(bundle: string, useCache: boolean): LoadedBundle {
  const requireHere = createRequire(bundle);
  if (process.sourceMapsEnabled) {
    return { exports: requireHere(bundle) as Record<string, unknown>, cached: false, saveCache: () => {} };
  }
  const bytes = readFileSync(bundle);
  const digest = createHash('sha256').update(bytes).digest();
  let cachedData: Buffer | undefined;
  if (useCache) {
    try {
      const file = readFileSync(codeCacheFile(bundle));
      if (file.length > DIGEST_BYTES && file.subarray(0, DIGEST_BYTES).equals(digest)) cachedData = file.subarray(DIGEST_BYTES);
    } catch {
      // no cache (a build without its warm-up, a copy of the bundle alone): compiled as it runs
    }
  }
  const source = bytes.toString('utf8');
  // the wrapper Node's CommonJS loader puts around a module, on the bundle's first line so that
  // stack traces keep its line numbers
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, { filename: bundle, cachedData });
  const module = { exports: {} as Record<string, unknown> };
  const wrapper = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, requireHere, module, bundle, path.dirname(bundle));
  return {
    exports: module.exports,
    cached: cachedData !== undefined && !script.cachedDataRejected,
    saveCache: () => {
      if (process.env[WRITE_CODE_CACHE_ENV] !== '1') return;
      // written whole, then renamed: a command started meanwhile reads the old cache or the new one
      const target = codeCacheFile(bundle);
      const temporary = `${target}.${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
      try {
        writeFileSync(temporary, Buffer.concat([digest, script.createCachedData()]));
        renameSync(temporary, target);
      } catch (err) {
        rmSync(temporary, { force: true });
        throw err;
      }
    },
  };
}
