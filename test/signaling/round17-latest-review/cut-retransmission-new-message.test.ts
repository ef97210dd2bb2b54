/**
 * Found by a review of the latest fixes, fixed since: a copy the snap length cut is a retransmission when its headers' digest matches an earlier message of its transaction; its snaplen-cut is still reported (src/signaling/dialogs.ts isRetransmission, handle).
 */
/**
 * A retransmission captured cut by the snap length (its first copy captured whole) is taken as a
 * new message: a cut copy of a 200 OK already processed restricts the rest of the call and
 * reports scopes that nobody signaled.
 *
 * Input: one call as UDP datagrams in a pcap (test/cli/round17-io-review/cut-call.ts): INVITE A→B
 *   (offer `a=aipref:mid apt-raw`), 200 OK, ACK, an SR each way, re-INVITE (CSeq 2, same offer),
 *   200 OK (CSeq 2), ACK, then a retransmission of that 200 OK (same bytes on the wire: the UAS
 *   retransmits its 2xx, RFC 3261 §13.3.1.4) that the capture cut 10 bytes before its end
 *   (caplen < origlen; e.g. a merged capture or pcapng interfaces with different snap lengths),
 *   then an SR each way. Policy: apt-raw user/raw. The same with the retransmission captured
 *   whole as the reference. Also the first INVITE's cut copy (frame 2). replayCapture, 0 workers.
 * Was: the whole retransmission changes nothing (SRs after it `export raw-allowed`, no reports).
 *   The cut copy is not recognised as a retransmission (dialogs.ts isRetransmission compares a
 *   digest of headers and body; the cut body differs): it is handled as a new answer, the
 *   synthetic `(lines cut by the capture's snap length)` identifier joins the negotiated scope
 *   ("scope-transitioned … session scope added"), and every later SR of the call is
 *   `drop export-none` with `unresolved-apt` reports until the next re-INVITE; a cut copy of the
 *   initial INVITE likewise re-offers and later yields a `scope-removed` for the synthetic
 *   identifier.
 * Correct: SPEC §5 "A retransmitted or repeated identical message changes nothing (§3
 *   idempotency)"; RFC 3261 §17.1.1.2/§17.2.1/§13.2.2.4: a message that matches an existing
 *   transaction (same branch, CSeq, Call-ID, tags) is a retransmission and is absorbed by the
 *   transaction layer whatever its body — the recipient never sees it as a new offer/answer. The
 *   cut copy's captured bytes equal the first copy's prefix and its header section (with its
 *   Content-Length) is identical: it is the same message, and the decisions and reports equal
 *   those of the capture with the copy whole (apart from the one snaplen-cut malformed-input).
 * Fix: src/signaling/dialogs.ts isRetransmission: for a message with `bodyCut`, match on the
 *   header-section digest alone (the ContentDigest already begins with it: `text + bodyDigest`)
 *   against the earlier messages of its transaction key, and treat it as a retransmission when
 *   one matches (optionally also keep a digest of the whole message's body prefix lines).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { sdpOf } from '../../e2e/hand-built-calls.js';
import { ack, replayMsgs, request, response, srA, srB, type Msg } from '../../cli/round17-io-review/cut-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const offer = sdpOf('a', ['a=aipref:mid apt-raw']);
const inv1 = request('INVITE', 1, offer, [], '');
const reinv = request('INVITE', 2, offer);
const ok1 = response('200 OK', 1, sdpOf('b', []));
const ok2 = response('200 OK', 2, sdpOf('b', []));

function call(copyOf: number, cut: boolean): Msg[] {
  const m: Msg[] = [{ payload: inv1, fromA: true }, { payload: ok1, fromA: false }, ack(), srA(), srB(), { payload: reinv, fromA: true }, { payload: ok2, fromA: false }, { payload: request('ACK', 2, null), fromA: true }, srA(), srB()];
  const original = m[copyOf]!;
  m.splice(copyOf + 1, 0, { ...original, ...(cut && { keep: original.payload.length - 10 }) });
  return m;
}

describe('a retransmission the snap length cut, its first copy whole', () => {
  for (const [name, copyOf] of [['the re-INVITE\'s 200 OK', 6], ['the initial INVITE', 0]] as const) {
    it(`${name}: changes nothing, as the whole retransmission`, async () => {
      const whole = await replayMsgs(ws, `whole-${copyOf}.pcap`, call(copyOf, false));
      expect(whole.decisions.every((d) => d.endsWith('export raw-allowed'))).toBe(true);
      expect(whole.reports).toEqual([]);
      const cut = await replayMsgs(ws, `cut-${copyOf}.pcap`, call(copyOf, true));
      expect(cut.decisions).toEqual(whole.decisions);
      expect(cut.reports.map((r) => `${r.frame} ${r.type}`)).toEqual([`${copyOf + 2} malformed-input`]);
    });
  }
});
