/**
 * Found by a review of this session's RTCP governance changes, fixed since: what another live call declaring a stream on the transport says governs a TWCC too (src/pipeline/media-core.ts transportWideGoverning, declaredElsewhere).
 */
/**
 * Input: the SFU conference of ../conference-review/conf-call.ts — conf-a (A ↔ SFU:5000, BUNDLE
 *   a r, `a=aipref:session apt-a`, raw), conf-b (B's offer declares `a=ssrc:5001`,
 *   `a=aipref:session apt-b`, export none), conf-c. B sends 5001 to the SFU; the SFU sends its
 *   own 9001 (mid a) and forwards B's 5001 (mid r) to A over A's one BUNDLE transport, every
 *   packet numbered by the SFU's one transport-wide counter. A (1111) answers with RR + TWCC
 *   {sender 1111, media source 9001, base seq 0, 2 statuses, deltas}: the arrival times of both
 *   packets, one of them B's. For comparison an RR of A about 5001.
 * Was (workers 0 and 2 alike): the TWCC `export raw-allowed [apt-a]`, its statuses and deltas
 *   in exports.ndjson; the RR about 5001 `drop export-none [apt-b]`. The transport-wide fold
 *   (MediaCore.transportWideGoverning) reads each stream of A's session by A's call alone: 5001
 *   is bound `rtp-mid` to r there, under apt-a; B's call, which declares 5001 and says export
 *   none, is never asked — the subjects loop asks it (declaredElsewhere), the fold does not.
 * Correct: SPEC §4 — an item is governed by every source it reports on, the most restrictive
 *   applying; SPEC §2 a=ssrc first: 5001 is B's stream (README: "a source another live call
 *   declares … that call's word too"). draft-holmer-rmcat-transport-wide-cc-extensions-01 §2/§3.1:
 *   the TWCC times every packet of the transport's one counter, 5001's included (the README's
 *   own reason for the fold). So the TWCC is `drop export-none`, as the RR about 5001 is.
 * Fix: src/pipeline/media-core.ts transportWideGoverning: for each stream folded, also combine
 *   this.declaredElsewhere(session, stream.ssrc) (a disabled one stopping the item, as in the
 *   subjects loop of readRtcp); every core holds every dialog's scope, so workers do not matter.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { replay } from '../calls-on-any-address.js';
import * as C from '../rtcp-items/items-call.js';
import { conference, rrP, rtcpOn, rtpOn } from '../conference-review/conf-call.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-a': { type: 'domain', export: 'raw', retention: '1h' },
    'apt-b': { type: 'domain', export: 'none', retention: '1h' },
    'apt-c': { type: 'domain', export: 'raw', retention: '1h' },
  },
});

describe('TWCC on an SFU transport that carries another call’s stream', () => {
  it('is governed by the call that declares the forwarded stream', async () => {
    const pkts = [
      ...conference({ aSession: ['a=aipref:session apt-a'], bSession: ['a=aipref:session apt-b'], cSession: ['a=aipref:session apt-c'] }),
      rtpOn('B', 'SB', 5001, [{ id: 4, v: 'v' }]), // 10
      rtpOn('SA', 'A', 9001, [{ id: 4, v: 'a' }]), // 11
      rtpOn('SA', 'A', 5001, [{ id: 4, v: 'r' }]), // 12
      { ...rtcpOn('A', 'SA', []), payload: C.compound(C.RR(1111, []), C.RTPFB(15, 1111, 9001, C.twccFci(0, 2, 100, 1))) }, // 13
      rtcpOn('A', 'SA', [rrP(1111, [5001])]), // 14
    ];
    const r = await replay(ws, pkts, POL);
    const rr = r.decisions.filter((d) => d.frame === 14).map((d) => `${d.decision} ${d.reason} ${d.apt.join(',')}`);
    expect(rr).toEqual(['drop export-none apt-b']);
    const twcc = r.decisions.filter((d) => d.pt === 205).map((d) => `${d.decision} ${d.reason} ${d.apt.join(',')}`);
    expect(twcc).toEqual(['drop export-none apt-b']);
    expect(r.exports.filter((e) => e.type === 'telemetry' && (e.item as { pt?: number } | undefined)?.pt === 205)).toEqual([]);
  });
});
