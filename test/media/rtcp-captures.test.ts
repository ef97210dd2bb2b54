/**
 * Real captures from other projects. Expected values were read with tshark
 * (`tshark -r <file> -d udp.port==N,rtcp -V`) and rtpproxy's own JSON decode, and are written
 * here as literals.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classifyRtpRtcp } from '../../src/media/demux.js';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { createRtpHeaderView, decodeRtpHeader } from '../../src/media/rtp.js';
import { capturePath, readUdpDatagrams } from './pcap-udp-fixture.js';

describe('rtpproxy_rtcp1.raw', () => {
  const raw = new Uint8Array(readFileSync(capturePath('rtpproxy_rtcp1.raw')));
  const expected = JSON.parse(readFileSync(capturePath('rtpproxy_rtcp1.output'), 'utf8'));

  it('decodes to the values rtpproxy printed in rtpproxy_rtcp1.output', () => {
    const c = decodeRtcpCompound(raw);
    expect(c.errors).toEqual([]);
    expect(c.reducedSize).toBe(false);
    const sr = c.packets[0]!;
    if ('unknown' in sr || sr.pt !== 200) throw new Error('first packet is not an SR');
    expect(sr.pt).toBe(expected.type);
    expect(sr.ssrc).toBe(expected.ssrc);
    expect(sr.ntpSec).toBe(expected.sender_information.ntp_timestamp_sec);
    // rtpproxy labels the NTP fraction "usec" but prints the raw 32-bit fraction
    expect(sr.ntpFrac).toBe(expected.sender_information.ntp_timestamp_usec);
    expect(sr.rtpTs).toBe(expected.sender_information.rtp_timestamp);
    expect(sr.packetCount).toBe(expected.sender_information.packets);
    expect(sr.octetCount).toBe(expected.sender_information.octets);
    expect(sr.reports).toHaveLength(expected.report_count);
    expect(sr.reports[0]).toEqual({
      ssrc: expected.report_blocks[0].source_ssrc,
      fractionLost: expected.report_blocks[0].fraction_lost,
      cumulativeLost: expected.report_blocks[0].packets_lost,
      highestSeq: expected.report_blocks[0].highest_seq_no,
      jitter: expected.report_blocks[0].ia_jitter,
      lsr: expected.report_blocks[0].lsr,
      dlsr: expected.report_blocks[0].dlsr,
    });
  });

  it('carries an SDES CNAME after the SR', () => {
    const c = decodeRtcpCompound(raw);
    expect(c.packets.map((p) => [p.pt, p.offset, p.length])).toEqual([
      [200, 0, 52],
      [202, 52, 32],
    ]);
    expect(c.packets[1]).toMatchObject({ ssrc: 1309239164, chunks: [{ ssrc: 1309239164, items: [{ type: 1, text: '768f0@pjcffd9b.org' }] }] });
  });
});

describe('decoded real packets encode back to the captured bytes', () => {
  it('rtpproxy_rtcp1.raw and rtpproxy_rtcp.o.pcap frame 158', () => {
    const raw = new Uint8Array(readFileSync(capturePath('rtpproxy_rtcp1.raw')));
    expect(encodeRtcpCompound(decodeRtcpCompound(raw).packets)).toEqual(raw);
    const frame158 = readUdpDatagrams('rtpproxy_rtcp.o.pcap').find((x) => x.frame === 158)!.payload;
    expect(encodeRtcpCompound(decodeRtcpCompound(frame158).packets)).toEqual(frame158);
  });
});

describe('rtpproxy_rtcp.o.pcap', () => {
  const datagrams = readUdpDatagrams('rtpproxy_rtcp.o.pcap');

  it('frame 158 (2007 → 2009) is the SR + SDES tshark shows', () => {
    const d = datagrams.find((x) => x.frame === 158)!;
    expect([d.sport, d.dport]).toEqual([2007, 2009]);
    expect(classifyRtpRtcp(d.payload, 0, d.payload.length)).toBe('rtcp');
    const c = decodeRtcpCompound(d.payload);
    expect(c.errors).toEqual([]);
    expect(c.packets).toEqual([
      { pt: 200, ssrc: 4090175489, offset: 0, length: 28, ntpSec: 2209022881, ntpFrac: 3942779706, rtpTs: 37920, packetCount: 158, octetCount: 39816, reports: [] },
      { pt: 202, ssrc: 4090175489, offset: 28, length: 24, chunks: [{ ssrc: 4090175489, items: [{ type: 1, text: 'outChannel' }] }] },
    ]);
  });

  it('every other datagram is RTP on 2006 → 2008', () => {
    const others = datagrams.filter((x) => x.frame !== 158);
    expect(others).toHaveLength(229);
    for (const d of others) expect(classifyRtpRtcp(d.payload, 0, d.payload.length)).toBe('rtp');
  });
});

describe('rtpproxy_rtcp.a.pcap', () => {
  it('holds 236 RTP packets (PCMA, one with the marker bit) and no RTCP', () => {
    const datagrams = readUdpDatagrams('rtpproxy_rtcp.a.pcap');
    expect(datagrams).toHaveLength(236);
    const view = createRtpHeaderView();
    let markers = 0;
    for (const d of datagrams) {
      expect(classifyRtpRtcp(d.payload, 0, d.payload.length)).toBe('rtp');
      expect(decodeRtpHeader(d.payload, 0, d.payload.length, view)).toBeNull();
      expect(view.pt).toBe(8);
      if (view.marker) markers++;
    }
    expect(markers).toBe(1);
    // frame 1 as tshark shows it: seq 59133, ts 240, SSRC 0xdee0ee8f, 240-byte payload
    const first = datagrams[0]!;
    decodeRtpHeader(first.payload, 0, first.payload.length, view);
    expect([view.seq, view.timestamp, view.ssrc, view.payloadLength, view.marker]).toEqual([59133, 240, 0xdee0ee8f, 240, true]);
  });
});

describe('heplify_sip_ipv4_tcp.pcap', () => {
  const datagrams = readUdpDatagrams('heplify_sip_ipv4_tcp.pcap');

  it('frame 14 (6051 → 6001): SR without report blocks + SDES CNAME "c0"', () => {
    const d = datagrams.find((x) => x.frame === 14)!;
    expect([d.sport, d.dport]).toEqual([6051, 6001]);
    const c = decodeRtcpCompound(d.payload);
    expect(c.errors).toEqual([]);
    expect(c.packets).toEqual([
      { pt: 200, ssrc: 1123300308, offset: 0, length: 28, ntpSec: 2099493, ntpFrac: 811748763, rtpTs: 1884819849, packetCount: 1, octetCount: 160, reports: [] },
      { pt: 202, ssrc: 1123300308, offset: 28, length: 16, chunks: [{ ssrc: 1123300308, items: [{ type: 1, text: 'c0' }] }] },
    ]);
  });

  it('frame 17 (6001 → 6051): SR with one report block on the other stream + SDES', () => {
    const d = datagrams.find((x) => x.frame === 17)!;
    expect([d.sport, d.dport]).toEqual([6001, 6051]);
    const c = decodeRtcpCompound(d.payload);
    expect(c.errors).toEqual([]);
    expect(c.packets).toEqual([
      {
        pt: 200, ssrc: 1513316787, offset: 0, length: 52, ntpSec: 2508829, ntpFrac: 2572685233, rtpTs: 95878790, packetCount: 1, octetCount: 160,
        reports: [{ ssrc: 1123300308, fractionLost: 0, cumulativeLost: 0, highestSeq: 54340, jitter: 0, lsr: 153432162, dlsr: 1048 }],
      },
      { pt: 202, ssrc: 1513316787, offset: 52, length: 16, chunks: [{ ssrc: 1513316787, items: [{ type: 1, text: 'c0' }] }] },
    ]);
  });

  it('the RTP both ways classifies as RTP and decodes', () => {
    const view = createRtpHeaderView();
    const rtp = datagrams.filter((d) => d.sport === 6000 || d.sport === 6050);
    expect(rtp).toHaveLength(66);
    for (const d of rtp) {
      expect(classifyRtpRtcp(d.payload, 0, d.payload.length)).toBe('rtp');
      expect(decodeRtpHeader(d.payload, 0, d.payload.length, view)).toBeNull();
    }
  });
});
