/**
 * RTCP XR from wire to export: checks that came out FINE (regression tests). Input: the BUNDLE
 * call of ../rtcp-items/items-call.ts (mid a 1111/2222 apt-raw raw 1h; mid b 1112/2223 apt-raw90
 * raw 90s; mid v 3333/4444 apt-agg aggregated-only 15m; mid d 5555/6666 apt-none), RTCP from A
 * (port 4000) as hand-written bytes:
 *   t=1  RR + XR of all seven RFC 3611 block types (Loss RLE with a null chunk, Dup RLE, receipt
 *        times, RRTR, DLRR of two sub-blocks about 2222 and 2223, Statistics Summary about 6666,
 *        VoIP about 4444)
 *   t=2  RR + XR [VoIP about 2222, RRTR whose block length (40 bytes) runs past the packet] + RR
 *   t=3  XR alone (reduced-size, RFC 5506): VoIP about 2222 with MOS-LQ and R 127 (unavailable)
 *   t=4  RR + XR with the P bit and 4 bytes of padding: VoIP about 2222 (MOS 4.5/4.4, R 90)
 *   t=5  RR + XR: two VoIP blocks about 4444 — MOS-LQ 30 / 10, MOS-CQ 127 / 50, R 50 / 0
 * Checked:
 *  - inspect --json against tshark 4.x (`-d udp.port==4000,rtcp`): every field tshark decodes of
 *    the seven block types (SSRCs, thinning, begin/end seq, receipt times, RRTR NTP, DLRR LRR /
 *    DLRR, every Statistics Summary field, every VoIP field: signed signal/noise, MOS ×10,
 *    jitter buffer); the padded XR and the XR-only compound decode as tshark does;
 *    samples/call-small.pcap's VoIP blocks (SSRC, loss/discard, RTD, ESD, levels, R, MOS) too.
 *  - a block overrunning its XR: the XR packet is rejected with `xr-block-overrun` at the block's
 *    byte offset in the compound (52), the RR after it is still read and decided; replay reports
 *    the frame malformed with that offset and decides only the two RRs.
 *  - decisions: one item per block; RRTR governed by the sender alone; DLRR by both sub-block
 *    SSRCs (expiresAt = ts + 90 s, the shorter retention); Statistics Summary about the
 *    apt-none stream dropped; VoIP about the aggregated-only stream aggregated; the XR-only and
 *    the padded compound decided as in a full compound (raw, the decoded block exported).
 *  - the aggregate (one 10 s window of 1111 under apt-agg: t=1 and t=5): voip {blocks 3, mosLq
 *    (4.1+3+1)/3, mosCq 4.5 (127 left out), rFactor 45 (0 counted)}, packets.xr 2, items 3; no
 *    SSRC-level value in its stats.
 *  - workers 0 and 2 give the same lines (items-call replay).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, SMALL_PCAP, Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

let haveTshark = true;
try {
  execFileSync('tshark', ['-v'], { stdio: 'ignore' });
} catch {
  haveTshark = false;
}

type Json = Record<string, any>;
const lines = (s: string): Json[] => s.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Json);
const ints = (s: string | undefined): number[] => (s === undefined || s === '' ? [] : s.split(',').map((x) => (x.startsWith('0x') ? Number.parseInt(x, 16) : Number(x))));

function tshark(file: string, extra: string[], filter: string, fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', file, ...extra, '-Y', filter, '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.split('\n').filter(Boolean).map((l) => l.split('\t'));
}
const AS_RTCP = ['-d', 'udp.port==4000,rtcp'];

function packets(): C.Pkt[] {
  const p = C.callWithMedia();
  p.push(
    C.fromA(
      1,
      C.compound(
        C.RR(1111, []),
        C.XR(1111, [
          C.xrLossRle(2222, 1, 9, [0xc005, 0x0000]),
          C.xrDupRle(2222, 1, 9, [0x0001]),
          C.xrReceiptTimes(2222, 1, [1, 2]),
          C.xrRrt(C.NTP_SEC, 5),
          C.xrDlrr([{ ssrc: 2222, lrr: 1, dlrr: 2 }, { ssrc: 2223, lrr: 3, dlrr: 4 }]),
          C.xrStats(6666),
          C.xrVoip(4444),
        ]),
      ),
    ),
  );
  p.push(C.fromA(2, C.compound(C.RR(1111, []), C.XR(1111, [C.xrVoip(2222), [0x04, 0, 0, 9, 0, 0, 0, 1]]), C.RR(1111, []))));
  p.push(C.fromA(3, C.XR(1111, [C.xrVoip(2222, 127, 35, 127)])));
  const x = C.XR(1111, [C.xrVoip(2222, 45, 44, 90)]);
  const padded = Uint8Array.from([...x, 0, 0, 0, 4]);
  padded[0]! |= 0x20;
  padded[3]! += 1;
  p.push(C.fromA(4, C.compound(C.RR(1111, []), padded)));
  p.push(C.fromA(5, C.compound(C.RR(1111, []), C.XR(1111, [C.xrVoip(4444, 30, 127, 50), C.xrVoip(4444, 10, 50, 0)]))));
  return p;
}

let file = '';
let inspect: Map<number, Json>;
let run: Awaited<ReturnType<typeof C.replay>>;
/** frame number of the packet at capture time t (the call's setup and RTP are frames 1–11) */
const F = (t: number): number => 11 + t;

