import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from './e2e-helpers.js';
import { A, B, type Pkt, rtcp, sdp, sipMsg, sr } from './calls-on-any-address.js';
import { replayBoth } from './calls-both-workers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'raw', retention: '1h' } } });

function forked(callId: string, withFinalForOther: boolean): Pkt[] {
  const via = `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}`;
  const from = `From: <sip:a@${A}>;tag=ft`;
  const offer = sdp('192.168.1.10', [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=ssrc:1111 cname:x', 'a=aipref:mid apt-a']]);
  const answer = (port: number) => sdp('192.168.2.20', [[`m=audio ${port} RTP/AVP 0`, 'a=mid:a']]);
  const resp = (status: string, tt: string, body: string | null): Pkt => ({ src: B, dst: A, sport: 5060, dport: 5060, payload: sipMsg([`SIP/2.0 ${status}`, via, from, `To: <sip:b@${B}>;tag=${tt}`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:b@${B}:5060>`], body) });
  return [
    { src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(['INVITE sip:b@10.0.0.2 SIP/2.0', via, from, `To: <sip:b@${B}>`, `Call-ID: ${callId}`, 'CSeq: 1 INVITE', `Contact: <sip:a@${A}:5060>`], offer) },
    resp('183 Session Progress', 't1', answer(5000)),
    resp('183 Session Progress', 't2', answer(6000)),
    resp('200 OK', 't1', answer(5000)),
    ...(withFinalForOther ? [resp('487 Request Terminated', 't2', null)] : []),
    { src: A, dst: B, sport: 5060, dport: 5060, payload: sipMsg(['ACK sip:b@10.0.0.2 SIP/2.0', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-${callId}-ack`, from, `To: <sip:b@${B}>;tag=t1`, `Call-ID: ${callId}`, 'CSeq: 1 ACK'], null) },
    rtcp('203.0.113.5', '198.51.100.7', 30001, 40001, [sr(1111)]),
  ];
}

describe('a=ssrc route with forked early dialogs (one INVITE, two 183 with answers, 200 from one fork)', () => {
  for (const fin of [false, true]) {
    it(`the caller's declared SSRC from NAT addresses binds to the answered dialog (other fork ${fin ? 'got 487' : 'never answered again'})`, async () => {
      const r = await replayBoth(ws, forked('fork@x', fin), POL);
      const rows = r.w0.bindings.filter((b: any) => b.ssrc === 1111).map((b: any) => `${b.dialog?.toTag ?? null} ${b.via} [${b.apt}]`);
      expect({ rows, decisions: r.w0.decisions.map((d) => `${d.decision} ${d.reason}`), same: r.same }).toEqual({ rows: ['t1 a=ssrc [apt-a]'], decisions: ['export ' + r.w0.decisions[0]?.reason], same: true });
    });
  }
});
