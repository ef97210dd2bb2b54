/**
 * Found by a review of this session's RTCP governance changes, fixed since: a TWCC reached by its sender's a=ssrc (addresses no SDP names) is governed by every stream of the call, since which m-sections share its transport is not known (transportWideGoverning).
 */
/**
 * Input: the BUNDLE call of ../rtcp-items/items-call.ts (one transport A 10.0.0.1:4000 ↔ B
 *   10.0.0.2:5000, rtcp-mux; mid a 1111/2222 apt-raw raw; mid d 5555/6666 apt-none export none;
 *   every SSRC declared with a=ssrc), one RTP packet from each SSRC. B (2222) sends the same
 *   compound RR + TWCC {sender 2222, media source 1111, base seq 0, 4 statuses} twice: once on
 *   the bundle's addresses (frame 12), once from addresses no SDP names, 10.0.0.9:7000 →
 *   10.0.0.8:7002, as through a relay or a NAT (frame 13), which reaches the dialog by its
 *   sender's a=ssrc.
 * Was (workers 0 and 2 alike): frame 12 `drop export-none [apt-none]`; frame 13 `export
 *   raw-allowed [apt-raw]`, its statuses and deltas in exports.ndjson. Routed by SSRC, the
 *   entry TransportMap.lookupSsrc gives names the sender's m-section alone (a), so the fold
 *   (MediaCore.transportWideGoverning, entry.sections) never meets d, bundled with a.
 * Correct: the sender's m-section a is in the answered BUNDLE group a b v d (RFC 8843 §7: one
 *   transport for all of them), and draft-holmer-rmcat-transport-wide-cc-extensions-01 §2 makes
 *   the sequence number "the same counter for all packets which are sent over the same
 *   connection (for instance as defined by bundle)": a TWCC of a's transport times 5555's packets
 *   wherever the copy was captured. SPEC §4: governed by every source it reports on, the most
 *   restrictive applying — the same bytes from the same sender must not be stricter on one pair
 *   of addresses than on another. Frame 13: drop export-none, as frame 12.
 * Fix: src/pipeline/media-core.ts readRtcp/transportWideGoverning: when the route came by SSRC
 *   (this.routedBySsrc), fold over the streams of every m-section bundled with the sender's
 *   section (those sharing its transport addresses in the scope; conservatively, every m-section
 *   of the dialog), not entry.sections.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const tw = () => C.compound(C.RR(2222, []), C.RTPFB(15, 2222, 1111, C.twccFci(0, 4, 100, 1)));

describe('a bundle’s TWCC reaching the dialog by its sender’s a=ssrc', () => {
  it('is governed by every stream of the bundle, as on the bundle’s own addresses', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, tw())); // 12
    p.push({ ts: 1.1, src: '10.0.0.9', dst: '10.0.0.8', sport: 7000, dport: 7002, payload: tw() }); // 13
    const r = await C.replay(ws, p);
    const d = r.decisions.filter((x) => x.pt === 205).map((x) => `${x.frame} ${x.decision} ${x.reason} ${x.apt.join(',')}`);
    expect(d).toEqual(['12 drop export-none apt-none', '13 drop export-none apt-none']);
    expect(r.exports.filter((e) => e.type === 'telemetry' && e.item?.pt === 205)).toEqual([]);
  });
});
