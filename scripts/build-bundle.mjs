#!/usr/bin/env node
/**
 * The second half of `npm run build` (tsc's output in dist/src/ being the first): the bundles
 * the command runs, and their V8 code caches (src/cli/bundle-loader.ts says why).
 *
 *   dist/bundle/main.cjs           every command (bin/aipref-enforcer.js loads it)
 *   dist/bundle/shard-worker.cjs   a shard thread's code (dist/src/pipeline/shard-entry.js loads it)
 *   dist/bundle/*.cjs.v8-cache     their code caches, written by a warm-up: the sample capture
 *                                  replayed with --workers 0 and 1, inspected, and its bindings
 *                                  listed, in a child process with the batch commands' V8 flags
 *
 * The bundles are CommonJS (Node 20 caches no ES module's code) and hold no import(): a function
 * restored from a code cache cannot run one. Packages the command loads lazily are required;
 * those only reachable by import (jose, an ES module alone) are bundled in.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUNDLE_DIR = path.join(ROOT, 'dist/bundle');
const MAIN = path.join(BUNDLE_DIR, 'main.cjs');
const SHARD = path.join(BUNDLE_DIR, 'shard-worker.cjs');
/** Packages left to Node to load (required at run time): native, spawning their own threads, or large and off the replay path. jose and sdp-transform are bundled. */
const EXTERNAL = ['piscina', 'pcap', 'nats', 'ws', 'prom-client', 'yaml', 'werift'];

function fail(message) {
  process.stderr.write(`build-bundle: ${message}\n`);
  process.exit(1);
}

async function bundle() {
  const esbuild = await import('esbuild');
  rmSync(BUNDLE_DIR, { recursive: true, force: true });
  const entries = [
    [path.join(ROOT, 'dist/src/cli/main.js'), MAIN],
    [path.join(ROOT, 'dist/src/pipeline/shard-worker.js'), SHARD],
  ];
  for (const [entry, outfile] of entries) {
    await esbuild.build({
      entryPoints: [entry],
      outfile,
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      external: EXTERNAL,
      sourcemap: true,
      logLevel: 'warning',
      // without comments (esbuild keeps some): ASCII alone, which V8 holds one byte a character,
      // where one µ or § made the whole 1.1 MB source two bytes a character — a thread's bundle
      // source is held as long as the thread runs (unminified, the sample's replay peaked 3.7 MB
      // higher with --workers 0, 4.5 MB with a shard thread); the source maps still give the
      // sources' lines (AIPREF_DEBUG)
      minifyWhitespace: true,
      // every import() left (of a package, or of a variable, which esbuild cannot follow) made
      // a require(): the code cache's functions cannot run import() (checked below)
      supported: { 'dynamic-import': false },
      // strict, as the ES modules were: the banner comes before esbuild's own "use strict",
      // which would otherwise no longer be the first statement (and the directive)
      // and import.meta.url, as the ES modules had it: the bundle's own URL
      banner: { js: `"use strict";\nconst __bundleUrl = require('node:url').pathToFileURL(__filename).href;` },
      define: { 'import.meta.url': '__bundleUrl' },
    });
    const text = readFileSync(outfile, 'utf8');
    const left = /\bimport\s*\(/.exec(text);
    if (left !== null) fail(`${path.relative(ROOT, outfile)} holds an import() at character ${left.index}: require the module instead (src/cli/bundle-loader.ts)`);
  }
}

/** Runs in the warm-up child: the commands on the sample, then the caches written. */
async function warmUp() {
  const v8 = await import('node:v8');
  const { BATCH_V8_FLAGS } = await import(pathToFileURL(path.join(ROOT, 'dist/src/cli/v8-flags.js')).href);
  // the flags of bin/aipref-enforcer.js's batch commands, set as it sets them: V8 takes a cache made under the same flags only
  v8.setFlagsFromString(BATCH_V8_FLAGS);
  const { loadBundle, WRITE_CODE_CACHE_ENV } = await import(pathToFileURL(path.join(ROOT, 'dist/src/cli/bundle-loader.js')).href);
  process.env[WRITE_CODE_CACHE_ENV] = '1';
  const main = loadBundle(MAIN, false);
  const sample = path.join(ROOT, 'samples/call-small.pcap');
  const policy = path.join(ROOT, 'samples/policy.json');
  const out = mkdtempSync(path.join(os.tmpdir(), 'aipref-warm-up-'));
  try {
    const commands = [
      ['replay', sample, '--policy', policy, '--out', path.join(out, 'w0'), '--workers', '0', '--explain', '--quiet'],
      // its shard thread writes the shard bundle's cache when it has finished (shard-entry.ts)
      ['replay', sample, '--policy', policy, '--out', path.join(out, 'w1'), '--workers', '1', '--explain', '--json', '--quiet'],
      ['inspect', sample, '--quiet'],
      ['bindings', sample, '--policy', policy],
    ];
    for (const argv of commands) {
      const code = await main.exports.main(argv);
      if (code !== 0) fail(`the warm-up's \`aipref-enforcer ${argv.join(' ')}\` ended with ${code}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
  main.saveCache();
}

if (process.argv[2] === '--warm-up') {
  await warmUp();
} else {
  await bundle();
  // a child of its own: the warm-up's V8 flags and output stay out of this process
  // without NODE_OPTIONS: V8 flags there (--max-old-space-size, say) would make caches that an
  // ordinary run refuses, and --enable-source-maps loads the bundles without their caches
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--warm-up'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_OPTIONS: '' } });
  if (child.status !== 0) fail(`the warm-up failed (${child.signal ?? `exit ${child.status}`})`);
  for (const file of [MAIN, SHARD]) if (!existsSync(`${file}.v8-cache`)) fail(`the warm-up wrote no code cache for ${path.relative(ROOT, file)}`);
}
