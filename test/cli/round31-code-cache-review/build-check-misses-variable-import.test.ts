/**
 * Input: a module of the command that loads a package with import() of a variable specifier — the
 *   pattern src/sources/native-pcap.ts used until this change ("A variable specifier keeps
 *   TypeScript from requiring the optional package": `await import(specifier)`) — here
 *   yaml-document's `yaml`, on a path the warm-up does not run; then `npm run build`.
 * Was: scripts/build-bundle.mjs looks for import() only in esbuild's metafile, which lists an
 *   import() of a string literal but not one of a variable: esbuild leaves `import(specifier)` in
 *   main.cjs, the build passes and writes its caches, and the command fails at run time —
 *   `replay --policy p.yaml` ends with exit 1, "A dynamic import callback was not specified"
 *   (vm.Script without importModuleDynamically), where the same build of the ES-module bundle worked.
 * Correct: src/cli/bundle-loader.ts: "the bundles hold none [no import()] … scripts/build-bundle.mjs
 *   refuses a bundle with an import()"; the build's own message: "would run import() of …: require
 *   it instead". A build that passes must give a bundle whose commands run.
 * Fix: in scripts/build-bundle.mjs, also refuse any `import(` left in the output text (esbuild's
 *   metafile cannot name a variable's target), or have esbuild rewrite every import() to require()
 *   (`supported: { 'dynamic-import': false }`).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCopy, runBundleBuild } from './build-copy.js';

const copy = buildCopy('variable-import');
afterAll(() => copy.cleanup());

describe('the bundle build', () => {
  it('refuses a bundle left with an import() of a variable, or gives one whose command runs', { timeout: 60_000 }, () => {
    const { root } = copy;
    const file = path.join(root, 'dist/src/policy/yaml-document.js');
    const before = readFileSync(file, 'utf8');
    const edited = before.replace("createRequire(import.meta.url)('yaml')", "await import(specifier)").replace('export async function parseYamlDocument(text) {', "export async function parseYamlDocument(text) {\n    const specifier = 'yaml';");
    expect(edited).toContain('await import(specifier)');
    writeFileSync(file, edited);
    const build = runBundleBuild(root);
    if (build.status !== 0) {
      expect(build.stderr).toMatch(/import\(/);
      return;
    }
    const yaml = path.join(root, 'policy.yaml');
    writeFileSync(yaml, `apts: {}\n`);
    const replay = spawnSync(process.execPath, [path.join(root, 'bin/aipref-enforcer.js'), 'replay', path.join(root, 'samples/call-small.pcap'), '--policy', yaml, '--out', path.join(root, 'out'), '--workers', '0', '--quiet'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect({ status: replay.status, stderr: replay.stderr.trim() }).toEqual({ status: 0, stderr: '' });
  });
});
