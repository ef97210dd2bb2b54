/**
 * Input: the built bundles, dist/bundle/main.cjs and dist/bundle/shard-worker.cjs, as bin/ and the
 *   shard entry load them (src/cli/bundle-loader.ts), or as Node requires them (AIPREF_DEBUG).
 * Was: scripts/build-bundle.mjs's esbuild `banner` (`const __bundleUrl = …;`) is written above the
 *   `"use strict";` esbuild emits for ES-module input, so that directive is no longer the first
 *   statement — no directive at all — and every function of the bundles not in a class runs in
 *   sloppy mode: a write to a frozen shared object (telemetry-items.ts NO_SUBJECTS, windows.ts
 *   NONE_CLOSED, decide.ts NO_EXTENSIONS, "it must never be written to (it is frozen)") is silently
 *   dropped instead of throwing, `this` of a plain call is globalThis, and an assignment to an
 *   undeclared name makes a global. The shard thread's task function shows it: a sloppy function
 *   has own `caller`/`arguments` properties.
 * Correct: the bundles are made of ES modules (tsc's output, "type": "module"), which are always
 *   strict; esbuild keeps that with the `"use strict"` it writes; the change meant only to move the
 *   same code to CommonJS (commit e4ac4ad), and before it the ESM bundle ran strict.
 * Fix: in scripts/build-bundle.mjs, begin the banner with the directive
 *   (`banner: { js: '"use strict";\nconst __bundleUrl = …;' }`), or give __bundleUrl to the bundle
 *   through the loader's wrapper instead of a banner.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../../src/cli/bundle-loader.js';
import { REPO } from './build-copy.js';

describe("the bundles' code", () => {
  it('runs in strict mode, as the ES modules it was bundled from did', () => {
    const shard = loadBundle(path.join(REPO, 'dist/bundle/shard-worker.cjs'), false);
    const runShardTask = shard.exports.default as (...a: unknown[]) => unknown;
    expect(typeof runShardTask).toBe('function');
    // a strict (non-class, non-arrow) function has no own caller/arguments; a sloppy one has both
    expect({ caller: Object.hasOwn(runShardTask, 'caller'), arguments: Object.hasOwn(runShardTask, 'arguments') }).toEqual({ caller: false, arguments: false });
  });
});
