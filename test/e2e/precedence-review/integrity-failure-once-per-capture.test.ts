/**
 * Found by a review of APT sources and precedence (SPEC §2, §3), fixed since (see Fix).
 *
 * Input: two calls one after the other (hand-built). Call 1 (Call-ID review-lifecycle@10.0.0.1)
 * and call 2 (Call-ID second@10.0.0.1, audio on 6000/7000, SSRC 6000) each carry in their INVITE
 *   AI-Pref: apt-s;scope=session;type=user;export=raw;retention=1h;integrity=jws;token=aaa.bbb.ccc
 * (a token that is no JWS); one SR of each call's caller follows its set-up (frames 4 and 8).
 * Empty policy file.
 *
 * Was: both calls' SRs are dropped with rule integrity-failure, but only call 1 is told why:
 *   reports: [integrity-failure, frame 1, dialog review-lifecycle@10.0.0.1, apt [apt-s]] — and for
 *   call 2 nothing at all (no integrity-failure, no unresolved-apt, for its dialog or its stream).
 * AptRegistry.fail() hands the finding out once per identifier for the whole capture, and
 * reportUnresolved()/media-core's per-stream report only look at status 'unresolved'.
 *
 * Correct: SPEC §3 — an APT that fails integrity "counts as the most restrictive statement for its
 * scope and is reported (`integrity-failure`)"; SPEC §6 reports carry the dialog, and logs/reports
 * name APT identifiers and Call-IDs (§8 Logging): call 2's operator sees its telemetry dropped by
 * an integrity failure with no report naming its dialog. As unresolved-apt is ("once per call",
 * README), integrity-failure must be reported for each call that presents the failing APT: one
 * report for call 1 and one for call 2, each naming apt-s and its own dialog.
 *
 * Fix: src/pipeline/signaling-front.ts — reportUnresolved() (per dialog key) should report
 * status 'integrity-failure' too (type integrity-failure, reason from the statement), or
 * integrityFailure() should report per dialog even when the registry already holds the failure
 * (AptRegistry.fail returns [] then); media-core's per-stream report could likewise include it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { Workspace } from '../e2e-helpers.js';
import { CALL, message, onPort, sdpOf } from '../hand-built-calls.js';
import { srFrom, T0 } from '../two-party-rtcp.js';
import { brief, rtcpA, run, setup } from './helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const H = 'AI-Pref: apt-s;scope=session;type=user;export=raw;retention=1h;integrity=jws;token=aaa.bbb.ccc';
const SECOND = 'second@10.0.0.1';

describe('one failing signed APT presented by two calls', () => {
  it('is reported integrity-failure for each call', async () => {
    const r = await run(ws, 'two-calls', (at) => {
      setup(at, { aHeaders: [H] });
      rtcpA(at, 1);
      at(2, message(SECOND, 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, onPort(sdpOf('a', []), 6000), [H], ''), true);
      at(2.1, message(SECOND, 'SIP/2.0 200 OK', 'INVITE', 1, onPort(sdpOf('b', []), 7000)), false);
      at(2.2, message(SECOND, 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, null), true);
      at(3, encodeRtcpCompound([srFrom(6000, T0 + 3)]), true, 6001, 7001);
    });
    // both calls' telemetry is judged by the failure (this part is right)
    expect(brief(r)).toEqual(['4 drop export-none [apt-s] integrity-failure', '8 drop export-none [apt-s] integrity-failure']);
    // (each stream it governs reports it too, with its SSRC: those left out here)
    const failures = r.reports.filter((x) => x.type === 'integrity-failure' && x.ssrc === undefined).map((x) => `${x.dialog?.callId} ${JSON.stringify(x.apt)}`);
    expect(failures).toEqual([`${CALL} ["apt-s"]`, `${SECOND} ["apt-s"]`]);
  });
});
