/**
 * Found by a review of APT sources and precedence (SPEC §2, §3), fixed since (see Fix).
 *
 * Input: one call (hand-built: INVITE / 200 / ACK, then one SR from A's audio stream, SSRC 1111,
 * frame 4). A's SDP has one m-section (a=mid:a) carrying `a=aipref:mid apt-u` (user, raw, 1h in
 * the policy file) and, at session level,
 *   a=aipref:mid apt-r mid=audio      (a mid no m-section has: the m-section's mid is "a")
 *   a=aipref:group apt-g              (the SDP has no a=group line)
 * apt-r and apt-g are regulatory export=none in the policy file.
 *
 * Was: both lines are dropped without a word: scopesOfSdp() lists them in `unapplied`, and nothing
 * reads that list. Decisions ["4 export raw-allowed [apt-u] single-statement"], one raw export,
 * reports [] — two regulatory statements the caller signaled vanish silently.
 *
 * Correct: the enforcer must not silently skip input (a scope that names no m-section is a
 * signaling error the operator needs to see): SPEC §6 — malformed-input "with where", or
 * inconsistent-signaling — naming each identifier (apt-r, apt-g). (Arguably, as the README does
 * for a=aipref lines of an unknown scope, the identifier should also be kept where the line
 * stands — the session — so that a regulatory floor is not escaped by a typo in mid=; this test
 * asserts the report only.)
 *
 * Fix: src/pipeline/signaling-front.ts (deliverBodyParts, or where the negotiated scope is
 * pushed) — report scopesOfSdp(sdp).unapplied (src/signaling/sdp-scopes.ts) as malformed-input
 * ("frame N: sdp a=aipref at line L names no m-section (mid=audio)") with apt [id]; optionally
 * place such an identifier at the level its line stands (session), as unknown-scope lines are.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { request, response, sdpOf } from '../hand-built-calls.js';
import { brief, rtcpA, run } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const withSessionLines = (lines: string[]) => sdpOf('a', ['a=aipref:mid apt-u']).replace('t=0 0\r\n', `t=0 0\r\n${lines.map((l) => `${l}\r\n`).join('')}`);
const POLICY = { apts: { 'apt-u': { type: 'user', export: 'raw', retention: '1h' }, 'apt-r': { type: 'regulatory', export: 'none' }, 'apt-g': { type: 'regulatory', export: 'none' } } };

describe('session-level a=aipref lines whose scope names no m-section', () => {
  it('are reported, each naming its identifier — not dropped silently', async () => {
    const r = await run(
      ws,
      'unapplied',
      (at) => {
        at(0, request('INVITE', 1, withSessionLines(['a=aipref:mid apt-r mid=audio', 'a=aipref:group apt-g']), [], ''), true);
        at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
        at(0.2, request('ACK', 1, null), true);
        rtcpA(at, 1);
      },
      POLICY,
    );
    // what decided (not asserted as the defect): today the user APT alone
    expect(brief(r)).toHaveLength(1);
    const named = new Set(
      r.reports
        .filter((x) => ['malformed-input', 'inconsistent-signaling', 'unresolved-apt'].includes(x.type))
        .flatMap((x) => [...(x.apt ?? []), ...['apt-r', 'apt-g'].filter((id) => (x.detail ?? '').includes(id))]),
    );
    expect([...named].filter((id) => id === 'apt-r' || id === 'apt-g').sort()).toEqual(['apt-g', 'apt-r']);
  });
});
