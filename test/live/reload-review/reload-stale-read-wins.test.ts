/**
 * Found by a review of live reloads, fixed since: reloads are numbered by their SIGHUP, and a read that ends after a later one applied is dropped and logged reload-superseded (src/cli/live.ts reload).
 */
/**
 * Input: `live --hep … --policy policy.json --explain`; policy.json states `apt-x` as
 * `export: raw`. The operator replaces the file and sends SIGHUP twice: the first SIGHUP's read
 * of the file is slow (here a FIFO standing at the path, written only later: it stands for any
 * read that takes longer than the next one — a large file, a network filesystem; a 15 MB file
 * with the second SIGHUP ~1 ms after the first reproduced the same ordering); before it ends, the
 * operator puts the tightened file (`apt-x`: `export: none`) at the path (atomic rename) and sends
 * SIGHUP again. The first read then returns the old, relaxed content. Then a call whose INVITE
 * says `AI-Pref: apt-x`, and its RTCP.
 *
 * Was: the two reloads run concurrently (src/cli/live.ts `reload` is async and not serialized;
 * each one sets `policy`/`pendingPolicy` when its own read ends). The second SIGHUP's read
 * finishes first and applies the tightened file, then the first SIGHUP's stale read finishes and
 * applies the relaxed file over it: the last `reload` log line names the stale file's content,
 * and the call's RTCP is exported raw although the file on disk, and the last SIGHUP, say
 * `export: none`.
 *
 * Correct: README "Metrics, health, logs, signals": SIGHUP re-reads the policy file and a valid
 * one applies, whole, from the next batch — after the last SIGHUP the running policy is what
 * the file held when that SIGHUP came (SPEC §9: the operator's file governs; §3: nothing may
 * relax what the operator tightened). An earlier reload still reading must not apply after a
 * later one.
 *
 * Fix: src/cli/live.ts `reload`: serialize reloads (chain each on the previous one's promise, so
 * a SIGHUP's read starts after the earlier ended), or number them and drop a result whose
 * number is older than the newest applied.
 */
import { execFile } from 'node:child_process';
import { link, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, ensureBuilt, hepFrame, kill, sendDatagrams, sleep, startLive, stopAndRead, tempDir, untilReceived, writeJson, type LiveChild } from './rr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('rr-stale-'));
});
afterAll(async () => cleanup?.());

const relaxed = JSON.stringify({ apts: { 'apt-x': { type: 'domain', export: 'raw', retention: '7d' } } });
const tightened = JSON.stringify({ apts: { 'apt-x': { type: 'domain', export: 'none' } } });

it("a slower earlier reload does not overwrite the later SIGHUP's file", async () => {
  const policy = await writeJson(path.join(dir, 'policy.json'), JSON.parse(relaxed));
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'live');
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = s.live;
    // the first SIGHUP's read: a FIFO at the path (kept reachable under a second name)
    const fifo = path.join(dir, 'slow.fifo');
    await promisify(execFile)('mkfifo', [fifo]);
    await link(fifo, path.join(dir, 'slow-alias.fifo'));
    await rename(fifo, policy);
    live.child.kill('SIGHUP');
    await live.waitFor((l) => l.event === 'signal' && l.signal === 'SIGHUP');
    await sleep(200);
    // the operator's tightened file, then SIGHUP again
    await writeFile(path.join(dir, 'next.json'), tightened);
    await rename(path.join(dir, 'next.json'), policy);
    live.child.kill('SIGHUP');
    await sleep(300);
    // the first read ends now, with the content the file had when the first SIGHUP came
    await writeFile(path.join(dir, 'slow-alias.fifo'), relaxed);
    // both SIGHUPs' reads settled (applied, superseded or failed): waited for, not slept on, as
    // under a loaded CI a read or its log line can come later than a fixed pause
    const settled = () => live!.logs.filter((l) => ['reload', 'reload-superseded', 'reload-failed'].includes(l.event)).length;
    for (const end = Date.now() + 15_000; settled() < 2 && Date.now() < end; ) await sleep(50);
    const reloads = live.logs.filter((l) => l.event === 'reload');
    expect(reloads.length).toBeGreaterThan(0);

    const T = Math.floor(Date.now() / 1000) + 0.25;
    const c = call('call-stale', T, { aiPref: 'apt-x', n: 2 });
    const pkts = [...c.sip, ...c.media];
    await sendDatagrams(s.addresses.hep!.udp.port, pkts.map(hepFrame));
    await untilReceived(s.addresses.metrics!.port, 'hep', pkts.length);
    const got = await stopAndRead(live, out, true);
    expect(got.code).toBe(0);
    expect(got.decisions.length).toBe(4);
    // the file on disk (and the last SIGHUP) say export none
    expect(got.decisions.map((d) => d.decision)).toEqual(['drop', 'drop', 'drop', 'drop']);
    expect(got.exports).toEqual([]);
  } finally {
    kill(live);
  }
}, 30_000);
