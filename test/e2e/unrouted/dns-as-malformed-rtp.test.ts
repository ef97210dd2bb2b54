/**
 * Found by a review of traffic beside the calls (a mirror port), fixed since: MediaCore.rtp()
 * reports a header that does not decode only where a route exists.
 *
 * Input: the sample capture (samples/call-small.pcap) with four ordinary DNS datagrams inserted
 * after frame 100 (they become frames 101–104), between hosts no SDP names (10.9.0.10 and
 * the resolver 10.9.0.53, port 53):
 *   101 stub query  id 0xa087 "www.example.com" A + EDNS(0) OPT (44 bytes)
 *   102 stub query  id 0x9123 "www.example.com" A (33 bytes)
 *   103 response    id 0xb157 "cdn.example.net" A 192.0.2.10 (49 bytes)
 *   104 response    id 0x9ce3 "sip.example.com" A 192.0.2.10 + OPT (60 bytes)
 * tshark 4.0.17 (`-o rtp.heuristic_rtp:TRUE -o rtcp.heuristic_rtcp:TRUE`, even with
 * `-o udp.try_heuristic_first:TRUE`) decodes all four as DNS; none is RTP, none malformed.
 *
 * Was (workers 0 and 2 alike): four `malformed-input` reports and summary `malformed: 4`:
 *   "frame 101: rtp bad-padding at byte 43: padding count 0 with 32 bytes after the header"
 *   "frame 102: rtp extension-overrun at byte 16: header extension of 123268 bytes runs past the packet"
 *   "frame 103: rtp extension-overrun at byte 16: header extension of 123268 bytes runs past the packet"
 *   "frame 104: rtp extension-overrun at byte 60: header extension header cut short"
 * (`inspect --json` also says `"proto":"rtp","malformed":"bad-padding at byte 43"`.)
 * A DNS id whose first byte is 128–191 makes classifyRtpRtcp say 'rtp'; the header's P/X bits
 * then do not fit and MediaCore.rtp() reports the datagram as broken media. Measured over all
 * 65536 ids of the query "www.example.com" A: 2688 (4.1%) are reported malformed (5600, 8.5%,
 * with an EDNS OPT record; 5152, 7.9%, of the responses) — beside the 2688 / 2464 / 3808 that
 * make an unbound stream (the README's known limit, which does not mention these reports).
 *
 * Correct: no report, `malformed: 0`. These are someone else's well-formed packets, not broken
 * media: SPEC §6/§8 `malformed-input` is for malformed packets of the input; RFC 3550 A.1's
 * header validity check (version, padding count, extension length) is what tells a packet is
 * not RTP at all — a packet failing it is discarded, not an RTP packet with an error. The
 * enforcer already draws this line for datagrams that are not RTP-shaped (replay-engine.ts
 * `other()`: "neither RTP nor RTCP" is reported only on a negotiated media transport); an
 * RTP-shaped datagram off every negotiated transport whose header does not hold together is in
 * the same case. A mirror port carrying the site's DNS gets one bogus report per ~12 queries,
 * and the `malformed` count says nothing about the calls any more.
 *
 * Fix: src/pipeline/media-core.ts MediaCore.rtp(): when decodeRtpHeader fails and
 * this.lookup(addr, ssrc) finds no transport (no dialog names the datagram's addresses or its
 * SSRC), drop the datagram silently (not counted, not reported), as the feed's other() does; keep
 * the report on negotiated transports. (Or classify by the full header check in
 * src/media/demux.ts classifyRtpRtcp and report 'other' off negotiated transports.) inspect's
 * `proto` for such a datagram should then be "other" too (src/cli/inspect.ts).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import type { Udp } from '../sample-edits.js';
import { bothWorkers, dns, reportsOf, withInserted } from './unrouted-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const q = (id: number, name: string, o = {}): Udp => ({ src: '10.9.0.10', dst: '10.9.0.53', sport: 40000 + (id & 0xfff), dport: 53, payload: dns(id, name, o) });
const a = (id: number, name: string, o = {}): Udp => ({ src: '10.9.0.53', dst: '10.9.0.10', sport: 53, dport: 40000 + (id & 0xfff), payload: dns(id, name, { flags: 0x8180, answers: ['192.0.2.10'], ...o }) });

describe('DNS on port 53 between hosts no SDP names', () => {
  it('is not reported or counted as malformed RTP', async () => {
    const capture = await withInserted(
      ws,
      'dns-malformed.pcap',
      new Map([[100, [q(0xa087, 'www.example.com', { edns: true }), q(0x9123, 'www.example.com'), a(0xb157, 'cdn.example.net'), a(0x9ce3, 'sip.example.com', { edns: true })]]]),
    );
    const runs = await bothWorkers(capture);
    runs.forEach((r, i) => {
      const label = `workers ${i === 0 ? 0 : 2}`;
      const inserted = reportsOf(r).filter((x) => x.frame >= 101 && x.frame <= 104);
      expect.soft(inserted.map((x) => `${x.type}: ${x.detail}`), label).toEqual([]);
      expect.soft(r.result.summary.malformed, label).toBe(0);
      expect.soft(r.result.summary.rtp, label).toBe(354);
      expect.soft(r.result.summary.packets, label).toBe(444);
    });
    expect(runs[1].reports).toEqual(runs[0].reports);
  });
});
