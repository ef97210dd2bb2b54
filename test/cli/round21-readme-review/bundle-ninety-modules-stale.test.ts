/**
 * Found by a review of the README's claims (round 21), fixed since: the README's "Two commands"
 * and bin/aipref-enforcer.js's comment say what a command loads from the bundle (its own file and
 * the chunks it shares) against every module of tsc's output, with no count to go stale
 * (README.md "Two commands"; bin/aipref-enforcer.js).
 *
 * Input: README "Two commands": "esbuild bundles it into `dist/bundle/`, which starts faster than
 * ninety separate modules" (bin/aipref-enforcer.js said the same: "one file per command instead of
 * ninety modules to resolve and link").
 *
 * Was (observed): the unbundled build (dist/src, dist/native-free, what `tsc` makes) loads, by its
 * static imports alone, about a hundred modules for `replay` and `bindings` (101–104) and 130 for
 * `live` (136 with the lazy imports); src/ and native-free/ hold 144 .ts files. The count grew over the rounds; the
 * sentence kept the figure of an earlier tree. (And "one file per command" was not so either: a
 * command loads main.js, its own file and a dozen-odd shared chunks.)
 *
 * Correct: the README (and the bin comment) should change — the code is as meant; the figure is
 * only the README's. Checked now: no count in the sentence, and what it does claim holds for
 * every command. Since the thirty-first round of the bench (bench/HISTORY.md) the bundle is one
 * CommonJS file for every command, loaded with V8's code cache (src/cli/bundle-loader.ts): a
 * command loads bin/aipref-enforcer.js, the flags' module, the loader and that file — none of
 * tsc's modules — and the file requires only Node's built-in modules and packages.
 */
import { builtinModules } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';

const REPO = process.cwd();

/** The modules `start` loads by static imports, itself included (the tsc output, as before bundling). */
function staticallyLoaded(start: string): number {
  const seen = new Set<string>();
  const todo = [path.resolve(REPO, start)];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const m of readFileSync(f, 'utf8').matchAll(/(?:\bfrom|^import)\s*['"](\.[^'"]+)['"]/gm)) {
      const p = path.resolve(path.dirname(f), m[1]!);
      if (existsSync(p)) todo.push(p);
    }
  }
  return seen.size;
}

it('the README\'s "Two commands" names no module count, and a bundled command loads one file of the enforcer\'s code', () => {
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  const bin = readFileSync(path.join(REPO, 'bin/aipref-enforcer.js'), 'utf8');
  expect(readme).not.toMatch(/ninety/);
  expect(bin).not.toMatch(/ninety/);
  expect(readme).toMatch(/esbuild bundles every command into one\s+CommonJS file in `dist\/bundle\/`/);
  // bin loads the flags, the loader and the bundle, nothing else of the enforcer's
  expect([...bin.matchAll(/(?:\bfrom|import\()\s*['"](\.[^'"]+)['"]/g)].map((m) => m[1]).sort()).toEqual(['../dist/src/cli/bundle-loader.js', '../dist/src/cli/v8-flags.js']);
  expect(bin).toMatch(/new URL\('\.\.\/dist\/bundle\/main\.cjs', import\.meta\.url\)/);
  const bundle = readFileSync(path.join(REPO, 'dist/bundle/main.cjs'), 'utf8');
  const required = new Set([...bundle.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]!));
  expect(required.size).toBeGreaterThan(5);
  for (const r of required) {
    // a built-in module, or a package (no relative path: nothing of tsc's output)
    expect(r.startsWith('node:') || builtinModules.includes(r) || /^[a-z@][^./]/.test(r), r).toBe(true);
  }
  // and no import(): a function restored from the code cache cannot run one (src/cli/bundle-loader.ts)
  expect(bundle).not.toMatch(/\bimport\s*\(/);
  for (const c of ['replay', 'bindings', 'live', 'inspect']) {
    const unbundled = staticallyLoaded(`dist/src/cli/${c}.js`) + 1; /* main.js */
    // 3 of the enforcer's files (the flags, the loader, the bundle) against every module tsc
    // made for the command (measured: 59 for inspect to 131 for live)
    expect(3 * 15, `${c}: against ${unbundled} modules`).toBeLessThanOrEqual(unbundled);
  }
});
