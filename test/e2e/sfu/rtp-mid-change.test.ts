/**
 * Found by a review of SFU shapes, fixed since: the RTP mid header extension is read while
 * packets carry it, and a later mid moves the stream (RFC 8843 §9.2).
 *
 * Input: a WebRTC client A (10.0.0.1:4000) calls an SFU B (10.0.0.2:5000) with one BUNDLE
 * transport (a v v2 r, rtcp-mux, `a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid` in every
 * m-section, simulcast rids in v, no a=ssrc for v's streams). `a=aipref:mid apt-v` in v
 * (aggregated-only), `a=aipref:mid apt-none` in v2 (export none). SSRC 2001 sends RTP with
 * the mid extension `v` (frame 4), then RTP with the mid extension `v2` (frame 5: the stream now
 * belongs to m-section v2), then an SR (frame 6).
 *
 * Was: the mid is read from the RTP header extension only until a stream's first mid is learned
 * (MediaCore.rtpStream: `stream.learnedMid === null && …`, and the fast path in rtpDecoded returns
 * once learnedMid is set). The later `v2` is ignored: bindings `2001 v video rtp-mid [apt-v]`,
 * and the SR decided `6 aggregate aggregated-only [apt-v]` (an aggregate exported under apt-v).
 * The same move announced by SDES MID is followed (learnFromSdes overwrites learnedMid), so the
 * binding depends on which of the two carriers said it.
 *
 * Correct: RFC 8843 §9.2 (receiver RTP packet association): "If the packet has a MID and the
 * packet's extended sequence number is greater than that of the last MID update ... update the
 * MID associated with the RTP stream to match the MID carried in the RTP packet, then update the
 * mapping tables". SPEC §2.4 binds an SSRC to a mid by the RTP mid extension: from frame 5 on,
 * 2001 is in v2, governed by apt-none: `6 drop export-none [apt-none]`, bindings row
 * `2001 v2 video rtp-mid [apt-none]`.
 *
 * Fix: src/pipeline/media-core.ts, MediaCore.rtpDecoded / rtpStream: keep reading the mid
 * extension while the stream's packets carry it (at least when the value differs from
 * learnedMid: compare the bytes at the known id before decoding, to stay allocation-free), and
 * on a change set learnedMid/learnedMidVia = 'rtp-mid' and boundScope = null so bindStream runs.
 * The fast path must then not skip packets that carry an extension block.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { callSetup, replay } from '../calls-on-any-address.js';
import { clientOffer, rtcpX, rtpX, sfuAnswer, srP } from './sfu-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-v': { type: 'domain', export: 'aggregated-only', retention: '1h' },
    'apt-none': { type: 'domain', export: 'none', retention: '1h' },
  },
});

describe('RFC 8843 §9.2: a later RTP mid extension value moves the SSRC to that m-section', () => {
  it('2001 sends mid v, then mid v2: its SR is governed by v2 (apt-none)', async () => {
    const offer = clientOffer({ v: ['a=aipref:mid apt-v'], v2: ['a=aipref:mid apt-none'] });
    const pkts = [
      ...callSetup({ offer, answer: sfuAnswer() }),
      rtpX(2001, [{ id: 4, v: 'v' }, { id: 10, v: 'h' }], 1), // frame 4
      rtpX(2001, [{ id: 4, v: 'v2' }], 2), // frame 5
      rtcpX([srP(2001)]), // frame 6
    ];
    const r = await replay(ws, pkts, POL);
    const row = r.bindings.find((b) => b.ssrc === 2001)!;
    expect(`${row.ssrc} ${row.mid} ${row.kind} ${row.via} [${row.apt}]`).toBe('2001 v2 video rtp-mid [apt-none]');
    expect(r.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason} [${d.apt}]`)).toEqual(['6 drop export-none [apt-none]']);
    expect(r.exports).toEqual([]);
  });
});
