import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e/e2e-helpers.js';
import { A, B, callSetup, rtcp, sdp, sr } from '../e2e/calls-on-any-address.js';
import { replayBoth } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
// retention 5 s, window 10 s (default)
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '5s' } } });

describe('an aggregate closed by its retention (retention shorter than the window)', () => {
  it('is not expired the moment it is made (expiresAt > ts), so live exporters can deliver it', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-a']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]);
    const pkts = [...callSetup({ offer, answer })];
    for (let i = 0; i < 12; i++) pkts.push(rtcp(A, B, 4001, 5001, [sr(1111)]));
    const r = await replayBoth(ws, pkts, POL, 1);
    const aggs = r.w0.exports.filter((e) => e.type === 'aggregate').map((e: any) => ({ ts: e.ts, expiresAt: e.expiresAt, window: e.window }));
    expect(aggs.length).toBeGreaterThan(0);
    for (const a of aggs) expect(a.expiresAt, JSON.stringify(a)).toBeGreaterThan(a.ts);
  });
});
