/**
 * Checks of the compound review that hold (RFC 3550 §6.1/§6.4.1/A.2, RFC 5506, RFC 5761, SPEC §4/§8):
 * each unusual compound gives one telemetry item per packet or a malformed-input report, never a
 * crash, and the same lines with --workers 0 and 2.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sdpOf } from '../../e2e/hand-built-calls.js';
import { block, bytes, pkt, rr, sdes, sr, u32 } from './vectors.js';
import { type CliRun, replayBoth, tshark, writeCompounds } from './harness.js';

const CASES: [string, Uint8Array][] = [
  ['two SRs (translator)', bytes(sr(1111), sr(3333), sdes(1111, 'a'))],
  ['RR with 31 report blocks', bytes(rr(1111, Array.from({ length: 31 }, (_, i) => block(5000 + i))))],
  ['SR RC=0 + 8 bytes of profile-specific extension', bytes(sr(1111, [], [1, 2, 3, 4, 5, 6, 7, 8]), sdes(1111, 'a'))],
  ['padding bit on the middle packet', bytes(pkt(200, 0, [...sr(1111).slice(4), 0, 0, 0, 4], true), sdes(1111, 'a'))],
  ['padding count 0', bytes(sr(1111), pkt(202, 1, [...sdes(1111, 'a').slice(4), 0, 0, 0, 0], true))],
  ['padding count past the packet', bytes(sr(1111), pkt(202, 1, [...sdes(1111, 'a').slice(4), 0, 0, 0, 200], true))],
  ['3 trailing bytes', bytes(sr(1111), sdes(1111, 'a'), [1, 2, 3])],
  ['8 trailing zero bytes', bytes(sr(1111), sdes(1111, 'a'), [0, 0, 0, 0, 0, 0, 0, 0])],
  ['SDES with zero chunks', bytes(sr(1111), pkt(202, 0, []))],
  ['APP with its name only', bytes(sr(1111), pkt(204, 3, [...u32(1111), 0x41, 0x42, 0x43, 0x44]))],
  ['unknown types 196/210/194', bytes(rr(1111), pkt(196, 0, [...u32(1111), 1, 2, 3, 4]), pkt(210, 0, [...u32(1111)]), pkt(194, 0, [...u32(1111), 0, 0, 0, 0]))],
  ['legal padding on the last packet', bytes(sr(1111), pkt(202, 1, [...sdes(1111, 'a').slice(4), 0, 0, 0, 4], true))],
  ['reduced-size: a lone PLI (RFC 5506)', bytes(pkt(206, 1, [...u32(1111), ...u32(2222)]))],
  ['SR with 31 blocks then an RR for more sources', bytes(sr(1111, Array.from({ length: 31 }, (_, i) => block(6000 + i))), rr(1111, [block(7000), block(7001)]))],
];
const frameOf = (name: string): number => 4 + CASES.findIndex((c) => c[0] === name);

let file: string;
let run: CliRun;
beforeAll(async () => {
  file = await writeCompounds(CASES.map((c) => c[1]));
  run = replayBoth(file);
}, 120000);

const judged = (name: string) => run.decisions.filter((d) => d.frame === frameOf(name)).map((d) => `${d.pt}/${d.ssrc}/${d.decision}`);
const malformed = (name: string) => run.reports.filter((r) => r.type === 'malformed-input' && r.frame === frameOf(name)).map((r) => String(r.detail).replace(/^frame \d+: /, ''));

describe('unusual but legal compounds: one item per packet, no report', () => {
  it('two SRs in one compound: both judged under their own SSRC, SDES under the first', () => {
    expect(judged('two SRs (translator)')).toEqual(['200/1111/export', '200/3333/export', '202/1111/export']);
    expect(malformed('two SRs (translator)')).toEqual([]);
  });
  it('RR with 31 report blocks: one item carrying all 31 (tshark: rc 31)', () => {
    expect(judged('RR with 31 report blocks')).toEqual(['201/1111/export']);
    const e = run.exports.find((x) => x.item?.pt === 201 && x.item.reports.length === 31);
    expect(e?.item.reports.map((r: any) => r.ssrc)).toEqual(Array.from({ length: 31 }, (_, i) => 5000 + i));
    expect(tshark(file, ['rtcp.rc'], ['-Y', `frame.number==${frameOf('RR with 31 report blocks')}`])).toEqual(['31']);
  });
  it('SR RC=0 with profile-specific extension bytes: skipped, not an error (RFC 3550 §6.4.1)', () => {
    expect(judged('SR RC=0 + 8 bytes of profile-specific extension')).toEqual(['200/1111/export', '202/1111/export']);
    expect(malformed('SR RC=0 + 8 bytes of profile-specific extension')).toEqual([]);
  });
  it('SDES with zero chunks: no item, no report, the SR still judged', () => {
    expect(judged('SDES with zero chunks')).toEqual(['200/1111/export']);
    expect(malformed('SDES with zero chunks')).toEqual([]);
  });
  it('APP with a 4-byte name only: one app item, name and subtype kept', () => {
    expect(judged('APP with its name only')).toEqual(['200/1111/export', '204/1111/export']);
    expect(run.exports.find((x) => x.item?.pt === 204)?.item).toMatchObject({ name: 'ABCD', subtype: 3 });
  });
  it('unknown packet types 196/210/194: one item each, under the sender', () => {
    expect(judged('unknown types 196/210/194')).toEqual(['201/1111/export', '196/1111/export', '210/1111/export', '194/1111/export']);
    expect(malformed('unknown types 196/210/194')).toEqual([]);
  });
  it('padding on the last packet (count 4): accepted, the SDES judged', () => {
    expect(judged('legal padding on the last packet')).toEqual(['200/1111/export', '202/1111/export']);
    expect(malformed('legal padding on the last packet')).toEqual([]);
  });
  it('reduced-size compound of one PLI (RFC 5506): one feedback item, no report', () => {
    expect(run.decisions.filter((d) => d.frame === frameOf('reduced-size: a lone PLI (RFC 5506)')).map((d) => `${d.pt}/${d.fmt}/${d.feature}/${d.decision}`)).toEqual(['206/1/feedback/export']);
    expect(malformed('reduced-size: a lone PLI (RFC 5506)')).toEqual([]);
  });
  it('SR with 31 blocks followed by an RR for more sources (RFC 3550 §6.1 "Additional RRs")', () => {
    expect(judged('SR with 31 blocks then an RR for more sources')).toEqual(['200/1111/export', '201/1111/export']);
  });
});

describe('invalid compounds (RFC 3550 A.2): reported at their frame, whole packets still judged', () => {
  it('padding bit on a middle packet: bad-padding reported, that packet skipped, the rest judged', () => {
    expect(malformed('padding bit on the middle packet')).toEqual(['rtcp bad-padding at byte 0: padding bit set on a packet that is not the last of the compound']);
    expect(judged('padding bit on the middle packet')).toEqual(['202/1111/export']);
  });
  it('padding count 0 and past the packet: reported, the padded packet not judged', () => {
    expect(malformed('padding count 0')).toEqual(['rtcp bad-padding at byte 43: padding count 0 in a packet of 16 bytes']);
    expect(malformed('padding count past the packet')).toEqual(['rtcp bad-padding at byte 43: padding count 200 in a packet of 16 bytes']);
    expect(judged('padding count 0')).toEqual(['200/1111/export']);
    expect(judged('padding count past the packet')).toEqual(['200/1111/export']);
  });
  it('lengths that do not sum to the datagram: trailing bytes reported', () => {
    expect(malformed('3 trailing bytes')).toEqual(['rtcp packet-too-short at byte 40: 3 bytes hold no RTCP header']);
    expect(malformed('8 trailing zero bytes')).toEqual(['rtcp bad-version at byte 40: RTCP version 0, expected 2']);
    expect(judged('3 trailing bytes')).toEqual(['200/1111/export', '202/1111/export']);
  });
});

describe('counts (SPEC §8)', () => {
  it('summary rtcp/malformed/telemetry match the lines', () => {
    expect(run.summary.rtcp).toBe(CASES.length);
    const mal = run.reports.filter((r) => r.type === 'malformed-input').length;
    expect(mal).toBe(5);
    expect(run.summary.malformed).toBe(mal);
    expect(run.summary.reports['malformed-input']).toBe(mal);
    const t = run.summary.telemetry;
    expect(t.export + t.aggregate + t.drop).toBe(run.decisions.length);
    expect(t.export).toBe(run.exports.filter((e) => e.type === 'telemetry').length);
  });
});

describe('RFC 5761 muxed RTCP', () => {
  it('an SR + SDES on the RTP port with a=rtcp-mux is read as RTCP and judged', async () => {
    const mux = (p: 'a' | 'b') => sdpOf(p, ['a=rtcp-mux']);
    const f = await writeCompounds([bytes(sr(1111), sdes(1111, 'a'))], mux('a'), mux('b'), 4000, 5000);
    const r = replayBoth(f);
    expect(r.summary.rtcp).toBe(1);
    expect(r.summary.rtp).toBe(0);
    expect(r.decisions.map((d) => `${d.pt}/${d.ssrc}/${d.decision}`)).toEqual(['200/1111/export', '202/1111/export']);
  }, 60000);
});
