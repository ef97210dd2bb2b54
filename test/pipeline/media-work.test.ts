import { describe, expect, it } from 'vitest';
import { createPacketView } from '../../native-free/packet-decoder.js';
import type { PacketView } from '../../native-free/types.js';
import { createRtpHeaderView, decodeRtpHeader } from '../../src/media/rtp.js';
import { type MediaWork, MediaWorkBuilder, Proto } from '../../src/pipeline/media-work.js';

/** An RTCP-looking payload of `n` bytes, each byte naming its packet. */
function rtcpView(frame: number, n: number): PacketView {
  const view = createPacketView();
  view.frame = frame;
  view.ts = 1_700_000_000 + frame / 1000;
  view.src4 = 0x0a000001 + frame;
  view.dst4 = 0x0a000002;
  view.sport = 5000 + frame;
  view.dport = 6001;
  view.bytes = new Uint8Array(n + 3).fill(frame & 0xff);
  view.payloadOffset = 3;
  view.payloadLength = n;
  return view;
}

/** An RTP packet with a one-byte-form header extension holding `ext`. */
function rtpView(frame: number, ssrc: number, ext: number[]): { view: PacketView; header: ReturnType<typeof createRtpHeaderView> } {
  const words = Math.ceil(ext.length / 4);
  const bytes = new Uint8Array(12 + 4 + words * 4 + 10);
  bytes[0] = 0x90; // V=2, X=1
  bytes[1] = 96;
  new DataView(bytes.buffer).setUint32(8, ssrc);
  bytes.set([0xbe, 0xde, 0, words], 12);
  bytes.set(ext, 16);
  const view = rtcpView(frame, 0);
  view.bytes = bytes;
  view.payloadOffset = 0;
  view.payloadLength = bytes.length;
  const header = createRtpHeaderView();
  expect(decodeRtpHeader(bytes, 0, bytes.length, header)).toBeNull();
  return { view, header };
}

function unit(work: MediaWork) {
  return Array.from({ length: work.count }, (_, i) => ({
    frame: work.frame[i],
    ts: work.ts[i],
    proto: work.proto[i],
    src4: work.src4[i],
    sport: work.sport[i],
    ssrc: work.proto[i] === Proto.RTCP ? undefined : work.ssrc[i],
    bytes: Array.from(work.bytes.subarray(work.off[i], work.off[i]! + work.len[i]!)),
  }));
}

describe('MediaWorkBuilder blocks', () => {
  it('grows within a batch (packets and bytes) without losing what it holds, and every array is a view of the one block', () => {
    const builder = new MediaWorkBuilder(2, 8);
    const expected = [];
    for (let f = 1; f <= 9; f++) {
      if (f % 3 === 0) {
        const { view, header } = rtpView(f, 0x1000 + f, [0x10 | 1, f, f + 1]);
        builder.addRtpHeader(view, header);
        expected.push({ frame: f, proto: Proto.RTP_HEADER_EXT, ssrc: 0x1000 + f, bytes: [0x11, f, f + 1, 0] });
      } else {
        builder.add(rtcpView(f, f * 3), Proto.RTCP);
        expected.push({ frame: f, proto: Proto.RTCP, ssrc: undefined, bytes: new Array(f * 3).fill(f) });
      }
    }
    const work = builder.take([], new Float64Array(0), 9, 9, 1_700_000_000.009);
    const got = unit(work);
    expect(got.map(({ frame, proto, ssrc, bytes }) => ({ frame, proto, ssrc, bytes }))).toEqual(expected);
    expect(got.map((p) => [p.ts, p.src4, p.sport])).toEqual(expected.map((p) => [1_700_000_000 + p.frame / 1000, 0x0a000001 + p.frame, 5000 + p.frame]));
    const block = work.frame.buffer;
    expect(block).toBeInstanceOf(SharedArrayBuffer);
    for (const a of [work.bytes, work.frame, work.ts, work.proto, work.off, work.len, work.ssrc, work.extProfile, work.src4, work.dst4, work.sport, work.dport]) expect(a.buffer).toBe(block);
  });

  it('builds later batches in the blocks given back, never in one still out, nor in one of a size it has grown out of', () => {
    const builder = new MediaWorkBuilder(4, 64);
    builder.add(rtcpView(1, 10), Proto.RTCP);
    const first = builder.take([], new Float64Array(0), 1, 1, 0);
    builder.add(rtcpView(2, 10), Proto.RTCP);
    const second = builder.take([], new Float64Array(0), 2, 2, 0);
    expect(second.frame.buffer).not.toBe(first.frame.buffer); // the first is still out
    builder.recycle(first); // its shard has answered
    builder.add(rtcpView(3, 20), Proto.RTCP); // goes into the block taken after the second batch
    const third = builder.take([], new Float64Array(0), 3, 3, 0);
    builder.add(rtcpView(4, 30), Proto.RTCP);
    const fourth = builder.take([], new Float64Array(0), 4, 4, 0);
    expect(fourth.frame.buffer).toBe(first.frame.buffer);
    expect(unit(fourth)[0]!.bytes).toEqual(new Array(30).fill(4));
    // the units still out are untouched by the later batches
    expect(unit(second)[0]!.bytes).toEqual(new Array(10).fill(2));
    expect(unit(third)[0]!.bytes).toEqual(new Array(20).fill(3));

    // grown past the recycled blocks' size: they are not taken again
    builder.recycle(fourth);
    for (let f = 5; f < 11; f++) builder.add(rtcpView(f, 1), Proto.RTCP);
    const grown = builder.take([], new Float64Array(0), 10, 10, 0);
    expect(grown.count).toBe(6);
    builder.recycle(second);
    builder.add(rtcpView(11, 1), Proto.RTCP);
    const after = builder.take([], new Float64Array(0), 11, 11, 0);
    expect(after.frame.buffer).not.toBe(fourth.frame.buffer);
    expect(after.frame.buffer).not.toBe(second.frame.buffer);
    expect(after.frame.buffer.byteLength).toBe(grown.frame.buffer.byteLength);
  });
});
