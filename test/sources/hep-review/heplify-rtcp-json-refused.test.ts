/**
 * Found by a review of HEPv3 input, fixed since: heplify's folded object (report_blocks_xr / sdes_ssrc beside it) is an SR where its sender information is not all zeros, else an RR, its type and report_count aside, and null report blocks are none (src/sources/rtcp-json.ts reportPacket).
 *
 * heplify's RTCP over HEP is refused as malformed whenever the compound carries an SDES, i.e.
 * nearly always (RFC 3550 §6.1: every compound carries a CNAME).
 *
 * Input: HEPv3 protocol type 5 payloads as heplify sends them (protos/rtcp.go ParseRTCP,
 *   called by decoder correlateRTCP, sent with ProtoType 5 and the Call-ID in chunk 17): the
 *   whole compound is folded into ONE Go struct marshalled in field order —
 *   sender_information, ssrc, type, report_count, report_blocks, report_blocks_xr, sdes_ssrc —
 *   where "type" and "report_count" are overwritten by each packet of the compound (so an
 *   SR+SDES prints `"type":202` and the SDES's source count), and "report_blocks" is a nil Go
 *   slice (`null`) when the SR/RR had no blocks. The compound used is heplify's own test packet
 *   (protos/rtcp_test.go: SR with one block + SDES CNAME), and the same SR without its block.
 * Was: rtcpFromJson refuses both: 'report 1 "type" is neither 200 (SR) nor 201 (RR)', and
 *   with no blocks also '"report_blocks" is not an array'. The live listener counts the frame
 *   as malformed; the SR's telemetry never reaches the pipeline. (The existing heplify test in
 *   test/sources/rtcp-json.test.ts uses a hand-made object with "type":200 and "report_blocks":[],
 *   which heplify only prints for a compound without SDES.)
 * Correct: rtcp-json.ts says it reads heplify's key order and ignores its extra keys, and
 *   hep.ts names heplify among the agents; SPEC §7 takes HEPv3 from capture agents, and SPEC §8
 *   keeps "malformed" for damaged input. heplify's object describes an SR (non-zero
 *   sender_information, ssrc, report_blocks) and must come back as that SR with its blocks.
 * Fix: src/sources/rtcp-json.ts reportPacket: when "type" is not 200/201 but the object has
 *   "ssrc" and "sender_information" (heplify's folded form, recognisable by "report_blocks_xr"
 *   or "sdes_ssrc"), take SR when the sender information is not all zero and RR otherwise,
 *   ignore "report_count", and read `"report_blocks": null` as no blocks.
 */
import { describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../../src/media/rtcp/compound.js';
import { rtcpFromJson } from '../../../src/sources/rtcp-json.js';

/** heplify protos/rtcp_test.go rtcpPacket: SR (RC=1) + SDES (one chunk, CNAME). */
const HEPLIFY_TEST_PACKET = Uint8Array.from([
  0x81, 0xc8, 0x0, 0xc, 0x58, 0xf3, 0x3d, 0xea, 0x0, 0x2, 0x4f, 0xfb, 0x82, 0x8f, 0x5b, 0x92, 0x11, 0x4a, 0xc, 0x42, 0x0, 0x0, 0x2, 0xed, 0x0, 0x1, 0xca, 0xcf, 0xd2, 0xbd, 0x4e,
  0x3e, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x2, 0x1, 0x0, 0x0, 0x0, 0x14, 0x86, 0xe9, 0xf, 0x9d, 0x0, 0x3, 0x44, 0xdd, 0x81, 0xca, 0x0, 0x8, 0x58, 0xf3, 0x3d, 0xea, 0x1, 0x16, 0x41,
  0x43, 0x4c, 0x54, 0x50, 0x20, 0x43, 0x68, 0x61, 0x6e, 0x6e, 0x65, 0x6c, 0x48, 0x61, 0x6e, 0x64, 0x6c, 0x65, 0x20, 0x33, 0x30, 0x0, 0x0, 0x0, 0x0,
]);

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** heplify's ParseRTCP for SR, RR and SDES (what it prints; json.Marshal field order). */
function heplifyJson(data: Uint8Array): string {
  const si = { ntp_timestamp_sec: 0, ntp_timestamp_usec: 0, rtp_timestamp: 0, packets: 0, octets: 0 };
  let ssrc = 0;
  let type = 0;
  let reportCount = 0;
  let blocks: object[] | null = null; // a nil slice marshals as null
  let sdesSsrc = 0;
  let offset = 0;
  let dataLen = data.length;
  while (dataLen > 0) {
    const rc = data[offset]! & 0x1f;
    const pt = data[offset + 1]!;
    const length = ((data[offset + 2]! << 8) | data[offset + 3]!) * 4;
    offset += 4;
    type = pt;
    reportCount = rc;
    const readBlocks = (): void => {
      if (rc > 0 && length >= 24 && offset + 24 <= data.length) {
        for (let i = 0; i < rc; i++) {
          (blocks ??= []).push({
            source_ssrc: u32(data, offset),
            fraction_lost: data[offset + 4]!,
            packets_lost: (data[offset + 5]! << 16) | (data[offset + 6]! << 8) | data[offset + 7]!,
            highest_seq_no: u32(data, offset + 8),
            ia_jitter: u32(data, offset + 12),
            lsr: u32(data, offset + 16),
            dlsr: u32(data, offset + 20),
          });
          offset += 24;
        }
      }
    };
    if (pt === 200) {
      ssrc = u32(data, offset);
      si.ntp_timestamp_sec = u32(data, offset + 4);
      si.ntp_timestamp_usec = u32(data, offset + 8);
      si.rtp_timestamp = u32(data, offset + 12);
      si.packets = u32(data, offset + 16);
      si.octets = u32(data, offset + 20);
      offset += 24;
      readBlocks();
    } else if (pt === 201) {
      ssrc = u32(data, offset);
      offset += 4;
      readBlocks();
    } else if (pt === 202) {
      sdesSsrc = u32(data, offset);
      offset += length;
    } else offset += length;
    dataLen -= length + 4;
  }
  const xr = { type: 0, id: 0, fraction_lost: 0, fraction_discard: 0, burst_density: 0, gap_density: 0, burst_duration: 0, gap_duration: 0, round_trip_delay: 0, end_system_delay: 0 };
  return JSON.stringify({ sender_information: si, ssrc, type, report_count: reportCount, report_blocks: blocks, report_blocks_xr: xr, sdes_ssrc: sdesSsrc });
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe("heplify's folded RTCP JSON (HEPv3 protocol type 5)", () => {
  it('SR + SDES (heplify prints "type":202) comes back as the SR with its report block', () => {
    const json = heplifyJson(HEPLIFY_TEST_PACKET);
    expect(json).toContain('"type":202');
    const r = rtcpFromJson(text(json));
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    const wireSr = decodeRtcpCompound(HEPLIFY_TEST_PACKET).packets[0]!;
    const { offset: _o, length: _l, ...sr } = wireSr;
    expect(decodeRtcpCompound(r.rtcp).packets[0]).toMatchObject(sr);
  });

  it('SR without report blocks + SDES (heplify prints "report_blocks":null) comes back as the SR', () => {
    // the same compound with the SR's block taken out: RC 0, length 6 words
    const sr = Uint8Array.from([0x80, 0xc8, 0x00, 0x06, ...HEPLIFY_TEST_PACKET.subarray(4, 28)]);
    const sdes = HEPLIFY_TEST_PACKET.subarray(52);
    const wire = new Uint8Array(sr.length + sdes.length);
    wire.set(sr, 0);
    wire.set(sdes, sr.length);
    const json = heplifyJson(wire);
    expect(json).toContain('"report_blocks":null');
    const r = rtcpFromJson(text(json));
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(decodeRtcpCompound(r.rtcp).packets[0]).toMatchObject({ pt: 200, ssrc: 0x58f33dea, ntpSec: 0x00024ffb, ntpFrac: 0x828f5b92, rtpTs: 0x114a0c42, packetCount: 0x2ed, octetCount: 0x1cacf, reports: [] });
  });
});
