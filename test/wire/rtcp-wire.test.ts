/**
 * One hand-built RTCP compound (SR with a negative cumulative loss, SDES, XR blocks 4/5/7, BYE
 * with a reason and RTCP padding) decoded by `inspect --json` and by tshark.
 */
import { describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { inspect, tsharkFields, writePcap } from './helpers.js';

function words(...parts: (number | number[])[]): Uint8Array {
  const bytes: number[] = [];
  for (const p of parts) {
    if (Array.isArray(p)) bytes.push(...p);
    else bytes.push((p >>> 24) & 0xff, (p >>> 16) & 0xff, (p >>> 8) & 0xff, p & 0xff);
  }
  return Uint8Array.from(bytes);
}

export function compound(): Uint8Array {
  const sr = words([0x81, 200, 0, 12], 0x01020304, 0xe1000000, 0x80000000, 160000, 50, 8000, 0x0a0b0c0d, [0x40, 0xff, 0xff, 0xfd], 0x00010064, 0x20, 0x12345678, 0x00010000);
  const sdes = words([0x81, 202, 0, 3], 0x01020304, [1, 5, 0x61, 0x40, 0x62, 0x2e, 0x63, 0]);
  const xr = words(
    [0x80, 207, 0, 17],
    0x01020304,
    [4, 0, 0, 2], 0xe1000001, 0x40000000,
    [5, 0, 0, 3], 0x0a0b0c0d, 0x12345678, 0x00008000,
    [7, 0, 0, 8], 0x0a0b0c0d, [10, 5, 20, 2], [0, 100, 0, 200], [0, 150, 0, 40], [0xec, 0xc4, 127, 16], [85, 127, 41, 40], [0, 0, 0, 60], [0, 120, 0, 200],
  );
  const bye = words([0xa1, 203, 0, 4], 0x01020304, [4, 0x67, 0x6f, 0x6e, 0x65, 0, 0, 0], [0, 0, 0, 4]);
  const out = new Uint8Array(sr.length + sdes.length + xr.length + bye.length);
  out.set(sr, 0);
  out.set(sdes, sr.length);
  out.set(xr, sr.length + sdes.length);
  out.set(bye, sr.length + sdes.length + xr.length);
  return out;
}

describe('RTCP compound vs tshark', () => {
  it('control: SR/RR block, SDES, XR 4/5/7 and a padded BYE decode as tshark does', () => {
    const file = writePcap('rtcp-compound.pcap', 1, [
      { ts: 1700000000.5, data: buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40001, dport: 40003, payload: compound() }) },
    ]);
    const [t] = tsharkFields(
      file,
      ['rtcp.pt', 'rtcp.ssrc.cum_nr', 'rtcp.ssrc.fraction', 'rtcp.ssrc.high_seq', 'rtcp.xr.voipmetrics.rtdelay', 'rtcp.xr.voipmetrics.esdelay', 'rtcp.xr.voipmetrics.rfactor', 'rtcp.xr.voipmetrics.moslq', 'rtcp.xr.voipmetrics.moscq', 'rtcp.sdes.text', 'rtcp.bye_reason_not_padded'],
      ['-d', 'udp.port==40003,rtcp', '-E', 'occurrence=a', '-E', 'aggregator=,'],
    );
    expect(t![0]).toBe('200,202,207,203');
    const [line] = inspect(file);
    expect(line!.errors).toBeUndefined();
    const [sr, sdes, xr, bye] = line!.packets;
    // tshark -V: Fraction lost 64 / 256, Cumulative number of packets lost -3, Extended highest 65636
    expect(sr.reports[0]).toMatchObject({ cumulativeLost: -3, fractionLost: 64, highestSeq: 65636, jitter: 32, lsr: 0x12345678, dlsr: 65536 });
    expect(Number(t![1])).toBe(-3);
    const voip = xr.blocks.find((b: any) => b.bt === 7);
    // tshark -V: RTD 150, ESD 40, signal -20, noise -60, R 85, MOS-LQ 4.1, MOS-CQ 4
    expect(voip).toMatchObject({ ssrc: 0x0a0b0c0d, lossRate: 10, discardRate: 5, roundTripDelay: 150, endSystemDelay: 40, signalLevel: -20, noiseLevel: -60, rFactor: 85, mosLq: 41, mosCq: 40 });
    expect(xr.blocks.map((b: any) => b.bt)).toEqual([4, 5, 7]);
    expect(sdes.chunks[0].items[0]).toEqual({ type: 1, text: 'a@b.c' });
    expect(bye).toMatchObject({ ssrcs: [0x01020304], reason: 'gone' });
  });
});
