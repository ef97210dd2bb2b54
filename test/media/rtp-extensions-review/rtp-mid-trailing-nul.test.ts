/**
 * Found by a review of RTP header extensions, fixed since: trailing NULs of an RTP mid extension value are dropped, as in an SDES item (src/media/rtp.ts readRtpExtension).
 */
/**
 * Input: a BUNDLE call (mids a, v on one address, `a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid`
 *   in both m-sections; apt-a aggregated-only on a, apt-v raw on v). B's RTP stream 77 (no
 *   a=ssrc) carries a one-byte element id 3 of length 2: "v\0" — the mid with a C string
 *   terminator counted in the length, as some senders do. Then B's SR of 77. For comparison,
 *   SSRC 78 sends the same text "v\0" as an RTCP SDES MID item (type 12). 0 and 2 workers.
 * Was: src/media/rtp.ts readRtpExtension decodes the element's bytes as they are, so the mid is
 *   "v\u0000", which names no m-section: 77 stays `via: dialog` (mid null) and its SR is dropped
 *   (no-preference), while 78's SDES MID "v\0" binds it to v (`via: sdes-mid`) and its SR is
 *   exported raw — src/media/rtcp/sdes.ts drops trailing NULs of an SDES item because "an
 *   identifier must compare equal to its signaled form". The same identifier, carried by the
 *   other transport the SPEC names for it, binds differently.
 * Correct: SPEC §2.4 puts SDES MID and the RTP mid header extension side by side as one
 *   route: the extension carries the SDES MID item's text (RFC 8843 §15.1 registers
 *   sdes:mid as an RFC 7941 SDES-item header extension), so the project's reading of the item
 *   (trailing NULs are no part of an identifier, as tshark shows the SDES item) applies to both;
 *   libwebrtc's BaseRtpStringExtension::Parse likewise ends the value at the first NUL. Stream
 *   77 is bound to v via rtp-mid and its SR exported raw under apt-v, as 78's is.
 * Fix: src/media/rtp.ts readRtpExtension (or media-core.ts midFromExtension): trim trailing
 *   0x00 bytes from the element's value before decoding it, as decodeSourceDescription does
 *   for SDES items (and treat a value that is empty after trimming as no mid).
 */
import { afterAll, expect, it, vi } from 'vitest';
import { A, B, rtcp, sdesMid, sr } from '../../e2e/calls-on-any-address.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { bundleCall, decisions, fromB, M, rows, run, srFromB, V } from './harness.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());

it('a mid extension value with a trailing NUL binds as the SDES MID item with one does', async () => {
  const r = await run(ws, [
    ...bundleCall([`a=extmap:3 ${M}`]), // 1-3
    fromB(77, 0xbede, [0x31, V, 0x00]), // 4: id 3, length 2, "v\0"
    srFromB(77), // 5
    rtcp(B, A, 5000, 4000, [sr(78), sdesMid(78, 'v\u0000')]), // 6
  ]);
  expect(rows(r)).toEqual(['77 v rtp-mid [apt-v]', '78 v sdes-mid [apt-v]']);
  expect(decisions(r).filter((d) => d.startsWith('5 '))).toEqual(['5 export raw-allowed']);
});
