/**
 * Found by a review of HEPv3 input, fixed since: no "report_blocks" key beside "report_count": 0 is no blocks (src/sources/rtcp-json.ts reportPacket).
 *
 * rtpproxy's RTCP over HEP is refused as malformed for every SR without report blocks — the SR
 * of a sender that receives nothing, as in the shared capture rtpproxy_rtcp.o.pcap.
 *
 * Input: the HEPv3 protocol type 5 payload rtpproxy's acct_rtcp_hep module sends (sippy/rtpproxy
 *   modules/acct_rtcp_hep/rtpp_acct_rtcp_hep.c: ri.proto_type = 5, Call-ID in chunk 17, payload
 *   from rtcp2json.c) for the real SR + SDES of /work/shared/captures/rtpproxy_rtcp.o.pcap
 *   frame 158 (SR with RC = 0). rtcp2json prints `"report_blocks": [...]` only
 *   `if (r->common.count > 0)`, so this SR's object has ssrc, sender_information, type 200 and
 *   "report_count": 0, and no "report_blocks" key (the SDES prints nothing).
 * Was: rtcpFromJson fails with 'report 1: no "report_blocks"'; the listener counts the frame
 *   as malformed and the SR never reaches the pipeline. (The same module's SR *with* blocks —
 *   rtpproxy_rtcp1.output — is read fine.)
 * Correct: the object fully describes an SR with zero report blocks ("report_count": 0 says
 *   so); rtcp-json.ts reads the other RTCP-JSON printers (rtpengine, heplify key orders), and
 *   SPEC §7 takes HEPv3 from relays — rtpproxy is the relay of the README's acct_rtcp_hep
 *   captures — with SPEC §8 keeping "malformed" for damaged input. It must come back as the SR
 *   of frame 158.
 * Fix: src/sources/rtcp-json.ts reportPacket: when "report_blocks" is absent and
 *   "report_count" is 0 (or absent), take no report blocks instead of requiring the key.
 */
import { describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../../src/media/rtcp/compound.js';
import { rtcpFromJson } from '../../../src/sources/rtcp-json.js';
import { readUdpDatagrams } from '../../media/pcap-udp-fixture.js';

const u32 = (b: Uint8Array, at: number): number => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** rtcp2json.c, SR branch with count 0 (the only packet it prints of an SR + SDES compound). */
function rtpproxySrJson(sr: Uint8Array): string {
  expect(sr[0]! & 0x1f).toBe(0);
  expect(sr[1]).toBe(200);
  return (
    `{\n "ssrc": ${u32(sr, 4)},\n` +
    ` "sender_information": {\n  "ntp_timestamp_sec": ${u32(sr, 8)},\n  "ntp_timestamp_usec": ${u32(sr, 12)},\n  "rtp_timestamp": ${u32(sr, 16)},\n  "packets": ${u32(sr, 20)},\n  "octets": ${u32(sr, 24)}\n },\n` +
    ` "type": 200,\n "report_count": 0\n}\n`
  );
}

describe('rtpproxy acct_rtcp_hep RTCP JSON (HEPv3 protocol type 5)', () => {
  it('the SR of rtpproxy_rtcp.o.pcap frame 158 (no report blocks) comes back as that SR', () => {
    const frame158 = readUdpDatagrams('rtpproxy_rtcp.o.pcap').find((d) => d.frame === 158)!.payload;
    const wire = decodeRtcpCompound(frame158).packets[0]!;
    const json = rtpproxySrJson(frame158);
    expect(json).not.toContain('report_blocks');
    const r = rtcpFromJson(new TextEncoder().encode(json));
    expect(r).toMatchObject({ ok: true });
    if (!r.ok) return;
    expect(decodeRtcpCompound(r.rtcp).packets).toEqual([wire]);
  });
});
