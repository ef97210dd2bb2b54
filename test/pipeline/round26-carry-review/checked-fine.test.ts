/**
 * Checks of a0f35dd (SDES PRIV tags carried from before signaling) that came out fine: each
 * passes now and would fail if the property broke. E2e replays run with 0 and 2 workers and
 * compare exports, decisions and reports (port-reuse-review/common.ts replay).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../../src/media/rtcp/compound.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { hasPrivItem } from '../../../src/pipeline/unbound-tags.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, bye, rawCall, replay, rtcpPkt, sdesTag, srIn } from '../../e2e/port-reuse-review/common.js';
import { rng } from '../../e2e/unrouted/unrouted-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());


const decodedHasPriv = (b: Uint8Array, len: number, cut: number) =>
  decodeRtcpCompound(b, 0, len, cut).packets.some((p) => p.pt === 202 && 'chunks' in p && p.chunks.some((c) => c.items.some((i) => i.type === 8)));

describe('hasPrivItem (the byte pre-check before UnboundTags decodes)', () => {
  it('never misses a PRIV item the decoder finds, in mutated, truncated and snap-cut compounds (30,000)', () => {
    const r = rng(26);
    let withPriv = 0;
    for (let n = 0; n < 30_000; n++) {
      const chunks = Array.from({ length: 1 + Math.floor(r() * 3) }, (_, c) => ({
        ssrc: c + 1,
        items: Array.from({ length: Math.floor(r() * 4) }, () =>
          r() < 0.3 ? { type: 8, prefix: 'aipref', value: 'apt-' + 'x'.repeat(Math.floor(r() * 6)) } : { type: 1 + Math.floor(r() * 7), text: 'y'.repeat(Math.floor(r() * 9)) },
        ),
      }));
      const packets = [{ pt: 200, ssrc: 1, ntpSec: 1, ntpFrac: 0, rtpTs: 0, packetCount: 1, octetCount: 1, reports: [] }, { pt: 202, chunks }] as RtcpPacketInput[];
      if (r() < 0.5) packets.reverse();
      const m = encodeRtcpCompound(packets).slice();
      // a few bytes overwritten, often with the values that steer the walk (END, PRIV, headers)
      for (let k = Math.floor(r() * 4); k > 0; k--) m[Math.floor(r() * m.length)] = r() < 0.5 ? Math.floor(r() * 256) : [0, 8, 1, 0x81, 0xa1, 202][Math.floor(r() * 6)]!;
      const len = r() < 0.2 ? Math.floor(r() * m.length) : m.length;
      const cut = r() < 0.5 ? m.length - len : 0;
      if (!decodedHasPriv(m, len, cut)) continue;
      withPriv++;
      expect(hasPrivItem(m, 0, len), `compound ${n}`).toBe(true);
    }
    expect(withPriv).toBeGreaterThan(5_000);
  });

  it('reads nothing past the datagram: a PRIV item just after its end in the buffer is not seen', () => {
    const sdes = encodeRtcpCompound([{ pt: 202, chunks: [{ ssrc: 1, items: [{ type: 1, text: 'abcdef' }] }] } as never]);
    // the chunk's items with their terminator cut off: the walk reaches the datagram's end mid-chunk
    const len = sdes.length - 4;
    const buf = new Uint8Array(sdes.length + 8);
    buf.set(sdes.subarray(0, len), 0);
    buf[len] = 8; // a PRIV item type byte, just past the datagram
    buf[len + 1] = 2;
    expect(hasPrivItem(buf, 0, len)).toBe(false);
    expect(hasPrivItem(buf, 0, len + 2)).toBe(true); // (the same bytes within the datagram are seen)
  });
});

describe('what the core would not take is not carried', () => {
  it('a PRIV aipref value that is no pref-id, and a PRIV item in a broken SDES packet, bind nothing after signaling either', async () => {
    // SR + SDES {PRIV aipref=apt-none, CNAME} of 4444 whose CNAME length (byte 54) runs past the packet:
    // the decoder reports the SDES broken; an unbound session takes no tag of a broken packet
    const broken = encodeRtcpCompound([srIn(4444), { pt: 202, chunks: [{ ssrc: 4444, items: [{ type: 8, prefix: 'aipref', value: 'apt-none' }, { type: 1, text: 'abc' }] }] } as never]);
    expect(broken[53]).toBe(1);
    broken[54] = 200;
    expect(decodeRtcpCompound(broken).packets.some((p) => p.pt === 202)).toBe(false);
    const o = await replay(ws, 'not-taken', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'two words')]), // frame 1: no pref-id
      { ts: 0.2, src: A, dst: B, sport: 4001, dport: 5001, payload: broken }, // frame 2: broken SDES
      rtcpPkt(0.5, A, 4001, B, 5001, [srIn(3333), { pt: 202, chunks: [{ ssrc: 3333, items: [{ type: 8, prefix: 'aipref', value: 'apt-none' }] }] } as never]), // frame 3: control (taken)
      ...rawCall('c1', 1), // frames 4-6
      rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]), // frame 7
      rtcpPkt(2.5, A, 4001, B, 5001, [srIn(4444)]), // frame 8
      rtcpPkt(3, A, 4001, B, 5001, [srIn(3333)]), // frame 9
    ]);
    expect(o.d.filter((d) => d.startsWith('7 '))).toEqual(['7 1111 export raw-allowed apt-raw']);
    expect(o.d.filter((d) => d.startsWith('8 '))).toEqual(['8 4444 export raw-allowed apt-raw']);
    expect(o.d.filter((d) => d.startsWith('9 '))).toEqual(['9 3333 drop export-none apt-none']);
  });
});

describe('carried once, into the dialog that routes the stream', () => {
  it('through an early dialog (the INVITE alone routes the packet) and its 200 OK (rekey)', async () => {
    const s = rawCall('c1', 1);
    const o = await replay(ws, 'early-carry', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 1
      s[0]!, // frame 2: INVITE
      rtcpPkt(1.005, A, 4001, B, 5001, [srIn(1111)]), // frame 3: routed by the offer
      s[1]!,
      s[2]!,
      rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]), // frame 6: the confirmed dialog
    ]);
    expect(o.d.slice(2)).toEqual(['3 1111 drop export-none apt-none', '6 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
    expect(o.bindings.find((b) => b.ssrc === 1111 && b.dialog?.callId === 'c1')?.apt).toEqual(['apt-raw', 'apt-none']);
  });

  it('not into a later call that reuses the addresses and SSRC after BYE (the note was taken)', async () => {
    const o = await replay(ws, 'taken-once', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 1
      ...rawCall('c1', 1), // frames 2-4
      rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]), // frame 5: carried into c1
      ...bye('c1', 3, 2), // frames 6-7
      ...rawCall('c2', 4), // frames 8-10
      rtcpPkt(5, A, 4001, B, 5001, [srIn(1111)]), // frame 11
    ]);
    expect(o.d.filter((d) => d.startsWith('5 '))).toEqual(['5 1111 drop export-none apt-none']);
    expect(o.d.filter((d) => d.startsWith('11 '))).toEqual(['11 1111 export raw-allowed apt-raw']);
  });
});
