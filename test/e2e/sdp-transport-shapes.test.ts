/**
 * SDP transport shapes the binding gets right (SPEC §2 transport route), checked by a review:
 * per-m-section c= overriding the session's, a=rtcp with and without an address (RFC 3605), a rejected (port 0) m-section beside an inactive one, and two
 * calls on the same addresses one after the other (the flow cache must not keep the first).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from './e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, rtp, sdp, sr } from './calls-on-any-address.js';
import { bye } from './calls-both-workers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' },
    'apt-v': { type: 'user', export: 'raw', retention: '1h' },
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
  },
});
type R = Awaited<ReturnType<typeof replay>>;
const rows = (r: R) => r.bindings.map((b) => `${b.ssrc} ${(b.dialog as { callId: string } | null)?.callId ?? null} ${b.mid} ${b.via} [${b.apt}]`).sort();
const decided = (r: R) => r.decisions.map((d) => `${d.ssrc} ${d.decision} ${d.reason} [${d.apt}]`);

describe('c= and a=rtcp addresses per m-section', () => {
  it('media-level c= overrides the session one: two m-sections on the same port of two hosts bind apart', async () => {
    const offer = ['v=0', `o=u 1 1 IN IP4 ${A}`, 's=-', `c=IN IP4 ${A}`, 't=0 0',
      'm=audio 4000 RTP/AVP 0', 'c=IN IP4 10.0.0.51', 'a=mid:a', 'a=aipref:mid apt-a',
      'm=video 4000 RTP/AVP 96', 'c=IN IP4 10.0.0.52', 'a=mid:v', 'a=aipref:mid apt-v', ''].join('\r\n');
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a'], ['m=video 5002 RTP/AVP 96', 'a=mid:v']]);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp('10.0.0.99', '10.0.0.52', 7000, 4001, [sr(11)]), rtcp('10.0.0.99', '10.0.0.51', 7000, 4001, [sr(12)]), rtcp('10.0.0.99', A, 7000, 4001, [sr(13)])], POL);
    // the session-level address is used by no m-section: nothing arrives there for the call
    expect(rows(r)).toEqual(['11 rb-call@10.0.0.1 v transport [apt-v]', '12 rb-call@10.0.0.1 a transport [apt-a]', '13 null null null []']);
  });

  it('a=rtcp naming another host, and a=rtcp with a port only (the m-section c=): RFC 3605', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=rtcp:53020 IN IP4 10.0.0.77', 'a=mid:a', 'a=aipref:mid apt-a'], ['m=video 4002 RTP/AVP 96', 'a=rtcp:53022', 'a=mid:v', 'a=aipref:mid apt-v']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a'], ['m=video 5002 RTP/AVP 96', 'a=mid:v']]);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp('10.0.0.99', '10.0.0.77', 7000, 53020, [sr(11)]), rtcp('10.0.0.99', A, 7000, 53022, [sr(12)]), rtcp('10.0.0.99', A, 7000, 4001, [sr(13)])], POL);
    // port+1 is not where the audio RTCP goes once a=rtcp names another port
    expect(rows(r)).toEqual(['11 rb-call@10.0.0.1 a transport [apt-a]', '12 rb-call@10.0.0.1 v transport [apt-v]', '13 null null null []']);
  });
});

describe('directions and rejected m-sections', () => {
  it('a=inactive keeps RTCP bound (RFC 3264 §5.1); an m-section the answer rejects (port 0) governs nothing: its stream is dropped', async () => {
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=inactive', 'a=aipref:mid apt-a'], ['m=video 4002 RTP/AVP 96', 'a=mid:v', 'a=aipref:mid apt-v']]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=inactive'], ['m=video 0 RTP/AVP 96', 'a=mid:v']]);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp(B, A, 5001, 4001, [sr(11)]), rtcp('10.0.0.99', A, 7003, 4003, [sr(12)])], POL);
    expect(decided(r)).toEqual(['11 aggregate aggregated-only [apt-a]', '12 drop stream-disabled []']);
  });
});

describe('two calls on the same media addresses, one after the other', () => {
  it("once the first call's BYE is seen, the same flow (same SSRC, same ports) belongs to the second call", async () => {
    const o1 = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-v']]);
    const o2 = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-none']]);
    const ans = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]);
    const media = [rtp(A, B, 4000, 5000, 11), rtp(A, B, 4000, 5000, 11), rtcp(A, B, 4001, 5001, [sr(11)])];
    const r = await replay(ws, [...callSetup({ offer: o1, answer: ans, callId: 'c1' }), ...media, bye('c1'), ...callSetup({ offer: o2, answer: ans, callId: 'c2', fromTag: 'f2', toTag: 't2' }), ...media], POL);
    expect(decided(r)).toEqual(['11 export raw-allowed [apt-v]', '11 drop export-none [apt-none]']);
    expect(rows(r)).toEqual(['11 c1 a transport [apt-v]', '11 c2 a transport [apt-none]']);
  });
});
