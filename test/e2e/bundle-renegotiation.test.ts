import { afterAll, describe, expect, it } from 'vitest';
import { type DecisionLine, policyOf, Workspace } from './e2e-helpers.js';
import { A, B, callSetup, rtcp, sdp, sdesMid, sr } from './calls-on-any-address.js';
import { replayBoth, reinvite } from './calls-both-workers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' }, 'apt-v': { type: 'domain', export: 'raw', retention: '1h' } } });
const vid = (extra: string[] = []) => ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=bundle-only', 'a=aipref:mid apt-v', ...extra];
const OFFER = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a'], vid()], ['a=group:BUNDLE a v']);
const ANSWER = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux'], ['m=video 0 RTP/AVP 96', 'a=mid:v', 'a=bundle-only']], ['a=group:BUNDLE a v']);
const srD = (d: readonly DecisionLine[]) => d.filter((x) => x.pt === 200).map((x) => `${x.frame} ${x.decision} ${x.reason} [${x.apt}]`);
const V1 = rtcp(B, A, 5000, 4000, [sr(4444), sdesMid(4444, 'v')]);
const V = () => rtcp(B, A, 5000, 4000, [sr(4444)]);

describe('bundle-only under renegotiation', () => {
  it('pending re-offer restating the same bundle: video keeps apt-v', async () => {
    const re = reinvite('rb-call@10.0.0.1', OFFER, ANSWER);
    const r = await replayBoth(ws, [...callSetup({ offer: OFFER, answer: ANSWER }), V1, re[0]!, V(), re[1]!, re[2]!, V()], POL);
    expect(srD(r.w0.decisions)).toEqual(['4 export raw-allowed [apt-v]', '6 export raw-allowed [apt-v]', '9 export raw-allowed [apt-v]']);
    expect(r.same).toBe(true);
  });
  it('re-offer moving v out of the group (port 0 + bundle-only, not grouped): disabled from the offer, scope-removed', async () => {
    const off2 = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a'], vid()], ['a=group:BUNDLE a']);
    const ans2 = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux'], ['m=video 0 RTP/AVP 96', 'a=mid:v']], ['a=group:BUNDLE a']);
    const re = reinvite('rb-call@10.0.0.1', off2, ans2);
    const r = await replayBoth(ws, [...callSetup({ offer: OFFER, answer: ANSWER }), V1, re[0]!, V(), re[1]!, re[2]!, V()], POL);
    expect(srD(r.w0.decisions)).toEqual(['4 export raw-allowed [apt-v]', '6 drop stream-disabled []', '9 drop stream-disabled []']);
    expect(r.w0.reports.filter((x) => x.type === 'scope-removed').map((x) => `${x.mid} ${x.apt}`)).toContain('v apt-v');
    expect(r.same).toBe(true);
  });
  it('re-INVITE answered without any BUNDLE group (video on own port 5002): v keeps apt-v on its own port', async () => {
    const off2 = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a'], ['m=video 4002 RTP/AVP 96', 'a=mid:v', 'a=rtcp-mux', 'a=aipref:mid apt-v']], ['a=group:BUNDLE a v']);
    const ans2 = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux'], ['m=video 5002 RTP/AVP 96', 'a=mid:v', 'a=rtcp-mux']]);
    const re = reinvite('rb-call@10.0.0.1', off2, ans2);
    const r = await replayBoth(ws, [...callSetup({ offer: OFFER, answer: ANSWER }), V1, ...re, rtcp(B, A, 5002, 4002, [sr(4444)]), rtcp(B, A, 5000, 4000, [sr(1111)])], POL);
    expect(srD(r.w0.decisions)).toEqual(['4 export raw-allowed [apt-v]', '8 export raw-allowed [apt-v]', '9 aggregate aggregated-only [apt-a]']);
    expect(r.same).toBe(true);
  });
  it('a=ssrc in the bundle-only section routes from NAT addresses; 0 and 2 workers agree', async () => {
    const off = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtcp-mux', 'a=aipref:mid apt-a'], vid(['a=ssrc:4444 cname:x'])], ['a=group:BUNDLE a v']);
    const r = await replayBoth(ws, [...callSetup({ offer: off, answer: ANSWER }), rtcp('203.0.113.5', '198.51.100.7', 30001, 40001, [sr(4444)])], POL);
    expect(srD(r.w0.decisions)).toEqual(['4 export raw-allowed [apt-v]']);
    expect(r.same).toBe(true);
  });
});
