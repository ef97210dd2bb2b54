/**
 * A throw-away copy of what scripts/build-bundle.mjs builds from (tsc's output in dist/src and
 * dist/native-free, the samples, bin/, package.json; node_modules linked), so that a test can run
 * the bundle build and its warm-up without touching the checkout's dist/.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

export function buildCopy(prefix: string): { root: string; cleanup: () => void } {
  const root = mkdtempSync(path.join(os.tmpdir(), `rv31-${prefix}-`));
  mkdirSync(path.join(root, 'dist'));
  mkdirSync(path.join(root, 'samples'));
  for (const d of ['dist/src', 'dist/native-free', 'scripts', 'bin']) cpSync(path.join(REPO, d), path.join(root, d), { recursive: true });
  for (const f of ['package.json', 'samples/call-small.pcap', 'samples/policy.json']) cpSync(path.join(REPO, f), path.join(root, f));
  symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** `node scripts/build-bundle.mjs` in the copy (what `npm run build` runs after tsc), with `env` added. */
export function runBundleBuild(root: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [path.join(root, 'scripts/build-bundle.mjs')], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });
}

/** Loads both of the copy's bundles with the batch flags (as bin/ does for replay) and says whether V8 took their caches. */
export function cachesTaken(root: string, env: NodeJS.ProcessEnv = {}): { main: boolean; shard: boolean } {
  const script = `
    import v8 from 'node:v8';
    const { BATCH_V8_FLAGS } = await import(${JSON.stringify(path.join(root, 'dist/src/cli/v8-flags.js'))});
    v8.setFlagsFromString(BATCH_V8_FLAGS);
    const { loadBundle } = await import(${JSON.stringify(path.join(root, 'dist/src/cli/bundle-loader.js'))});
    const main = loadBundle(${JSON.stringify(path.join(root, 'dist/bundle/main.cjs'))}, true);
    const shard = loadBundle(${JSON.stringify(path.join(root, 'dist/bundle/shard-worker.cjs'))}, true);
    console.log(JSON.stringify({ main: main.cached, shard: shard.cached }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, NODE_OPTIONS: '', ...env }, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout.trim()) as { main: boolean; shard: boolean };
}
