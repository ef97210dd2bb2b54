import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from './e2e-helpers.js';
import { A, B, callSetup, rtcp, sdp, sdesMid, sr } from './calls-on-any-address.js';
import { replayBoth } from './calls-both-workers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-dom': { type: 'domain', export: 'aggregated-only', retention: '1h' },
    'apt-user': { type: 'user', export: 'raw', retention: '1h' },
  },
});
const bundle = (addr: string, port: number) =>
  sdp(addr, [[`m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtcp-mux'], [`m=video ${port} RTP/AVP 96`, 'a=mid:v', 'a=rtcp-mux']], ['a=group:BUNDLE a v', 'a=aipref:session apt-dom']);

describe('a stream on the BUNDLE address whose m-section is not yet known, under a session-scope a=aipref and a dialog-level AI-Pref', () => {
  it('is judged as it is once its mid is known: the session-scope identifier governs every m-section, the dialog-level value is a fallback only', async () => {
    const r = await replayBoth(
      ws,
      [...callSetup({ offer: bundle(A, 4000), answer: bundle(B, 5000), inviteHeaders: ['AI-Pref: apt-user;scope=dialog'] }), rtcp(B, A, 5000, 4000, [sr(4444)]), rtcp(B, A, 5000, 4000, [sr(4444), sdesMid(4444, 'v')]), rtcp(B, A, 5000, 4000, [sr(4444)])],
      POL,
    );
    const d = r.w0.decisions.filter((x) => x.pt === 200).map((x) => `${x.frame} ${x.decision} [${x.apt}]`);
    expect(d).toEqual(['4 aggregate [apt-dom]', '5 aggregate [apt-dom]', '6 aggregate [apt-dom]']);
  });
});
