/**
 * Found by a review of this round's I/O fixes, fixed since: a SIP message whose body the snap length cut is read (a response too), and the lines cut off stand as an unresolved identifier at session level of its SDP, the most restrictive statement (src/signaling/sip-message.ts parseSipDatagram, src/signaling/dialogs.ts parseContent, src/pipeline/signaling-front.ts).
 */
/**
 * An INVITE whose SDP the snap length cut inside (or just before) an `a=aipref` line: the stream
 * that line restricted is exported raw.
 *
 * Input: one call as UDP datagrams in a pcap: INVITE A→B whose SDP offer has
 *   `a=aipref:session apt-raw` at session level and `a=aipref:mid apt-none` in its audio
 *   m-section (mid a, a=ssrc:1111), 200 OK (B's answer, no a=aipref), ACK, then an RTCP SR from A
 *   (SSRC 1111) and one from B (2222). Policy: apt-raw user/raw, apt-none user/none. The INVITE's
 *   record is cut by the capture's snap length (caplen < origlen) 18 bytes into the line
 *   `a=aipref:mid apt-none` (`a=aipref:mid apt-n`), or right before that line.
 *   `replayCapture`, 0 and 2 workers.
 * Was: uncut, both SRs `drop export-none` (strictest of apt-raw and apt-none, SPEC §3). Cut: one
 *   `sip body-truncated` report, then both SRs `export raw-allowed`: parseSipDatagram reads the
 *   body "to its last whole line", so the half line (and every line after it) vanishes and the
 *   offer is taken as if whole, without the m-section's restriction. The same INVITE cut on the
 *   wire at the same byte (the datagram itself short, no snap length) is read as it is: the half
 *   line names `apt-n`, unresolved-apt, most restrictive — both SRs `drop export-none`; so the
 *   snap-length path added this round is the more permissive one.
 * Correct: SPEC §3 — absence is not consent, and what cannot be known counts as the most
 *   restrictive statement for its scope (an unresolved APT); SPEC §2 "media-plane tags never
 *   relax signaling": a capture that lost part of an offer must not judge its streams more
 *   permissively than the whole offer does. The lines the snap length removed may have
 *   restricted the m-section being read when it cut (and any after it): those streams count an
 *   unknown statement (drop, `unresolved-apt`), as the uncut capture drops them.
 * Fix: src/signaling/sip-message.ts parseSipDatagram marks the message's body as cut (a flag on
 *   SipMessage, not only the error); the SDP reader (src/signaling/dialogs.ts / the offer's
 *   scopes) gives the m-section the cut fell in — the session level too when it fell before the
 *   first m= line — an unresolvable identifier (most restrictive), or does not read a cut SDP's
 *   media at all.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { sdpOf } from '../../e2e/hand-built-calls.js';
import { ack, replayMsgs, request, response, srA, srB, type Msg } from './cut-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const offer = sdpOf('a', ['a=aipref:mid apt-none']).replace('t=0 0\r\n', 't=0 0\r\na=aipref:session apt-raw\r\n');
const invite = request('INVITE', 1, offer, [], '');
const at = Buffer.from(invite).indexOf('a=aipref:mid apt-none');
const call = (keep?: number): Msg[] => [{ payload: invite, fromA: true, ...(keep !== undefined && { keep }) }, { payload: response('200 OK', 1, sdpOf('b', [])), fromA: false }, ack(), srA(), srB()];

describe('an SDP offer cut by the snap length at its m-section\'s a=aipref line', () => {
  for (const workers of [0, 2]) {
    it(`is not judged more permissively than the uncut offer (workers ${workers})`, async () => {
      const whole = await replayMsgs(ws, `whole-${workers}.pcap`, call(), false, workers);
      expect(whole.decisions).toEqual(['4 drop export-none', '5 drop export-none']);
      for (const [name, keep] of [['mid-line', at + 'a=aipref:mid apt-n'.length], ['before-line', at]] as const) {
        const cut = await replayMsgs(ws, `${name}-${workers}.pcap`, call(keep), false, workers);
        expect(cut.reports.some((r) => r.type === 'malformed-input' && /snaplen-cut .*snap length/.test(r.detail ?? '')), name).toBe(true);
        expect(cut.exports, name).toBe(0);
        expect(cut.decisions.map((d) => d.split(' ').slice(0, 2).join(' ')), name).toEqual(['4 drop', '5 drop']);
      }
    });
  }
});
