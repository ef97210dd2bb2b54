/**
 * Found by a review of live reloads, fixed since: after a reload, each running call naming an identifier whose parts now disagree is told inconsistent-signaling once (src/pipeline/signaling-front.ts tellReloadDisagreements).
 */
/**
 * Input: `live --hep … --policy p.json --explain`, p.json `{"apts": {}}` at start. A call
 * (HEP) whose offer and answer SDP say `a=aipref:session apt-x export=raw retention=7d`; three
 * RTCP rounds (6 SRs) decided; then p.json rewritten to
 * `{"apts": {"apt-x": {"type": "domain", "export": "none"}}}` and SIGHUP (`reload` logged,
 * `changed: ["apts"]`); three more rounds.
 *
 * Was: from the reload on every item is dropped (`export-none`, apt-x) — the operator's `none`
 * merged with the call's own `raw`, strictest winning, right — but no report says so: the
 * reports file has no line at all. An offline replay of the same capture with the new file
 * reports `inconsistent-signaling (export): "none" from policy-file vs "raw" from sdp-aipref;
 * … most restrictive kept: "none"` for the call. The call's statement was overridden by the
 * reload, and nothing in the outputs names the disagreement (a reload that makes an identifier
 * unresolved, by contrast, is reported `unresolved-apt` to each stream it governs).
 *
 * Correct: SPEC §3: "Everything said about one pref-id — … the policy file's entry — is one
 * statement: the parts are merged, and where two parts disagree on a key the most restrictive
 * value wins and `inconsistent-signaling` is reported"; SPEC §6 lists it among the reports.
 * README (SIGHUP): a reloaded file's `apts` replace the old file's statements "for every
 * stream", i.e. as if the file had been there from the start (SignalingFront.updatePolicy doc)
 * — from the start, the disagreement is reported once per call (README "Statements and
 * precedence"). A running call not yet told of its identifier's disagreement is told at the
 * reload.
 *
 * Fix: src/pipeline/signaling-front.ts applyPolicy: the findings of
 * `this.registry.deliver(d.part)` for re-delivered signaled parts are dropped; after rebuilding
 * the registry, for each running dialog (lastScopes / dialogIds) and each identifier it names,
 * report `this.registry.disagreements(id)` not yet in `inconsistencyTold` for its Call-ID (as
 * reportFindings does), at the reload's frame and time.
 */
import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { call, ensureBuilt, hepFrame, kill, metric, offline, scrape, sendDatagrams, sleep, startLive, stopAndRead, tempDir, untilReceived, writeJson, writePkts, type LiveChild } from './rr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('rr-incons-'));
});
afterAll(async () => cleanup?.());

const after = { apts: { 'apt-x': { type: 'domain', export: 'none' } } };

it('a reload that makes the file disagree with what a running call signaled reports inconsistent-signaling', async () => {
  const T = Math.floor(Date.now() / 1000) + 0.25;
  const c = call('call-incons', T, { sdpExtra: ['a=aipref:session apt-x export=raw retention=7d'] });
  const pkts = [...c.sip, ...c.media];
  // the oracle: the same capture offline with the new file reports the disagreement
  const off = await offline(await writePkts(path.join(dir, 'c.pcap'), pkts), path.join(dir, 'off'), ['--policy', await writeJson(path.join(dir, 'after.json'), after)]);
  expect(off.reports.filter((r) => r.type === 'inconsistent-signaling').map((r) => r.apt)).toEqual([['apt-x']]);

  const policy = await writeJson(path.join(dir, 'policy.json'), { apts: {} });
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'live');
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = s.live;
    const port = s.addresses.metrics!.port;
    await sendDatagrams(s.addresses.hep!.udp.port, pkts.slice(0, 9).map(hepFrame));
    await untilReceived(port, 'hep', 9);
    // the first six items decided before the reload
    for (let i = 0; i < 100; i++) {
      const t = await scrape(port);
      if (['export', 'aggregate', 'drop'].reduce((n, o) => n + metric(t, `aipref_decisions_total{outcome="${o}"}`), 0) >= 6) break;
      await sleep(50);
    }

    await writeFile(policy, JSON.stringify(after));
    live.child.kill('SIGHUP');
    expect(await live.waitFor((l) => l.event === 'reload')).toMatchObject({ changed: ['apts'] });
    await sendDatagrams(s.addresses.hep!.udp.port, pkts.slice(9).map(hepFrame));
    await untilReceived(port, 'hep', pkts.length);
    const got = await stopAndRead(live, out, true);
    // decisions: raw before the reload, dropped from it on (strictest wins: right)
    expect(got.decisions.map((d) => d.decision)).toEqual([...Array(6).fill('export'), ...Array(6).fill('drop')]);
    // and a report names the disagreement that now decides the call's items
    const told = got.reports.filter((r) => r.type === 'inconsistent-signaling' && (r.dialog as { callId: string }).callId === 'call-incons');
    expect(told.map((r) => r.apt)).toEqual([['apt-x']]);
    expect(String(told[0]!.detail)).toMatch(/"none" from policy-file vs "raw" from sdp-aipref/);
  } finally {
    kill(live);
  }
}, 30_000);
