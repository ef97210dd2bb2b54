/**
 * An unbound RTCP compound keeps its pair's notes on the main thread only where the core touches
 * a stream of the pair's session with it (UnboundTags.refresh, touchesAStream: MediaCore.readRtcp's
 * telemetry items, learnFromChunk's MID and PRIV aipref items) — never less than that: a note let
 * go while the shard still holds the tag would let the next call export what the tag forbids.
 * The e2e cases run the CLI with 0 and 2 workers (port-reuse-review's replay compares them).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import { touchesAStream } from '../../src/pipeline/unbound-tags.js';
import { Workspace } from '../e2e/e2e-helpers.js';
import { A, B, type Pkt, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn } from '../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const sdesOnly = (ssrc: number, items: unknown[]): RtcpPacketInput => ({ pt: 202, chunks: [{ ssrc, items }] }) as never;
const touches = (bytes: Uint8Array) => touchesAStream(decodeRtcpCompound(bytes, 0, bytes.length, 0));

describe('touchesAStream', () => {
  it('is true for a telemetry item, an SDES MID item, a PRIV aipref pref-id; false for an empty SDES or an SR cut to its header', () => {
    expect(touches(encodeRtcpCompound([srIn(1111)]))).toBe(true);
    expect(touches(encodeRtcpCompound([sdesOnly(1111, [{ type: 1, text: 'cname@x' }])]))).toBe(true);
    expect(touches(encodeRtcpCompound([sdesOnly(1111, [{ type: 12, text: 'a0' }])]))).toBe(true);
    expect(touches(encodeRtcpCompound([sdesOnly(1111, [{ type: 8, prefix: 'aipref', value: 'apt-none' }])]))).toBe(true);
    expect(touches(Uint8Array.from([0x80, 202, 0, 0]))).toBe(false);
    expect(touches(Uint8Array.from([0x80, 200, 0, 1, 0, 0, 0x04, 0x57]))).toBe(false);
  });
});

const otherCall = (t: number) => setup('c9', t, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null));
const fromB = (ts: number, packets: RtcpPacketInput[]): Pkt => rtcpPkt(ts, B, 5001, A, 4001, packets);

describe('an unbound compound that touches a stream by SDES alone keeps the note, as the shard keeps the tag', () => {
  for (const [name, packets] of [
    ['a MID-only chunk', [sdesOnly(1111, [{ type: 12, text: 'a0' }])]],
    ['a tag-only chunk of another source', [sdesOnly(3333, [{ type: 8, prefix: 'aipref', value: 'apt-x' }])]],
  ] as const) {
    it(name, async () => {
      const o = await replay(ws, `touch-${name.replace(/\W+/g, '-')}`, [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1: noted
        fromB(200, [...packets]), // 2: touches a stream of the pair's session at 200
        ...otherCall(350), // 3-5: a sweep at 350 — 150 s after frame 2: the session stays
        rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 6: the shard still honours the tag
        ...rawCall('c1', 360), // 7-9
        rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 10: the tag carried into c1
      ]);
      expect(o.d.filter((d) => d.startsWith('6 '))).toEqual(['6 1111 drop export-none apt-none']);
      expect(o.d.filter((d) => d.startsWith('10 '))).toEqual(['10 1111 drop export-none apt-none']);
    });
  }
});

describe('an unbound compound that touches no stream lets the note go when the shard lets the session go', () => {
  it('an SR cut to its 8-byte header (packet-too-short)', async () => {
    const shortSr: Pkt = { ts: 200, src: B, dst: A, sport: 5001, dport: 4001, payload: Uint8Array.from([0x80, 200, 0, 1, 0, 0, 0x08, 0xae]) };
    const o = await replay(ws, 'touch-short-sr', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1: noted
      shortSr, // 2: read, reported, no stream touched
      ...otherCall(350), // 3-5: the sweep lets the session go (its streams 350 s idle)
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 6: a new unbound source, untagged
      ...rawCall('c1', 360), // 7-9
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 10
    ]);
    expect(o.d.filter((d) => d.startsWith('6 '))).toEqual(['6 1111 drop no-preference ']);
    expect(o.d.filter((d) => d.startsWith('10 '))).toEqual(['10 1111 export raw-allowed apt-raw']);
    expect(o.reports.filter((r) => r.type === 'binding-conflict')).toEqual([]);
  });
});
