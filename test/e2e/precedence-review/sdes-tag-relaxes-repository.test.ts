/**
 * Found by a review of APT sources and precedence (SPEC §2, §3), fixed since (see Fix).
 *
 * Input: one call (hand-built: INVITE / 200 / ACK, no AI-Pref, no a=aipref), then one RTCP
 * compound from A's audio stream (SSRC 1111, frame 4): an SR and an SDES chunk with CNAME and
 * PRIV aipref=apt-u. Policy file: the repository (`dialogs`) maps the call to apt-d
 * {type: domain, export: none, retention: 24h}; apt-u is {type: user, export: raw, retention: 1h}.
 *
 * Was: the media-plane tag is resolved together with the repository's identifier by §3
 * precedence, so the user-typed tag overrides the operator's domain statement:
 *   decisions ["4 export raw-allowed [apt-u] user-overrides-domain" (SR),
 *              "4 export raw-allowed [apt-u] user-overrides-domain" (SDES CNAME)],
 * two raw telemetry exports, no report. With the same apt-d given by signaling
 * (a=aipref:mid apt-d) instead of the repository, the same tag cannot relax it (binding-conflict,
 * both apply, most restrictive) — the repository, the operator's own word, is weaker than an SDP line.
 *
 * Correct: SPEC §2 — "Media-plane tags never relax signaling … both apply, and the most restrictive
 * result wins (§4: one canonical identifier across layers)"; the repository (§2.6, §7.2) is a
 * control-plane source like signaling, and an SDES PRIV item can be written by any endpoint or
 * middlebox. The tag may only add restrictions: export=none from apt-d stands — both items
 * dropped (export-none, decided by apt-d), no export.
 *
 * Fix: src/enforce/stream-preferences.ts StreamPreferences.underScope(): resolve SDES tags the
 * repository does not name apart (like `conflicting`) and combineGoverning() them with what
 * signaling + repository resolve to, whether or not signaling named anything; only a stream with
 * no signaling and no repository identifiers should take its tags as its statements (via sdes-priv).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { sdesPriv } from '../calls-on-any-address.js';
import { CALL } from '../hand-built-calls.js';
import { srFrom, T0 } from '../two-party-rtcp.js';
import { brief, rtcpA, run, setup } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const APTS = { 'apt-d': { type: 'domain', export: 'none', retention: '24h' }, 'apt-u': { type: 'user', export: 'raw', retention: '1h' } };

describe('an SDES PRIV aipref tag beside the repository’s identifier', () => {
  it('control: beside the same identifier signaled in SDP, the tag cannot relax it', async () => {
    const r = await run(ws, 'signaled', (at) => {
      setup(at, { aLines: ['a=aipref:mid apt-d'] });
      rtcpA(at, 1, [srFrom(1111, T0 + 1), sdesPriv(1111, 'apt-u')]);
    }, { apts: APTS });
    expect(r.exports).toEqual([]);
    expect(brief(r)).toEqual(['4 drop export-none [apt-d] strictest-wins', '4 drop export-none [apt-d] strictest-wins']);
  });

  it('never relaxes the repository’s domain statement: both items dropped, nothing exported', async () => {
    const r = await run(ws, 'repository', (at) => {
      setup(at, {});
      rtcpA(at, 1, [srFrom(1111, T0 + 1), sdesPriv(1111, 'apt-u')]);
    }, { apts: APTS, dialogs: [{ callId: CALL, apt: ['apt-d'] }] });
    expect(r.exports).toEqual([]);
    expect(brief(r)).toEqual(['4 drop export-none [apt-d] strictest-wins', '4 drop export-none [apt-d] strictest-wins']);
  });
});
