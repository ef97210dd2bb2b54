/**
 * Found by a review of this session's RTCP governance changes, fixed since: an FCI entry's SSRC 0 (PAUSE/RESUME, TMMBR/TMMBN) is a source like any other; only the header's media SSRC 0 means none (src/enforce/telemetry-items.ts appendItems).
 */
/**
 * Input: the BUNDLE call of ../rtcp-items/items-call.ts with A's stream of mid d (apt-none,
 *   export none) given SSRC 0 (`a=ssrc:0 cname:a` instead of 5555; RFC 3550 reserves no SSRC
 *   value), one RTP packet from every SSRC. B (2222, apt-raw) sends RR + RFC 7728 PAUSE
 *   {RTPFB fmt 9, sender 2222, media source 0, FCI: Target SSRC 0, Type 0 PAUSE, Parameter Len
 *   0, PauseID 1}: a request that A pause its apt-none stream.
 * Was (workers 0 and 2 alike): `export raw-allowed [apt-raw]`, the item with
 *   pauseResume [{ssrc: 0, …}] in exports.ndjson. appendItems takes the entries' SSRCs through
 *   distinctOthers with zeroIsNone, so a Target SSRC 0 is read as "none" and never governs.
 * Correct: README Items: "SSRC 0 is a source like any other (RFC 3550 reserves none), except as
 *   feedback's media SSRC or a FIR entry, where 0 means none" — a PAUSE/RESUME Target SSRC is
 *   neither (RFC 7728 §8.1: it names the media sender the request is about; the header's media
 *   SSRC is the unused field). SPEC §4: governed by that source's stream too → drop,
 *   export-none, [apt-none]. (TMMBR/TMMBN entries share the call; RFC 5104 gives 0 no meaning
 *   there either.)
 * Fix: src/enforce/telemetry-items.ts appendItems (RTPFB): take the FCI entries' SSRCs with
 *   zeroIsNone false and only the header's mediaSSRC with it, e.g.
 *   [...onlyOther(mediaSsrc, sender), ...distinctOthers(entries.map(e => e.ssrc), sender, false)] deduplicated.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const pauseFci = (target: number, type: number, pauseId: number): number[] => [...u32(target), type << 4, 0, pauseId >> 8, pauseId & 255];

describe('RFC 7728 PAUSE whose Target SSRC is 0', () => {
  it('is governed by the stream with SSRC 0', async () => {
    const p = C.callWithMedia().map((x) => ({ ...x }));
    const dec = new TextDecoder();
    const enc = new TextEncoder();
    for (const x of p.slice(0, 2)) {
      const text = dec.decode(x.payload);
      const body = text.slice(text.indexOf('\r\n\r\n') + 4).replace('a=ssrc:5555 cname:a', 'a=ssrc:0 cname:a');
      const head = text.slice(0, text.indexOf('\r\n\r\n')).replace(/Content-Length: \d+/, `Content-Length: ${enc.encode(body).length}`);
      x.payload = enc.encode(head + '\r\n\r\n' + body);
    }
    p.push(C.fromA(0.4, C.RTP(0, 100, 0)));
    p.push(C.fromB(1, C.compound(C.RR(2222, []), C.RTPFB(9, 2222, 0, pauseFci(0, 0, 1)))));
    const r = await C.replay(ws, p);
    const b = (r.bindings as { ssrc: number; mid: string }[]).find((x) => x.ssrc === 0);
    expect(b?.mid).toBe('d');
    const fb = r.decisions.filter((d) => d.pt === 205).map((d) => `${d.decision} ${d.reason} ${d.apt.join(',')}`);
    expect(fb).toEqual(['drop export-none apt-none']);
  });
});
