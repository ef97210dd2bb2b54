/**
 * Found by a review of this round's I/O fixes, fixed since: a SIP message whose body the snap length cut is read (a response too), and the lines cut off stand as an unresolved identifier at session level of its SDP, the most restrictive statement (src/signaling/sip-message.ts parseSipDatagram, src/signaling/dialogs.ts parseContent, src/pipeline/signaling-front.ts).
 */
/**
 * A 200 OK the snap length cut inside its SDP body: the restriction its whole AI-Pref header
 * states is lost, and the call's RTCP is exported raw.
 *
 * Input: one call as UDP datagrams in a pcap: INVITE A→B with `AI-Pref: apt-raw;scope=dialog`
 *   and an SDP offer (no a=aipref), 200 OK B→A with `AI-Pref: apt-none;scope=dialog` and an SDP
 *   answer, ACK, then an RTCP SR each way. Policy: apt-raw user/raw, apt-none user/none. The
 *   200 OK's record is cut by the snap length 20 bytes before its end: its header section whole,
 *   its body cut. `replayCapture`, 0 and 2 workers.
 * Was: uncut, both SRs `drop export-none` (the dialog's values apt-raw and apt-none, strictest
 *   wins). Cut: one `sip body-truncated` report, then both SRs `export raw-allowed` — the whole
 *   response is discarded (dialogs.ts handle(): a response with body-truncated "confirms
 *   nothing"), its AI-Pref header with it, though parseSipDatagram read the header section whole
 *   precisely so that "an AI-Pref header's word must not be lost with the body's tail".
 * Correct: SPEC §5 — restrictions take effect at once, only relaxations wait for an answer's
 *   confirmation; SPEC §3 most restrictive wins. A cut answer may confirm no relaxation (its SDP
 *   is not whole), but the restriction its complete header states applies as in the uncut
 *   capture: the SRs are dropped.
 * Fix: src/signaling/dialogs.ts handle(): for a response cut by the capture's snap length (not
 *   one cut on the wire), discard its SDP and its confirmation as now, but still take its
 *   AI-Pref values as restrictions (those that add to or tighten the dialog's), as an offer's
 *   restrictions are taken before the answer.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { sdpOf } from '../../e2e/hand-built-calls.js';
import { ack, replayMsgs, request, response, srA, srB, type Msg } from './cut-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const invite = request('INVITE', 1, sdpOf('a', []), ['AI-Pref: apt-raw;scope=dialog'], '');
const ok = response('200 OK', 1, sdpOf('b', []), ['AI-Pref: apt-none;scope=dialog']);
const call = (keep?: number): Msg[] => [{ payload: invite, fromA: true }, { payload: ok, fromA: false, ...(keep !== undefined && { keep }) }, ack(), srA(), srB()];

describe('a 200 OK cut inside its body by the snap length', () => {
  for (const workers of [0, 2]) {
    it(`keeps the restriction of its whole AI-Pref header (workers ${workers})`, async () => {
      const whole = await replayMsgs(ws, `whole-${workers}.pcap`, call(), false, workers);
      expect(whole.decisions).toEqual(['4 drop export-none', '5 drop export-none']);
      const cut = await replayMsgs(ws, `cut-${workers}.pcap`, call(ok.length - 20), false, workers);
      expect(cut.reports.filter((r) => r.type === 'malformed-input').map((r) => r.detail)).toEqual([
        `frame 2: sip snaplen-cut at byte ${ok.length - 20} (body cut by the capture's snap length after ${ok.length - 20} of ${ok.length} bytes)`,
      ]);
      expect(cut.exports).toBe(0);
      expect(cut.decisions.map((d) => d.split(' ').slice(0, 2).join(' '))).toEqual(['4 drop', '5 drop']);
    });
  }
});
