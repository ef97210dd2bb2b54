import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e/e2e-helpers.js';
import { A, B, callSetup, rtcp, sdp, sr } from '../e2e/calls-on-any-address.js';
import { replayBoth } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('unknown keys passed through as extensions', () => {
  it('two deciding APTs state the same unknown key differently: what the export carries does not depend on the order of the a=aipref lines', async () => {
    const POL = policyOf({ apts: { 'apt-1': { type: 'domain', export: 'raw', retention: '1h' }, 'apt-2': { type: 'domain', export: 'raw', retention: '1h' } } });
    const mk = (order: string[]) => sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', ...order]]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]);
    const l1 = 'a=aipref:mid apt-1 tier=gold', l2 = 'a=aipref:mid apt-2 tier=bronze';
    const r1 = await replayBoth(ws, [...callSetup({ offer: mk([l1, l2]), answer }), rtcp(A, B, 4001, 5001, [sr(1111)])], POL);
    const r2 = await replayBoth(ws, [...callSetup({ offer: mk([l2, l1]), answer }), rtcp(A, B, 4001, 5001, [sr(1111)])], POL);
    const e = (r: any) => JSON.stringify({ apt: r.w0.exports[0]?.apt, extensions: r.w0.exports[0]?.extensions });
    expect(e(r1)).toEqual(e(r2));
  });
});
