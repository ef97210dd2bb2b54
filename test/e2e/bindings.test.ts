/**
 * Issue 4, end to end: the binding table after a replay agrees with what the generator meant
 * (route, mid, kind, dialog), and real signaling binds real media.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { emptyPolicy } from '../../src/policy/policy-file.js';
import { parseLines, replayLines, type ReportLine, sharedCapture, smallCapture, Workspace } from './e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('bindings of generated captures agree with the truth', () => {
  for (const seed of [3, 21, 58]) {
    it(`seed ${seed}: every SSRC has the truth's via, dialog, and (where not dialog-bound) mid and kind`, async () => {
      const g = await ws.generate(smallCapture(seed, 8));
      const { result } = await replayLines({ capture: g.path, explain: false });
      const rows = new Map(result.bindings.map((b) => [b.ssrc, b]));
      const mismatches: string[] = [];
      let checked = 0;
      for (const call of g.truth.calls) {
        for (const s of call.streams) {
          const row = rows.get(s.ssrc);
          if (!row) {
            mismatches.push(`call ${call.index} ssrc ${s.ssrc}: not in the binding table`);
            continue;
          }
          checked++;
          const dialog = row.dialog;
          if (!dialog || dialog.callId !== call.callId || dialog.fromTag !== call.fromTag || dialog.toTag !== call.toTag) {
            mismatches.push(`call ${call.index} ssrc ${s.ssrc}: dialog ${JSON.stringify(dialog)}, truth ${call.callId} ${call.fromTag} ${call.toTag}`);
          }
          if (row.via !== s.via) mismatches.push(`call ${call.index} ssrc ${s.ssrc} (${call.flavour}, mid ${s.mid}): via ${row.via}, truth ${s.via}`);
          if (s.via !== 'dialog' && s.via !== 'sdes-priv') {
            if (row.mid !== s.mid) mismatches.push(`call ${call.index} ssrc ${s.ssrc}: mid ${row.mid}, truth ${s.mid}`);
            if (row.kind !== s.kind) mismatches.push(`call ${call.index} ssrc ${s.ssrc}: kind ${row.kind}, truth ${s.kind}`);
          }
        }
      }
      expect(mismatches).toEqual([]);
      expect(checked).toBe(g.truth.calls.reduce((n, c) => n + c.streams.length, 0));
      expect(result.summary.dialogs).toBe(g.truth.calls.length);
      expect(result.summary.sip).toBe(g.truth.packets.sip);
      expect(result.summary.rtcp).toBe(g.truth.packets.rtcp);
      expect(result.summary.rtp).toBe(g.truth.packets.rtp);
    });
  }

  for (const seed of [3, 21, 58]) {
    it(`seed ${seed}: every SSRC's APT ids are the truth's (after its renegotiation) plus the repository's`, async () => {
      const { catalogApts, policyOf } = await import('./e2e-helpers.js');
      const g = await ws.generate(smallCapture(seed, 8));
      const c2 = g.truth.calls[2]!;
      const c5 = g.truth.calls[5]!;
      const policy = policyOf({ apts: catalogApts(), dialogs: [{ callId: c2.callId, apt: ['apt-repo-1'] }, { callId: c5.callId, fromTag: c5.fromTag, toTag: c5.toTag, apt: ['apt-dom-3'] }] });
      const { result } = await replayLines({ capture: g.path, policy, explain: false });
      const rows = new Map(result.bindings.map((b) => [b.ssrc, b]));
      const wrong: string[] = [];
      for (const call of g.truth.calls) {
        const repo = policy.findDialogApts(call.callId, call.fromTag, call.toTag);
        const r = call.renegotiations[0];
        // a regulatory dialog-level value is a floor beside an m-section's own identifiers too
        const floor = call.dialogApt.filter((id) => policy.apts.get(id)?.type === 'regulatory');
        for (const s of call.streams) {
          let ids = s.apt;
          if (r && r.affectedSsrcs.includes(s.ssrc) && r.kind === 'remove-aipref') ids = r.fallback;
          if (ids.length > 0) ids = [...ids, ...floor];
          // a disabled m-section's streams stop: only what does not come from the section stays
          if (r && r.affectedSsrcs.includes(s.ssrc) && r.kind === 'disable-video') ids = s.sdesPriv ? [s.sdesPriv] : [];
          const want = [...new Set([...ids, ...repo])].sort();
          const got = [...(rows.get(s.ssrc)?.apt ?? [])].sort();
          if (want.join() !== got.join()) wrong.push(`call ${call.index} ${r?.kind ?? ''} ssrc ${s.ssrc} (${s.via} ${s.mid}): [${got}], expected [${want}]`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it('BYE ends every dialog and its bindings; dialog-bound streams are reported as implicit bindings with the dialog-level ids', async () => {
    const g = await ws.generate(smallCapture(21, 8));
    const run = await replayLines({ capture: g.path, explain: false });
    expect(run.result.bindings.length).toBe(32);
    for (const b of run.result.bindings) expect(b.ended, `ssrc ${b.ssrc}`).toBe(true);
    const implicit = parseLines<ReportLine>(run.reports).filter((r) => r.type === 'implicit-binding');
    let dialogBound = 0;
    for (const call of g.truth.calls) {
      for (const s of call.streams.filter((x) => x.via === 'dialog')) {
        dialogBound++;
        const mine = implicit.filter((r) => r.ssrc === s.ssrc);
        expect(mine.length, `implicit-binding reports for ${s.ssrc}`).toBe(1);
        expect(mine[0]!.dialog).toEqual({ callId: call.callId, fromTag: call.fromTag, toTag: call.toTag });
        expect([...(mine[0]!.apt ?? [])].sort()).toEqual([...call.dialogApt].sort());
      }
    }
    expect(dialogBound).toBeGreaterThan(0);
    // no report is made twice for one stream
    const keys = implicit.map((r) => `${r.dialog?.callId}#${r.ssrc}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('the routes seen across the seeds cover every via the generator makes', async () => {
    const vias = new Set<string>();
    for (const seed of [3, 21, 58]) {
      const g = await ws.generate(smallCapture(seed, 8));
      for (const c of g.truth.calls) for (const s of c.streams) vias.add(s.via);
    }
    expect([...vias].sort()).toEqual(['a=ssrc', 'dialog', 'rtp-mid', 'sdes-mid', 'sdes-priv', 'transport']);
  });
});

describe('real signaling binds real media', () => {
  const CALL_ID = '158936656982201062716@10.33.6.100';

  it('heplify_sip_ipv4_tcp: both RTP streams are bound to the one dialog through transport', async () => {
    const { result } = await replayLines({ capture: sharedCapture('heplify_sip_ipv4_tcp.pcap'), policy: emptyPolicy(), explain: false });
    expect(result.summary.dialogs).toBe(1);
    expect(result.bindings.map((b) => b.ssrc).sort()).toEqual([1123300308, 1513316787]);
    for (const b of result.bindings) {
      expect(b.dialog).toEqual({ callId: CALL_ID, fromTag: '1c1589367133', toTag: '1c342958875' });
      expect(b.via).toBe('transport');
      expect(b.kind).toBe('audio');
      // no preference anywhere in this capture
      expect(b.apt).toEqual([]);
    }
    expect(result.summary.rtcp).toBe(2);
    expect(result.summary.reports['unbound-stream'] ?? 0).toBe(0);
  });

  // SIP message counts as `tshark -r <file> -Y sip` shows them (one message per frame here).
  const SIP_COUNTS: [file: string, sip: number, dialogs: number][] = [
    ['heplify_sip_ipv4_tcp.pcap', 7, 1],
    ['heplify_sip_ipv6_udp.pcap', 6, 1],
    // an INVITE with a scanner's SQL in c= (no answer) and REGISTER/401s: no dialog
    ['heplify_ipip0.pcap', 8, 0],
  ];
  for (const [file, sip, dialogs] of SIP_COUNTS) {
    it(`${file}: ${sip} SIP messages counted, ${dialogs} dialog(s) found`, async () => {
      const { result } = await replayLines({ capture: sharedCapture(file), explain: false });
      expect(result.summary.sip).toBe(sip);
      expect(result.summary.dialogs).toBe(dialogs);
    });
  }
});

describe('BYE ends the dialog and its bindings', () => {
  it("RTCP arriving after the dialog's BYE is not judged by the ended dialog's APTs", async () => {
    const { readPcapRecords, writePcapRecords, catalogApts, policyOf, parseLines } = await import('./e2e-helpers.js');
    const g = await ws.generate(smallCapture(21, 8));
    // A stream that carries no SDES PRIV identifier (one that does would bind itself in-band,
    // SPEC §2.4) keeps sending RTCP one second after its dialog's BYE was answered.
    const lastRtcp = [...g.truth.rtcp].reverse().find((r) => g.truth.calls[r.callIndex]!.streams.find((s) => s.ssrc === r.ssrc)!.sdesPriv === null)!;
    const call = g.truth.calls[lastRtcp.callIndex]!;
    const byeOk = call.sip.filter((m) => m.message === '200').at(-1)!;
    const { header, records } = await readPcapRecords(g.path);
    const late = { ts: byeOk.ts + 1, data: records[lastRtcp.frame - 1]!.data };
    const insertAt = records.findIndex((r) => r.ts > late.ts);
    const at = insertAt < 0 ? records.length : insertAt;
    records.splice(at, 0, late);
    const file = await ws.file('late-rtcp.pcap');
    await writePcapRecords(file, header, records);
    const lateFrame = at + 1;

    const policy = policyOf({ apts: catalogApts() });
    const run = await replayLines({ capture: file, policy, explain: true });
    const decisions = parseLines<{ frame: number; decision: string; reason: string; apt: string[] }>(run.decisions).filter((d) => d.frame === lateFrame);
    expect(decisions.length).toBeGreaterThan(0);
    for (const d of decisions) expect({ decision: d.decision, reason: d.reason, apt: d.apt }).toEqual({ decision: 'drop', reason: 'no-preference', apt: [] });
    const reports = parseLines<ReportLine>(run.reports).filter((r) => r.frame === lateFrame);
    expect(reports.map((r) => [r.type, r.ssrc, r.dialog])).toContainEqual(['unbound-stream', lastRtcp.ssrc, null]);
    const exports = parseLines<{ ts: number; dialog: unknown }>(run.exports).filter((x) => x.ts > byeOk.ts);
    expect(exports.filter((x) => x.dialog !== null && JSON.stringify(x.dialog).includes(call.callId))).toEqual([]);
  });
});
