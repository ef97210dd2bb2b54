/**
 * Found by a review of earlier reviews' suspicions, fixed since: RTPFB fmt 9 FCI entries are decoded (`pauseResume: [{ssrc, type, pauseId}]`, Type Specific words skipped) and their Target SSRCs govern the item, as TMMBR's do (src/media/rtcp/transport-feedback.ts decodePauseResume, src/enforce/telemetry-items.ts appendItems).
 */
/**
 * RFC 7728 PAUSE/RESUME feedback (RTPFB fmt 9) names the stream it is about in its FCI (Target
 * SSRC); its header's media SSRC is not used (0). The enforcer reads no FCI of fmt 9, so the
 * stream it targets never governs it: a PAUSE about an export=none stream is exported raw under
 * the sender's APT.
 *
 * Input: the BUNDLE call of ../rtcp-items/items-call.ts (mid a 1111/2222 apt-raw raw; mid d
 * 5555/6666 apt-none export none). B (2222, apt-raw) sends RR + RTPFB fmt 9 {sender 2222, media
 * source 0, FCI: Target SSRC 5555, Type 0 (PAUSE), Parameter Len 0, PauseID 1} — a request that
 * A pause its apt-none stream 5555.
 *
 * Was (workers 0 and 2 alike):
 *   {"ssrc":2222,"pt":205,"fmt":9,"feature":"feedback","decision":"export","reason":"raw-allowed","apt":["apt-raw"]}
 * and exports.ndjson carries {"pt":205,"fmt":9,"senderSsrc":2222,"mediaSsrc":0} raw: feedback
 * about stream 5555, whose APT says export=none, leaves under apt-raw alone.
 *
 * Correct: SPEC §4 — an item that reports on another source (feedback's media SSRC) is governed
 * by that source's stream too, the most restrictive applying; README "Items": feedback is
 * governed by "the media senders its FCI names (FIR, TMMBR/TMMBN, TSTR/TSTN, VBCM of RFC 5104:
 * their header's media SSRC is 0 …)". RFC 7728 §8 (FCI: "Target SSRC | Type | Res | Parameter
 * Len | PauseID | Type Specific", one or more entries; the RTPFB header's media SSRC unused)
 * is the same shape: its Target SSRCs are the sources it is about. With 5555 among them: drop,
 * export-none, apt [apt-none].
 *
 * Fix: src/media/rtcp/transport-feedback.ts decodeTransportFeedback: decode fmt 9 entries
 * (Target SSRC at +0, Parameter Len at +5 in words, next entry at 8 + 4·len), keep them as e.g.
 * `pauseResume: [{ssrc, type, pauseId}]`; src/enforce/telemetry-items.ts appendItems (RTPFB):
 * add their SSRCs to the subjects as for tmmb. Better still, an RTPFB/PSFB fmt whose FCI is not
 * decoded should not be judged by its header alone (judge it most restrictively, or by every
 * stream of its transport).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../../src/media/rtcp/compound.js';
import { Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
/** RFC 7728 §8 FCI entry: Target SSRC; Type(4) Res(4) | Parameter Len(8) | PauseID(16). */
const pauseFci = (target: number, type: number, pauseId: number): number[] => [...u32(target), type << 4, 0, pauseId >> 8, pauseId & 255];

describe('RFC 7728 PAUSE is governed by its Target SSRC', () => {
  it('a PAUSE about an export=none stream is not exported raw', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, C.compound(C.RR(2222, []), C.RTPFB(9, 2222, 0, pauseFci(5555, 0, 1)))));
    const r = await C.replay(ws, p);
    const fb = r.decisions.filter((d) => d.pt === 205).map((d) => ({ decision: d.decision, reason: d.reason, apt: d.apt }));
    expect(fb).toEqual([{ decision: 'drop', reason: 'export-none', apt: ['apt-none'] }]);
    expect(r.exports.filter((e) => e.type === 'telemetry' && e.item?.pt === 205)).toEqual([]);
  });

  it('an exported PAUSE carries its entries, as inspect shows them', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, C.compound(C.RR(2222, []), C.RTPFB(9, 2222, 0, pauseFci(1111, 0, 3)))));
    const r = await C.replay(ws, p);
    expect(r.decisions.filter((d) => d.pt === 205).map((d) => d.decision)).toEqual(['export']);
    expect(r.exports.filter((e) => e.type === 'telemetry' && e.item?.pt === 205).map((e) => e.item)).toEqual([{ pt: 205, fmt: 9, senderSsrc: 2222, mediaSsrc: 0, pauseResume: [{ ssrc: 1111, type: 0, pauseId: 3 }] }]);
  });

  it('decodes every entry, Type Specific words skipped; a cut entry makes the packet malformed', () => {
    const fci = [...pauseFci(1111, 1, 7), ...pauseFci(5555, 0, 8)];
    fci[5] = 1; // the first entry has one Type Specific word
    fci.splice(8, 0, 0, 0, 0, 0);
    const ok = decodeRtcpCompound(C.RTPFB(9, 2222, 0, fci));
    expect(ok.errors).toEqual([]);
    expect(ok.packets[0]).toMatchObject({ fmt: 9, mediaSsrc: 0, pauseResume: [{ ssrc: 1111, type: 1, pauseId: 7 }, { ssrc: 5555, type: 0, pauseId: 8 }] });
    const cut = [...pauseFci(5555, 0, 1)];
    cut[5] = 2; // two words the packet does not hold
    const bad = decodeRtcpCompound(C.RTPFB(9, 2222, 0, cut));
    expect(bad.packets).toEqual([]);
    expect(bad.errors.map((e) => e.code)).toEqual(['bad-field']);
  });
});
