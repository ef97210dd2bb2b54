/**
 * Found by a sweep review of snap-length-cut SIP, fixed since: a message whose header section was cut after the lines that name it (Call-ID, tags, CSeq) is read from its whole header lines, its body all cut, what the rest said standing as unresolved (src/signaling/sip-message.ts parseSipDatagram; dialogs.ts: a Content-Type not captured may have been SDP in an INVITE, ACK, PRACK or UPDATE exchange; a cut copy is known by its start line and transaction).
 */
/**
 * A SIP message whose header section the snap length cut only in its final blank line (every
 * header line captured whole: Call-ID, tags, CSeq, Content-Type, Content-Length) is not read at
 * all, and the call is judged more permissively than the uncut capture judges it.
 *
 * Input: one call as UDP datagrams in a pcap (./sweep-lib.ts, built with
 *   test/cli/round17-io-review/cut-call.ts): INVITE (a=aipref:mid apt-raw, AI-Pref apt-raw;scope=dialog),
 *   reliable 183 answer (a=aipref:mid apt-agg), SR(3), PRACK offer apt-raw, 200 PRACK, SR(6), 200
 *   INVITE, ACK, SR(9), re-INVITE offer apt-agg, 200, ACK, SR(13), UPDATE offer apt-none, 200,
 *   SR(16), re-INVITE offer apt-raw, 200, ACK, SR(20), SR(21). Policy: apt-raw/apt-agg/apt-none
 *   (user). One message's record is cut by the capture's snap length (caplen < origlen) 2 bytes
 *   before its header section's end (the final CRLF of CRLFCRLF missing): the 183, the re-INVITE,
 *   the UPDATE in turn. replayCapture, 0 workers.
 * Was: uncut: 3 aggregate, 6 raw, 9 raw, 13 aggregate, 16 drop, 20 raw, 21 raw. Cut:
 *   parseSipDatagram treats the message as cut inside its header section ("not read", one
 *   snaplen-cut report), so its offer/answer is simply absent: cut 183 → SR 3 `export
 *   raw-allowed` (uncut: aggregate); cut re-INVITE → SR 13 `export raw-allowed` (uncut:
 *   aggregate); cut UPDATE → SR 16 `aggregate` (uncut: drop). Exported raw / aggregated where the
 *   whole capture aggregates / drops. (The same holds at every offset inside those header sections.)
 * Correct: SPEC §3 "absence is not consent … an APT that cannot be resolved counts as the most
 *   restrictive statement for its scope", SPEC §2 (what was not seen never relaxes signaling),
 *   and the project's own snap-length rule (README: a cut body's lost lines are "the most
 *   restrictive statement"; a body cut before any m-section stands as an unresolved AI-Pref value
 *   of session scope): the capture says a message of this dialog (Call-ID, tags, CSeq all
 *   captured) with an SDP body (Content-Type, Content-Length) was sent and lost; what it said
 *   must not count as nothing. No SR is judged more permissively than in the uncut capture.
 * Fix: src/signaling/sip-message.ts parseSipDatagram: when the cut falls in the header section
 *   but the header lines captured whole include the ones that name the message (start line, Via,
 *   From/To tags, Call-ID, CSeq), read them and mark the message `bodyCut` with an empty body, so
 *   dialogs.ts parseContent's cut-before-any-m-section path (cutBodyValue, most restrictive)
 *   applies (a lost AI-Pref header is then covered by the same stand-in); only a cut before
 *   those lines leaves it unread.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { CALL, msgs, RANK, run } from './sweep-lib.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const headerEnd = (b: Uint8Array): number => Buffer.from(b).indexOf('\r\n\r\n') + 4;
const rank = (d: string): [string, number] => [d.split(' ')[0]!, RANK[d.split(' ')[1]!]!];

describe('a SIP message cut in the blank line ending its header section', () => {
  for (const name of ['183', 're-INVITE', 'UPDATE']) {
    it(`${name}: no SR judged more permissively than in the uncut capture`, async () => {
      const whole = await run(ws, 'whole.pcap', msgs());
      expect(whole.decisions).toEqual(['3 aggregate aggregated-only', '6 export raw-allowed', '9 export raw-allowed', '13 aggregate aggregated-only', '16 drop export-none', '20 export raw-allowed', '21 export raw-allowed']);
      const i = CALL.findIndex((c) => c.name === name);
      const cut = await run(ws, `${name}.pcap`, msgs(i, headerEnd(CALL[i]!.msg.payload) - 2));
      expect(cut.reports.some((r) => r.type === 'malformed-input' && r.frame === i + 1 && /snaplen-cut/.test(r.detail ?? ''))).toBe(true);
      const uncut = new Map(whole.decisions.map(rank));
      const looser = cut.decisions.map(rank).filter(([f, r]) => r < uncut.get(f)!);
      expect(looser.map(([f]) => cut.decisions.find((d) => d.startsWith(`${f} `)))).toEqual([]);
    });
  }
});
