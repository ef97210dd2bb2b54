/** Checks of the last hour's governance changes that came out fine (workers 0 and 2 agree in each: C.replay compares them). */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import * as C from '../rtcp-items/items-call.js';
import { dPort0, reinvite, reok, setupWith, twccFromB, version } from './reinvite-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const u32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
const pauseFci = (target: number, type: number, pauseId: number, words = 0): number[] => [...u32(target), type << 4, words, pauseId >> 8, pauseId & 255];
const tw = (sender: number, media: number) => C.compound(C.RR(sender, []), C.RTPFB(15, sender, media, C.twccFci(0, 4, 100, 1)));

describe('governance changes: fine', () => {
  // Non-BUNDLE (each m-section its own ports, RTCP on port+1): the apt-none m-section d on its own
  // ports does not drop the TWCC of v (aggregate under apt-agg) nor of a (raw under apt-raw).
  it('non-BUNDLE: another m-section’s export=none does not reach a TWCC on its own transport', async () => {
    const p = C.callWithMedia({ bundle: false });
    p.push(C.fromB(1, tw(4444, 3333), 5005, 4005), C.fromB(1.1, tw(2222, 1111), 5001, 4001));
    const r = await C.replay(ws, p);
    expect(r.decisions.filter((d) => d.pt === 205).map((d) => `${d.ssrc} ${d.decision} ${d.apt.join(',')}`)).toEqual(['4444 aggregate apt-agg', '2222 export apt-raw']);
  });

  // d rejected by the answer (port 0): the TWCC on the bundle is exported (5555 never sent);
  // a re-INVITE re-enabling d (port back), answered, puts d's address and 5555 back: dropped again.
  it('a rejected m-section re-enabled by a re-INVITE governs the bundle’s TWCC again', async () => {
    const p = setupWith(C.sdp('a'), dPort0(C.sdp('b')));
    p.push(C.fromA(0.3, C.RTP(1111, 1, 0)), C.fromB(0.3, C.RTP(2222, 1, 0))); // 4 5
    p.push(twccFromB(0.5)); // 6
    p.push(reinvite(1, version(C.sdp('a'), 2)), reok(1.1, version(C.sdp('b'), 2))); // 7 8
    p.push(C.fromA(1.2, C.RTP(5555, 1, 0)), C.fromA(1.21, C.RTP(1111, 2, 0))); // 9 10
    p.push(twccFromB(1.3)); // 11
    p.push(C.fromA(1.4, C.compound(C.SR(5555, [])))); // 12
    const r = await C.replay(ws, p);
    expect(r.decisions.filter((d) => d.pt === 205).map((d) => `${d.frame} ${d.decision} ${d.reason}`)).toEqual(['6 export raw-allowed', '11 drop export-none']);
    expect(r.decisions.filter((d) => d.frame === 12).map((d) => `${d.decision} ${d.apt.join(',')}`)).toEqual(['drop apt-none']);
  });

  // A TWCC on a transport no dialog names: unbound, dropped (no fold, nothing exported).
  it('TWCC on an unbound transport is dropped', async () => {
    const p = C.callWithMedia();
    p.push({ ts: 1, src: '10.9.9.9', dst: '10.9.9.8', sport: 7000, dport: 7002, payload: tw(8888, 7777) });
    const r = await C.replay(ws, p);
    expect(r.decisions.filter((d) => d.pt === 205).map((d) => d.decision)).toEqual(['drop']);
    expect(r.exports.filter((e) => e.type === 'telemetry' && e.item?.pt === 205)).toEqual([]);
  });

  // RFC 7728 §8.1: a PAUSE/RESUME FCI entry whose Parameter Len runs past the packet, or 4 stray
  // bytes after an entry, make the RTPFB malformed (reported, never exported); the RR beside it
  // is still judged. tshark 4.x shows fmt 9 as "Unknown (9)" with the FCI as raw hex, so it gives no
  // field-level oracle; the field layout was checked against RFC 7728 §8.1 by hand.
  it('PAUSE/RESUME with a cut entry: malformed-input, not exported, the rest of the compound judged', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, C.compound(C.RR(2222, []), C.RTPFB(9, 2222, 0, pauseFci(1111, 0, 1, 2)))));
    p.push(C.fromB(1.1, C.compound(C.RR(2222, []), C.RTPFB(9, 2222, 0, [...pauseFci(1111, 0, 1), 0, 0, 0, 9]))));
    const r = await C.replay(ws, p);
    expect(r.decisions.filter((d) => d.pt === 205)).toEqual([]);
    expect(r.decisions.filter((d) => d.frame >= 12).map((d) => `${d.frame} ${d.pt} ${d.decision}`)).toEqual(['12 201 export', '13 201 export']);
    expect(r.reports.filter((x) => x.type === 'malformed-input' && (x.frame === 12 || x.frame === 13)).map((x) => x.frame)).toEqual([12, 13]);
  });

  // A PAUSE naming two targets, one apt-raw (1111), one apt-agg (3333), with a Type Specific word
  // in the first: both govern (aggregate under apt-agg).
  it('PAUSE/RESUME: every entry’s Target SSRC governs, Type Specific words skipped', async () => {
    const p = C.callWithMedia();
    p.push(C.fromB(1, C.compound(C.RR(2222, []), C.RTPFB(9, 2222, 0, [...pauseFci(1111, 1, 7, 1), 0, 0, 0, 5, ...pauseFci(3333, 0, 8)]))));
    const r = await C.replay(ws, p);
    expect(r.decisions.filter((d) => d.pt === 205).map((d) => `${d.decision} ${d.apt.join(',')}`)).toEqual(['aggregate apt-agg']);
  });
});
