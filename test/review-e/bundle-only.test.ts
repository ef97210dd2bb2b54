import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e/e2e-helpers.js';
import { A, B, callSetup, rtcp, sdp, sdesMid, sr } from '../e2e/calls-on-any-address.js';
import { replayBoth } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' }, 'apt-v': { type: 'domain', export: 'raw', retention: '1h' } } });

describe('RFC 8843 §7.2 initial offer: a bundle-only m-section has port 0 and a=bundle-only; the answer accepts it on the BUNDLE address (§7.3)', () => {
  it('a video stream identified by SDES MID v on the BUNDLE address is governed by apt-v, not stopped as disabled', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a'], ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=bundle-only', 'a=aipref:mid apt-v']], ['a=group:BUNDLE a v']);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux'], ['m=video 5000 RTP/AVP 96', 'a=mid:v']], ['a=group:BUNDLE a v']);
    const r = await replayBoth(ws, [...callSetup({ offer, answer }), rtcp(B, A, 5000, 4000, [sr(4444), sdesMid(4444, 'v')]), rtcp(B, A, 5000, 4000, [sr(4444)])], POL);
    expect(r.w0.decisions.filter((d) => d.pt === 200).map((d) => `${d.frame} ${d.decision} [${d.apt}]`)).toEqual(['4 export [apt-v]', '5 export [apt-v]']);
  });
});
