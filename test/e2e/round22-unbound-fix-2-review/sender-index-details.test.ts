/**
 * Found by a review of the unbound-session fix (bf05e0c), fixed since: an unbound session is filed by the SSRCs that sent the packets it was given, noted where the packet path resolves it (src/binding/stream-table.ts noteDatagram / noteSender / evictOne / forgetUnbound, src/pipeline/media-core.ts sessionOf / declaredSsrcIn).
 * Input: (1) one MediaCore: RTP of SSRC 2222 (two in sequence) from 198.51.100.9:5000 to
 *   192.0.2.7:4000, then an RTCP compound from :5001 to :4001 — an RR of 2222 and an SDES whose
 *   chunks describe 2222 and 3333 (CNAME and MID); then call Z declares a=ssrc:3333 on other
 *   addresses. (2) The same RTP, then a compound whose sender (bytes 4–7) is 4444; call Z
 *   declares a=ssrc:4444. (3) StreamTable: a sender's stream evicted (its session kept), the
 *   same sender's next packet on the same datagram; two senders alternating on one datagram;
 *   a sender on a datagram past MAX_SEEN_DATAGRAMS.
 * Was: (1) retired at Z's scope: every stream of an unbound session, an SDES chunk's included,
 *   was filed and asked about as a sender. (3) (new) senders were not kept.
 * Correct: (1) not retired: 3333 sent nothing the session saw (both rows live, no dialog);
 *   (2) retired at Z's scope (an RTCP compound is routed by its sender's SSRC): ended rows;
 *   (3) the evicted sender is unfiled and filed again by its next packet; both alternating
 *   senders filed once; a sender on an unkept datagram filed too.
 */
import { describe, expect, it } from 'vitest';
import { MAX_SEEN_DATAGRAMS, StreamTable, type DatagramEnds } from '../../../src/binding/stream-table.js';
import type { DialogScope, SectionScope } from '../../../src/binding/types.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { SdesItemType } from '../../../src/media/rtcp/types.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../../src/pipeline/media-core.js';

const n4 = (s: string) => s.split('.').reduce((a, b) => a * 256 + +b, 0);
const at = (src: string, sport: number, dst: string, dport: number): PacketAddress => ({ v6: false, src4: n4(src), dst4: n4(dst), src, dst, sport, dport });
const PA = '192.0.2.7';
const PB = '198.51.100.9';
const scopeDeclaring = (ssrc: number): DialogScope => {
  const section: SectionScope = { index: 0, mid: 'a', kind: 'audio', disabled: false, rtp: [{ address: '10.1.0.1', port: 4000 }, { address: '10.2.0.1', port: 5000 }], rtcp: [], ssrcs: [ssrc], midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [] };
  return { key: 'Z\nf\nt', dialog: { callId: 'Z', fromTag: 'f', toTag: 't' }, sections: [section], dialogApts: [], repositoryApts: [], pending: null };
};

function core() {
  const c = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, bindings: true });
  let f = 0;
  return {
    next: () => ++f,
    c,
    rtp() {
      for (const seq of [1, 2]) {
        const p = encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc: 2222, payload: new Uint8Array(20) });
        c.rtp(++f, 1, p, 0, p.length, at(PB, 5000, PA, 4000));
      }
    },
    rows: () => [...c.streams()].map((r) => `${r.stream.ssrc} ${r.ended} ${r.stream.session.scope?.dialog.callId ?? null}`).sort(),
  };
}

describe('unbound sessions by the SSRCs that sent their packets', () => {
  it('an SDES chunk describing an SSRC a call declares retires nothing', () => {
    const h = core();
    h.rtp();
    const chunk = (ssrc: number) => ({ ssrc, items: [{ type: SdesItemType.CNAME, text: `c${ssrc}` }, { type: SdesItemType.MID, text: 'a' }] });
    const compound = encodeRtcpCompound([
      { pt: 201, ssrc: 2222, reports: [] },
      { pt: 202, ssrc: 2222, chunks: [chunk(2222), chunk(3333)] },
    ]);
    h.c.rtcp(h.next(), 1.5, compound, 0, compound.length, at(PB, 5001, PA, 4001));
    expect(h.rows()).toEqual(['2222 false null', '3333 false null']);
    h.c.event({ kind: 'scope', frame: h.next(), ts: 2, scope: scopeDeclaring(3333) });
    expect(h.rows()).toEqual(['2222 false null', '3333 false null']);
  });

  it("an RTCP compound's sender is a sender: a call declaring it retires the session", () => {
    const h = core();
    h.rtp();
    const compound = encodeRtcpCompound([{ pt: 201, ssrc: 4444, reports: [] }]);
    h.c.rtcp(h.next(), 1.5, compound, 0, compound.length, at(PB, 5001, PA, 4001));
    expect(h.rows()).toEqual(['2222 false null', '4444 false null']);
    h.c.event({ kind: 'scope', frame: h.next(), ts: 2, scope: scopeDeclaring(4444) });
    expect(h.rows()).toEqual(['2222 true null', '4444 true null']);
  });

  it('StreamTable: an evicted sender is unfiled, and filed again by its next packet', () => {
    const t = new StreamTable({ maxStreams: 2 });
    const keys = (ssrc: number) => [...(t.unboundWith(ssrc) ?? [])].map((s) => s.key);
    const d: DatagramEnds = at(PB, 5000, PA, 4000);
    const u = t.unboundSession('u');
    t.noteDatagram(u, d, 1);
    t.stream(u, 1, 0);
    t.noteDatagram(u, d, 2);
    t.stream(u, 2, 1);
    expect([keys(1), keys(2)]).toEqual([['u'], ['u']]);
    // 1 sends again (the datagram's last sender is 1; its stream not touched yet), then a third
    // stream (a report subject: not a sender) takes 1's place, the session kept
    t.noteDatagram(u, d, 1);
    t.stream(u, 3, 2);
    expect([...u.streams.keys()]).toEqual([2, 3]);
    expect([keys(1), keys(2), keys(3)]).toEqual([[], ['u'], []]);
    // 1 sends again on the same datagram
    t.noteDatagram(u, d, 1);
    expect(keys(1)).toEqual(['u']);
    t.dropSession('u');
    expect([t.unboundWith(1), t.unboundWith(2)]).toEqual([undefined, undefined]);
  });

  it('StreamTable: alternating senders on one datagram, and a sender past the kept datagrams', () => {
    const t = new StreamTable();
    const keys = (ssrc: number) => [...(t.unboundWith(ssrc) ?? [])].map((s) => s.key);
    const u = t.unboundSession('u');
    for (let i = 0; i < 4; i++) t.noteDatagram(u, at(PB, 5000, PA, 4000), 10 + (i & 1));
    expect([...u.seen!.senders]).toEqual([10, 11]);
    expect([keys(10), keys(11)]).toEqual([['u'], ['u']]);
    for (let p = 0; p < MAX_SEEN_DATAGRAMS + 2; p++) t.noteDatagram(u, at(PB, 6000 + p, PA, 4000), 10);
    expect(u.seen!.datagrams).toHaveLength(MAX_SEEN_DATAGRAMS);
    t.noteDatagram(u, at(PB, 7000, PA, 4000), 12);
    expect(keys(12)).toEqual(['u']);
    // the ends alone (no sender): nothing filed by SSRC
    const v = t.unboundSession('v');
    t.noteDatagram(v, at(PB, 5000, PA, 4000));
    expect(v.seen!.senders.size).toBe(0);
  });
});
