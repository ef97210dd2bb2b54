/**
 * Found by a review of simulcast and BUNDLE, fixed since: a disabled m-section does not register an address a live m-section of the dialog receives on, so the live one alone uses it and binds by transport (src/binding/transport-map.ts TransportMap.set).
 */
/**
 * Input: A (10.0.0.1) offers a BUNDLE group `a v` the JSEP way, both m-sections on the shared
 *   port 4000 with rtcp-mux (`m=audio 4000`, `m=video 4000`), `a=aipref:session apt-s` (domain,
 *   export raw) at session level, `a=aipref:mid apt-n` (user, export none) in audio a and
 *   `a=aipref:mid apt-v` (export none) in video v. B (10.0.0.2) answers accepting audio on 5000
 *   (rtcp-mux) and rejecting video (`m=video 0`, no a=bundle-only, v left out of its group:
 *   `a=group:BUNDLE a`, RFC 8843 §7.3.3). Neither side declares a=ssrc, the RTP carries no mid
 *   extension (a SIP gateway's audio). Frames 4-5: B's audio RTP, SSRC 12, 5000 -> 4000;
 *   frame 6: B's SR (SSRC 12) 5000 -> 4000; frame 7: A's SR (SSRC 11) 4000 -> 5000 with a report
 *   block about 12. Replayed with --workers 0 and 2 (same lines).
 * Was: the rejected v keeps the offer's address 10.0.0.1:4000 in the transport map
 *   (TransportMap.set registers disabled sections' addresses: "their streams' last packets still
 *   belong to the dialog"), so 10.0.0.1:4000 names two m-sections [a, v] and B's stream, whose
 *   packets arrive there, is bound by no route: bindings `12 null dialog [apt-s]`, and it falls
 *   back to what covers every m-section in use — the session-level apt-s — so its SR is
 *   `6 export raw-allowed [apt-s]`: a raw telemetry export of audio a's stream although a's user
 *   statement says export none. (A's own stream 11, whose packets go to 10.0.0.2:5000, which
 *   only a names, is bound `transport` to a and dropped: the two directions of one m-section are
 *   judged by different statements.)
 * Correct: RFC 3264 §6/§8.2 and RFC 8843 §7.3.3: the rejected m-section carries no media and has
 *   left the BUNDLE group, so the BUNDLE address 10.0.0.1:4000 is used by audio a alone. SPEC §2's
 *   transport route (the m-line port, "when only one m-section uses it") binds 12 to a:
 *   governed by apt-s and apt-n (SPEC §3: the user statement overrides the domain one), the SR is
 *   dropped `export-none`, no telemetry of SSRC 12 is exported.
 * Fix: src/binding/transport-map.ts TransportMap.set (or bindStream/sectionOf in
 *   src/binding/stream-table.ts): an address an enabled m-section of the scope uses does not also
 *   name a disabled one (or: disabled sections do not count among a packet's transport candidates
 *   when an enabled one shares the address); a disabled section keeps only addresses no live
 *   section of the dialog uses, so its own late packets still stop.
 */
import { afterAll, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 30_000 });
import { policyOf, Workspace } from '../e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, rtp, sdp, sr } from '../calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-s': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-n': { type: 'user', export: 'none', retention: '1h' },
    'apt-v': { type: 'domain', export: 'none', retention: '1h' },
  },
});

it('a bundled m-section the answer rejects does not keep the BUNDLE address from the m-section left on it', async () => {
  const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-n'], ['m=video 4000 RTP/AVP 96', 'a=mid:v', 'a=rtcp-mux', 'a=aipref:mid apt-v']], ['a=group:BUNDLE a v', 'a=aipref:session apt-s']);
  const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux'], ['m=video 0 RTP/AVP 96', 'a=mid:v']], ['a=group:BUNDLE a']);
  const r = await replay(
    ws,
    [...callSetup({ offer, answer }), rtp(B, A, 5000, 4000, 12), rtp(B, A, 5000, 4000, 12, undefined, 2), rtcp(B, A, 5000, 4000, [sr(12)]), rtcp(A, B, 4000, 5000, [sr(11, [{ ssrc: 12 }])])],
    POL,
  );
  expect(r.bindings.map((b) => `${b.ssrc} ${b.mid} ${b.via}`).sort()).toEqual(['11 a transport', '12 a transport']);
  expect(r.decisions.map((d) => `${d.frame} ${d.ssrc} ${d.decision}`)).toEqual(['6 12 drop', '7 11 drop']);
  expect(r.exports.filter((e) => e.type === 'telemetry')).toEqual([]);
});
