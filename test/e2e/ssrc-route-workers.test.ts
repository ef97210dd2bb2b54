import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from './e2e-helpers.js';
import { callSetup, rtp, sdp } from './calls-on-any-address.js';
import { bye, replayBoth } from './calls-both-workers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' }, 'apt-b': { type: 'domain', export: 'raw', retention: '1h' } } });
const offerOf = (port: number, apt: string) => sdp('192.168.1.10', [[`m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=ssrc:1111 cname:x', `a=aipref:mid ${apt}`]]);
const answerOf = (port: number) => sdp('192.168.2.20', [[`m=audio ${port} RTP/AVP 0`, 'a=mid:a']]);
// in sequence: a source no signaling routes counts from its second packet in sequence (RFC 3550 A.1)
let natSeq = 0;
const nat = () => rtp('203.0.113.5', '198.51.100.7', 30000, 40000, 1111, undefined, ++natSeq);

describe('--workers 0 and 2 give the same lines when the a=ssrc route changes under a cached flow', () => {
  it('routed to D1, then D2 declares the same SSRC (tried over several D1 Call-IDs)', async () => {
    const diffs: string[] = [];
    for (const id1 of ['a1@x', 'a2@x', 'a3@x', 'a4@x', 'a5@x', 'a6@x']) {
      const d1 = { callId: id1, fromTag: 'f1', toTag: 't1' };
      const d2 = { callId: 'zz@x', fromTag: 'f2', toTag: 't2' };
      const r = await replayBoth(ws, [...callSetup({ ...d1, offer: offerOf(4000, 'apt-a'), answer: answerOf(5000) }), nat(), ...callSetup({ ...d2, offer: offerOf(6000, 'apt-b'), answer: answerOf(7000) }), nat()], POL);
      if (!r.same) diffs.push(`${id1}: w0 reports ${JSON.stringify(r.w0.reports.map((x) => x.type + ':' + x.frame))} w2 ${JSON.stringify(r.w2.reports.map((x) => x.type + ':' + x.frame))}`);
    }
    expect(diffs).toEqual([]);
  });
  it('SSRC ambiguous (unbound), D1 ends, the flow goes on (tried over several Call-IDs)', async () => {
    const diffs: string[] = [];
    for (const id1 of ['a1@x', 'a2@x', 'a3@x', 'a4@x', 'a5@x', 'a6@x']) {
      const d1 = { callId: 'zz@x', fromTag: 'f1', toTag: 't1' };
      const d2 = { callId: id1, fromTag: 'f2', toTag: 't2' };
      const r = await replayBoth(ws, [...callSetup({ ...d1, offer: offerOf(4000, 'apt-a'), answer: answerOf(5000) }), ...callSetup({ ...d2, offer: offerOf(6000, 'apt-b'), answer: answerOf(7000) }), nat(), bye('zz@x', 'f1', 't1'), nat()], POL);
      if (!r.same) diffs.push(`${id1}: w0 reports ${JSON.stringify(r.w0.reports.map((x) => x.type + ':' + x.frame))} w2 ${JSON.stringify(r.w2.reports.map((x) => x.type + ':' + x.frame))}`);
    }
    expect(diffs).toEqual([]);
  });
});
