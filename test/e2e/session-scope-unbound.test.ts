/**
 * An identifier whose scope covers every m-section (SDP `a=aipref:session`, SPEC §2.3
 * "session (all m-sections)"; an AI-Pref value with scope=session/media) governs every stream of the
 * session, including a stream the enforcer cannot tie to one particular m-section (BUNDLE, no mid).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from './e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, sdp, sr } from './calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-agg': { type: 'regulatory', export: 'aggregated-only', retention: '1h' },
  },
});
const bundle = (addr: string, port: number, session: string[]) =>
  sdp(addr, [[`m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtcp-mux'], [`m=video ${port} RTP/AVP 96`, 'a=mid:v', 'a=rtcp-mux']], ['a=group:BUNDLE a v', ...session]);

describe('a stream on a BUNDLE transport with no a=ssrc and no mid (dialog-level binding)', () => {
  it('is still governed by the session-scope a=aipref that covers all m-sections: a regulatory aggregated-only floor is not escaped through the dialog-level raw value', async () => {
    const r = await replay(
      ws,
      [
        ...callSetup({ offer: bundle(A, 4000, ['a=aipref:session apt-agg']), answer: bundle(B, 5000, []), inviteHeaders: ['AI-Pref: apt-raw;scope=dialog'] }),
        rtcp(A, B, 4000, 5000, [sr(1111)]),
      ],
      POL,
    );
    const d = r.decisions.map((x) => `${x.decision} ${x.reason}`);
    expect(d).toEqual(['aggregate aggregated-only']);
    expect(r.bindings.find((b) => b.ssrc === 1111)!.apt).toContain('apt-agg');
  });

  it('is still governed by an AI-Pref value with scope=session (every m-section): not exported raw under the dialog-level value alone', async () => {
    const r = await replay(
      ws,
      [
        ...callSetup({ offer: bundle(A, 4000, []), answer: bundle(B, 5000, []), inviteHeaders: ['AI-Pref: apt-raw;scope=dialog, apt-agg;scope=session'] }),
        rtcp(A, B, 4000, 5000, [sr(1111)]),
      ],
      POL,
    );
    expect(r.decisions.map((x) => `${x.decision} ${x.reason}`)).toEqual(['aggregate aggregated-only']);
    expect(r.bindings.find((b) => b.ssrc === 1111)!.apt).toContain('apt-agg');
  });
});