beforeAll(async () => {
  const p = packets();
  run = await C.replay(ws, p);
  file = run.file;
  inspect = new Map(lines((await cli('inspect', file, '--json')).stdout).map((l) => [l.frame as number, l]));
}, 60_000);

const xrOf = (frame: number): Json => inspect.get(frame)!.packets.find((q: Json) => q.pt === 207);
const blocksOf = (frame: number): Json[] => xrOf(frame).blocks;

describe.skipIf(!haveTshark)('inspect --json against tshark', () => {
  it('all seven RFC 3611 block types, field by field', () => {
    const fields = [
      'rtcp.xr.bt', 'rtcp.ssrc.identifier', 'rtcp.xr.tf', 'rtcp.xr.beginseq', 'rtcp.xr.endseq', 'rtcp.xr.receipt_time_seq', 'rtcp.xr.lrr', 'rtcp.xr.dlrr',
      'rtcp.xr.stats.lost', 'rtcp.xr.stats.dups', 'rtcp.xr.stats.minjitter', 'rtcp.xr.stats.maxjitter', 'rtcp.xr.stats.meanjitter', 'rtcp.xr.stats.devjitter',
      'rtcp.xr.stats.minttl', 'rtcp.xr.stats.maxttl', 'rtcp.xr.stats.meanttl', 'rtcp.xr.stats.devttl',
      'rtcp.ssrc.fraction', 'rtcp.ssrc.discarded', 'rtcp.xr.voipmetrics.burstdensity', 'rtcp.xr.voipmetrics.gapdensity', 'rtcp.xr.voipmetrics.burstduration',
      'rtcp.xr.voipmetrics.gapduration', 'rtcp.xr.voipmetrics.rtdelay', 'rtcp.xr.voipmetrics.esdelay', 'rtcp.xr.voipmetrics.signallevel', 'rtcp.xr.voipmetrics.noiselevel',
      'rtcp.xr.voipmetrics.gmin', 'rtcp.xr.voipmetrics.rfactor', 'rtcp.xr.voipmetrics.moslq', 'rtcp.xr.voipmetrics.moscq',
      'rtcp.xr.voipmetrics.jbnominal', 'rtcp.xr.voipmetrics.jbmax', 'rtcp.xr.voipmetrics.jbabsmax',
    ];
    const [row] = tshark(file, AS_RTCP, `frame.number==${F(1)}`, fields);
    const t = Object.fromEntries(fields.map((f, i) => [f, row![i]!]));
    const b = blocksOf(F(1));
    expect(b.map((x) => x.bt)).toEqual(ints(t['rtcp.xr.bt']));
    // SSRCs in wire order: RLE, RLE, receipt times, the DLRR's two sub-blocks, stats, VoIP
    expect([b[0].ssrc, b[1].ssrc, b[2].ssrc, ...b[4].subBlocks.map((s: Json) => s.ssrc), b[5].ssrc, b[6].ssrc]).toEqual(ints(t['rtcp.ssrc.identifier']));
    expect([b[0].thinning, b[1].thinning, b[2].thinning]).toEqual(ints(t['rtcp.xr.tf']));
    expect([b[0].beginSeq, b[1].beginSeq, b[2].beginSeq, b[5].beginSeq]).toEqual(ints(t['rtcp.xr.beginseq']));
    expect([b[0].endSeq, b[1].endSeq, b[2].endSeq, b[5].endSeq]).toEqual(ints(t['rtcp.xr.endseq']));
    expect(b[0].chunks).toEqual([0xc005]); // the null chunk is padding (RFC 3611 §4.1)
    expect(b[2].receiptTimes).toEqual(ints(t['rtcp.xr.receipt_time_seq']));
    expect(b[3]).toEqual({ bt: 4, ntpSec: C.NTP_SEC, ntpFrac: 5 });
    expect(b[4].subBlocks.map((s: Json) => s.lrr)).toEqual(ints(t['rtcp.xr.lrr']));
    expect(b[4].subBlocks.map((s: Json) => s.dlrr)).toEqual(ints(t['rtcp.xr.dlrr']));
    const s = b[5];
    expect([s.lostPackets, s.dupPackets, s.minJitter, s.maxJitter, s.meanJitter, s.devJitter, s.minTtlOrHl, s.maxTtlOrHl, s.meanTtlOrHl, s.devTtlOrHl]).toEqual(
      ['lost', 'dups', 'minjitter', 'maxjitter', 'meanjitter', 'devjitter', 'minttl', 'maxttl', 'meanttl', 'devttl'].map((k) => Number(t[`rtcp.xr.stats.${k}`])),
    );
    const v = b[6];
    const vm = (k: string): number => Number(t[`rtcp.xr.voipmetrics.${k}`]);
    expect([v.lossRate, v.discardRate]).toEqual([Number(t['rtcp.ssrc.fraction']), Number(t['rtcp.ssrc.discarded'])]);
    expect([v.burstDensity, v.gapDensity, v.burstDuration, v.gapDuration, v.roundTripDelay, v.endSystemDelay, v.signalLevel, v.noiseLevel, v.gmin, v.rFactor]).toEqual(
      ['burstdensity', 'gapdensity', 'burstduration', 'gapduration', 'rtdelay', 'esdelay', 'signallevel', 'noiselevel', 'gmin', 'rfactor'].map(vm),
    );
    expect([v.signalLevel, v.noiseLevel]).toEqual([-32, -80]);
    expect([v.mosLq / 10, v.mosCq / 10]).toEqual([vm('moslq'), vm('moscq')]);
    expect([v.jbNominal, v.jbMaximum, v.jbAbsMax]).toEqual([vm('jbnominal'), vm('jbmax'), vm('jbabsmax')]);
    // SPEC §8's VoIP fields are all there
    for (const k of ['ssrc', 'lossRate', 'discardRate', 'roundTripDelay', 'endSystemDelay', 'rFactor', 'mosLq', 'mosCq']) expect(typeof v[k], k).toBe('number');
  });

  it('the padded XR and the XR-only compound decode as tshark does', () => {
    const rows = tshark(file, AS_RTCP, `frame.number==${F(3)} || frame.number==${F(4)}`, ['frame.number', 'rtcp.xr.bt', 'rtcp.ssrc.identifier', 'rtcp.xr.voipmetrics.rfactor', 'rtcp.xr.voipmetrics.moslq', 'rtcp.xr.voipmetrics.moscq']);
    expect(rows.map((r) => r[0])).toEqual([String(F(3)), String(F(4))]);
    const [only, padded] = [blocksOf(F(3))[0], blocksOf(F(4))[0]];
    expect([only.bt, only.ssrc, only.rFactor, only.mosLq, only.mosCq]).toEqual([7, 2222, 127, 127, 35]);
    expect([padded.bt, padded.ssrc, padded.rFactor, padded.mosLq / 10, padded.mosCq / 10]).toEqual([Number(rows[1]![1]), Number.parseInt(rows[1]![2]!, 16), Number(rows[1]![3]), Number(rows[1]![4]), Number(rows[1]![5])]);
    expect(inspect.get(F(3))!.reducedSize).toBe(true);
    expect(inspect.get(F(4))!.errors).toBeUndefined();
    expect(xrOf(F(4)).length).toBe(48);
  });

  it("samples/call-small.pcap's VoIP blocks", async () => {
    const mine = new Map(lines((await cli('inspect', SMALL_PCAP, '--json')).stdout).map((l) => [l.frame as number, l]));
    const fields = ['frame.number', 'rtcp.xr.bt', 'rtcp.ssrc.fraction', 'rtcp.ssrc.discarded', 'rtcp.xr.voipmetrics.rtdelay', 'rtcp.xr.voipmetrics.esdelay', 'rtcp.xr.voipmetrics.signallevel', 'rtcp.xr.voipmetrics.noiselevel', 'rtcp.xr.voipmetrics.rfactor', 'rtcp.xr.voipmetrics.moslq', 'rtcp.xr.voipmetrics.moscq'];
    const rows = tshark(SMALL_PCAP, ['-o', 'rtcp.heuristic_rtcp:TRUE'], 'rtcp.xr.bt == 7', fields);
    expect(rows.length).toBeGreaterThan(0);
    // (fraction lost: the RR's report blocks come first, the VoIP block's value last)
    const last = (x: string): string => x.split(',').at(-1)!;
    for (const [frame, , fr, dr, rtd, esd, sig, noise, r, lq, cq] of rows) {
      const voip = mine.get(Number(frame))!.packets.flatMap((q: Json) => q.blocks ?? []).filter((bl: Json) => bl.bt === 7);
      // one VoIP block per XR in the sample
      expect(voip.length, `frame ${frame}`).toBe(1);
      const v = voip[0];
      expect([v.lossRate, v.discardRate, v.roundTripDelay, v.endSystemDelay, v.signalLevel, v.noiseLevel, v.rFactor, v.mosLq / 10, v.mosCq / 10], `frame ${frame}`).toEqual([last(fr!), last(dr!), rtd, esd, sig, noise, r, lq, cq].map(Number));
    }
  });
});

