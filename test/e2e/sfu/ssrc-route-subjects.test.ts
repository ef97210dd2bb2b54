/**
 * Found by a review of SFU shapes, fixed since: RTCP routed by its sender's a=ssrc binds none
 * of the compound's other SSRCs by transport (MediaCore.rtcp: candidates only from a transport).
 *
 * Input: A (SDP 10.0.0.1:4000) calls an SFU B (SDP 10.0.0.2:5000), BUNDLE a r with rtcp-mux and
 * the mid extension (id 4). Audio a: `a=ssrc:1111` (A) and `a=ssrc:9001` (B), `a=aipref:mid apt-a`
 * (raw). Video r (A recvonly, B sendonly): `a=aipref:mid apt-r` (export none), no a=ssrc: the SFU
 * forwards a remote participant's stream 7101 known only by its RTP mid extension `r`. Both
 * sides are behind NAT: the media flows 198.51.100.7:6000 ↔ 203.0.113.5:50000, addresses no
 * SDP names, so packets route by an SSRC the call declares with a=ssrc (README: "from addresses
 * no SDP names … by an SSRC exactly one live dialog declares"). Frames 4–5: RTP of 7101 (mid r);
 * frame 6: A's RR (sender 1111) with one report block about 7101; frame 7: A's RR about 9001.
 *
 * Was: the RR of frame 6 is routed by its sender 1111 to the m-section that declares 1111
 * (audio a); that entry's sections ([a]) are then used as the packet's *transport candidates*
 * for every SSRC in the compound, so the subject 7101 is bound "by transport" to audio a:
 * bindings row `7101 a audio transport [apt-a]` in the dialog, and the report block about the
 * forwarded video stream is exported raw: decision `6 export raw-allowed [apt-a]`, one
 * telemetry export carrying 7101's loss and jitter.
 *
 * Correct: no transport address binds 7101 (the datagram's addresses are in no SDP; only 1111's
 * a=ssrc routed it), and SPEC §2's routes give 7101 no m-section in this dialog: it is tied to
 * the dialog only (`via: dialog`, mid null), which has no dialog-level identifier, so the item
 * — governed by its subject too (SPEC §4) — is dropped `no-preference` (absence is not
 * consent, SPEC §3). Whatever it falls back to, it must not be apt-a's raw export: 7101 is r's
 * (apt-r, none). The RR about 9001 (frame 7) stays `export raw-allowed [apt-a]`.
 *
 * Fix: src/pipeline/media-core.ts, MediaCore.lookup/readRtcp: an entry found by
 * TransportMap.lookupSsrc names the sections that declare the *sender's* SSRC, not a transport;
 * readRtcp must not pass its sections as `candidates` to streamFor for the other SSRCs (report
 * subjects, SDES chunks, feedback media SSRCs): use NO_CANDIDATES when the route was by SSRC
 * (e.g. lookup returns whether it matched by address, or SsrcEntry is marked).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, sdp } from '../calls-on-any-address.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { MID_EXT, rrP } from './sfu-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-a': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-r': { type: 'domain', export: 'none', retention: '1h' },
  },
});
const NA = '203.0.113.5';
const NB = '198.51.100.7';

describe('an RTCP compound routed by its sender SSRC binds no other SSRC by transport', () => {
  it('a report block about a forwarded stream known by mid only is not governed by the reporter’s m-section', async () => {
    const offer = sdp(
      A,
      [
        ['m=audio 4000 RTP/AVPF 111', 'a=mid:a', 'a=rtcp-mux', `a=extmap:4 ${MID_EXT}`, 'a=ssrc:1111 cname:alice', 'a=aipref:mid apt-a'],
        ['m=video 4000 RTP/AVPF 96', 'a=mid:r', 'a=rtcp-mux', `a=extmap:4 ${MID_EXT}`, 'a=recvonly', 'a=aipref:mid apt-r'],
      ],
      ['a=group:BUNDLE a r'],
    );
    const answer = sdp(
      B,
      [
        ['m=audio 5000 RTP/AVPF 111', 'a=mid:a', 'a=rtcp-mux', `a=extmap:4 ${MID_EXT}`, 'a=ssrc:9001 cname:sfu'],
        ['m=video 5000 RTP/AVPF 96', 'a=mid:r', 'a=rtcp-mux', `a=extmap:4 ${MID_EXT}`, 'a=sendonly'],
      ],
      ['a=group:BUNDLE a r'],
    );
    const forwarded = (seq: number) => ({ src: NB, dst: NA, sport: 6000, dport: 50000, payload: encodeRtpPacket({ pt: 96, seq, ts: 1, ssrc: 7101, payload: new Uint8Array(20), extensions: [{ id: 4, value: new TextEncoder().encode('r') }] }) });
    const pkts = [...callSetup({ offer, answer }), forwarded(1), forwarded(2), rtcp(NA, NB, 50000, 6000, [rrP(1111, [7101])]), rtcp(NA, NB, 50000, 6000, [rrP(1111, [9001])])];
    const r = await replay(ws, pkts, POL);
    expect(r.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason} [${d.apt}]`)).toEqual(['6 drop no-preference []', '7 export raw-allowed [apt-a]']);
    const inDialog = r.bindings.find((b) => b.ssrc === 7101 && b.dialog !== null)!;
    expect({ mid: inDialog.mid, kind: inDialog.kind, via: inDialog.via }).toEqual({ mid: null, kind: null, via: 'dialog' });
    expect(r.exports.filter((e) => e.type === 'telemetry').map((e) => e.stream.ssrc)).toEqual([1111]);
  });
});
