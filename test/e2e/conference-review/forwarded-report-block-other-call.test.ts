/**
 * Found by a review of conference topologies, fixed since: a source another live call declares with a=ssrc governs an item that reports on it (or sends it) beside the call the item is read in, by that call's signaling (src/pipeline/media-core.ts declaredElsewhere; src/enforce/stream-preferences.ts ofDeclared).
 */
// Input: an SFU conference (conf-call.ts): three SIP calls through the SFU 10.0.0.2 — conf-a (A ↔ SFU:5000,
//   BUNDLE a r, `a=aipref:session apt-a`, raw), conf-b (B sends 5001, `a=ssrc:5001` in B's offer,
//   `a=aipref:session apt-b`, export none), conf-c (C sends 6001, `a=ssrc:6001`, `a=aipref:session apt-c`, raw).
//   The SFU forwards 5001 and 6001 to A over A's one BUNDLE transport with the mid extension `r`; the SFU's
//   answer to A does NOT declare them with a=ssrc. A (1111) sends RRs: frame 14 about 5001 and 6001,
//   frame 15 about 6001, frame 16 about 5001; frame 17 the SFU's SR of 5001 on A's transport.
// Was: `14 export raw-allowed [apt-a]`, `16 export raw-allowed [apt-a]`: the report blocks about B's stream
//   are judged by A's call alone (the subject 5001 is looked up only in A's session, where it is bound
//   `rtp-mid` to r under apt-a), and 5001's loss and jitter leave raw although B's call says export=none.
//   Meanwhile the SFU's SR *of* 5001 (frame 17), routed by 5001's a=ssrc to B's call, is dropped [apt-b]:
//   the same stream's telemetry is forbidden when it sends and exported when reported on.
// Correct: SPEC §2: a=ssrc is the first binding route — 5001 is B's stream (conf-b, via a=ssrc), before any
//   mid (its rtp-mid in A's call is the weaker route); SPEC §4: an item that reports on another source is
//   governed by that source's stream too, the most restrictive of both applies. One RR packet is one item
//   (SPEC §4 "every RTCP packet … is one telemetry item"), so 14 and 16 are `drop export-none [apt-b]`;
//   15 (about C's 6001, raw) stays exported.
// Fix: src/pipeline/media-core.ts, MediaCore.readRtcp (the subjects loop): for a subject SSRC another live
//   call declares with a=ssrc (this.transports.lookupSsrc(ssrc), a dialogKey ≠ the session's), also combine
//   the preference of that call's stream (this.table.session(entry.dialogKey, scope) + streamFor with its
//   sections), as MediaCore.lookup/TransportMap.declaredOver already do for an RTCP *sender*; every core
//   holds every dialog's scope, so the result does not depend on --workers.
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { replay } from '../calls-on-any-address.js';
import { callA, conference, participantCall, rrP, rtcpOn, rtpOn, srP } from './conf-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-a': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-b': { type: 'domain', export: 'none', retention: '1h' },
    'apt-c': { type: 'domain', export: 'raw', retention: '1h' },
  },
});

describe('SFU: A’s report blocks about a participant of another call', () => {
  it('an RR about B’s stream (B: export none) is dropped, not exported under A’s APT', async () => {
    const pkts = [
      ...conference({ aSession: ['a=aipref:session apt-a'], bSession: ['a=aipref:session apt-b'], cSession: ['a=aipref:session apt-c'] }),
      rtpOn('B', 'SB', 5001, [{ id: 4, v: 'v' }]), // 10
      rtpOn('C', 'SC', 6001, [{ id: 4, v: 'v' }]), // 11
      rtpOn('SA', 'A', 5001, [{ id: 4, v: 'r' }]), // 12
      rtpOn('SA', 'A', 6001, [{ id: 4, v: 'r' }]), // 13
      rtcpOn('A', 'SA', [rrP(1111, [5001, 6001])]), // 14
      rtcpOn('A', 'SA', [rrP(1111, [6001])]), // 15
      rtcpOn('A', 'SA', [rrP(1111, [5001])]), // 16
      rtcpOn('SA', 'A', [srP(5001)]), // 17
    ];
    const r = await replay(ws, pkts, POL);
    const d = r.decisions.map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason}`);
    expect(d).toEqual(['14 1111 drop export-none', '15 1111 export raw-allowed', '16 1111 drop export-none', '17 5001 drop export-none']);
    expect(r.decisions.filter((x) => x.frame === 14 || x.frame === 16).map((x) => x.apt)).toEqual([['apt-b'], ['apt-b']]);
    const reported = r.exports.filter((e) => e.type === 'telemetry').map((e) => (e as unknown as { item: { reports: { ssrc: number }[] } }).item.reports.map((b) => b.ssrc));
    expect(reported).toEqual([[6001]]);
  });
});

// Input: as above, B's call now declaring an RTX repair stream (`a=ssrc-group:FID 5001 5002`, RFC 4588) which
//   the SFU forwards to A (mid r, no a=ssrc in A's SDP); A (1111) sends an RR about 5002 (frame 10).
// Was: `10 export raw-allowed [apt-a]`. Correct: 5002 is declared with a=ssrc in B's call (SPEC §2) under
//   export none: `10 drop export-none [apt-b]` (SPEC §4). Fix: as above (MediaCore.readRtcp subjects loop).
describe('SFU: A’s report block about another call’s RTX repair stream', () => {
  it('an RR about B’s RTX SSRC (FID group in B’s call, export none) is dropped', async () => {
    const pkts = [
      ...callA({ aSession: ['a=aipref:session apt-a'] }),
      ...participantCall('conf-b', '10.0.0.3', 5002, 5001, ['a=aipref:session apt-b'], ['a=ssrc-group:FID 5001 5002', 'a=ssrc:5002 cname:conf-b']),
      rtpOn('B', 'SB', 5002, [{ id: 4, v: 'v' }]), // 7
      rtpOn('SA', 'A', 5002, [{ id: 4, v: 'r' }]), // 8
      rtpOn('SA', 'A', 5002, [{ id: 4, v: 'r' }], 2), // 9
      rtcpOn('A', 'SA', [rrP(1111, [5002])]), // 10
    ];
    const r = await replay(ws, pkts, POL);
    expect(r.decisions.map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} [${x.apt}]`)).toEqual(['10 1111 drop export-none [apt-b]']);
    expect(r.exports).toEqual([]);
  });
});
