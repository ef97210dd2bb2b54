/**
 * Found by a review of APT sources and precedence (SPEC §2, §3), fixed since (see Fix).
 *
 * Input: one call (hand-built: INVITE / 200 / ACK, then one SR from A's audio stream, SSRC 1111,
 * frame 4), replayed offline with an empty policy file. The INVITE says
 *   AI-Pref: apt-h;scope=session;type=user;export=raw;retention=1h;uri=<https://prefs.example/apt-h>
 * — the APT's statement is at a uri= handle that a replay never fetches and the policy file does
 * not know.
 *
 * Was: the handle is ignored and the inline parameters are taken as the whole statement:
 * decisions ["4 export raw-allowed [apt-h] single-statement"], one raw export, no report.
 *
 * Correct: SPEC §3 — "An APT that cannot be resolved (unknown `uri`, repository miss) … counts as
 * the most restrictive statement for its scope and is reported (`unresolved-apt`)"; SPEC §9 —
 * offline, `apts` is what resolves "a uri= handle seen offline", and here it misses. The live
 * enforcer treats a handle it cannot fetch so "whatever its other parts — the header's
 * parameters, an a=aipref line — say" (README, live); offline, where no handle is ever fetched,
 * a handle the policy file does not resolve is unknown in just that way. Expected: the SR is
 * dropped (export-none, rule unresolved-apt, apt [apt-h]) and unresolved-apt names apt-h.
 * (A judgment call against the README's "`--no-resolve-uri` leaves handles to the policy file,
 * as replay always does": leaving it to the policy file should mean a miss there is a miss.)
 *
 * Fix: src/pipeline/signaling-front.ts deliverParts(): with no resolver (replay, --no-resolve-uri),
 * an AI-Pref value with an http(s) uri= whose identifier the policy file's `apts` does not state
 * is marked unreadable (this.unreadable(v.id, `uri=<…> not resolved offline`, offer)), as a
 * failed fetch is live.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { brief, rtcpA, run, setup } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const VALUE = 'AI-Pref: apt-h;scope=session;type=user;export=raw;retention=1h;uri=<https://prefs.example/apt-h>';

describe('a uri= handle replay cannot resolve, with inline parameters', () => {
  it('control: the policy file resolving the handle decides with the inline parameters', async () => {
    const r = await run(ws, 'known', (at) => {
      setup(at, { aHeaders: [VALUE] });
      rtcpA(at, 1);
    }, { apts: { 'apt-h': { type: 'user', export: 'aggregated-only', retention: '1h' } } });
    expect(brief(r)).toEqual(['4 aggregate aggregated-only [apt-h] single-statement']);
  });

  it('unknown to the policy file: unresolved, the SR dropped, unresolved-apt reported', async () => {
    const r = await run(ws, 'unknown', (at) => {
      setup(at, { aHeaders: [VALUE] });
      rtcpA(at, 1);
    });
    expect(r.exports).toEqual([]);
    expect(brief(r)).toEqual(['4 drop export-none [apt-h] unresolved-apt']);
    expect(r.reports.some((x) => x.type === 'unresolved-apt' && JSON.stringify(x.apt) === '["apt-h"]')).toBe(true);
  });
});
