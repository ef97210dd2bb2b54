/**
 * Found by a review of round 17's folding of statement parts, fixed since: a fold keeps the partKeys of the latest 64 parts folded into it (registry partKeys), so a running call restating a folded-away part is a repeat, not signaled again nor retold (src/policy/apt-registry.ts foldInto/keysOf/holdsPart, src/pipeline/signaling-front.ts deliver).
 */
/**
 * Input: one SignalingFront (live signaling thread; no policy entries). call-1 and call-2 set
 * up with `AI-Pref: apt-x;scope=dialog;export=raw;retention=<1000+n>s` (INVITE/200/ACK; call-1
 * ends, call-2 keeps running); call-2's INVITE is told `inconsistent-signaling (retention)` once.
 * Then 12 more short calls with their own retention (3..14). Then call-2 sends session-refresh
 * re-INVITEs (CSeq 3, then 5; RFC 4028) restating exactly its AI-Pref value, each answered 200.
 *
 * Was: call-2's first re-INVITE gets a second `inconsistent-signaling (retention)` report. Its
 * part was folded away (foldOldest, the second part of the ai-pref-header fold); foldSignaled
 * then deletes its key from `signaled`, and the registry's partKeys no longer know it either: the
 * restated part is taken as a new part, and its reading makes a finding not reported before, so
 * reportFinding tells call-2 again. Before the fold (and with the registry of 9c2176f, which
 * never folds) the repeat is found in `signaled` and nothing is reported: the call was told.
 *
 * Correct: SPEC §5 / seed §3 idempotency ("a retransmitted or repeated identical message
 * changes nothing"), and reportFindings' own rule: the disagreement is said once per call; the
 * fold's claim "reports a call gets ... the same before vs after the fold boundary". The
 * re-INVITEs report nothing.
 *
 * Fix: src/pipeline/signaling-front.ts foldSignaled / deliver (and AptRegistry.addPart): keep
 * knowing a folded-away part as delivered — e.g. keep the absorbed part's key in a bounded
 * "folded keys" set of the fold (or map it to the fold's slot in `signaled` instead of deleting
 * it), so a restated part is a repeat; and/or in reportFindings skip inconsistent-signaling for
 * an identifier the call was already told of.
 */
import { describe, expect, it } from 'vitest';
import { SignalingFront } from '../../../src/pipeline/signaling-front.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import type { SipParseResult } from '../../../src/signaling/sip-message.js';
import { audioSdp, callMessage, udpContext } from '../../signaling/sip-fixtures.js';

describe('a running call restating its AI-Pref value after its part was folded', () => {
  it('is not told the disagreement again', async () => {
    const front = new SignalingFront(parsePolicy(JSON.stringify({ apts: {} }), 'p.json'), null);
    let frame = 0;
    const send = async (m: SipParseResult): Promise<{ type: string; dialog?: { callId: string }; detail?: string }[]> => {
      await front.message(m, udpContext(++frame));
      front.takeEvents();
      return front.takeReports().map((r) => JSON.parse(r.text));
    };
    const call = async (n: number, cseq: number, end: boolean) => {
      const callId = `call-${n}`;
      const out = [];
      const aiPref = `apt-x;scope=dialog;export=raw;retention=${1000 + n}s`;
      out.push(...(await send(callMessage('INVITE sip:bob@b.example SIP/2.0', { callId, cseq: `${cseq} INVITE`, ...(cseq > 1 ? { toTag: `b${n}` } : {}), aiPref, sdp: audioSdp({ port: 4000 + 2 * n, media: ['a=mid:0'] }) }))));
      out.push(...(await send(callMessage('SIP/2.0 200 OK', { callId, cseq: `${cseq} INVITE`, toTag: `b${n}`, sdp: audioSdp({ port: 6000 + 2 * n, media: ['a=mid:0'] }) }))));
      out.push(...(await send(callMessage('ACK sip:bob@b.example SIP/2.0', { callId, cseq: `${cseq} ACK`, toTag: `b${n}` }))));
      if (end) {
        out.push(...(await send(callMessage('BYE sip:bob@b.example SIP/2.0', { callId, cseq: `${cseq + 1} BYE`, toTag: `b${n}` }))));
        out.push(...(await send(callMessage('SIP/2.0 200 OK', { callId, cseq: `${cseq + 1} BYE`, toTag: `b${n}` }))));
      }
      return out.filter((r) => r.type === 'inconsistent-signaling' && r.dialog?.callId === callId);
    };
    expect(await call(1, 1, true)).toHaveLength(0);
    expect(await call(2, 1, false)).toHaveLength(1);
    for (let n = 3; n <= 14; n++) await call(n, 1, true);
    // call-2 restates its value, unchanged
    expect(await call(2, 3, false)).toEqual([]);
    expect(await call(2, 5, false)).toEqual([]);
  });
});
