/**
 * The package an operator installs (`npm pack`, then `npm install -g aipref-enforcer-<v>.tgz` on
 * the relay's host) runs on its own. Without a `files` list npm packed by .gitignore, which
 * ignores dist/: the tarball held the sources and the tests but not the bundle the command runs,
 * so the installed command failed at its first import. Now: the command, its bundle (the shard
 * worker too) with its code caches and the two files that load them, the sample capture and policy, the systemd unit and example config, the README and
 * the licence, and nothing else.
 * Unpacked beside this checkout's node_modules (what `npm install` of the tarball provides: the
 * dependencies), the README's command gives the same outputs as from the checkout, with and
 * without workers.
 */
import { execFile } from 'node:child_process';
import { readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, SMALL_PCAP, SMALL_POLICY, Workspace } from '../e2e/e2e-helpers.js';

const run = promisify(execFile);
const ws = new Workspace();
afterAll(() => ws.cleanup());

let unpacked = '';
let packed: string[] = [];

beforeAll(async () => {
  const dest = await ws.file('pack');
  await run('mkdir', ['-p', dest]);
  // dist/ is built by `npm test` before vitest runs; --ignore-scripts: no second build here
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], { cwd: process.cwd(), maxBuffer: 16 << 20 });
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  packed = info!.files.map((f) => f.path).sort();
  await run('tar', ['-xzf', path.join(dest, info!.filename), '-C', dest]);
  unpacked = path.join(dest, 'package');
  await symlink(path.resolve(process.cwd(), 'node_modules'), path.join(unpacked, 'node_modules'));
}, 120_000);

describe('npm pack', () => {
  it('holds the command, its bundle, the sample, the README and the licence — no sources, no tests', () => {
    for (const f of ['bin/aipref-enforcer.js', 'dist/bundle/main.cjs', 'dist/bundle/shard-worker.cjs', 'dist/bundle/main.cjs.v8-cache', 'dist/bundle/shard-worker.cjs.v8-cache', 'dist/src/cli/v8-flags.js', 'dist/src/cli/bundle-loader.js', 'dist/src/pipeline/shard-entry.js', 'samples/call-small.pcap', 'samples/policy.json', 'contrib/systemd/aipref-enforcer.service', 'contrib/live.yaml', 'README.md', 'LICENSE', 'package.json']) {
      expect(packed).toContain(f);
    }
    expect(packed.filter((f) => /^(src|test|bench|native-free)\//.test(f) || f.endsWith('.ts'))).toEqual([]);
  });

  it('says its version', async () => {
    const { stdout } = await run(process.execPath, [path.join(unpacked, 'bin/aipref-enforcer.js'), '--version']);
    const { version } = JSON.parse(await readFile(path.join(unpacked, 'package.json'), 'utf8')) as { version: string };
    expect(stdout).toBe(`aipref-enforcer ${version}\n`);
  });

  /** The README's sample replay from the unpacked package and from the checkout: the same outputs. */
  async function sameAsCheckout(workers: string, label: string): Promise<void> {
    const args = (bin: string, pcap: string, policy: string, out: string) => [bin, 'replay', pcap, '--policy', policy, '--out', out, '--workers', workers, '--explain', '--quiet'];
    const fromPackage = await ws.file(`package-out-${label}`);
    const fromCheckout = await ws.file(`checkout-out-${label}`);
    await run(process.execPath, args(path.join(unpacked, 'bin/aipref-enforcer.js'), 'samples/call-small.pcap', 'samples/policy.json', fromPackage), { cwd: unpacked });
    await run(process.execPath, args(BIN, SMALL_PCAP, SMALL_POLICY, fromCheckout));
    for (const name of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) {
      const mine = await readFile(path.join(fromPackage, name), 'utf8');
      expect(mine.length).toBeGreaterThan(0);
      expect(mine).toBe(await readFile(path.join(fromCheckout, name), 'utf8'));
    }
  }

  for (const workers of ['0', '2']) {
    it(`runs the README's sample replay from the unpacked package as from the checkout (--workers ${workers})`, () => sameAsCheckout(workers, workers));
  }

  // last: it spoils the unpacked package's caches
  it('runs the same with its code caches refused (the package installed beside another Node)', async () => {
    for (const b of ['main.cjs', 'shard-worker.cjs']) await writeFile(path.join(unpacked, 'dist/bundle', `${b}.v8-cache`), 'made by another V8');
    await sameAsCheckout('2', 'refused');
  });
});
