/**
 * Found by a review of IPv6 input, fixed since: Shim6 (140), like every header of the IANA IPv6 extension header registry, is walked in RFC 6564's uniform format, and a chain through an unassigned Next Header (146–252, 255) is counted and reported malformed, never skipped (native-free/ipv6.ts walkIpv6Extensions).
 */
/**
 * Low severity. An IPv6 packet whose UDP datagram follows a Shim6 payload extension header
 * (Next Header 140) is dropped silently: not read, not counted malformed.
 *
 * Input: the same IPv6 call as a raw-IP pcap (LINKTYPE_RAW), every packet carrying one 8-byte
 *   Shim6 Payload Extension Header (RFC 5533 §5.1: Next Header, Hdr Ext Len 0, P bit + 47-bit
 *   receiver context tag) between the IPv6 header and UDP. tshark decodes the packets as
 *   `raw:ipv6:shim6:udp:sip:sdp` and shows the SIP.
 * Was: summary `{"packets":27,"rtp":0,"rtcp":0,"sip":0,"malformed":0,…}`: no dialog, no
 *   decision, no report. The same call with a hop-by-hop, routing, destination-options or AH
 *   header instead is read in full (checked-fine.test.ts). native-free/ipv6.ts walkIpv6Extensions()
 *   walks only 0, 43, 44, 51, 60, so 140 is taken for the upper-layer protocol, an unknown one.
 * Correct: SPEC §7 (IPv4 and IPv6 inputs); RFC 8200 §4 and the IANA "IPv6 Extension Header
 *   Types" registry list Shim6 (140) as an extension header; RFC 7045 §2.2 asks nodes that
 *   examine the header chain to process every header in that registry, and RFC 6564 §4 gives
 *   them all one format (Next Header, Hdr Ext Len in 8-octet units not counting the first 8).
 *   The decisions must be those of the same call with no extension header.
 * Fix: native-free/ipv6.ts walkIpv6Extensions(): treat 140 (and, for chains that do carry a
 *   payload after them, 135 and 139, which RFC 6564 formats alike) like 0/43/60: next header
 *   at byte 0, length (byte 1 + 1) × 8. (253/254, experimental, tshark does not walk either.)
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { ipPacket, replayBoth, writeCapture } from './lib.js';
import { POLICY, scenario, V6 } from './scenario.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

function withExtension(ip: Uint8Array, type: number): Uint8Array {
  const ext = new Uint8Array(8);
  ext[0] = ip[6]!; // what follows: UDP
  ext[1] = 0; // 8 bytes
  ext.set([0x80, 0, 0, 0, 0, 0x2a], 2); // P = 1, context tag 42
  const out = Buffer.concat([ip.subarray(0, 40), ext, ip.subarray(40)]);
  out[6] = type;
  out.writeUInt16BE(ip.length - 40 + 8, 4);
  return out;
}
const withShim6 = (ip: Uint8Array): Uint8Array => withExtension(ip, 140);

it('a Shim6 payload extension header before UDP is walked like the others', async () => {
  const plain = await writeCapture(ws, scenario(V6).map(ipPacket), 'raw');
  const shim6 = await writeCapture(ws, scenario(V6).map(ipPacket).map(withShim6), 'raw');
  const [want] = await replayBoth(plain, POLICY);
  const [got0, got2] = await replayBoth(shim6, POLICY);
  expect(got0.summary).toEqual(want.summary);
  expect(got0.decisions).toEqual(want.decisions);
  expect(got2.decisions).toEqual(want.decisions);
});

it('a header chain through an unassigned Next Header is counted and reported malformed, not skipped', async () => {
  const packets = scenario(V6).map(ipPacket);
  const unknown = await writeCapture(ws, packets.map((ip) => withExtension(ip, 200)), 'raw');
  const [got0, got2] = await replayBoth(unknown, POLICY);
  expect(got0.summary).toMatchObject({ packets: packets.length, sip: 0, malformed: packets.length });
  expect(got0.reports.filter((r) => r.includes('IPv6 next header 200')).length).toBe(packets.length);
  expect(got2.summary).toEqual(got0.summary);
});
