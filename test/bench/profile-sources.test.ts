/**
 * bench/profile.ts names the functions of the command's bundles by their sources: the bundles
 * are whitespace-minified (a few long lines), so a bundle line says nothing (scripts/build-bundle.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleSources, summariseProfile } from '../../bench/profile.js';

const BUNDLE = path.resolve('dist/bundle/main.cjs');
const built = existsSync(BUNDLE) && existsSync(`${BUNDLE}.map`);

/** The 0-based line and column in the bundle where `pattern` first matches. */
function positionOf(pattern: RegExp): { line: number; column: number } {
  const source = readFileSync(BUNDLE, 'utf8');
  const at = pattern.exec(source)?.index ?? -1;
  expect(at).toBeGreaterThan(0);
  const before = source.slice(0, at);
  const line = before.split('\n').length - 1;
  return { line, column: at - (before.lastIndexOf('\n') + 1) };
}

describe.skipIf(!built)(`bundleSources${built ? '' : ' (skipped: dist/ not built — npm test builds it)'}`, () => {
  it("maps a bundle position to the TypeScript file and line it was built from, by path or file URL", () => {
    const sourceOf = bundleSources();
    const { line, column } = positionOf(/readRtcp\(frame,ts,bytes,off,len,addr,\w+,senderSsrc,entry,candidates,mayBeSrtcp\)\{/);
    const mediaCore = readFileSync('src/pipeline/media-core.ts', 'utf8').split('\n');
    const got = sourceOf(BUNDLE, line, column);
    expect(got?.file).toBe(path.join('src', 'pipeline', 'media-core.ts'));
    expect(mediaCore[got!.line - 1]).toMatch(/private readRtcp\(/);
    expect(sourceOf(`file://${BUNDLE}`, line, column)).toEqual(got);
    // not a bundle, or one without a map: named as the profile names it
    expect(sourceOf('node:internal/fs/utils', 0, 0)).toBeNull();
    expect(sourceOf('/nowhere/bundle.cjs', 0, 0)).toBeNull();
  });
});

describe('summariseProfile', () => {
  it('names functions and files by what sourceOf says, and the rest by the profile', () => {
    const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber, columnNumber: 4 });
    const profile = {
      nodes: [
        { id: 1, callFrame: frame('(root)', '', -1), children: [2, 3] },
        { id: 2, callFrame: frame('readRtcp', '/x/dist/bundle/main.cjs', 16), children: [] },
        { id: 3, callFrame: frame('readSync', 'node:fs', 706), children: [] },
      ],
      startTime: 0,
      endTime: 4000,
      samples: [2, 2, 2, 3],
      timeDeltas: [1000, 1000, 1000, 1000],
    };
    const s = summariseProfile(profile, 10, (url, line, column) => (url.endsWith('.cjs') && line === 16 && column === 4 ? { file: 'src/pipeline/media-core.ts', line: 709 } : null));
    expect(s.functions.map((f) => [f.name, f.ms])).toEqual([
      ['readRtcp src/pipeline/media-core.ts:709', 3],
      ['readSync node:fs:707', 1],
    ]);
    expect(s.files.map((f) => f.name)).toEqual(['src/pipeline/media-core.ts', 'node: internals']);
  });
});
