/**
 * Found by a review of SDP binding, fixed since: ICE candidate addresses were not transport
 * addresses of the m-section. A call with ICE (RFC 8839): offer `c=IN IP4 10.0.0.1` `m=audio
 * 4000` (the default, host candidate) plus srflx candidates 203.0.113.5:30000 (component 1) and
 * :30001 (component 2, RTCP), `a=aipref:mid apt-a`; answer likewise 10.0.0.2:5000 with srflx
 * 198.51.100.7:40000/40001; no a=ssrc. ICE selects the srflx pair, and B's SR goes
 * 198.51.100.7:40001 → 203.0.113.5:30001. Was: the stream unbound (`via: null`), its SR dropped
 * as no-preference, an `unbound-stream` report. Each a=candidate gives a transport address of
 * its m-section (RFC 8839 §5.1), and RFC 8445 no longer sends the updated offer that moved
 * c=/m= to the selected pair: the SR is bound by transport to mid a, under apt-a.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from './e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, sdp, sr } from './calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({ apts: { 'apt-a': { type: 'domain', export: 'aggregated-only', retention: '1h' } } });

describe('ICE (RFC 8839): media on the selected candidate pair, not on c=/m=', () => {
  it("an SR between the two sides' srflx candidates binds to the call's m-section by transport", async () => {
    const ice = (ufrag: string, host: string, hostPort: number, pub: string, pubPort: number) => [
      `a=ice-ufrag:${ufrag}`,
      'a=ice-pwd:asd88fgpdd777uzjYhagZg2x',
      `a=candidate:1 1 UDP 2130706431 ${host} ${hostPort} typ host`,
      `a=candidate:1 2 UDP 2130706430 ${host} ${hostPort + 1} typ host`,
      `a=candidate:2 1 UDP 1694498815 ${pub} ${pubPort} typ srflx raddr ${host} rport ${hostPort}`,
      `a=candidate:2 2 UDP 1694498814 ${pub} ${pubPort + 1} typ srflx raddr ${host} rport ${hostPort + 1}`,
    ];
    const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-a', ...ice('8hhY', A, 4000, '203.0.113.5', 30000)]]);
    const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a', ...ice('9uB6', B, 5000, '198.51.100.7', 40000)]]);
    const r = await replay(ws, [...callSetup({ offer, answer }), rtcp('198.51.100.7', '203.0.113.5', 40001, 30001, [sr(11)])], POL);
    const row = r.bindings.find((b) => b.ssrc === 11)!;
    expect({ mid: row.mid, via: row.via, apt: row.apt }).toEqual({ mid: 'a', via: 'transport', apt: ['apt-a'] });
    expect(r.decisions.map((d) => `${d.decision} ${d.reason}`)).toEqual(['aggregate aggregated-only']);
  });
});
