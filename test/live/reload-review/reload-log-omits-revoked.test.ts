/**
 * Found by a review of live reloads, fixed since: the reload line's `changed` names `revoked` and `issuers` too (src/cli/live.ts reload).
 */
/**
 * Input: `live --udp 127.0.0.1:0 --policy p.json`; p.json at start
 * `{"apts": {"apt-x": {"type": "domain", "export": "raw"}}}`; then rewritten with the same
 * `apts` and `"revoked": ["apt-x"]` and SIGHUP; then again with `"issuers": ["https://i.example"]`
 * added and SIGHUP.
 *
 * Was: both reloads are applied, but their `reload` log lines carry no `changed` at all — the
 * line the operator reads to confirm that a revocation took looks exactly like a reload of an
 * unchanged file (`changed` is built from apts, dialogs, keys, default and window only:
 * src/cli/live.ts `reload`).
 *
 * Correct: README "Metrics, health, logs, signals": SIGHUP "a valid one applies, whole, from the
 * next batch (the `reload` log names the new `default`, `windowSec` and what `changed`)"; the
 * file's top-level keys are apts, dialogs, default, window, keys, issuers, revoked (SPEC §9,
 * README policy file), and a reloaded file "verifies every signed statement seen so far again
 * (its `revoked`, `keys` and `issuers` …)" — a change of `revoked` or `issuers` changes
 * decisions, so it is a change the line must name.
 *
 * Fix: src/cli/live.ts `reload`: also compare `next.revoked` with `policy.revoked` (as sets) and
 * `next.issuers` with `policy.issuers`, pushing 'revoked' / 'issuers' into `changed`.
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureBuilt, kill, startLive, tempDir, writeJson, type LiveChild } from './rr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('rr-changed-'));
});
afterAll(async () => cleanup?.());

it("a reload that changes only `revoked` or `issuers` says so in the reload line's `changed`", async () => {
  const apts = { 'apt-x': { type: 'domain', export: 'raw' } };
  const policy = await writeJson(path.join(dir, 'p.json'), { apts });
  let live: LiveChild | undefined;
  try {
    const s = await startLive(path.join(dir, 'out'), ['--udp', '127.0.0.1:0', '--policy', policy]);
    live = s.live;
    await writeFile(policy, JSON.stringify({ apts, revoked: ['apt-x'] }));
    live.child.kill('SIGHUP');
    const first = await live.waitFor((l) => l.event === 'reload');
    await writeFile(policy, JSON.stringify({ apts, revoked: ['apt-x'], issuers: ['https://i.example'] }));
    live.child.kill('SIGHUP');
    const second = await live.waitFor((l) => l.event === 'reload' && l !== first);
    expect(first.changed).toEqual(['revoked']);
    expect(second.changed).toEqual(['issuers']);
    expect(await live.terminate()).toBe(0);
  } finally {
    kill(live);
  }
}, 20_000);
