/**
 * Found by a review of HEPv3 input, fixed since: Asterisk's RTCP JSON is read — an RR's null sender information is its own, NTP words and LSR as decimal strings, a negative (C int) SSRC as unsigned, its SR timeval made an NTP timestamp (src/sources/rtcp-json.ts).
 *
 * Asterisk's RTCP over HEP (res_hep_rtcp) is refused as malformed, every report of it.
 *
 * Input: HEPv3 protocol type 5 payloads exactly as Asterisk's res_hep_rtcp.c sends them: it
 *   dumps the "rtcp_report" object that main/rtp_engine.c rtcp_report_to_json builds with
 *   ast_json_pack("{s: i, s: i, s: i, s: O, s: O}", "ssrc", "type", "report_count",
 *   "sender_information" (null for an RR), "report_blocks"); each block is packed
 *   "{s: i, s: i, s: i, s: i, s: i, s: s, s: i}" ("lsr" is a decimal *string*), and an SR's
 *   sender information "{s: s, s: s, s: i, s: i, s: i}" (both NTP words are *strings*, the
 *   second one tv_usec). The ssrc is packed with "i" (a C int): an SSRC ≥ 2^31 prints negative.
 * Was: rtcpFromJson refuses all of them, so the live listener counts every Asterisk RTCP
 *   frame as malformed and no telemetry of an Asterisk call arrives:
 *   - RR: `"sender_information":null` after `"type":201` starts a new packet (the grouping
 *     rule "a sender_information after an RR's type is the next SR's"), leaving the RR without
 *     "report_blocks" → 'report 1: no "report_blocks"';
 *   - SR: "ntp_timestamp_sec" is a string → 'is not an integer';
 *   - "lsr" as a string, negative ssrc → 'is not an integer'.
 * Correct: SPEC §7 names Asterisk among the HEPv3 senders the live input takes; its protocol
 *   type 5 payload is the RTCP report it received/sent and must come back as that SR/RR (the
 *   same way rtpengine's JSON does), not be refused as malformed (SPEC §8: malformed is for
 *   damaged input, not for a listed agent's normal output).
 * Fix: src/sources/rtcp-json.ts: in packetsOf, a `"sender_information": null` belongs to the
 *   open report (it is "no sender info", not the next SR's); in u32/integer accept a decimal
 *   string of digits (Asterisk prints the NTP words and LSR so) and a negative ssrc/source_ssrc
 *   ≥ -2^31 as its unsigned two's complement (`v >>> 0`).
 */
import { describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../../src/media/rtcp/compound.js';
import { rtcpFromJson } from '../../../src/sources/rtcp-json.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** One report block as rtcp_report_to_json packs it (jansson keeps insertion order). */
const block = '{"source_ssrc":1432778632,"fraction_lost":12,"packets_lost":3,"highest_seq_no":70000,"ia_jitter":41,"lsr":"2263420829","dlsr":65536}';

describe('Asterisk res_hep_rtcp payloads (HEPv3 protocol type 5)', () => {
  it('an RR ("sender_information": null) comes back as the RR', () => {
    const json = `{"ssrc":287454020,"type":201,"report_count":1,"sender_information":null,"report_blocks":[${block}]}`;
    const r = rtcpFromJson(text(json));
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(decodeRtcpCompound(r.rtcp).packets).toMatchObject([
      { pt: 201, ssrc: 287454020, reports: [{ ssrc: 1432778632, fractionLost: 12, cumulativeLost: 3, highestSeq: 70000, jitter: 41, lsr: 2263420829, dlsr: 65536 }] },
    ]);
  });

  it('an SR (NTP words printed as strings) comes back as an SR with its counts', () => {
    const json =
      '{"ssrc":287454020,"type":200,"report_count":0,' +
      '"sender_information":{"ntp_timestamp_sec":"3913056000","ntp_timestamp_usec":"500000","rtp_timestamp":160000,"packets":749,"octets":117455},' +
      '"report_blocks":[]}';
    const r = rtcpFromJson(text(json));
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(decodeRtcpCompound(r.rtcp).packets).toMatchObject([{ pt: 200, ssrc: 287454020, ntpSec: 3913056000, rtpTs: 160000, packetCount: 749, octetCount: 117455, reports: [] }]);
  });

  it('an SSRC of 2^31 or more, printed negative by the C int pack, is the unsigned SSRC', () => {
    // 0xdeadbeef as a 32-bit int is -559038737
    const json = `{"ssrc":-559038737,"type":201,"report_count":0,"sender_information":null,"report_blocks":[]}`;
    const r = rtcpFromJson(text(json));
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(decodeRtcpCompound(r.rtcp).packets).toMatchObject([{ pt: 201, ssrc: 0xdeadbeef, reports: [] }]);
  });

  it("an SR's timeval (Unix seconds, microseconds, as strings) is made its NTP timestamp", () => {
    const json =
      '{"ssrc":287454020,"type":200,"report_count":0,' +
      '"sender_information":{"ntp_timestamp_sec":"1764947994","ntp_timestamp_usec":"500000","rtp_timestamp":160000,"packets":749,"octets":117455},' +
      '"report_blocks":[]}';
    const r = rtcpFromJson(text(json));
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(decodeRtcpCompound(r.rtcp).packets).toMatchObject([{ pt: 200, ntpSec: 1764947994 + 2208988800, ntpFrac: 2 ** 31 }]);
  });
});
