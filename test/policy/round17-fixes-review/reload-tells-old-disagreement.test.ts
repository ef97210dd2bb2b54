/**
 * Found by a review of round 17's folding of statement parts, fixed since: a reload tells running calls only disagreements the old registry did not have (by type, identifier, key and values in any order) (src/pipeline/signaling-front.ts applyPolicy/tellReloadDisagreements).
 */
/**
 * Input: one SignalingFront (live), a policy file with no entries. call-1 (running) sets up
 * with `AI-Pref: apt-x;scope=dialog;export=raw;retention=1001s`; then call-2 (running) with
 * `…retention=1002s` — call-2 is told `inconsistent-signaling (retention)`, call-1 is not (it
 * delivered before the disagreement existed; that is the pre-existing rule: a call is told when
 * its own message delivers the identifier). Then a policy reload of the very same file
 * (updatePolicy, what a SIGHUP with an unchanged file does).
 *
 * Was: the reload reports `inconsistent-signaling` to call-1. tellReloadDisagreements tells
 * every running call naming an identifier with any disagreement it was not told of — not only
 * disagreements the new file brought — so a reload that changes nothing produces a report
 * (and a reload that changes anything tells every untold call of every old disagreement).
 *
 * Correct: the function's own contract ("told so ... as it would have been had the file been
 * there from the start"; the review brief: "tells running calls of disagreements newly
 * present"): with this file from the start call-1 is told nothing, and a reload that changes
 * nothing changes nothing (SPEC §5's idempotency, seed §3). No report at the reload.
 *
 * Fix: src/pipeline/signaling-front.ts tellReloadDisagreements: tell only findings the new
 * registry has that the old one did not (compare with the old registry's disagreements(id),
 * taken before it is replaced in applyPolicy, by reportedKey), or only disagreements involving
 * a policy-file reading.
 */
import { describe, expect, it } from 'vitest';
import { SignalingFront } from '../../../src/pipeline/signaling-front.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import type { SipParseResult } from '../../../src/signaling/sip-message.js';
import { audioSdp, callMessage, udpContext } from '../../signaling/sip-fixtures.js';

describe('a policy reload of an unchanged file', () => {
  it('tells no running call of a disagreement that was there before it', async () => {
    const policy = parsePolicy(JSON.stringify({ apts: {} }), 'p.json');
    const front = new SignalingFront(policy, null);
    let frame = 0;
    const reports = () => front.takeReports().map((r) => JSON.parse(r.text) as { type: string; dialog?: { callId: string } });
    const send = async (m: SipParseResult) => {
      await front.message(m, udpContext(++frame));
      front.takeEvents();
      return reports();
    };
    const call = async (n: number) => {
      const callId = `call-${n}`;
      const out = [];
      out.push(...(await send(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId, cseq: '1 INVITE', aiPref: `apt-x;scope=dialog;export=raw;retention=${1000 + n}s`, sdp: audioSdp({ port: 4000 + 2 * n, media: ['a=mid:0'] }) }))));
      out.push(...(await send(callMessage('SIP/2.0 200 OK', { callId, cseq: '1 INVITE', toTag: `b${n}`, sdp: audioSdp({ port: 6000 + 2 * n, media: ['a=mid:0'] }) }))));
      out.push(...(await send(callMessage('ACK sip:bob@b.example SIP/2.0', { callId, cseq: '1 ACK', toTag: `b${n}` }))));
      return out.filter((r) => r.type === 'inconsistent-signaling').map((r) => r.dialog?.callId);
    };
    expect(await call(1)).toEqual([]);
    expect(await call(2)).toEqual(['call-2']);
    await front.updatePolicy(policy, 10, ++frame, 2000);
    front.takeEvents();
    expect(reports().filter((r) => r.type === 'inconsistent-signaling').map((r) => r.dialog?.callId)).toEqual([]);
  });
});
