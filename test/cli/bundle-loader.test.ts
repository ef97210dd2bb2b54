/**
 * src/cli/bundle-loader.ts: the command's bundles run from V8's code cache that the build's
 * warm-up wrote (scripts/build-bundle.mjs), and run all the same when V8 refuses it or it is
 * missing. Whether the cache saves time is the bench's to say (bench/HISTORY.md, the
 * thirty-first round), not a test's.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { codeCacheFile, loadBundle, type LoadedBundle, WRITE_CODE_CACHE_ENV } from '../../src/cli/bundle-loader.js';
import { BATCH_V8_FLAGS } from '../../src/cli/v8-flags.js';
import { Workspace } from '../e2e/e2e-helpers.js';

const run = promisify(execFile);
const ws = new Workspace();
afterAll(() => ws.cleanup());

const DIST = path.resolve('dist');
const built = existsSync(path.join(DIST, 'bundle/main.cjs')) && existsSync(path.join(DIST, 'src/cli/bundle-loader.js'));

/** Loads both bundles in a fresh process (with the batch commands' V8 flags or none) and says what V8 did with their caches. */
async function loadInChild(batchFlags: boolean): Promise<{ main: boolean; shard: boolean; mainExport: string; shardExport: string; version: number }> {
  const script = `
    import v8 from 'node:v8';
    ${batchFlags ? `v8.setFlagsFromString(${JSON.stringify(BATCH_V8_FLAGS)});` : ''}
    const { loadBundle } = await import(${JSON.stringify(path.join(DIST, 'src/cli/bundle-loader.js'))});
    const main = loadBundle(${JSON.stringify(path.join(DIST, 'bundle/main.cjs'))}, true);
    const shard = loadBundle(${JSON.stringify(path.join(DIST, 'bundle/shard-worker.cjs'))}, true);
    const version = await main.exports.main(['--version']);
    console.error(JSON.stringify({ main: main.cached, shard: shard.cached, mainExport: typeof main.exports.main, shardExport: typeof shard.exports.default, version }));
  `;
  const { stderr } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stderr.trim().split('\n').pop()!) as { main: boolean; shard: boolean; mainExport: string; shardExport: string; version: number };
}

describe.skipIf(!built)(`the built bundles${built ? '' : ' (skipped: dist/ not built — npm test builds it)'}`, () => {
  it("have code caches that V8 takes under the batch commands' flags", async () => {
    for (const b of ['main.cjs', 'shard-worker.cjs']) expect(existsSync(codeCacheFile(path.join(DIST, 'bundle', b))), b).toBe(true);
    expect(await loadInChild(true)).toEqual({ main: true, shard: true, mainExport: 'function', shardExport: 'function', version: 0 });
  });

  it('are ASCII alone (V8 then holds their source one byte a character, for as long as the thread runs)', () => {
    for (const b of ['main.cjs', 'shard-worker.cjs']) {
      const text = readFileSync(path.join(DIST, 'bundle', b), 'latin1');
      expect(/[^\x00-\x7f]/.exec(text)?.index, b).toBeUndefined();
    }
  });

  it('run without the flags (as live does), V8 refusing the caches', async () => {
    expect(await loadInChild(false)).toEqual({ main: false, shard: false, mainExport: 'function', shardExport: 'function', version: 0 });
  });
});

/** A small CommonJS module of its own (each test another source, so that V8's in-process compilation cache never answers for it). */
async function module(name: string, body: string): Promise<string> {
  const dir = await ws.file(name);
  await run('mkdir', ['-p', dir]);
  const file = path.join(dir, 'bundle.cjs');
  writeFileSync(file, body);
  return file;
}

const BODY = (tag: string) => `
  const path = require('node:path');
  function twice(n) { return 2 * n; }
  module.exports = { tag: ${JSON.stringify(tag)}, base: path.basename(__filename), dir: __dirname, self: this === module.exports, twice };
`;

/** saveCache as the build's warm-up calls it (WRITE_CODE_CACHE_ENV set). */
function saveAsTheBuild(bundle: LoadedBundle): void {
  const before = process.env[WRITE_CODE_CACHE_ENV];
  process.env[WRITE_CODE_CACHE_ENV] = '1';
  try {
    bundle.saveCache();
  } finally {
    if (before === undefined) delete process.env[WRITE_CODE_CACHE_ENV];
    else process.env[WRITE_CODE_CACHE_ENV] = before;
  }
}

describe('loadBundle', () => {
  it('runs a bundle as a CommonJS module: its require, __filename, __dirname, this', async () => {
    const file = await module('plain', BODY('plain'));
    const b = loadBundle(file, true);
    expect(b.cached).toBe(false);
    expect(b.exports).toMatchObject({ tag: 'plain', base: 'bundle.cjs', dir: path.dirname(file), self: true });
    expect((b.exports.twice as (n: number) => number)(21)).toBe(42);
  });

  it('writes its cache only when the build asks, whole (no temporary left), and V8 takes it at the next load', async () => {
    const file = await module('save', BODY('save'));
    const first = loadBundle(file, true);
    (first.exports.twice as (n: number) => number)(1);
    first.saveCache();
    expect(existsSync(codeCacheFile(file))).toBe(false);
    saveAsTheBuild(first);
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['bundle.cjs', 'bundle.cjs.v8-cache']);
    expect(readFileSync(codeCacheFile(file)).length).toBeGreaterThan(0);
    // the same source again (a new process would find it so): from the cache
    writeFileSync(file, BODY('save'));
    const second = loadBundle(file, true);
    expect(second.cached).toBe(true);
    expect(second.exports).toMatchObject({ tag: 'save', self: true });
    expect((second.exports.twice as (n: number) => number)(4)).toBe(8);
    // and not asked to use it
    expect(loadBundle(file, false).cached).toBe(false);
  });

  it('does not run the cache of an earlier bundle of the same length (edited in place) as its code', async () => {
    // V8 checks a cache against its source's length alone: this one's first version says 'aaaa'
    const file = await module('edited', BODY('aaaa'));
    const first = loadBundle(file, true);
    saveAsTheBuild(first);
    writeFileSync(file, BODY('bbbb'));
    const edited = loadBundle(file, true);
    expect(edited.cached).toBe(false);
    expect(edited.exports.tag).toBe('bbbb');
  });

  it('runs all the same when its cache is not V8 code cache (garbage, cut short) or is of another source', async () => {
    // a real cache, of another source
    const other = await module('other', BODY('other'));
    const made = loadBundle(other, true);
    saveAsTheBuild(made);
    const real = readFileSync(codeCacheFile(other));
    for (const [i, cache] of [Buffer.from('not a code cache at all, only bytes'), real.subarray(0, real.length >> 1), real].entries()) {
      const file = await module(`refused-${i}`, BODY(`refused-${i}`));
      writeFileSync(codeCacheFile(file), cache);
      const b = loadBundle(file, true);
      expect(b.cached, `cache ${i}`).toBe(false);
      expect(b.exports).toMatchObject({ tag: `refused-${i}`, self: true });
      expect((b.exports.twice as (n: number) => number)(5)).toBe(10);
    }
  });
});
