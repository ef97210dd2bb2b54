/**
 * Found by a review of the unbound-session fix (bf05e0c), fixed since: an unbound session is filed (StreamTable.unboundWith) and asked about (MediaCore.declaredSsrcIn) by the SSRCs that sent the packets it was given — noted where the packet path resolves it, with the SSRC lookup() was asked with — not by every stream it holds (src/binding/stream-table.ts noteDatagram / stream / evictOne / forgetUnbound, src/pipeline/media-core.ts sessionOf / declaredSsrcIn).
 * Input: both parties behind NAT. Before signaling, B sends RTP of SSRC 2222 from
 *   198.51.100.9:5000 to 192.0.2.7:4000 and an SR (sender 2222) with a report block on SSRC
 *   1111 from :5001 to :4001 — addresses no SDP names, one unbound session (pair 4000/5000).
 *   Then call z: A's offer declares a=ssrc:1111 (SDP 10.1.0.1:4000), B's answer declares no SSRC
 *   (10.2.0.1:5000). Then B's RTP (seq 3, 4) and SR again, same addresses.
 *   (Replays under workers 0/1/2 and batches of 1–3, and the same on one MediaCore.)
 * Was (observed): the unbound session is retired at the INVITE (ended no-dialog rows for 2222
 *   and 1111) although none of its packets is routed by the call: B's next packets make a new
 *   unbound session, reported unbound-stream again (frames 8 and 9 beside 2 and 3), and
 *   `bindings` shows two no-dialog rows per SSRC (one ended, one live). The same in every variant.
 * Correct: not retired — the packet path routes B's RTP and RTCP by B's own SSRC 2222 (an RTCP
 *   compound by its sender's SSRC, bytes 4–7; SPEC §2's a=ssrc route), which no call declares:
 *   they stay one unbound session, reported once, one live row per SSRC (README: "One whose
 *   datagrams the map still routes nowhere … is not the dialog's and keeps running"). 1111 is
 *   in the session only as the subject of B's report block, never a sender of its datagrams.
 * Fix: src/binding/stream-table.ts stream() files every stream of an unbound session in
 *   unboundBySsrc, including those made for RTCP report subjects and SDES chunks
 *   (MediaCore.readRtcp's streamFor over item.subjectSsrcs, learnFromSdes); and
 *   MediaCore.routesAny / declaredSsrcIn take any stream's SSRC as a sender's. File (and ask
 *   declaredSsrcIn about) only SSRCs that sent a datagram the session saw: e.g. note the
 *   sender's SSRC where the packet path asks lookup() with it (rtpDecoded's ssrc, rtcp()'s
 *   senderSsrc) — a per-session set of sender SSRCs filed in the index — not at stream creation.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { DialogScope, SectionScope } from '../../../src/binding/types.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../../src/pipeline/media-core.js';
import { Workspace } from '../e2e-helpers.js';
import { differences, replayAll, rtcpPkt, rtp, sdpAt, setup, srIn } from '../round22-unbound-retire-review/harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const PA = '192.0.2.7';
const PB = '198.51.100.9';

describe('an unbound session holding a report subject another call declares', () => {
  it('replay: B\'s media stays one unbound session, reported once (every variant)', async () => {
    const pkts = [
      rtp(0.1, PB, 5000, PA, 4000, 2222, 1),
      rtp(0.2, PB, 5000, PA, 4000, 2222, 2),
      rtcpPkt(0.3, PB, 5001, PA, 4001, [srIn(2222, 1111)]),
      ...setup('z', 1, sdpAt('10.1.0.1', 4000, ['a=ssrc:1111 cname:a']), sdpAt('10.2.0.1', 5000)),
      rtp(2.0, PB, 5000, PA, 4000, 2222, 3),
      rtp(2.1, PB, 5000, PA, 4000, 2222, 4),
      rtcpPkt(2.2, PB, 5001, PA, 4001, [srIn(2222, 1111)]),
    ];
    const runs = await replayAll(ws, 'subject', pkts);
    expect(differences(runs)).toEqual([]);
    for (const r of runs) {
      const o = r.out;
      expect({ variant: r.name, reports: o.reports.filter((x) => x.type === 'unbound-stream').map((x) => `${x.frame} ${x.ssrc}`) }).toEqual({ variant: r.name, reports: ['2 2222', '3 1111'] });
      expect({ variant: r.name, rows2222: o.rows(2222), rows1111: o.rows(1111) }).toEqual({ variant: r.name, rows2222: ['false null null'], rows1111: ['false null null'] });
    }
  });

  it('MediaCore: the scope declaring the subject SSRC retires nothing', () => {
    const n4 = (s: string) => s.split('.').reduce((a, b) => a * 256 + +b, 0);
    const at = (src: string, sport: number, dst: string, dport: number): PacketAddress => ({ v6: false, src4: n4(src), dst4: n4(dst), src, dst, sport, dport });
    const section: SectionScope = { index: 0, mid: 'a', kind: 'audio', disabled: false, rtp: [{ address: '10.1.0.1', port: 4000 }, { address: '10.2.0.1', port: 5000 }], rtcp: [], ssrcs: [1111], midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [] };
    const scope: DialogScope = { key: 'Z\nf\nt', dialog: { callId: 'Z', fromTag: 'f', toTag: 't' }, sections: [section], dialogApts: [], repositoryApts: [], pending: null };
    const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, bindings: true });
    let f = 0;
    for (const seq of [1, 2]) {
      const p = encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc: 2222, payload: new Uint8Array(20) });
      core.rtp(++f, 1, p, 0, p.length, at(PB, 5000, PA, 4000));
    }
    const sr = encodeRtcpCompound([srIn(2222, 1111)]);
    core.rtcp(++f, 1.5, sr, 0, sr.length, at(PB, 5001, PA, 4001));
    core.event({ kind: 'scope', frame: ++f, ts: 2, scope });
    expect([...core.streams()].map((r) => `${r.stream.ssrc} ${r.ended} ${r.stream.session.scope?.dialog.callId ?? null}`).sort()).toEqual(['1111 false null', '2222 false null']);
  });
});
