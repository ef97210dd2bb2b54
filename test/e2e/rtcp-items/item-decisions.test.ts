/**
 * Checks of SPEC §4's per-item decision that turned out FINE (regression tests). Input: the BUNDLE
 * call of items-call.ts — mid a (A 1111 / B 2222) apt-raw: raw, every feature, 1h; mid b (1112 /
 * 2223) apt-raw90: raw, media-metrics+feedback+rtcp-xr (no sdes, no app), 90s; mid v (3333 / 4444)
 * apt-agg: aggregated-only, media-metrics+rtcp-xr+feedback, 15m; mid d (5555 / 6666) apt-none —
 * with hand-written RTCP compounds (not the project's encoder), replayed with workers 0 and 2
 * (identical lines asserted in items-call.ts replay()).
 *
 * Checked, each expectation derived by hand from SPEC §4 (governing = sender + every reported-on
 * source; most restrictive; retention = shortest; expiresAt = ts + retention):
 * - SR with report blocks about raw/raw90/agg streams → aggregate, apt [raw, raw90, agg]; its
 *   aggregate expires at the SR's time + 90 s; SR with a block about a `none` stream → drop export-none [apt-none].
 * - SDES (CNAME, NAME, EMAIL, PHONE, LOC, TOOL, NOTE, PRIV x-other, two chunks) exported raw with
 *   exactly those items; MID, RID, RepairedRID and PRIV "AIPREF" never exported; an SDES whose
 *   second chunk is a no-sdes stream's → drop feature-not-allowed [apt-raw90]; one with a `none`
 *   stream's chunk → drop export-none.
 * - BYE reason carried only where sdes is allowed by every governing APT; BYE listing a `none`
 *   source → drop; BYE with a raw90 co-source → expiresAt ts + 90 s.
 * - PSFB PLI/SLI/RPSI by media SSRC; FIR by each FCI SSRC (raw + agg → aggregate); REMB by its
 *   SSRC list (raw + raw90 → export, 90 s); RTPFB NACK by media SSRC, TWCC by every stream on
 *   the bundle transport (its timing covers them all: mid d's apt-none drops it); reduced-size
 *   compounds (RFC 5506: feedback first, no SR/RR) read with no malformed-input report.
 * - XR blocks 1–7 decoded as tshark 4.x shows them; DLRR governed by each sub-block's SSRC.
 * - APP exported {subtype, name, dataLength} under apt-raw; dropped (feature-not-allowed) under apt-raw90.
 * - Receiver-only SSRC (sends RR, never RTP): under BUNDLE with mid-scoped APTs only → drop
 *   no-preference; outside BUNDLE bound by its RTCP transport → its m-section's APT.
 * - A report block about an SSRC of another call / an unknown SSRC (BUNDLE) → drop no-preference.
 * - Aggregates carry no SSRC-level value nor SDES text (no `ssrc`/`text`/`reason` key in stats).
 * - The decoder agrees with werift (RtcpPacketConverter.deSerialize) on SR, RR, SDES, PLI, FIR,
 *   REMB, NACK and TWCC fields, and with tshark on a negative cumulative loss (signed 24 bits).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { RtcpPacketConverter } from 'werift';
import { decodeRtcpCompound } from '../../../src/media/rtcp/compound.js';
import { Workspace } from '../e2e-helpers.js';
import * as C from './items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

type D = { frame: number; pt: number; fmt?: number; block?: number; decision: string; reason: string; apt: string[] };
const brief = (d: D) => `${d.pt}${d.fmt !== undefined ? '/' + d.fmt : ''}${d.block !== undefined ? '#' + d.block : ''} ${d.decision} ${d.reason} ${[...d.apt].sort().join(',')}`;

const SDES_ALL: C.SdesIt[] = [
  { type: 1, text: 'a@x' },
  { type: 2, text: 'Alice' },
  { type: 3, text: 'a@example.com' },
  { type: 4, text: '+1 555' },
  { type: 5, text: 'here' },
  { type: 6, text: 'tool 1.0' },
  { type: 7, text: 'note' },
  { type: 8, prefix: 'x-other', value: 'v' },
  { type: 8, prefix: 'AIPREF', value: 'apt-raw' },
  { type: 12, text: 'a' },
  { type: 13, text: 'r0' },
  { type: 14, text: 'r1' },
];

describe('per-item decisions on a BUNDLE call under four APTs', async () => {
  const p = C.callWithMedia();
  const at = (t: number) => 1 + t / 100;
  const F = (n: number) => 12 + n; // frame of the n-th compound below
  p.push(C.fromA(at(0), C.SR(1111, [{ ssrc: 2222, jitter: 5 }, { ssrc: 2223 }, { ssrc: 4444, jitter: 7 }])));
  p.push(C.fromA(at(1), C.SR(1111, [{ ssrc: 2222 }, { ssrc: 6666 }])));
  p.push(C.fromA(at(2), C.compound(C.RR(1111, []), C.SDES([{ ssrc: 1111, items: SDES_ALL }, { ssrc: 2222, items: [{ type: 1, text: 'b' }] }]), C.BYE([1111], 'leaving now'))));
  p.push(C.fromA(at(3), C.compound(C.RR(1112, []), C.SDES([{ ssrc: 1112, items: [{ type: 12, text: 'b' }] }, { ssrc: 1111, items: [{ type: 1, text: 'a' }] }]), C.BYE([1112, 1111], 'bye b'))));
  p.push(C.fromA(at(4), C.compound(C.RR(1111, []), C.SDES([{ ssrc: 1111, items: [{ type: 1, text: 'a' }] }, { ssrc: 1112, items: [{ type: 1, text: 'b' }] }]))));
  p.push(C.fromA(at(5), C.compound(C.RR(1111, []), C.SDES([{ ssrc: 1111, items: [{ type: 1, text: 'a' }] }, { ssrc: 5555, items: [{ type: 1, text: 'd' }] }]), C.BYE([1111, 5555]))));
  p.push(C.fromA(at(6), C.compound(C.PSFB(1, 1111, 2222), C.PSFB(2, 1111, 2222, C.sliFci(1, 2, 3)), C.PSFB(3, 1111, 2222, C.rpsiFci(96, [1, 2])), C.PSFB(4, 1111, 0, C.firFci([{ ssrc: 2222, seq: 1 }, { ssrc: 4444, seq: 2 }])), C.PSFB(15, 1111, 0, C.rembFci(3, 1000, [2222, 2223])))));
  p.push(C.fromA(at(7), C.compound(C.RTPFB(1, 1111, 2222, C.nackFci([[10, 3]])), C.RTPFB(15, 1111, 2222, C.twccFci(5, 3, 100, 1)), C.RTPFB(1, 1111, 6666, C.nackFci([[1, 0]])))));
  p.push(C.fromA(at(8), C.compound(C.RR(1111, []), C.XR(1111, [C.xrLossRle(2222, 1, 9, [0xc005]), C.xrDupRle(2222, 1, 9, [0x0001]), C.xrReceiptTimes(2222, 1, [1, 2]), C.xrRrt(C.NTP_SEC, 5), C.xrDlrr([{ ssrc: 2222, lrr: 1, dlrr: 2 }, { ssrc: 2223, lrr: 3, dlrr: 4 }]), C.xrStats(6666), C.xrVoip(4444)]))));
  p.push(C.fromA(at(9), C.compound(C.RR(1111, []), C.APP(1111, 3, 'TEST', [1, 2, 3, 4]), C.RR(1112, []), C.APP(1112, 1, 'ABCD'))));
  p.push(C.fromA(at(10), C.compound(C.RR(7777, [{ ssrc: 2222 }]), C.SDES([{ ssrc: 7777, items: [{ type: 1, text: 'recv' }] }]))));
  p.push(C.fromA(at(11), C.RR(1111, [{ ssrc: 9999 }])));
  const r = await C.replay(ws, p);
  const byFrame = (f: number) => r.decisions.filter((d) => d.frame === f).map((d) => brief(d as D));
  const exportsOf = (f: number) => r.exports.filter((e) => e.type === 'telemetry' && e.ts === Math.round((C.T0 + at(f - 12)) * 1e6) / 1e6);

  it('SR: every report block governs', () => {
    expect(byFrame(F(0))).toEqual(['200 aggregate aggregated-only apt-agg,apt-raw90']);
    expect(byFrame(F(1))).toEqual(['200 drop export-none apt-none']);
    const agg = r.exports.find((e) => e.type === 'aggregate' && [...e.apt].sort().join() === 'apt-agg,apt-raw90')!;
    expect(agg.expiresAt).toBe(C.T0 + at(0) + 90);
  });

  it('SDES and BYE', () => {
    expect(byFrame(F(2))).toEqual(['201 export raw-allowed apt-raw', '202 export raw-allowed apt-raw', '203 export raw-allowed apt-raw']);
    const [, sdes, bye] = exportsOf(F(2));
    expect(sdes!.item).toEqual({
      pt: 202,
      ssrc: 1111,
      chunks: [
        { ssrc: 1111, items: SDES_ALL.slice(0, 8) },
        { ssrc: 2222, items: [{ type: 1, text: 'b' }] },
      ],
    });
    expect(bye!.item).toEqual({ pt: 203, ssrc: 1111, ssrcs: [1111], reason: 'leaving now' });
    expect(bye!.expiresAt).toBe(C.T0 + at(2) + 3600);
    // 1112's own chunk is only MID: its SDES text is 1111's; 1112 (no sdes) still governs as sender
    expect(byFrame(F(3))).toEqual(['201 export raw-allowed apt-raw90', '202 drop feature-not-allowed apt-raw90', '203 export raw-allowed apt-raw,apt-raw90']);
    const bye3 = exportsOf(F(3)).find((e) => e.item?.pt === 203)!;
    expect(bye3.item).toEqual({ pt: 203, ssrc: 1112, ssrcs: [1112, 1111] });
    expect(bye3.expiresAt).toBe(Math.round((C.T0 + at(3) + 90) * 1e6) / 1e6);
    expect(byFrame(F(4))).toEqual(['201 export raw-allowed apt-raw', '202 drop feature-not-allowed apt-raw90']);
    expect(byFrame(F(5))).toEqual(['201 export raw-allowed apt-raw', '202 drop export-none apt-none', '203 drop export-none apt-none']);
  });

  it('PSFB and RTPFB (reduced-size compounds)', () => {
    expect(byFrame(F(6))).toEqual([
      '206/1 export raw-allowed apt-raw',
      '206/2 export raw-allowed apt-raw',
      '206/3 export raw-allowed apt-raw',
      '206/4 aggregate aggregated-only apt-agg',
      '206/15 export raw-allowed apt-raw,apt-raw90',
    ]);
    const remb = exportsOf(F(6)).find((e) => e.item?.fmt === 15)!;
    expect(remb.item).toEqual({ pt: 206, fmt: 15, senderSsrc: 1111, mediaSsrc: 0, remb: { bitrate: 8000, ssrcs: [2222, 2223] } });
    expect(remb.expiresAt).toBe(Math.round((C.T0 + at(6) + 90) * 1e6) / 1e6);
    // the TWCC times every packet the bundle carried, mid d's (apt-none) too: dropped
    expect(byFrame(F(7))).toEqual(['205/1 export raw-allowed apt-raw', '205/15 drop export-none apt-none', '205/1 drop export-none apt-none']);
    expect(exportsOf(F(7)).map((e) => e.item)).toEqual([{ pt: 205, fmt: 1, senderSsrc: 1111, mediaSsrc: 2222, nacks: [{ pid: 10, blp: 3 }] }]);
    expect(r.reports.filter((x) => x.type === 'malformed-input')).toEqual([]);
  });

  it('XR blocks 1–7', () => {
    expect(byFrame(F(8))).toEqual([
      '201 export raw-allowed apt-raw',
      '207#0 export raw-allowed apt-raw',
      '207#1 export raw-allowed apt-raw',
      '207#2 export raw-allowed apt-raw',
      '207#3 export raw-allowed apt-raw',
      '207#4 export raw-allowed apt-raw,apt-raw90',
      '207#5 drop export-none apt-none',
      '207#6 aggregate aggregated-only apt-agg',
    ]);
    const xr = exportsOf(F(8)).filter((e) => e.item?.pt === 207).map((e) => e.item!.blocks);
    expect(xr).toEqual([
      [{ bt: 1, ssrc: 2222, thinning: 0, beginSeq: 1, endSeq: 9, chunks: [0xc005] }],
      [{ bt: 2, ssrc: 2222, thinning: 0, beginSeq: 1, endSeq: 9, chunks: [1] }],
      [{ bt: 3, ssrc: 2222, thinning: 0, beginSeq: 1, endSeq: 3, receiptTimes: [1, 2] }],
      [{ bt: 4, ntpSec: C.NTP_SEC, ntpFrac: 5 }],
      [{ bt: 5, subBlocks: [{ ssrc: 2222, lrr: 1, dlrr: 2 }, { ssrc: 2223, lrr: 3, dlrr: 4 }] }],
    ]);
  });

  it('APP', () => {
    expect(byFrame(F(9))).toEqual(['201 export raw-allowed apt-raw', '204 export raw-allowed apt-raw', '201 export raw-allowed apt-raw90', '204 drop feature-not-allowed apt-raw90']);
    expect(exportsOf(F(9)).find((e) => e.item?.pt === 204)!.item).toEqual({ pt: 204, ssrc: 1111, subtype: 3, name: 'TEST', dataLength: 4 });
  });

  it('receiver-only SSRC and unknown reported-on SSRC under BUNDLE', () => {
    expect(byFrame(F(10))).toEqual(['201 drop no-preference ', '202 drop no-preference ']);
    expect(byFrame(F(11))).toEqual(['201 drop no-preference ']);
  });

  it('aggregates hold no SSRC-level value nor text', () => {
    const aggs = r.exports.filter((e) => e.type === 'aggregate');
    expect(aggs.length).toBeGreaterThan(0);
    for (const a of aggs) {
      expect(JSON.stringify(a.stats)).not.toMatch(/"(ssrc|ssrcs|text|reason|chunks|reports|nacks)"/);
      expect(a.item).toBeUndefined();
    }
  });
});

describe('outside BUNDLE a receiver-only SSRC is bound by its RTCP transport', () => {
  it('its RR and SDES go by that m-section', async () => {
    const p = C.callWithMedia({ bundle: false });
    p.push(C.fromA(1, C.compound(C.RR(7777, [{ ssrc: 2222 }]), C.SDES([{ ssrc: 7777, items: [{ type: 1, text: 'recv' }] }])), 4001, 5001));
    p.push(C.fromA(1.1, C.RR(7778, [{ ssrc: 6666 }]), 4007, 5007));
    const r = await C.replay(ws, p);
    expect(r.decisions.map((d) => brief(d as D))).toEqual(['201 export raw-allowed apt-raw', '202 export raw-allowed apt-raw', '201 drop export-none apt-none']);
    expect(r.exports.map((e) => e.stream)).toEqual([
      { ssrc: 7777, mid: 'a', kind: 'audio' },
      { ssrc: 7777, mid: 'a', kind: 'audio' },
    ]);
  });
});

describe('a report about another call’s SSRC', () => {
  it('is about an unknown source in this call: drop no-preference', async () => {
    const p = C.callWithMedia();
    const other = C.setup({ callId: 'other@10.0.0.1' }).map((x) => ({
      ...x,
      ts: x.ts + 0.5,
      payload: Buffer.from(Buffer.from(x.payload).toString('latin1').replace(/m=(audio|video) (4000|5000)/g, (_m, k, port) => `m=${k} ${Number(port) + 100}`).replace(/a=ssrc:1111 /g, 'a=ssrc:8888 '), 'latin1'),
    }));
    p.push(...other);
    p.push(C.fromA(1, C.RR(1111, [{ ssrc: 8888 }])));
    // the other call declares 8888 in place of 1111: 1111 is unknown there
    p.push(C.fromA(1.1, C.RR(8888, [{ ssrc: 1111 }]), 4100, 5100));
    const r = await C.replay(ws, p);
    expect(r.decisions.map((d) => `${d.ssrc} ${brief(d as D)}`)).toEqual(['1111 201 drop no-preference ', '8888 201 drop no-preference ']);
  });
});

describe('decoder against werift and tshark', () => {
  it('agrees with werift on SR, RR, SDES, PLI, FIR, REMB, NACK, TWCC (each packet alone)', () => {
    // werift's SDES, FIR, REMB and NACK readers run on past their packet inside a compound: one packet at a time
    const both = (bytes: Uint8Array): [any, any] => [decodeRtcpCompound(bytes).packets[0], (RtcpPacketConverter.deSerialize(Buffer.from(bytes)) as any[])[0]];
    const blockOf = (b: any) => ({ ssrc: b.ssrc, fractionLost: b.fractionLost, cumulativeLost: b.packetsLost, highestSeq: b.highestSequence, jitter: b.jitter, lsr: b.lsr, dlsr: b.dlsr });
    const [sr, wsr] = both(C.SR(1111, [{ ssrc: 2222, fractionLost: 64, cumulativeLost: 9, highestSeq: 70000, jitter: 5, lsr: 0x12345678, dlsr: 655 }], { ntpFrac: 0x80000000, rtpTs: 4242, packetCount: 77, octetCount: 9999 }));
    expect({ ssrc: sr.ssrc, rtpTs: sr.rtpTs, packetCount: sr.packetCount, octetCount: sr.octetCount, reports: sr.reports }).toEqual({
      ssrc: wsr.ssrc,
      rtpTs: wsr.senderInfo.rtpTimestamp,
      packetCount: wsr.senderInfo.packetCount,
      octetCount: wsr.senderInfo.octetCount,
      reports: wsr.reports.map(blockOf),
    });
    const [rr, wrr] = both(C.RR(7777, [{ ssrc: 2222, fractionLost: 3, cumulativeLost: 1234, highestSeq: 5, jitter: 6, lsr: 7, dlsr: 8 }, { ssrc: 4444, jitter: 9 }]));
    expect(rr.reports).toEqual(wrr.reports.map(blockOf));
    const [sdes, wsdes] = both(C.SDES([{ ssrc: 1111, items: [{ type: 1, text: 'a@x' }, { type: 2, text: 'Zoë' }] }, { ssrc: 1112, items: [{ type: 1, text: 'b' }] }]));
    expect(sdes.chunks).toEqual(wsdes.chunks.map((c: any) => ({ ssrc: c.source, items: c.items.map((i: any) => ({ type: i.type, text: i.text })) })));
    const [pli, wpli] = both(C.PSFB(1, 1111, 2222));
    expect({ s: pli.senderSsrc, m: pli.mediaSsrc }).toEqual({ s: wpli.feedback.senderSsrc, m: wpli.feedback.mediaSsrc });
    const [fir, wfir] = both(C.PSFB(4, 1111, 0, C.firFci([{ ssrc: 2222, seq: 1 }, { ssrc: 4444, seq: 2 }])));
    expect(fir.fir).toEqual(wfir.feedback.fir.slice(0, 2).map((f: any) => ({ ssrc: f.ssrc, seq: f.sequenceNumber })));
    const [remb, wremb] = both(C.PSFB(15, 1111, 0, C.rembFci(3, 1000, [2222, 2223])));
    expect(remb.remb).toEqual({ bitrate: Number(wremb.feedback.bitrate), ssrcs: wremb.feedback.ssrcFeedbacks });
    const [nack, wnack] = both(C.RTPFB(1, 1111, 2222, C.nackFci([[10, 3]])));
    expect(nack.mediaSsrc).toBe(wnack.feedback.mediaSourceSsrc);
    // werift expands PID+BLP into lost sequence numbers: 10, and 11, 12 for BLP 0b11
    expect(wnack.feedback.lost.slice(0, 3)).toEqual([10, 11, 12]);
    expect(nack.nacks).toEqual([{ pid: 10, blp: 3 }]);
    const [twcc, wtwcc] = both(C.RTPFB(15, 1111, 2222, C.twccFci(5, 3, 100, 1)));
    const tw = wtwcc.feedback;
    expect(twcc.twcc).toMatchObject({ baseSeq: tw.baseSequenceNumber, statusCount: tw.packetStatusCount, referenceTime: tw.referenceTime, fbCount: tw.fbPktCount, deltasUs: tw.recvDeltas.map((d: any) => d.delta) });
  });

  it('reads a negative cumulative loss as tshark does (signed 24 bits, RFC 3550 §6.4.1)', async () => {
    const p = C.setup();
    p.push(C.fromA(1, C.RR(1111, [{ ssrc: 2222, cumulativeLost: 0xfffffe }])));
    const file = await C.writeCapture(ws, p);
    const out = execFileSync('tshark', ['-r', file, '-d', 'udp.port==4000,rtcp', '-d', 'udp.port==5000,rtcp', '-Y', 'rtcp', '-T', 'fields', '-e', 'rtcp.ssrc.cum_nr'], { encoding: 'utf8' }).trim();
    const ours = (decodeRtcpCompound(C.RR(1111, [{ ssrc: 2222, cumulativeLost: 0xfffffe }])).packets[0] as any).reports[0].cumulativeLost;
    expect(ours).toBe(-2);
    expect(Number(out)).toBe(ours);
  });
});
