/**
 * Found by a review of the latest fixes, fixed since: a body that may carry SDP and was cut before any m-section is taken for no offer or answer, and what it said stands as the unresolved identifier in an AI-Pref value of session scope, governing every m-section (src/signaling/dialogs.ts parseContent cutBodyValue).
 */
/**
 * A SIP message whose body the snap length cut before any m-section was captured (right after
 * its header section, inside its first line, or before its first `m=` line): the restriction its
 * SDP states is lost and the call's RTCP is exported raw where the uncut capture drops it.
 *
 * Input: one call as UDP datagrams in a pcap (test/cli/round17-io-review/cut-call.ts): INVITE
 *   A→B, 200 OK, ACK, then an RTCP SR from A (1111) and one from B (2222). Policy: apt-raw
 *   user/raw, apt-none user/none.
 *   (a) the INVITE carries `AI-Pref: apt-raw;scope=dialog` and an SDP offer with
 *       `a=aipref:session apt-none`; its record is cut right after the header section's CRLFCRLF
 *       (caplen < origlen; Content-Length says the whole SDP follows), or 2 bytes into `v=0`.
 *   (b) no AI-Pref header; the policy's `default` is apt-raw; the same offer is cut right before
 *       its `m=audio` line (the session-level `a=aipref:session apt-none` line itself captured).
 *   (c) the INVITE's offer carries `a=aipref:mid apt-raw`, the 200 OK's answer
 *       `a=aipref:mid apt-none`; the 200 OK is cut right after its header section.
 *   replayCapture, 0 and 2 workers.
 * Was: uncut, both SRs `drop export-none` in all three. Cut: both SRs `export raw-allowed`.
 *   (a),(c): parseSipDatagram reads the body to its last whole line, which is no line at all;
 *   dialogs.ts parseContent adds the synthetic `(lines cut by the capture's snap length)`
 *   identifier only `if (sdp !== null && m.bodyCut)`, so a body cut to nothing carries no SDP and
 *   no cut identifier: (a) the INVITE is read as a delayed offer and the dialog-level apt-raw
 *   applies (implicit-binding); (c) the whole offer's apt-raw stands, the answer's apt-none is
 *   lost. (b): the SDP read has no m-section, so the session-level `apt-none` and the synthetic
 *   identifier both "apply to nothing" (a malformed-input report that names the synthetic
 *   identifier as if it were an a=aipref line of the SDP), the streams are unbound and the
 *   operator's default apt-raw exports them.
 * Correct: SPEC §3 "absence is not consent … an APT that cannot be resolved counts as the most
 *   restrictive statement for its scope" and SPEC §2 (signaling is never relaxed by what was not
 *   seen): the commit's own rule (README, "what the lines cut off said counts as an unresolved
 *   identifier at session level of its SDP") must hold when the cut falls before the SDP's
 *   first m-section too: a capture that lost the body must not judge the call more permissively
 *   than the whole body does; both SRs drop (as uncut).
 * Fix: src/signaling/dialogs.ts parseContent (and the offer/answer it feeds): when m.bodyCut and
 *   the SDP read is absent (Content-Type application/sdp or a multipart whose SDP part was lost,
 *   body read empty) or has no m-section, do not treat the message as SDP-less / m-section-less:
 *   carry the cut identifier so that it governs every stream of the dialog (e.g. keep the
 *   dialog's last SDP with the cut identifier added at session level, or add an unresolved
 *   identifier the resolver applies to all the dialog's streams, not only as the dialog-level
 *   fallback).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../../e2e/e2e-helpers.js';
import { sdpOf } from '../../e2e/hand-built-calls.js';
import { ack, replayMsgs, request, response, srA, srB, type Msg } from '../../cli/round17-io-review/cut-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const headerEnd = (b: Uint8Array): number => Buffer.from(b).indexOf('\r\n\r\n') + 4;
const offerNone = sdpOf('a', []).replace('t=0 0\r\n', 't=0 0\r\na=aipref:session apt-none\r\n');
const APTS = { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' }, 'apt-none': { type: 'user', export: 'none', retention: '1h' } };
const DEFAULT_RAW = policyOf({ apts: APTS, default: 'apt-raw' } as Parameters<typeof policyOf>[0]);
const PLAIN = policyOf({ apts: APTS });

const inviteA = request('INVITE', 1, offerNone, ['AI-Pref: apt-raw;scope=dialog'], '');
const inviteB = request('INVITE', 1, offerNone, [], '');
const inviteC = request('INVITE', 1, sdpOf('a', ['a=aipref:mid apt-raw']), [], '');
const okC = response('200 OK', 1, sdpOf('b', ['a=aipref:mid apt-none']));
const ok = response('200 OK', 1, sdpOf('b', []));

const cases: { name: string; policy: typeof PLAIN; msgs: (cut: boolean) => Msg[] }[] = [
  { name: '(a) INVITE cut after its header section', policy: PLAIN, msgs: (cut) => [{ payload: inviteA, fromA: true, ...(cut && { keep: headerEnd(inviteA) }) }, { payload: ok, fromA: false }, ack(), srA(), srB()] },
  { name: '(a) INVITE cut inside v=0', policy: PLAIN, msgs: (cut) => [{ payload: inviteA, fromA: true, ...(cut && { keep: headerEnd(inviteA) + 2 }) }, { payload: ok, fromA: false }, ack(), srA(), srB()] },
  { name: '(b) INVITE cut before m=, policy default', policy: DEFAULT_RAW, msgs: (cut) => [{ payload: inviteB, fromA: true, ...(cut && { keep: Buffer.from(inviteB).indexOf('m=audio') }) }, { payload: ok, fromA: false }, ack(), srA(), srB()] },
  { name: '(c) 200 OK cut after its header section', policy: PLAIN, msgs: (cut) => [{ payload: inviteC, fromA: true }, { payload: okC, fromA: false, ...(cut && { keep: headerEnd(okC) }) }, ack(), srA(), srB()] },
];

describe('a SIP body the snap length cut before any m-section was captured', () => {
  for (const workers of [0, 2]) {
    for (const c of cases) {
      it(`${c.name}: not judged more permissively than the uncut capture (workers ${workers})`, async () => {
        const tag = c.name.replace(/\W+/g, '-');
        const whole = await replayMsgs(ws, `${tag}-whole-${workers}.pcap`, c.msgs(false), false, workers, c.policy);
        expect(whole.decisions).toEqual(['4 drop export-none', '5 drop export-none']);
        const cut = await replayMsgs(ws, `${tag}-cut-${workers}.pcap`, c.msgs(true), false, workers, c.policy);
        expect(cut.reports.some((r) => r.type === 'malformed-input' && /snaplen-cut/.test(r.detail ?? ''))).toBe(true);
        expect(cut.exports).toBe(0);
        expect(cut.decisions.map((d) => d.split(' ').slice(0, 2).join(' '))).toEqual(['4 drop', '5 drop']);
      });
    }
  }
});
