/**
 * Checks of the feedback area (RFC 4585 RTPFB/PSFB, RFC 5104 CCM, REMB, TWCC) that were found
 * fine: decoding against tshark 4.0.17, and SPEC §4 decisions/records for feedback items in the
 * BUNDLE call of test/e2e/rtcp-items/items-call.ts (mid a 1111/2222 apt-raw; mid v 3333/4444
 * apt-agg aggregated-only; mid d 5555/6666 apt-none export=none).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../../src/media/rtcp/compound.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import * as C from '../../e2e/rtcp-items/items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const fbDecisions = (r: C.Run) => r.decisions.filter((d) => d.pt === 205 || d.pt === 206).map((d) => `${d.ssrc} ${d.pt}/${d.fmt} ${d.decision} ${d.reason} ${[...d.apt].sort().join('+')}`);

describe('feedback decisions (SPEC §4)', () => {
  it('FIR entries: each entry SSRC governs (one entry about the export=none stream drops the whole item)', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, C.PSFB(4, 2222, 0, C.firFci([{ ssrc: 1111, seq: 1 }, { ssrc: 5555, seq: 2 }]))));
    p.push(C.fromB(1.1, C.PSFB(4, 2222, 0, C.firFci([{ ssrc: 1111, seq: 3 }]))));
    const r = await C.replay(ws, p);
    expect(fbDecisions(r)).toEqual(['2222 206/4 drop export-none apt-none', '2222 206/4 export raw-allowed apt-raw']);
  });

  it("REMB's SSRC list governs: export=none listed → drop; aggregated-only listed → aggregate (apt: the deciding apt-agg)", async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, C.PSFB(15, 2222, 0, C.rembFci(3, 1000, [1111, 5555]))));
    p.push(C.fromB(1.1, C.PSFB(15, 2222, 0, C.rembFci(3, 1000, [3333]))));
    const r = await C.replay(ws, p);
    expect(fbDecisions(r)).toEqual(['2222 206/15 drop export-none apt-none', '2222 206/15 aggregate aggregated-only apt-agg']);
    expect(r.exports.filter((e) => e.type === 'telemetry')).toEqual([]);
  });

  it('PSFB with media SSRC 0 (PLI, AFB) is governed by the sender alone; the raw line carries the decoded header', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, C.PSFB(1, 2222, 0)));
    const r = await C.replay(ws, p);
    expect(fbDecisions(r)).toEqual(['2222 206/1 export raw-allowed apt-raw']);
    const t = r.exports.filter((e) => e.type === 'telemetry');
    expect(t.map((e) => ({ stream: e.stream, apt: e.apt, decision: e.decision, item: e.item, ttl: Math.round((e.expiresAt! - e.ts) * 1e6) / 1e6 }))).toEqual([
      { stream: { ssrc: 2222, mid: 'a', kind: 'audio' }, apt: ['apt-raw'], decision: 'export', item: { pt: 206, fmt: 1, senderSsrc: 2222, mediaSsrc: 0 }, ttl: 3600 },
    ]);
  });

  it('NACK about the export=none stream from a raw stream: dropped, and 5555 appears in no export line', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, C.RTPFB(1, 2222, 5555, C.nackFci([[100, 3]]))));
    p.push(C.fromB(1.1, C.RTPFB(1, 2222, 1111, C.nackFci([[100, 3], [200, 0]]))));
    const r = await C.replay(ws, p);
    expect(fbDecisions(r)).toEqual(['2222 205/1 drop export-none apt-none', '2222 205/1 export raw-allowed apt-raw']);
    expect(r.exports.map((e) => e.item)).toEqual([{ pt: 205, fmt: 1, senderSsrc: 2222, mediaSsrc: 1111, nacks: [{ pid: 100, blp: 3 }, { pid: 200, blp: 0 }] }]);
    expect(JSON.stringify(r.exports)).not.toContain('5555');
  });

  it('unknown FMTs (RTPFB 2, PSFB 2 SLI, PSFB 3 RPSI, AFB not REMB) are one feedback item each, exported with the header only', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, C.compound(C.RTPFB(2, 2222, 1111, [1, 2, 3, 4]), C.PSFB(2, 2222, 1111, C.sliFci(1, 2, 3)), C.PSFB(3, 2222, 1111, C.rpsiFci(96, [1, 2])), C.PSFB(15, 2222, 1111, [0x41, 0x42, 0x43, 0x44]))));
    const r = await C.replay(ws, p);
    expect(fbDecisions(r)).toEqual(['2222 205/2 export raw-allowed apt-raw', '2222 206/2 export raw-allowed apt-raw', '2222 206/3 export raw-allowed apt-raw', '2222 206/15 export raw-allowed apt-raw']);
    expect(r.exports.map((e) => e.item)).toEqual([
      { pt: 205, fmt: 2, senderSsrc: 2222, mediaSsrc: 1111 },
      { pt: 206, fmt: 2, senderSsrc: 2222, mediaSsrc: 1111 },
      { pt: 206, fmt: 3, senderSsrc: 2222, mediaSsrc: 1111 },
      { pt: 206, fmt: 15, senderSsrc: 2222, mediaSsrc: 1111 },
    ]);
  });

  it('aggregated feedback: the window counts by kind and carries no SSRC-level values', async () => {
    const p = C.callWithMedia();
    p.push(
      C.fromB(
        1,
        C.compound(
          C.RTPFB(1, 4444, 3333, C.nackFci([[7, 0]])),
          C.RTPFB(15, 4444, 3333, C.twccFci(10, 2, 5, 1)),
          C.RTPFB(3, 4444, 0, C.tmmbFci([{ ssrc: 3333, exp: 2, mantissa: 1000, overhead: 40 }])),
          C.PSFB(1, 4444, 3333),
          C.PSFB(4, 4444, 0, C.firFci([{ ssrc: 3333, seq: 1 }])),
          C.PSFB(15, 4444, 0, C.rembFci(2, 5000, [3333])),
        ),
      ),
    );
    const r = await C.replay(ws, p);
    // the TWCC times every packet of the bundle, mid d's (apt-none) too: dropped (simulcast-review)
    expect(r.decisions.map((d) => `${d.fmt} ${d.decision}`)).toEqual(['1 aggregate', '15 drop', '3 aggregate', '1 aggregate', '4 aggregate', '15 aggregate']);
    const agg = r.exports.filter((e) => e.type === 'aggregate');
    expect(agg).toHaveLength(1);
    expect(agg[0]!.stream).toEqual({ ssrc: 4444, mid: 'v', kind: 'video' });
    expect(agg[0]!.stats!.feedback).toEqual({ nack: 1, pli: 1, fir: 1, remb: 1, twcc: 0, other: 1 });
    expect((agg[0]!.stats!.packets as Record<string, number>).rtpfb).toBe(2);
    expect((agg[0]!.stats!.packets as Record<string, number>).psfb).toBe(3);
    expect(agg[0]!.item).toBeUndefined();
    const text = JSON.stringify(agg[0]);
    for (const v of ['3333', '"pid"', 'bitrate', 'baseSeq']) expect(text).not.toContain(v);
  });
});

describe('feedback decoding against tshark 4.0.17', () => {
  it('NACK, TMMBR, TWCC, FIR, REMB fields agree with tshark', async () => {
    const bytes = C.compound(
      C.RTPFB(1, 2222, 1111, C.nackFci([[1000, 5], [65535, 0x8000]])),
      C.RTPFB(3, 2222, 0, C.tmmbFci([{ ssrc: 7001, exp: 3, mantissa: 100000, overhead: 40 }])),
      C.RTPFB(15, 2222, 1111, C.twccFci(300, 3, 0x123456, 9)),
      C.PSFB(4, 2222, 0, C.firFci([{ ssrc: 1111, seq: 7 }, { ssrc: 3333, seq: 200 }])),
      C.PSFB(15, 2222, 0, C.rembFci(5, 0x2abcd, [1111, 3333])),
    );
    const file = await C.writeCapture(ws, [C.fromB(1, bytes)]);
    const fields = ['rtcp.senderssrc', 'rtcp.mediassrc', 'rtcp.rtpfb.nack_pid', 'rtcp.rtpfb.nack_blp', 'rtcp.rtpfb.tmmbr.fci.ssrc', 'rtcp.rtpfb.tmmbr.fci.exp', 'rtcp.rtpfb.tmmbr.fci.mantissa', 'rtcp.rtpfb.tmmbr.fci.measuredoverhead', 'rtcp.rtpfb.transportcc.baseseq', 'rtcp.rtpfb.transportcc.statuscount', 'rtcp.rtpfb.transportcc.reftime', 'rtcp.rtpfb.transportcc.pktcount', 'rtcp.psfb.fir.fci.ssrc', 'rtcp.psfb.fir.fci.csn', 'rtcp.psfb.remb.fci.ssrc', 'rtcp.psfb.remb.fci.br_exp', 'rtcp.psfb.remb.fci.br_mantissa'];
    const out = execFileSync('tshark', ['-r', file, '-d', 'udp.port==5000,rtcp', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', stderr: 'ignore' } as never) as unknown as string;
    const cols = out.replace(/\n$/, '').split('\t');
    const ts = Object.fromEntries(fields.map((f, i) => [f, cols[i]!.split(',').filter((s) => s !== '')]));
    const num = (s: string) => (s.startsWith('0x') ? parseInt(s, 16) : Number(s));
    const c = decodeRtcpCompound(bytes, 0, bytes.length);
    expect(c.errors).toEqual([]);
    const [nack, tmmbr, twcc, fir, remb] = c.packets as any[];
    expect(ts['rtcp.senderssrc']!.map(num)).toEqual(c.packets.map((p: any) => p.senderSsrc));
    expect(ts['rtcp.mediassrc']!.map(num)).toEqual(c.packets.map((p: any) => p.mediaSsrc));
    // tshark lists every lost sequence number (PID, then PID+i+1 per BLP bit i, not wrapped past 65535)
    expect(ts['rtcp.rtpfb.nack_pid']!.map(num)).toEqual(nack.nacks.flatMap((n: any) => [n.pid, ...Array.from({ length: 16 }, (_, i) => i).filter((i) => (n.blp >> i) & 1).map((i) => n.pid + i + 1)]));
    expect(ts['rtcp.rtpfb.nack_blp']!.map(num)).toEqual(nack.nacks.map((n: any) => n.blp));
    expect(ts['rtcp.rtpfb.tmmbr.fci.ssrc']!.map(num)).toEqual([tmmbr.tmmb[0].ssrc]);
    expect(num(ts['rtcp.rtpfb.tmmbr.fci.mantissa']![0]!) * 2 ** num(ts['rtcp.rtpfb.tmmbr.fci.exp']![0]!)).toBe(tmmbr.tmmb[0].bitrate);
    expect(tmmbr.tmmb[0].bitrate).toBe(800000);
    expect(ts['rtcp.rtpfb.tmmbr.fci.measuredoverhead']!.map(num)).toEqual([tmmbr.tmmb[0].overhead]);
    expect([ts['rtcp.rtpfb.transportcc.baseseq']![0], ts['rtcp.rtpfb.transportcc.statuscount']![0], ts['rtcp.rtpfb.transportcc.reftime']![0], ts['rtcp.rtpfb.transportcc.pktcount']![0]].map((s) => num(s!))).toEqual([
      twcc.twcc.baseSeq,
      twcc.twcc.statusCount,
      twcc.twcc.referenceTime,
      twcc.twcc.fbCount,
    ]);
    expect(ts['rtcp.psfb.fir.fci.ssrc']!.map(num)).toEqual(fir.fir.map((f: any) => f.ssrc));
    expect(ts['rtcp.psfb.fir.fci.csn']!.map(num)).toEqual(fir.fir.map((f: any) => f.seq));
    expect(ts['rtcp.psfb.remb.fci.ssrc']!.map(num)).toEqual(remb.remb.ssrcs);
    expect(num(ts['rtcp.psfb.remb.fci.br_mantissa']![0]!) * 2 ** num(ts['rtcp.psfb.remb.fci.br_exp']![0]!)).toBe(remb.remb.bitrate);
    expect(remb.remb.bitrate).toBe(0x2abcd * 32);
  });
});
