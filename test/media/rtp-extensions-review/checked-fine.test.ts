/**
 * What the RTP header extension review (RFC 8285 one- and two-byte forms, RFC 8843 sdes:mid,
 * extmap negotiation) checked and found right. Each replay runs with 0 and 2 workers, whose
 * lines and binding tables must agree (harness.run). Angles already held by
 * test/e2e/sdp-binding-review and test/e2e/rtp-extensions-midcall.test.ts (extmap direction,
 * session-level extmap, padding between one-byte elements, id 15, app bits, encrypted mid, id
 * ranges) are not repeated.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { callSetup } from '../../e2e/calls-on-any-address.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { bundleCall, bundleSdp, decisions, enc, fromB, M, reInvite, rows, run, srFromB, V } from './harness.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());
const EXT3 = [`a=extmap:3 ${M}`];

describe('one-byte form (0xBEDE) oddities, read as tshark decodes them', () => {
  // tshark shows an element "Identifier: 0, Length: 2" and then the id 3 element: the byte 0x01
  // is no padding byte (RFC 8285 §4.1: padding bytes are 0), so it is stepped over as an element
  it('an ID 0 byte with a nonzero length is stepped over as an element; the mid after it binds', async () => {
    const r = await run(ws, [...bundleCall(EXT3), fromB(77, 0xbede, [0x01, 0xaa, 0xbb, 0x30, V]), srFromB(77)]);
    expect(rows(r)).toEqual(['77 v rtp-mid [apt-v]']);
    expect(decisions(r)).toEqual(['5 export raw-allowed']);
  });
  // an element whose length runs past the block ends the reading; the elements before it stand
  // (tshark lists the mid element and nothing after it; libwebrtc keeps those before too)
  it('an element running past the declared block: the mid before it binds, one that is itself cut binds nothing', async () => {
    const r = await run(ws, [...bundleCall(EXT3), fromB(77, 0xbede, [0x30, V, 0x25, 1, 2]), fromB(78, 0xbede, [0x33, V])]);
    expect(rows(r)).toEqual(['77 v rtp-mid [apt-v]', '78 null dialog []']);
  });
  it('CSRCs before the block and RTP padding after the payload: the mid binds; a block length past the packet is malformed, counted once', async () => {
    const r = await run(ws, [...bundleCall(EXT3), fromB(77, 0xbede, [0x30, V], { csrcs: 3, pad: 4 }), fromB(78, 0xbede, [0x30, V], { words: 200 })]);
    expect(rows(r)).toEqual(['77 v rtp-mid [apt-v]']);
    expect(r.summary['malformed']).toBe(1);
    expect(r.reports.map((x) => `${x.type} ${x.frame}`)).toEqual(['malformed-input 5']);
  });
});

describe('a=extmap-allow-mixed (RFC 8285 §6): both forms in one call', () => {
  it('one-byte and two-byte packets both bind; a two-byte mid longer than 16 bytes binds', async () => {
    const long = 'video-section-with-a-long-mid-0123';
    const o = { mids: ['a', long] as [string, string] };
    const ext = [...EXT3, 'a=extmap-allow-mixed'];
    const r = await run(ws, [
      ...callSetup({ offer: bundleSdp('a', ext, o), answer: bundleSdp('b', ext, o) }),
      fromB(77, 0xbede, [0x30, 0x61]),
      fromB(78, 0x1000, [3, long.length, ...enc.encode(long)]),
      fromB(79, 0x1000, [0, 0, 3, 1, 0x61]),
    ]);
    expect(rows(r)).toEqual(['77 a rtp-mid [apt-a]', `78 ${long} rtp-mid [apt-v]`, '79 a rtp-mid [apt-a]']);
  });
});

describe('routes and values', () => {
  it('a=ssrc outranks the RTP mid (SPEC §2 order): an SSRC the answer puts in a keeps a', async () => {
    const r = await run(ws, [...callSetup({ offer: bundleSdp('a', EXT3), answer: bundleSdp('b', EXT3, { audio: ['a=ssrc:77 cname:x'] }) }), fromB(77, 0xbede, [0x30, V]), srFromB(77)]);
    expect(rows(r)).toEqual(['77 a a=ssrc [apt-a]']);
    expect(decisions(r)).toEqual(['5 aggregate aggregated-only']);
  });
  it('a mid of bytes that are not UTF-8, and a mid naming no m-section, bind nothing (SR dropped, no preference)', async () => {
    const r = await run(ws, [...bundleCall(EXT3), fromB(77, 0xbede, [0x31, V, 0xff]), fromB(78, 0xbede, [0x30, 0x78]), srFromB(77), srFromB(78)]);
    expect(rows(r)).toEqual(['77 null dialog []', '78 null dialog []']);
    expect(decisions(r)).toEqual(['6 drop no-preference', '7 drop no-preference']);
  });
});

describe('an extmap id changed by an accepted re-INVITE (3 → 5)', () => {
  it('before the offer only id 3 is the mid; after the answer only id 5; a mid learned before stays', async () => {
    const [offer, answer] = reInvite(bundleSdp('a', [`a=extmap:5 ${M}`]), bundleSdp('b', [`a=extmap:5 ${M}`]));
    const r = await run(ws, [
      ...bundleCall(EXT3),
      fromB(71, 0xbede, [0x50, V]),
      fromB(72, 0xbede, [0x30, V]),
      offer,
      answer,
      fromB(75, 0xbede, [0x50, V]),
      fromB(76, 0xbede, [0x30, V]),
    ]);
    expect(rows(r)).toEqual(['71 null dialog []', '72 v rtp-mid [apt-v]', '75 v rtp-mid [apt-v]', '76 null dialog []']);
  });
});
