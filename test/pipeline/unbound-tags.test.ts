/**
 * The main thread's memory of SDES PRIV tags sent before signaling (src/pipeline/unbound-tags.ts):
 * its byte pre-check against the compound decoder, and what it hands over and when.
 */
import { describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import type { SdesItem } from '../../src/media/rtcp/types.js';
import { hasPrivItem, UnboundTags } from '../../src/pipeline/unbound-tags.js';
import type { PacketView } from '../../native-free/types.js';
import { rng } from '../e2e/unrouted/unrouted-helpers.js';

/** an IPv4 address as a PacketView's text has it */
const dotted = (x: number): string => [x >>> 24, (x >>> 16) & 255, (x >>> 8) & 255, x & 255].join('.');


const sr = (ssrc: number): RtcpPacketInput => ({ pt: 200, ssrc, ntpSec: 1, ntpFrac: 0, rtpTs: 0, packetCount: 1, octetCount: 1, reports: [] }) as RtcpPacketInput;
const sdes = (chunks: { ssrc: number; items: SdesItem[] }[]): RtcpPacketInput => ({ pt: 202, chunks }) as never;

function decodedHasPriv(bytes: Uint8Array): boolean {
  return decodeRtcpCompound(bytes).packets.some((p) => p.pt === 202 && 'chunks' in p && p.chunks.some((c) => c.items.some((i) => i.type === 8)));
}

/** by default the lower address on port 4001, the higher on 5001, whichever way the packet goes */
function view(bytes: Uint8Array, src4: number, dst4: number, ts = 0, sport = src4 < dst4 ? 4001 : 5001, dport = src4 < dst4 ? 5001 : 4001): PacketView {
  return { bytes, payloadOffset: 0, payloadLength: bytes.length, payloadCut: 0, ipVersion: 4, src4, dst4, sport, dport, src: dotted(src4), dst: dotted(dst4), ts } as unknown as PacketView;
}

describe('hasPrivItem', () => {
  it('agrees with the decoder on 2,000 random compounds (items of every length, padding at every offset, several chunks)', () => {
    const next = rng(40);
    let withPriv = 0;
    for (let n = 0; n < 2000; n++) {
      const chunks = Array.from({ length: 1 + Math.floor(next() * 3) }, (_, c) => ({
        ssrc: 1000 + c,
        items: Array.from({ length: Math.floor(next() * 4) }, (): SdesItem => {
          const text = 'x'.repeat(Math.floor(next() * 9));
          return next() < 0.15 ? { type: 8, prefix: 'aipref', value: `apt-${text}` } : { type: 1 + Math.floor(next() * 7), text };
        }),
      }));
      const packets = next() < 0.5 ? [sr(1), sdes(chunks)] : [sdes(chunks), sr(2)];
      const bytes = encodeRtcpCompound(packets);
      const want = decodedHasPriv(bytes);
      if (want) withPriv++;
      expect(hasPrivItem(bytes, 0, bytes.length), `compound ${n}`).toBe(want);
      // at an offset not a multiple of four in a larger buffer, as a capture's payload is
      const framed = new Uint8Array(bytes.length + 7);
      framed.set(bytes, 3);
      expect(hasPrivItem(framed, 3, bytes.length), `compound ${n} at offset 3`).toBe(want);
    }
    expect(withPriv).toBeGreaterThan(300);
  });

  it('stays inside the datagram when length words lie', () => {
    const bytes = encodeRtcpCompound([sdes([{ ssrc: 1, items: [{ type: 1, text: 'abc' }, { type: 8, prefix: 'aipref', value: 'apt-none' }] }])]);
    for (let cut = 0; cut < bytes.length; cut++) expect(() => hasPrivItem(bytes, 0, cut)).not.toThrow();
    // an item length running past the packet: the PRIV after it is not reached
    const broken = bytes.slice();
    broken[4 + 4 + 1] = 200;
    expect(hasPrivItem(broken, 0, broken.length)).toBe(false);
  });
});

describe('UnboundTags', () => {
  const tagged = (ssrc: number, ...values: string[]) =>
    encodeRtcpCompound([sr(ssrc), sdes([{ ssrc, items: [{ type: 1, text: 'c' }, ...values.map((value): SdesItem => ({ type: 8, prefix: 'AIPref', value }))] }])]);
  /** an RTP packet of `ssrc` */
  const rtpOf = (ssrc: number, src4: number, dst4: number, ts = 0, sport?: number, dport?: number) => {
    const b = new Uint8Array(12);
    new DataView(b.buffer).setUint32(8, ssrc);
    return view(b, src4, dst4, ts, sport, dport);
  };
  /** an RR of `sender` with a report block about `about` */
  const rrOf = (sender: number, about: number, src4: number, dst4: number, ts = 0) =>
    view(encodeRtcpCompound([{ pt: 201, ssrc: sender, reports: [{ ssrc: about, fractionLost: 0, cumulativeLost: 0, highestSeq: 1, jitter: 0, lsr: 0, dlsr: 0 }] } as never]), src4, dst4, ts);
  /** a signaling event every core gets (a dialog's scope, an ended dialog…), at `ts` */
  const sip = (ts: number) => ({ kind: 'dialog-ended', frame: 0, ts, key: 'k' }) as const;

  it('hands over, once, the identifiers of each noted SSRC a packet on the same transport pair names, either way', () => {
    const t = new UnboundTags(10);
    t.note(view(tagged(7, 'apt-none', 'apt-none', '"apt-q"'), 1, 2), 0);
    t.note(view(tagged(8, 'apt-r'), 2, 1), 0);
    expect(t.size).toBe(2);
    expect(t.take(rtpOf(7, 1, 3), false)).toBeUndefined(); // another pair
    expect(t.take(rtpOf(9, 1, 2), false)).toBeUndefined(); // an SSRC not noted
    expect(t.take(rtpOf(7, 2, 1), false)).toEqual([{ ssrc: 7, apts: ['apt-none', 'apt-q'] }]);
    expect(t.size).toBe(1);
    expect(t.take(rtpOf(7, 2, 1), false)).toBeUndefined();
    // an RTCP compound names a subject of its report blocks too
    expect(t.take(rrOf(5, 8, 1, 2), true)).toEqual([{ ssrc: 8, apts: ['apt-r'] }]);
    expect(t.size).toBe(0);
  });

  it("lets a pair's notes go at a sweep as the shards' (MediaCore.sweepUnbound): once a minute at most, not at the first event nor after a jump, the pair idle 300 s", () => {
    const t = new UnboundTags(10);
    t.note(view(tagged(7, 'apt-none'), 1, 2, 0), 0);
    t.event(sip(400)); // the first event: no sweep
    expect(t.size).toBe(1);
    t.event(sip(1000)); // 600 s after the one before: a jump, no sweep
    expect(t.size).toBe(1);
    t.event(sip(1001)); // a sweep: idle 1001 s
    expect(t.size).toBe(0);
    // packets on the pair a core reads keep it, whatever SSRC sends them
    const u = new UnboundTags(10);
    u.note(view(tagged(7, 'apt-none'), 1, 2, 0), 0);
    u.event(sip(100));
    u.refresh(rrOf(2222, 2222, 2, 1, 200), null);
    u.event(sip(150)); // a sweep: idle 150 s
    u.event(sip(250)); // a sweep: idle 50 s
    u.event(sip(499)); // a sweep: idle 299 s
    expect(u.size).toBe(1);
    u.event(sip(540)); // under a minute since the last: no sweep
    expect(u.size).toBe(1);
    u.event(sip(560)); // a sweep: idle 360 s
    expect(u.size).toBe(0);
  });

  it("sees a pair at its packets' own stamps, never lowered: a record hours ahead keeps the note for hours (the fail-safe way); a note starts from where it is told", () => {
    const t = new UnboundTags(10);
    t.note(view(tagged(7, 'apt-none'), 1, 2, 0), 0);
    t.event(sip(1));
    t.refresh(rrOf(2222, 2222, 2, 1, 20_000), null); // stamped 20,000 s
    t.event(sip(60)); // a sweep: idle 50 s
    t.event(sip(320)); // a sweep: seen at 20,000 — kept, as the shard keeps 2222's stream
    expect(t.size).toBe(1);
    t.refresh(rrOf(2222, 2222, 2, 1, 330), null); // 2222's next packet: the shard's stream goes back to 330, the note does not
    t.event(sip(600));
    t.event(sip(661));
    expect(t.size).toBe(1);
    // a compound that touches no stream (an SDES header with no chunk) keeps nothing
    const w = new UnboundTags(10);
    w.note(view(tagged(7, 'apt-none'), 1, 2, 0), 0);
    w.event(sip(1));
    w.refresh(view(Uint8Array.from([0x80, 202, 0, 0]), 2, 1, 200), null);
    w.event(sip(200));
    w.event(sip(301)); // a sweep: idle 301 s
    expect(w.size).toBe(0);
    // records out of order: a packet read before the note, stamped after it, keeps the shard's session
    const u = new UnboundTags(10);
    u.note(view(tagged(7, 'apt-none'), 1, 2, 0), 100);
    u.event(sip(340));
    u.event(sip(350)); // a sweep: idle 250 s from the clock's 100
    expect(u.size).toBe(1);
  });

  it("keeps a pair a window's length where windows are longer than 300 s (a session with a window open is not swept)", () => {
    const t = new UnboundTags(600);
    t.note(view(tagged(7, 'apt-none'), 1, 2, 0), 0);
    t.event(sip(100));
    t.event(sip(450));
    expect(t.size).toBe(1);
    t.event(sip(610));
    expect(t.size).toBe(0);
  });

  it('a value that is no pref-id binds nothing; one identifier past the 16 a stream holds is kept, so the core reaches its limit again', () => {
    const t = new UnboundTags(10);
    t.note(view(tagged(9, 'two words'), 1, 2), 0);
    expect(t.size).toBe(0);
    t.note(view(tagged(7, ...Array.from({ length: 20 }, (_, i) => `apt-${i}`)), 1, 2), 0);
    expect(t.take(rtpOf(7, 1, 2), false)![0]!.apts).toHaveLength(17);
  });

  it("are kept by transport pair as a shard's unbound session is: RTP and RTCP on port+1 are one, a trunk's other ports another", () => {
    const t = new UnboundTags(10);
    t.note(view(tagged(7, 'apt-a'), 1, 2, 0, 4001, 5001), 0);
    expect(t.take(rtpOf(7, 2, 1, 0, 7000, 4000), false)).toBeUndefined(); // same hosts and SSRC, another call's ports
    expect(t.take(rtpOf(7, 2, 1, 0, 5000, 4000), false)).toEqual([{ ssrc: 7, apts: ['apt-a'] }]); // the RTP ports of the RTCP pair
  });

  it('notes of one SSRC between other addresses stand apart (a stray of the same SSRC takes nothing from the call)', () => {
    const t = new UnboundTags(10);
    t.note(view(tagged(7, 'apt-a'), 1, 2), 0);
    t.note(view(tagged(7, 'apt-b'), 3, 2), 0);
    expect(t.take(rtpOf(7, 2, 1), false)).toEqual([{ ssrc: 7, apts: ['apt-a'] }]);
    expect(t.take(rtpOf(7, 2, 3), false)).toEqual([{ ssrc: 7, apts: ['apt-b'] }]);
  });
});
