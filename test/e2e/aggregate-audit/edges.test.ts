/**
 * Edge values written by hand (wire.ts) into the sample's compounds, replayed with every
 * identifier aggregated-only and 0.5 s windows (so each edited compound's sender has a window
 * of its own), then every aggregate recomputed by the oracle (audit.ts) and the edge values
 * checked by name. Frames edited (all of call ffd04841…, audio, except 96: call a030b88f…, video):
 *   41  RR 0x3010b529 → a block with fraction lost 255, cumulative lost −2 (0xFFFFFE), jitter 0, LSR 0
 *   54  SR 0x404c61df → the same SR with zero report blocks (its NTP kept)
 *   96  RR 0x7e646530 + PLI, FIR, REMB, another AFB, NACK, TWCC, TMMBR
 *   141 RR 0x3010b529 → 31 report blocks (jitter 0, 10, …, 300), the first keeping its LSR/DLSR
 *   271 RR 0x3010b529 → DLSR 16 s, larger than the time since the SR it echoes (negative RTT)
 *                      + XR VoIP with MOS-LQ, MOS-CQ and R factor 127 (unavailable)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { rewriteSample } from '../srtcp-helpers.js';
import { allAggregated, audit, type Agg } from './audit.js';
import { FCI, packetsOf, psfb, rr, rtpfb, splice, sr, xrVoip } from './wire.js';

const A = 0x3010b529; // RR sender, reports on B
const B = 0x404c61df;
const V = 0x7e646530; // video RR sender, reports on W
const W = 0xf2dffb7d;

const ws = new Workspace();
let result: Awaited<ReturnType<typeof audit>>;
const aggOf = (frame: number, ssrc: number): Agg => {
  const item = result.items.find((i) => i.frame === frame)!;
  return [...result.assigned].find(([a, its]) => a.stream.ssrc === ssrc && its.some((i) => i.frame === item.frame))![0];
};

beforeAll(async () => {
  const file = await rewriteSample(ws, 'edges.pcap', (frame, u) => {
    const p = u.payload;
    switch (frame) {
      case 41:
        return splice(p, { replace: [0, rr(A, [{ ssrc: B, fraction: 255, cumulative24: 0xfffffe, jitter: 0 }])] });
      case 54: {
        const orig = packetsOf(p)[0]!;
        const dv = new DataView(orig.buffer, orig.byteOffset);
        return splice(p, { replace: [0, sr(B, dv.getUint32(8), dv.getUint32(12), [])] });
      }
      case 96:
        return splice(p, {
          append: [
            psfb(1, V, W),
            psfb(4, V, 0, FCI.fir(W, 1)),
            psfb(15, V, 0, FCI.remb(W)),
            psfb(15, V, 0, FCI.afb()),
            rtpfb(1, V, W, FCI.nack(100)),
            rtpfb(15, V, W, FCI.twcc()),
            rtpfb(3, V, 0, FCI.tmmbr(W)),
          ],
        });
      case 141: {
        const orig = packetsOf(p)[0]!;
        const dv = new DataView(orig.buffer, orig.byteOffset);
        const lsr = dv.getUint32(8 + 16);
        const dlsr = dv.getUint32(8 + 20);
        const list = Array.from({ length: 31 }, (_, i) => ({ ssrc: B, fraction: i, cumulative24: i, jitter: 10 * ((i * 7) % 31), ...(i === 0 ? { lsr, dlsr } : {}) }));
        return splice(p, { replace: [0, rr(A, list)] });
      }
      case 271: {
        const orig = packetsOf(p)[0]!;
        const dv = new DataView(orig.buffer, orig.byteOffset);
        return splice(p, {
          replace: [0, rr(A, [{ ssrc: B, fraction: 1, cumulative24: 0, jitter: 45, lsr: dv.getUint32(8 + 16), dlsr: 16 * 65536 }])],
          append: [xrVoip(A, B, { mosLq: 127, mosCq: 127, rFactor: 127 })],
        });
      }
      default:
        return null;
    }
  });
  result = await audit(allAggregated, 0.5, file);
});
afterAll(() => ws.cleanup());

describe('hand-built edge values: the oracle agrees with every aggregate', () => {
  it('no malformed packet, every aggregated item in a window, every number equal to the recomputation', () => {
    expect(result.run.reports.filter((l) => l.includes('malformed'))).toEqual([]);
    expect(result.unassigned.map((i) => `${i.frame}/${i.pt}`)).toEqual([]);
    expect(result.errors).toEqual([]);
  });

  it('fraction lost 255, cumulative lost −2 (RFC 3550 §6.4.1: signed 24 bits), jitter 0, LSR 0', () => {
    const s = aggOf(41, A).stats;
    expect(s.reportBlocks).toBe(1);
    expect(s.lossFraction).toEqual({ mean: 255 / 256 });
    expect(s.cumulativeLost).toEqual({ max: -2 });
    expect(s.jitter).toEqual({ min: 0, mean: 0, max: 0, p95: 0 });
    expect(s.jitterMs).toEqual({ min: 0, mean: 0, max: 0, p95: 0, count: 1 });
    expect(s.rttMs).toBeNull();
  });

  it('an SR with zero report blocks: counted, no block statistics', () => {
    const s = aggOf(54, B).stats;
    expect(s.packets.sr).toBe(1);
    expect(s.reportBlocks).toBe(0);
    expect([s.lossFraction, s.cumulativeLost, s.jitter, s.jitterMs, s.rttMs]).toEqual([null, null, null, null, null]);
  });

  it('an RR of 31 report blocks: all folded; p95 is the nearest rank (ceil(0.95·31) = 30th of 31)', () => {
    const s = aggOf(141, A).stats;
    expect(s.reportBlocks).toBe(31);
    expect(s.jitter).toEqual({ min: 0, mean: 150, max: 300, p95: 290 });
    expect(s.jitterMs.count).toBe(31);
    expect(s.jitterMs.p95).toBeCloseTo((290 * 1000) / 48000, 9);
    expect(s.rttMs.count).toBe(1);
  });

  it('DLSR larger than the time since the SR: no RTT (negative), the block still counted; MOS/R 127 left out', () => {
    const s = aggOf(271, A).stats;
    expect(s.reportBlocks).toBe(1);
    expect(s.rttMs).toBeNull();
    // the compound's own VoIP block (MOS-LQ 44, MOS-CQ 40, R 75) and the added one, all three fields 127
    expect(s.voip).toEqual({ blocks: 2, mosLq: 4.4, mosCq: 4, rFactor: 75 });
  });

  it('feedback: PLI, FIR, REMB, NACK, TWCC each counted; a non-REMB AFB and TMMBR as other', () => {
    const s = aggOf(96, V).stats;
    expect(s.feedback).toEqual({ nack: 1, pli: 1, fir: 1, remb: 1, twcc: 1, other: 2 });
    expect(s.packets.psfb).toBe(4);
    expect(s.packets.rtpfb).toBe(3);
  });
});
