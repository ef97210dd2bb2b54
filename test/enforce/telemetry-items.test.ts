import { describe, expect, it } from 'vitest';
import { splitTelemetry } from '../../src/enforce/telemetry-items.js';
import type { RtcpPacket } from '../../src/media/rtcp/types.js';
import { app, block, bye, compound, fir, nack, pli, remb, rr, sdes, sr, twcc, voip, xr } from './packets.js';

const A = 0x1111;
const B = 0x2222;
const C = 0x3333;

describe('splitTelemetry: one item per packet (XR: per block), feature class and subjects', () => {
  it.each<[string, RtcpPacket, { feature: string; kind: string; senderSsrc: number; subjectSsrcs: number[]; block?: number }[]]>([
    ['SR with report blocks', sr(A, [block(B), block(C), block(B)]), [{ feature: 'media-metrics', kind: 'sr', senderSsrc: A, subjectSsrcs: [B, C] }]],
    ['RR without blocks', rr(A), [{ feature: 'media-metrics', kind: 'rr', senderSsrc: A, subjectSsrcs: [] }]],
    ['BYE of two sources', bye([A, B], 'done'), [{ feature: 'media-metrics', kind: 'bye', senderSsrc: A, subjectSsrcs: [B] }]],
    ['APP', app(A), [{ feature: 'app', kind: 'app', senderSsrc: A, subjectSsrcs: [] }]],
    ['generic NACK', nack(A, B), [{ feature: 'feedback', kind: 'rtpfb', senderSsrc: A, subjectSsrcs: [B] }]],
    ['TWCC', twcc(A, B), [{ feature: 'feedback', kind: 'rtpfb', senderSsrc: A, subjectSsrcs: [B] }]],
    ['PLI', pli(A, B), [{ feature: 'feedback', kind: 'psfb', senderSsrc: A, subjectSsrcs: [B] }]],
    ['FIR names its target in the FCI', fir(A, C), [{ feature: 'feedback', kind: 'psfb', senderSsrc: A, subjectSsrcs: [C] }]],
    ['REMB names its targets', remb(A, [B, C]), [{ feature: 'feedback', kind: 'psfb', senderSsrc: A, subjectSsrcs: [B, C] }]],
    [
      'XR: one item per block',
      xr(A, [voip(B), { bt: 4, ntpSec: 1, ntpFrac: 2 }, { bt: 5, subBlocks: [{ ssrc: C, lrr: 1, dlrr: 2 }] }]),
      [
        { feature: 'rtcp-xr', kind: 'xr', senderSsrc: A, subjectSsrcs: [B], block: 0 },
        { feature: 'rtcp-xr', kind: 'xr', senderSsrc: A, subjectSsrcs: [], block: 1 },
        { feature: 'rtcp-xr', kind: 'xr', senderSsrc: A, subjectSsrcs: [C], block: 2 },
      ],
    ],
    ['an unknown packet type is opaque: app', { pt: 199, ssrc: A, offset: 0, length: 8, unknown: true }, [{ feature: 'app', kind: 'app', senderSsrc: A, subjectSsrcs: [] }]],
  ])('%s', (_name, packet, want) => {
    expect(splitTelemetry(compound(packet))).toMatchObject(want);
  });

  it('numbers items across the compound', () => {
    const items = splitTelemetry(compound(rr(A, [block(B)]), sdes([{ ssrc: A, items: [{ type: 1, text: 'a@host' }] }]), xr(A, [voip(B), voip(C)]), bye([A])));
    expect(items.map((i) => [i.index, i.packetIndex, i.pt])).toEqual([[0, 0, 201], [1, 1, 202], [2, 2, 207], [3, 2, 207], [4, 3, 203]]);
  });
});

describe('splitTelemetry: SDES binding metadata is never telemetry', () => {
  it.each([
    ['MID only', [{ type: 12, text: 'audio' }], null],
    ['RID and repaired RID', [{ type: 13, text: 'hi' }, { type: 14, text: 'hi' }], null],
    ['PRIV aipref', [{ type: 8 as const, prefix: 'aipref', value: 'apt-1' }], null],
    ['PRIV AIPREF any case', [{ type: 8 as const, prefix: 'AIPref', value: 'apt-1' }], null],
    ['CNAME with MID', [{ type: 1, text: 'user@host' }, { type: 12, text: 'audio' }], [{ type: 1, text: 'user@host' }]],
    ['other PRIV is text', [{ type: 8 as const, prefix: 'x-app', value: 'v' }], [{ type: 8, prefix: 'x-app', value: 'v' }]],
  ])('%s', (_name, items, kept) => {
    const result = splitTelemetry(compound(sdes([{ ssrc: A, items }])));
    if (kept === null) expect(result).toEqual([]);
    else {
      expect(result).toHaveLength(1);
      expect(result[0]).toMatchObject({ kind: 'sdes', feature: 'sdes', chunks: [{ ssrc: A, items: kept }] });
    }
  });

  it('chunks left empty are removed; the sender and every remaining source govern', () => {
    const [item] = splitTelemetry(compound(sdes([
      { ssrc: A, items: [{ type: 12, text: 'v' }] },
      { ssrc: B, items: [{ type: 1, text: 'b@host' }] },
      { ssrc: C, items: [{ type: 2, text: 'Carol' }] },
    ])));
    expect(item).toMatchObject({ senderSsrc: A, subjectSsrcs: [B, C], chunks: [{ ssrc: B }, { ssrc: C }] });
  });
});
