/**
 * round31 review of e4ac4ad + 0c96818 (CommonJS bundles loaded through node:vm with V8's code
 * cache written by a build-time warm-up): what was checked and came out fine.
 *
 * Tested here:
 * - the bench's child (`node --import dist/bench/child-cpu.js bin/aipref-enforcer.js replay …`,
 *   bench/replay-child.ts) runs from both caches — the main thread's and each shard thread's — so it
 *   measures what an operator's replay runs; a plain `--workers 2` replay too.
 * - signed APTs (jose, now bundled in) verified by the command through the bundle: a good ES256
 *   token exports raw, one signed by an untrusted key is an integrity failure; --workers 0, 1, 2
 *   give the lines the in-process engine (the sources) gives.
 * - a YAML policy (yaml now required, not imported) gives, through the command, the lines of the
 *   same policy in JSON, with 0, 1 and 2 workers; bad YAML is one line, exit 1.
 * - the optional pcap package missing (an install beside a node_modules without it): `inspect
 *   --filter` says so in one line, exit 1; a replay with workers runs.
 * - AIPREF_DEBUG: the bundle goes through Node's own loader and the stack is in the TypeScript
 *   sources' lines, as before the change.
 * - a cache of the other bundle (main's cache beside the shard bundle) is refused by its digest.
 *
 * Checked by hand, not repeated here (base 1e2e981 built in a worktree vs HEAD): --version, --help,
 * `replay --help`, unknown command, inspect --json, inspect --filter, bindings (JSON and YAML
 * policy), replay --workers 0/1/2 --explain --json, bad YAML: byte-identical stdout, stderr and exit
 * codes. `live --udp --metrics` starts, reloads on SIGHUP, serves the same 107 metric series and
 * stops with 0 (ws, nats, prom-client now required from the CJS bundle); existing tests
 * round19-fixes-review/reload-during-start-kills-service and lock-fix-3-review/reload-right-after-
 * exec-kills-service (SIGHUP while loading) pass: the listener bin/ installs is in place before the
 * synchronous load, and runLive's own listener is in before the queued signal is dispatched.
 * package.test.ts and bundle-loader.test.ts pass (npm pack holds bundle-loader.js, shard-entry.js
 * and both caches; a refused cache gives the same outputs). No package the replay does not use is
 * loaded (only piscina, and only with workers). `--cpu-prof` (bench/profile.ts) does not make V8
 * refuse the cache. The loader's wrapper gives `this === module.exports`, `exports`, a require
 * resolving from dist/bundle/, __filename/__dirname; no bundled code uses require.main,
 * require.cache or module.id. The cache is written whole and renamed; no file or timer is left
 * open by the loader.
 */
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { codeCacheFile, loadBundle } from '../../../src/cli/bundle-loader.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { replayLines } from '../../e2e/e2e-helpers.js';
import { request, response, sdpOf, writeCall } from '../../e2e/hand-built-calls.js';
import { jwk, keys, rtcpAt, token } from '../../e2e/token-expiry-review/helpers.js';
import { REPO } from './build-copy.js';

const run = promisify(execFile);
const BIN = path.join(REPO, 'bin/aipref-enforcer.js');
const HOOK = path.join(REPO, 'test/cli/round31-code-cache-review/probe-hook.mjs');
const SAMPLE = path.join(REPO, 'samples/call-small.pcap');
const POLICY = path.join(REPO, 'samples/policy.json');
const ENV = { ...process.env, NODE_OPTIONS: '', AIPREF_DEBUG: '' };
let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'rv31-passing-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cliReplay(capture: string, policy: string, workers: number, label: string): Promise<Record<string, string>> {
  const out = path.join(tmp, label);
  await run(process.execPath, [BIN, 'replay', capture, '--policy', policy, '--out', out, '--workers', String(workers), '--explain', '--quiet'], { env: ENV });
  const files: Record<string, string> = {};
  for (const n of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) files[n] = readFileSync(path.join(out, n), 'utf8');
  return files;
}

describe('code caches in use', () => {
  it("the bench's replay child takes the main thread's and every shard thread's cache", async () => {
    const probe = path.join(tmp, 'probe.ndjson');
    await run(process.execPath, ['--import', path.join(REPO, 'dist/bench/child-cpu.js'), '--import', HOOK, BIN, 'replay', SAMPLE, '--policy', POLICY, '--out', path.join(tmp, 'bench'), '--workers', '2', '--quiet', '--json'], {
      env: { ...ENV, RV_PROBE_FILE: probe, AIPREF_BENCH_CHILD_FILE: path.join(tmp, 'figures.json') },
    });
    const loads = readFileSync(probe, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { file: string; main: boolean; given: boolean; rejected: boolean });
    expect(loads).toEqual([
      { file: 'main.cjs', main: true, given: true, rejected: false },
      { file: 'shard-worker.cjs', main: false, given: true, rejected: false },
      { file: 'shard-worker.cjs', main: false, given: true, rejected: false },
    ]);
  });

  it("refuses the other bundle's cache (main's beside the shard bundle) by its digest", () => {
    const dir = path.join(tmp, 'swap');
    mkdirSync(dir);
    const shard = path.join(dir, 'shard-worker.cjs');
    cpSync(path.join(REPO, 'dist/bundle/shard-worker.cjs'), shard);
    cpSync(codeCacheFile(path.join(REPO, 'dist/bundle/main.cjs')), codeCacheFile(shard));
    const b = loadBundle(shard, true);
    expect(b.cached).toBe(false);
    expect(typeof b.exports.default).toBe('function');
  });
});