describe('a block overrunning its XR', () => {
  it('rejects that XR at the block offset; the rest of the compound is read and decided', () => {
    const l = inspect.get(F(2))!;
    expect(l.packets.map((q: Json) => [q.pt, q.offset])).toEqual([[201, 0], [201, 60]]);
    expect(l.errors).toEqual([{ code: 'xr-block-overrun', offset: 52, message: expect.any(String) }]);
    const mal = run.reports.filter((r) => r.frame === F(2));
    expect(mal.map((r) => r.type)).toEqual(['malformed-input']);
    expect(mal[0]!.detail).toContain('xr-block-overrun at byte 52');
    expect(run.decisions.filter((d) => d.frame === F(2)).map((d) => `${d.pt} ${d.decision}`)).toEqual(['201 export', '201 export']);
    // counted as malformed once (SPEC §8: malformed packets are counted and reported, the run goes on)
    expect((run.summary as Json).summary.malformed).toBe(1);
  });
});

describe('decisions and exports', () => {
  const at = (t: number) => run.decisions.filter((d) => d.frame === F(t) && d.pt === 207).map((d) => `#${d.block} ${d.decision} ${d.reason} ${[...d.apt].sort().join(',')}`);

  it('one item per block, each governed by the sender and the sources it names', () => {
    expect(at(1)).toEqual([
      '#0 export raw-allowed apt-raw',
      '#1 export raw-allowed apt-raw',
      '#2 export raw-allowed apt-raw',
      '#3 export raw-allowed apt-raw',
      '#4 export raw-allowed apt-raw,apt-raw90',
      '#5 drop export-none apt-none',
      '#6 aggregate aggregated-only apt-agg',
    ]);
    const dlrr = run.exports.find((e) => e.type === 'telemetry' && (e.item?.blocks as Json[] | undefined)?.[0]?.bt === 5)!;
    expect(dlrr.expiresAt).toBe(C.T0 + 1 + 90);
    expect(dlrr.item).toEqual({ pt: 207, ssrc: 1111, block: 4, blocks: [{ bt: 5, subBlocks: [{ ssrc: 2222, lrr: 1, dlrr: 2 }, { ssrc: 2223, lrr: 3, dlrr: 4 }] }] });
    const rrt = run.exports.find((e) => e.type === 'telemetry' && (e.item?.blocks as Json[] | undefined)?.[0]?.bt === 4)!;
    expect(rrt.expiresAt).toBe(C.T0 + 1 + 3600);
  });

  it('an XR-only compound and a padded XR are decided like any other', () => {
    expect(at(3)).toEqual(['#0 export raw-allowed apt-raw']);
    expect(at(4)).toEqual(['#0 export raw-allowed apt-raw']);
    const items = run.exports.filter((e) => e.type === 'telemetry' && (e.ts === C.T0 + 3 || e.ts === C.T0 + 4) && e.item?.pt === 207).map((e) => (e.item!.blocks as Json[])[0]!.mosLq);
    expect(items).toEqual([127, 45]);
  });

  it('the aggregate: VoIP means on the 1.0–5.0 scale, 127 left out, R 0 counted, nothing raw', () => {
    expect(at(5)).toEqual(['#0 aggregate aggregated-only apt-agg', '#1 aggregate aggregated-only apt-agg']);
    const aggs = run.exports.filter((e) => e.type === 'aggregate');
    // one 10 s window of sender 1111 under apt-agg: the VoIP block at t=1 (MOS 4.1 / 4.0, R 85)
    // and the two at t=5 (MOS-LQ 3.0 / 1.0, MOS-CQ 127 / 5.0, R 50 / 0)
    expect(aggs.map((a) => [a.window!.start, a.stream.ssrc, a.apt])).toEqual([[C.T0 + 1, 1111, ['apt-agg']]]);
    const stats = aggs[0]!.stats as Json;
    expect(stats).toMatchObject({ items: 3, packets: { xr: 2, rr: 0 }, voip: { blocks: 3, mosCq: 4.5, rFactor: 45 } });
    expect(stats.voip.mosLq).toBeCloseTo((4.1 + 3 + 1) / 3, 9);
    for (const a of aggs) {
      expect(a.item).toBeUndefined();
      const text = JSON.stringify(a.stats);
      for (const ssrc of [1111, 2222, 4444, 6666]) expect(text).not.toContain(String(ssrc));
    }
  });
});
