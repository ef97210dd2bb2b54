/**
 * Conference topologies (RFC 7667) checks that turned out FINE. Every replay runs with --workers 0 and 2
 * (calls-on-any-address.ts `replay`) and requires identical exports, reports and decisions.
 *
 * 1. One RR with report blocks about a stream under export none and one under raw, within one call
 *    (sfu-call.ts: 7001 in r `apt-r` none, 9001 in a `apt-a` raw): the whole RR is one item (SPEC §4), dropped
 *    `export-none [apt-r]`, not split; nothing exported.
 * 2. The SFU's SR *of* a forwarded participant's SSRC (declared with a=ssrc only in that participant's call)
 *    arriving on A's transport is routed to the declaring call (SPEC §2: a=ssrc first): B raw → exported with
 *    dialog conf-b; the binding table keeps 5001 in conf-b `a=ssrc`.
 * 3. The same for B's RTX repair SSRC (`a=ssrc-group:FID 5001 5002` in B's call): its SR on A's transport is
 *    decided by B's call (`drop export-none [apt-b]`).
 * 4. MCU: BYE [8001 5001] (the mixer and a CSRC, RFC 3550 §6.6) closes 8001's window at the BYE
 *    (window end = the BYE's capture time), expiresAt = window start + 1h.
 * 5. A participant leaving: a BYE-only compound of B's SSRC sent by the SFU on A's transport is routed to B's
 *    call and closes B's aggregate window of 5001 there, at the BYE.
 * 6. Simulcast/RID: the SFU's SDES about a forwarded layer with MID, RID (13) and RRID (14) items: only CNAME
 *    text reaches the raw export (SPEC §4 binding metadata), the layer bound by the SDES MID to r.
 * 7. The CLI (`node bin/aipref-enforcer.js replay --explain --workers 0|2 --out <tmp>`) on the MCU/SFU
 *    conference capture writes byte-identical exports, reports and decisions files (SPEC §8).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, policyOf, Workspace } from '../e2e-helpers.js';
import { T0, callSetup, replay } from '../calls-on-any-address.js';
import { clientOffer, POL as SFU_POL, rrP as sfuRr, rtcpX, sfuAnswer } from '../sfu/sfu-call.js';
import { byeP, callA, conference, participantCall, rtcpOn, rtpOn, sdesP, srP } from './conf-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const pol = (a: string, b: string, c = 'raw') =>
  policyOf({
    apts: {
      'apt-a': { type: 'domain', export: a as 'raw', retention: '1h' },
      'apt-b': { type: 'domain', export: b as 'raw', retention: '1h' },
      'apt-c': { type: 'domain', export: c as 'raw', retention: '1h' },
    },
  });
const APTS = { aSession: ['a=aipref:session apt-a'], bSession: ['a=aipref:session apt-b'], cSession: ['a=aipref:session apt-c'] };
const line = (r: Awaited<ReturnType<typeof replay>>) => r.decisions.map((x) => `${x.frame} ${x.ssrc} ${x.pt} ${x.decision} ${x.reason} [${x.apt}]`);

describe('fine: conference topologies', () => {
  it('1. an RR about a none stream and a raw stream is dropped whole, not split', async () => {
    const offer = clientOffer({ a: ['a=aipref:mid apt-a'], r: ['a=aipref:mid apt-r'] });
    const r = await replay(ws, [...callSetup({ offer, answer: sfuAnswer() }), rtcpX([sfuRr(1111, [9001, 7001])])], SFU_POL);
    expect(line(r)).toEqual(['4 1111 201 drop export-none [apt-r]']);
    expect(r.exports).toEqual([]);
  });

  it('2. the SFU’s SR of B’s SSRC on A’s transport is decided and exported in B’s call', async () => {
    const pkts = [...conference(APTS), rtpOn('B', 'SB', 5001, [{ id: 4, v: 'v' }]), rtpOn('SA', 'A', 5001, [{ id: 4, v: 'r' }]), rtcpOn('SA', 'A', [srP(5001)])];
    const r = await replay(ws, pkts, pol('none', 'raw'));
    expect(line(r)).toEqual(['12 5001 200 export raw-allowed [apt-b]']);
    expect(r.exports.map((e) => `${e.type} ${e.dialog?.callId} ${e.stream.ssrc} ${e.stream.mid}`)).toEqual(['telemetry conf-b 5001 v']);
    expect(r.bindings.filter((b) => b.ssrc === 5001 && (b.dialog as { callId: string }).callId === 'conf-b').map((b) => `${b.mid} ${b.via} [${b.apt}]`)).toEqual(['v a=ssrc [apt-b]']);
  });

  it('3. the SFU’s SR of B’s RTX SSRC (FID) on A’s transport is decided by B’s call', async () => {
    const pkts = [
      ...callA(APTS),
      ...participantCall('conf-b', '10.0.0.3', 5002, 5001, ['a=aipref:session apt-b'], ['a=ssrc-group:FID 5001 5002', 'a=ssrc:5002 cname:conf-b']),
      rtcpOn('SA', 'A', [srP(5002)]), // 7
    ];
    const r = await replay(ws, pkts, pol('raw', 'none'));
    expect(line(r)).toEqual(['7 5002 200 drop export-none [apt-b]']);
  });

  it('4. the MCU’s BYE [8001 5001] closes 8001’s window at the BYE', async () => {
    const pkts = [
      ...conference({ ...APTS, rAnswer: ['a=ssrc:8001 cname:mcu'] }),
      rtpOn('SA', 'A', 8001, [{ id: 4, v: 'r' }], 1, [5001, 6001]), // 10
      rtcpOn('SA', 'A', [srP(8001)]), // 11
      rtcpOn('SA', 'A', [srP(8001), byeP([8001, 5001])]), // 12
      rtcpOn('A', 'SA', [srP(1111)]), // 13
    ];
    const r = await replay(ws, pkts, pol('aggregated-only', 'aggregated-only', 'aggregated-only'));
    const agg = r.exports.filter((e) => e.type === 'aggregate' && e.stream.ssrc === 8001) as unknown as { window: { start: number; end: number }; expiresAt: number; stats: { items: number } }[];
    // the BYE reports on B's 5001 too, so B's call governs it beside A's (apt-a + apt-b): it is folded
    // into a window of that set of identifiers, after 8001's own window closed at it
    expect(agg.map((a) => [a.window, a.expiresAt, a.stats.items])).toEqual([
      [{ start: T0 + 1.1, end: T0 + 1.2 }, T0 + 1.1 + 3600, 2],
      [{ start: T0 + 1.2, end: T0 + 1.2 }, T0 + 1.2 + 3600, 1],
    ]);
  });

  it('5. B leaves: a BYE of 5001 the SFU sends on A’s transport closes B’s window in B’s call', async () => {
    const pkts = [
      ...conference(APTS),
      rtcpOn('B', 'SB', [srP(5001)]), // 10
      rtcpOn('SA', 'A', [byeP([5001])]), // 11
      rtcpOn('A', 'SA', [srP(1111)]), // 12
    ];
    const r = await replay(ws, pkts, pol('raw', 'aggregated-only'));
    expect(line(r)).toEqual(['10 5001 200 aggregate aggregated-only [apt-b]', '11 5001 203 aggregate aggregated-only [apt-b]', '12 1111 200 export raw-allowed [apt-a]']);
    const agg = r.exports.filter((e) => e.type === 'aggregate') as unknown as { dialog: { callId: string }; stream: { ssrc: number }; window: unknown }[];
    expect(agg.map((a) => [a.dialog.callId, a.stream.ssrc, a.window])).toEqual([['conf-b', 5001, { start: T0 + 1.0, end: T0 + 1.1 }]]);
  });

  it('6. RID/RRID/MID SDES items of a forwarded simulcast layer never reach an export', async () => {
    const pkts = [
      ...conference(APTS),
      rtcpOn('SA', 'A', [srP(9001), sdesP([{ ssrc: 9001, items: [{ type: 1, text: 'sfu' }] }, { ssrc: 7101, items: [{ type: 1, text: 'x@y' }, { type: 12, text: 'r' }, { type: 13, text: 'h' }, { type: 14, text: 'h' }] }])]), // 10
    ];
    const r = await replay(ws, pkts, pol('raw', 'none'));
    expect(line(r)).toEqual(['10 9001 200 export raw-allowed [apt-a]', '10 9001 202 export raw-allowed [apt-a]']);
    const sdes = r.exports.find((e) => (e as unknown as { item: { pt: number } }).item?.pt === 202) as unknown as { item: unknown };
    expect(sdes.item).toEqual({ pt: 202, ssrc: 9001, chunks: [{ ssrc: 9001, items: [{ type: 1, text: 'sfu' }] }, { ssrc: 7101, items: [{ type: 1, text: 'x@y' }] }] });
    expect(r.bindings.filter((b) => b.ssrc === 7101).map((b) => `${b.mid} ${b.via}`)).toEqual(['r sdes-mid']);
  });

  it('7. CLI replay --workers 0 and 2 write identical files for the conference', async () => {
    const pkts = [
      ...conference(APTS),
      rtpOn('B', 'SB', 5001, [{ id: 4, v: 'v' }]),
      rtpOn('SA', 'A', 5001, [{ id: 4, v: 'r' }]),
      rtpOn('SA', 'A', 8001, [{ id: 4, v: 'r' }], 1, [5001, 6001]),
      rtcpOn('A', 'SA', [{ pt: 201, ssrc: 1111, reports: [5001, 6001, 8001].map((s) => ({ ssrc: s, fractionLost: 1, cumulativeLost: 2, highestSeq: 3, jitter: 4, lsr: 0, dlsr: 0 })) } as never]),
      rtcpOn('SA', 'A', [srP(8001), sdesP([{ ssrc: 5001, items: [{ type: 1, text: 'b' }] }]), byeP([8001, 5001])]),
      rtcpOn('SA', 'A', [srP(5001)]),
    ];
    const r = await replay(ws, pkts, pol('aggregated-only', 'none'));
    const policy = await ws.file('conf-policy.json');
    await writeFile(policy, JSON.stringify({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' }, 'apt-b': { type: 'domain', export: 'none', retention: '1h' }, 'apt-c': { type: 'domain', export: 'raw', retention: '1h' } } }));
    const outs: string[][] = [];
    for (const w of ['0', '2']) {
      const out = await ws.file(`cli-out-${w}`);
      const run = await cli('replay', r.file, '--policy', policy, '--out', out, '--workers', w, '--explain', '--json');
      expect(run.code).toBe(0);
      outs.push(await Promise.all(['exports.ndjson', 'reports.ndjson', 'decisions.ndjson'].map((f) => readFile(path.join(out, f), 'utf8'))));
    }
    expect(outs[1]).toEqual(outs[0]);
    expect(outs[0]![2]!.trim().split('\n').length).toBe(r.decisions.length);
  });
});
