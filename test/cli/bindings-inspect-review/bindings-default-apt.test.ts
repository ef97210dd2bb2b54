/**
 * Found by a review of the bindings and inspect commands, fixed since: a binding row lists the
 * operator's default where it governs (MediaCore.streams, bindingRow).
 *
 * Input: samples/call-small.pcap with the `AI-Pref` header taken out of call 3's INVITE and
 * re-INVITE (Call-ID 1a48910a79434079-2@10.1.0.3), so its video SSRCs 3102667785 (bound to the
 * dialog only) and 2984632639 (bound by SDES MID to mid v, which names no identifier) have no
 * applicable identifier; and the same sample with all SIP left out (SSRC 449395149: no dialog).
 * Policy: `{"apts": {"apt-dom-2": {type: domain, export: raw, retention: 7d}}, "default": "apt-dom-2"}`.
 *
 * Was: `bindings --json` prints `"apt":[]` for these streams, e.g.
 *   {"ssrc":3102667785,...,"mid":null,"kind":null,"apt":[],"via":"dialog","ended":true}
 *   {"ssrc":449395149,"dialog":null,...,"apt":[],"via":null,"ended":false}
 * while `replay --explain` on the same capture and policy decides every item of those SSRCs
 * under the default: `{"frame":436,...,"ssrc":3102667785,"pt":202,"feature":"sdes","decision":"export",
 * "reason":"raw-allowed","apt":["apt-dom-2"],...}` — 24 raw exports of 3102667785 in exports.ndjson.
 * The table tells the operator these streams are governed by nothing (SPEC §3 "absence is not
 * consent": dropped), while replay exports their telemetry raw under apt-dom-2.
 *
 * Correct: `bindings` lists "the APT identifiers that govern" each stream (SPEC §8, §2). With
 * an explicit `default` (SPEC §3, §9) a stream with no other identifier is governed by the
 * default, and replay names it in its decisions: the row must say `apt: ["apt-dom-2"]`, so
 * that what `bindings` says a stream is bound to is what replay enforces it under.
 *
 * Fix: src/pipeline/shard-state.ts `Shard.finish` builds rows from `preference.ids`
 * (`this.core.streams()`), which never holds the default: MediaCore applies
 * `defaultPreference` only when deciding (media-core.ts refreshDefault / decide path). Have
 * `MediaCore.streams()` yield the effective ids (the default's id when `preference.ids` is empty
 * and a default is set), as the decisions do.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { cli, parseLines, Workspace, writePolicy } from '../../e2e/e2e-helpers.js';
import { editSample, sipText } from '../../e2e/sample-edits.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const latin = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const POLICY = { apts: { 'apt-dom-2': { type: 'domain', export: 'raw', retention: '7d' } }, default: 'apt-dom-2' };

interface Row { ssrc: number; apt: string[]; via: string | null; dialog: unknown }

async function bindingsAndDecisions(capture: string, policy: string): Promise<{ rows: Row[]; decidedBy: Map<number, Set<string>> }> {
  const b = await cli('bindings', capture, '--policy', policy, '--json');
  expect(b.code).toBe(0);
  const out = await ws.file(`out-${path.basename(capture)}`);
  const r = await cli('replay', capture, '--policy', policy, '--out', out, '--explain', '--workers', '0', '--quiet');
  expect(r.code).toBe(0);
  const decidedBy = new Map<number, Set<string>>();
  for (const d of parseLines<{ ssrc: number; pt: number; apt: string[] }>((await readFile(path.join(out, 'decisions.ndjson'), 'utf8')).split('\n').filter(Boolean))) {
    // SDES items are governed by their sender alone (SPEC §4)
    if (d.pt !== 202) continue;
    const s = decidedBy.get(d.ssrc) ?? new Set<string>();
    for (const a of d.apt) s.add(a);
    decidedBy.set(d.ssrc, s);
  }
  return { rows: JSON.parse(b.stdout) as Row[], decidedBy };
}

describe('bindings with an operator default APT', () => {
  it('a dialog stream with no identifier of its own: bindings names the default replay enforces it under', async () => {
    const capture = await editSample(ws, 'call3-no-aipref.pcap', {
      map: (_f, u) => {
        if (u.sport !== 5060 && u.dport !== 5060) return undefined;
        const t = sipText(u);
        return t.includes('1a48910a79434079-2') ? { ...u, payload: latin(t.replace(/AI-Pref: [^\r\n]*\r\n/, '')) } : undefined;
      },
    });
    const policy = await writePolicy(ws, 'default.json', POLICY);
    const { rows, decidedBy } = await bindingsAndDecisions(capture, policy);
    expect([...(decidedBy.get(3102667785) ?? [])]).toEqual(['apt-dom-2']);
    const row = rows.find((x) => x.ssrc === 3102667785)!;
    expect({ ssrc: row.ssrc, via: row.via, apt: row.apt }).toEqual({ ssrc: 3102667785, via: 'dialog', apt: ['apt-dom-2'] });
    const video = rows.find((x) => x.ssrc === 2984632639)!;
    expect({ ssrc: video.ssrc, via: video.via, apt: video.apt }).toEqual({ ssrc: 2984632639, via: 'sdes-mid', apt: ['apt-dom-2'] });
  });

  it('a stream no dialog binds: bindings names the default replay enforces it under', async () => {
    const capture = await editSample(ws, 'no-sip.pcap', { map: (_f, u) => (u.sport === 5060 || u.dport === 5060 ? null : undefined) });
    const policy = await writePolicy(ws, 'default-2.json', POLICY);
    const { rows, decidedBy } = await bindingsAndDecisions(capture, policy);
    expect([...(decidedBy.get(449395149) ?? [])]).toEqual(['apt-dom-2']);
    const row = rows.find((x) => x.ssrc === 449395149)!;
    expect({ ssrc: row.ssrc, dialog: row.dialog, apt: row.apt }).toEqual({ ssrc: 449395149, dialog: null, apt: ['apt-dom-2'] });
  });
});
