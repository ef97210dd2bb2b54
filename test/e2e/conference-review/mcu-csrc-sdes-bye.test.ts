/**
 * Found by a review of conference topologies, fixed since: a source another live call declares with a=ssrc governs an item that reports on it (or sends it) beside the call the item is read in, by that call's signaling (src/pipeline/media-core.ts declaredElsewhere; src/enforce/stream-preferences.ts ofDeclared).
 */
// Input: an MCU conference (RFC 7667 §3.6, conf-call.ts calls): conf-a (A ↔ MCU:5000, BUNDLE a r,
//   `a=aipref:session apt-a`, raw), conf-b (B sends 5001, `a=ssrc:5001`, `a=aipref:session apt-b`, export
//   none), conf-c (C sends 6001, `a=ssrc:6001`, `a=aipref:session apt-c`, raw). The MCU mixes B and C into
//   8001 (RTP to A with CSRCs 5001 6001, mid r, frame 12) and, as RFC 3550 §6.5/§7.3 has a mixer do, sends A
//   an SDES with chunks for its contributors: frame 13 SR 8001 + SDES [8001 CNAME mcu] [5001 CNAME bob@b,
//   NAME Bob] [6001 CNAME carol@c]; frame 14 SR 8001 + SDES [6001 CNAME carol@c]; frame 15 SR 8001 + BYE
//   [8001 5001] (B leaves, RFC 3550 §6.6); frame 16 RR 9001 + BYE [5001] "left".
// Was: frame 13's SDES `export raw-allowed [apt-a]`: B's CNAME `bob@b` and NAME `Bob` leave in a raw export
//   although B's call says export=none; frames 15 and 16's BYEs listing 5001 are exported raw too. The chunk
//   sources are looked up in A's session only (5001 there: `via dialog`, governed by A's session APT).
// Correct: SPEC §4: SDES chunks' and BYE lists' sources govern the item too (README "Items"), and 5001 is B's
//   stream (SPEC §2: bound by a=ssrc in conf-b): those three items are `drop export-none [apt-b]`; frame 14's
//   SDES (C only, raw) stays exported. No export may carry `bob@b` or `Bob` (SPEC §6: never copy SDES text
//   where not allowed).
// Fix: src/pipeline/media-core.ts, MediaCore.readRtcp subjects loop: a subject SSRC another live call
//   declares with a=ssrc (TransportMap.lookupSsrc) is governed by that call's stream too.
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { replay } from '../calls-on-any-address.js';
import { byeP, conference, rrP, rtcpOn, rtpOn, sdesP, srP } from './conf-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-a': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-b': { type: 'domain', export: 'none', retention: '1h' },
    'apt-c': { type: 'domain', export: 'raw', retention: '1h' },
  },
});

describe('MCU: SDES chunks and BYEs of contributing sources (CSRCs) of another call', () => {
  it('B’s CSRC chunk and BYE are governed by B’s call (export none)', async () => {
    const pkts = [
      ...conference({ aSession: ['a=aipref:session apt-a'], bSession: ['a=aipref:session apt-b'], cSession: ['a=aipref:session apt-c'] }),
      rtpOn('B', 'SB', 5001, [{ id: 4, v: 'v' }]), // 10
      rtpOn('C', 'SC', 6001, [{ id: 4, v: 'v' }]), // 11
      rtpOn('SA', 'A', 8001, [{ id: 4, v: 'r' }], 1, [5001, 6001]), // 12
      rtcpOn('SA', 'A', [srP(8001), sdesP([{ ssrc: 8001, items: [{ type: 1, text: 'mcu' }] }, { ssrc: 5001, items: [{ type: 1, text: 'bob@b' }, { type: 2, text: 'Bob' }] }, { ssrc: 6001, items: [{ type: 1, text: 'carol@c' }] }])]), // 13
      rtcpOn('SA', 'A', [srP(8001), sdesP([{ ssrc: 6001, items: [{ type: 1, text: 'carol@c' }] }])]), // 14
      rtcpOn('SA', 'A', [srP(8001), byeP([8001, 5001])]), // 15
      rtcpOn('SA', 'A', [rrP(9001, [1111]), byeP([5001], 'left')]), // 16
    ];
    const r = await replay(ws, pkts, POL);
    // (which of two raw APTs an export names is not asserted: only the drops name apt-b alone)
    const d = r.decisions.filter((x) => x.pt === 202 || x.pt === 203).map((x) => `${x.frame} ${x.pt} ${x.decision} ${x.reason}` + (x.decision === 'drop' ? ` [${x.apt}]` : ''));
    expect(d).toEqual(['13 202 drop export-none [apt-b]', '14 202 export raw-allowed', '15 203 drop export-none [apt-b]', '16 203 drop export-none [apt-b]']);
    expect(JSON.stringify(r.exports)).not.toMatch(/bob@b|"Bob"/);
  });
});
