/**
 * Found by a review of statement bodies, fixed since: the integrity and token names are found without regard to case, and any value but none/false/'' claims a signature (src/pipeline/signaling-front.ts deliverBodyParts claim).
 * Review (SPEC §2.2 and §3, README "A signature is checked wherever
 * the statement comes").
 *
 * Input: one call (INVITE / 200 / ACK, then one SR from A's audio stream, SSRC 1111, frame 4),
 * empty policy file (no trusted keys). The INVITE says `AI-Pref: apt-s;scope=session;uri=<cid:s1@x>`
 * and its body part <s1@x> (`application/aipref+json`) is a statement that claims a signature
 * with a token that is no JWS:
 *   (a) `{"type":"user","export":"raw","Integrity":"jws","token":"aaa.bbb.ccc"}` (the key capitalised),
 *   (b) `{"type":"user","export":"raw","integrity":true,"token":"aaa.bbb.ccc"}` (not a string).
 *
 * Was: the claim is not seen (signaling-front `claim()` reads only `params.integrity`, exactly
 * lowercase and a non-empty string), so the statement is delivered unsigned: decisions
 * ["4 export raw-allowed [apt-s] single-statement"], no report. Yet the statement reader matches
 * names case-insensitively (statement.ts: "names are matched case-insensitively"; `Integrity` lands
 * in the statement's binding as integrity), and the same claim in lowercase is an integrity-failure
 * (test/e2e/precedence-review/sdp-integrity-unchecked.test.ts).
 *
 * Correct: SPEC §3 — an APT that fails integrity counts as the most restrictive statement and is
 * reported `integrity-failure`; README: "an a=aipref line or a body statement carrying integrity=
 * (and token=) is verified as a header value is, never read as unsigned"; README: values are read
 * "without regard to case". So both parts are verified, fail, and the SR is dropped
 * (`4 drop export-none [apt-s] integrity-failure`), `integrity-failure` reported for apt-s.
 *
 * Fix: src/pipeline/signaling-front.ts deliverBodyParts() `claim()`: find the `integrity` and
 * `token` params case-insensitively, and treat any present non-empty integrity value (not only a
 * string) as a claim to verify (a non-string method fails as unsupported-method).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { brief, callWith, rawInvite, sdpPart } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const invite = (statement: Record<string, unknown>): Uint8Array =>
  rawInvite(
    ['AI-Pref: apt-s;scope=session;uri=<cid:s1@x>'],
    'multipart/mixed;boundary=bnd',
    `${sdpPart()}--bnd\r\nContent-Type: application/aipref+json\r\nContent-ID: <s1@x>\r\n\r\n${JSON.stringify(statement)}\r\n--bnd--\r\n`,
  );

describe('a body statement claiming a signature whose token does not verify', () => {
  it('control: "integrity": "jws" (lowercase) fails integrity and is the most restrictive statement', async () => {
    const r = await callWith(ws, 'lower', invite({ type: 'user', export: 'raw', integrity: 'jws', token: 'aaa.bbb.ccc' }));
    expect(brief(r)).toEqual(['4 drop export-none [apt-s] integrity-failure']);
  });

  it('(a) "Integrity": "jws" is the same claim: verified, fails, drop', async () => {
    const r = await callWith(ws, 'upper', invite({ type: 'user', export: 'raw', Integrity: 'jws', token: 'aaa.bbb.ccc' }));
    expect(r.exports).toEqual([]);
    expect(brief(r)).toEqual(['4 drop export-none [apt-s] integrity-failure']);
    expect(r.reports.some((x) => x.type === 'integrity-failure' && x.apt?.[0] === 'apt-s')).toBe(true);
  });

  it('(b) "integrity": true claims a signature too: never read as unsigned', async () => {
    const r = await callWith(ws, 'bool', invite({ type: 'user', export: 'raw', integrity: true, token: 'aaa.bbb.ccc' }));
    expect(r.exports).toEqual([]);
    expect(brief(r)).toEqual(['4 drop export-none [apt-s] integrity-failure']);
  });
});
