/**
 * Found by a review of IPv6 end to end, fixed since: an atomic fragment is read in isolation.
 *
 * IPv6 atomic fragments (RFC 6946) mixed up with a fragmented datagram of the same id.
 *
 * Input: a v6 call (SIP over IPv6, `c=IN IP6 2001:db8::b`, `m=audio 5000`, `a=aipref:mid apt-m`,
 * apt-m export raw). Then, from the relay 2001:db8::99 to B's RTCP port 5001:
 *   frame 4: the first fragment (offset 0, M=1, Identification 7) of an RTCP SR of SSRC 0x5151
 *            with three report blocks,
 *   frame 5: an *atomic fragment* (Fragment Header with offset 0 and M=0, Identification 7 too —
 *            what a host sends after an ICMPv6 Packet Too Big below 1280, RFC 8021) carrying a
 *            whole RTCP SR of SSRC 0x6161,
 *   frame 6: the last fragment (offset 56, M=0, Identification 7) of the first SR.
 * Was: the atomic fragment is taken into the pending set of id 7, seen as overlapping [0, 56),
 *   and both are thrown away; the last fragment then opens a new set that is flushed unreported
 *   at the end. Summary `"rtcp":0,"malformed":1`, decisions `[]`, the one report
 *   `{"type":"malformed-input","frame":5,"detail":"frame 5: fragment [0, 36) overlaps [0, 56) at
 *   byte 56 of the record"}`. Two SRs the relay sent are lost and the capture is called broken.
 * Correct: RFC 6946 §4: "A host that receives an IPv6 packet that includes a Fragment Header
 *   with the Fragment Offset equal to 0 and the M flag equal to 0 MUST process such packet in
 *   isolation from any other packets/fragments, even if such packets/fragments contain the same
 *   set {IPv6 Source Address, IPv6 Destination Address, Fragment Identification}" (also RFC 8200
 *   §4.5). So frame 5 is a whole datagram (SR 0x6161 exported at frame 5) and frames 4+6
 *   reassemble into SR 0x5151 (exported at frame 6): `rtcp: 2, malformed: 0`. SPEC §7 promises
 *   "IPv4 and IPv6 with fragment reassembly".
 * Fix: native-free/packet-decoder.ts, the IPv6 branch of the IP walk (`if (h.fragment)`): when
 *   `h.fragmentOffset === 0 && !h.moreFragments`, do not call `this.fragments.add`; take the
 *   fragmentable part of this packet as it is (walkIpv6Extensions from h.payloadOffset to
 *   payloadEnd, as after a reassembly). (A fragment set's key is not to be touched.)
 */
import { afterAll, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { rtcp, sr } from '../calls-on-any-address.js';
import { ipv6FragmentBody } from '../../../native-free/frame-builder.js';
import { A6, B6, audio, fragments6, RAW, run6, sdp6, setup6, v6WithExtensions } from './v6-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('an atomic fragment is processed in isolation from a pending set of the same id (RFC 6946 §4)', async () => {
  const relay = '2001:db8::99';
  const call = setup6({ sa: A6, sb: B6, offer: sdp6(A6, [audio(4000)]), answer: sdp6(B6, [audio(5000)]) });
  const [first, last] = fragments6(rtcp(relay, B6, 7001, 5001, [sr(0x5151, [{ ssrc: 1 }, { ssrc: 2 }, { ssrc: 3 }])]), 56, 7);
  // (the UDP datagram is 108 bytes: two fragments, 56 and 52 bytes)
  expect(fragments6(rtcp(relay, B6, 7001, 5001, [sr(0x5151, [{ ssrc: 1 }, { ssrc: 2 }, { ssrc: 3 }])]), 56, 7)).toHaveLength(2);
  expect(last).toBeDefined();
  const atomic = { frame: v6WithExtensions(rtcp(relay, B6, 7001, 5001, [sr(0x6161)]), [{ type: 44, body: ipv6FragmentBody(0, false, 7) }]) };
  const r = await run6(ws, [...call, first!, atomic, last!], RAW);
  expect(r.summary).toMatchObject({ rtcp: 2, malformed: 0 });
  expect(r.decisions.map((d) => `${d.frame} ${d.ssrc} ${d.decision}`)).toEqual(['5 24929 export', '6 20817 export']);
  expect(r.reports.filter((x) => x.type === 'malformed-input')).toEqual([]);
  expect(r.same).toBe(true);
});
