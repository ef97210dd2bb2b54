import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from './e2e-helpers.js';
import { A, B, type Pkt, rtcp, sdp, sipMsg, sr } from './calls-on-any-address.js';
import { replayBoth } from './calls-both-workers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'raw', retention: '1h' } } });

function call(callId: string): Pkt[] {
  const via = `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}`;
  const from = `From: <sip:a@${A}>;tag=ft`;
  const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a']]);
  const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]);
  const m = (head: string[], body: string | null): Pkt => ({ src: head[0]!.startsWith('SIP/2.0') ? B : A, dst: head[0]!.startsWith('SIP/2.0') ? A : B, sport: 5060, dport: 5060, payload: sipMsg(head, body) });
  return [
    m(['INVITE sip:b@10.0.0.2 SIP/2.0', via, from, `To: <sip:b@${B}>`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:a@${A}:5060>`, 'AI-Pref: apt-a;scope=dialog'], offer),
    m(['SIP/2.0 180 Ringing', via, from, `To: <sip:b@${B}>;tag=tt`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:b@${B}:5060>`], null),
    // B's RTCP to A's offered RTCP port while the early dialog (no answer yet) stands
    rtcp(B, A, 5001, 4001, [sr(2222)]),
    m(['SIP/2.0 200 OK', via, from, `To: <sip:b@${B}>;tag=tt`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:b@${B}:5060>`], answer),
    rtcp(B, A, 5001, 4001, [sr(2222)]),
  ];
}

describe('an INVITE key rekeyed to its early dialog (180 without SDP): the main thread still finds the dialog shard', () => {
  it('0 and 2 workers give the same reports (tried over several Call-IDs)', async () => {
    const diffs: string[] = [];
    for (const id of ['k1@x', 'k2@x', 'k3@x', 'k4@x', 'k5@x', 'k6@x']) {
      const r = await replayBoth(ws, call(id), POL);
      if (!r.same) diffs.push(`${id}: w0 ${JSON.stringify(r.w0.reports.map((x) => x.type + ':' + x.frame))} w2 ${JSON.stringify(r.w2.reports.map((x) => x.type + ':' + x.frame))}`);
    }
    expect(diffs).toEqual([]);
  });
});
