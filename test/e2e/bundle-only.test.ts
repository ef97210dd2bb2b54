/**
 * RFC 8843 bundle-only m-sections: port 0 with a=bundle-only in an offer (§7.2) or an answer
 * (§7.3) means "reached through the BUNDLE transport", not "disabled" — only port 0 without
 * a=bundle-only disables (RFC 3264 §6, §8.2), and that is how an answerer rejects a bundled
 * m-section (§7.3.3).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { type DecisionLine, policyOf, Workspace } from './e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, sdp, sdesMid, sr } from './calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' }, 'apt-v': { type: 'domain', export: 'raw', retention: '1h' } } });

const OFFER = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a'], ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=bundle-only', 'a=aipref:mid apt-v']], ['a=group:BUNDLE a v']);
/** a video stream identified by SDES MID v on the BUNDLE address, then the same SSRC without it */
const VIDEO_ON_BUNDLE = [rtcp(B, A, 5000, 4000, [sr(4444), sdesMid(4444, 'v')]), rtcp(B, A, 5000, 4000, [sr(4444)])];
/** the sender reports' decisions: frame, decision, reason, governing identifiers */
const srDecisions = (decisions: readonly DecisionLine[]): string[] => decisions.filter((d) => d.pt === 200).map((d) => `${d.frame} ${d.decision} ${d.reason} [${d.apt}]`);

describe('RFC 8843 §7.2 initial offer: a bundle-only m-section (port 0, a=bundle-only) accepted by the answer is reached on the BUNDLE address (§7.3)', () => {
  it('the answer gives the bundled m-section the BUNDLE port: the video stream is governed by apt-v, not stopped as disabled', async () => {
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux'], ['m=video 5000 RTP/AVP 96', 'a=mid:v']], ['a=group:BUNDLE a v']);
    const r = await replay(ws, [...callSetup({ offer: OFFER, answer }), ...VIDEO_ON_BUNDLE], POL);
    expect(srDecisions(r.decisions)).toEqual(['4 export raw-allowed [apt-v]', '5 export raw-allowed [apt-v]']);
  });

  it('the answer marks it bundle-only too (port 0 with a=bundle-only, §7.3): still governed by apt-v', async () => {
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux'], ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=bundle-only']], ['a=group:BUNDLE a v']);
    const r = await replay(ws, [...callSetup({ offer: OFFER, answer }), ...VIDEO_ON_BUNDLE], POL);
    expect(srDecisions(r.decisions)).toEqual(['4 export raw-allowed [apt-v]', '5 export raw-allowed [apt-v]']);
  });

  it('the answer rejects it (port 0 without a=bundle-only, moved out of the group, §7.3.3): the stream is stopped as disabled', async () => {
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux'], ['m=video 0 RTP/AVP 96', 'a=mid:v']], ['a=group:BUNDLE a']);
    const r = await replay(ws, [...callSetup({ offer: OFFER, answer }), ...VIDEO_ON_BUNDLE], POL);
    expect(srDecisions(r.decisions)).toEqual(['4 drop stream-disabled []', '5 drop stream-disabled []']);
  });
});
