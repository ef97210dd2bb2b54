/**
 * Found by a review of SDP and RTP binding, fixed since: an m-line's number of ports registers its further RTP/RTCP port pairs, 16 at most (SdpMedia.portCount, src/signaling/negotiated-scope.ts addTransports).
 *
 * Input: `m=audio 4000/2 RTP/AVP 0` offered by A (answer `m=audio 5000/2 RTP/AVP 0` from B),
 *   then an RTCP sender report B→A on 5003→4003: the second RTP/RTCP port pair of the m-line.
 * Was: sdp.ts readMediaLine reads the m-line's `/<number of ports>` and throws it away: only
 *   4000/4001 (5000/5001) are registered, and the report on 4003 belongs to no dialog
 *   (bindings: mid null, via null; decision `drop no-preference`) although the SDP names it.
 * Correct: RFC 8866 §5.14: for RTP, `<port>/<number of ports>` names that many RTP/RTCP pairs —
 *   "ports 49170 and 49171 form one RTP/RTCP pair and 49172 and 49173 form the second" — so
 *   4002/4003 are the m-section's transport addresses too (SPEC §2 transport route: the m-line
 *   port): the report is bound `via: transport` to mid a, governed by apt-a (aggregate).
 * Fix: src/signaling/sdp.ts: keep the m-line's port count on SdpMedia; negotiated-scope.ts
 *   addTransports: register port + 2k (RTP) and port + 2k + 1 (RTCP) for k < count (with
 *   rtcp-mux or a=rtcp only the first pair is changed).
 */
import { afterAll, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 30_000 });
import { policyOf, Workspace } from '../e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, sdp, sr } from '../calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' } } });

it('the second RTP/RTCP pair of `m=audio 4000/2` belongs to the m-section', async () => {
  const offer = sdp(A, [['m=audio 4000/2 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-a']]);
  const answer = sdp(B, [['m=audio 5000/2 RTP/AVP 0', 'a=mid:a']]);
  const r = await replay(ws, [...callSetup({ offer, answer }), rtcp(B, A, 5001, 4001, [sr(78)]), rtcp(B, A, 5003, 4003, [sr(77)])], POL);
  const rows = r.bindings.map((b) => `${b.ssrc} ${b.mid} ${b.via} [${b.apt}]`).sort();
  expect(rows).toEqual(['77 a transport [apt-a]', '78 a transport [apt-a]']);
  expect(r.decisions.map((d) => `${d.ssrc} ${d.decision} ${d.reason}`)).toEqual(['78 aggregate aggregated-only', '77 aggregate aggregated-only']);
});