describe('commands through the bundle', () => {
  it('signed APTs (jose bundled): verified and refused as the engine does, with 0, 1 and 2 workers', { timeout: 30_000 }, async () => {
    await keys();
    const policyJson = { apts: {}, keys: { k1: jwk } };
    const policyFile = path.join(tmp, 'signed-policy.json');
    writeFileSync(policyFile, JSON.stringify(policyJson));
    const good = `AI-Pref: apt-x;integrity=jws;token=${await token({ sub: 'apt-x', exp: 100 })}`;
    const forged = good.slice(0, -6) + (good.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA');
    for (const [name, header, decision] of [['good', good, 'export'], ['forged', forged, 'drop']] as const) {
      const capture = path.join(tmp, `${name}.pcap`);
      await writeCall(capture, (at) => {
        at(0.1, request('INVITE', 1, sdpOf('a', []), [header], ''), true);
        at(0.2, response('200 OK', 1, sdpOf('b', [])), false);
        rtcpAt(at, 5);
      });
      const engine = await replayLines({ capture, policy: parsePolicy(JSON.stringify(policyJson), policyFile), workers: 0, explain: true });
      const expected = { 'exports.ndjson': engine.exports.map((l) => l + '\n').join(''), 'reports.ndjson': engine.reports.map((l) => l + '\n').join(''), 'decisions.ndjson': engine.decisions.map((l) => l + '\n').join('') };
      expect(JSON.parse(engine.decisions[0]!).decision, name).toBe(decision);
      expect(engine.reports.some((r) => r.includes('integrity-failure')), name).toBe(name === 'forged');
      for (const workers of [0, 1, 2]) expect(await cliReplay(capture, policyFile, workers, `${name}-${workers}`), `${name} --workers ${workers}`).toEqual(expected);
    }
  });

  it('a YAML policy gives the lines of the same policy in JSON, with 0, 1 and 2 workers; bad YAML is one line, exit 1', { timeout: 30_000 }, async () => {
    const yamlFile = path.join(tmp, 'policy.yaml');
    writeFileSync(yamlFile, `# the sample policy\n${stringify(JSON.parse(readFileSync(POLICY, 'utf8')))}`);
    const json = await cliReplay(SAMPLE, POLICY, 0, 'json-0');
    expect(json['exports.ndjson']!.length).toBeGreaterThan(0);
    for (const workers of [0, 1, 2]) expect(await cliReplay(SAMPLE, yamlFile, workers, `yaml-${workers}`), `--workers ${workers}`).toEqual(json);
    const bad = path.join(tmp, 'bad.yaml');
    writeFileSync(bad, 'apts: [\n');
    const r = spawnSync(process.execPath, [BIN, 'replay', SAMPLE, '--policy', bad, '--out', path.join(tmp, 'bad'), '--workers', '0'], { env: ENV, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^aipref-enforcer replay: .*bad\.yaml: not valid YAML: line 2, column 1: .*\n$/);
  });

  it('without the optional pcap package: inspect --filter says so in one line (exit 1); a replay with workers runs', { timeout: 30_000 }, async () => {
    const root = path.join(tmp, 'no-pcap');
    mkdirSync(path.join(root, 'node_modules'), { recursive: true });
    for (const d of ['bin', 'dist/bundle', 'dist/src']) cpSync(path.join(REPO, d), path.join(root, d), { recursive: true });
    cpSync(path.join(REPO, 'package.json'), path.join(root, 'package.json'));
    for (const m of readdirSync(path.join(REPO, 'node_modules'))) if (m !== 'pcap') symlinkSync(path.join(REPO, 'node_modules', m), path.join(root, 'node_modules', m));
    const bin = path.join(root, 'bin/aipref-enforcer.js');
    const inspect = spawnSync(process.execPath, [bin, 'inspect', SAMPLE, '--filter', 'udp', '--quiet'], { env: ENV, encoding: 'utf8' });
    expect({ status: inspect.status, stderr: inspect.stderr }).toEqual({
      status: 1,
      stderr: "aipref-enforcer inspect: the optional native 'pcap' package is not available: install the libpcap headers (apt-get install libpcap-dev), then run npm install pcap\n",
    });
    const out = path.join(tmp, 'no-pcap-out');
    await run(process.execPath, [bin, 'replay', SAMPLE, '--policy', POLICY, '--out', out, '--workers', '2', '--explain', '--quiet'], { env: ENV });
    expect(readFileSync(path.join(out, 'exports.ndjson'), 'utf8')).toBe((await cliReplay(SAMPLE, POLICY, 2, 'with-pcap'))['exports.ndjson']);
  });

  it("AIPREF_DEBUG: a stopping error's stack is in the TypeScript sources' lines", () => {
    const r = spawnSync(process.execPath, [BIN, 'replay', path.join(tmp, 'missing.pcap'), '--policy', POLICY, '--out', path.join(tmp, 'dbg'), '--workers', '2'], { env: { ...ENV, AIPREF_DEBUG: '1' }, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/\n\s+at async runReplay \(.*\/src\/cli\/replay\.ts:\d+:\d+\)\n/);
    expect(r.stderr).toMatch(/\n\s+at async main \(.*\/src\/cli\/main\.ts:\d+:\d+\)/);
  });
});
