import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';
import { readDatagrams, type Datagram } from './capture-datagrams.js';
import { MEDIUM_CAPTURE, TempCaptures } from './generated-capture.js';

const temp = new TempCaptures();
const written = new Map<number, readonly RtcpPacketInput[]>();
let datagrams: Datagram[];

beforeAll(async () => {
  const { path } = await temp.generate({ ...MEDIUM_CAPTURE, onRtcpCompound: (frame, packets) => written.set(frame, packets) });
  ({ datagrams } = await readDatagrams(path));
});
afterAll(() => temp.cleanup());

describe('RTCP compounds written by the generator', () => {
  it('decode back to exactly what was written', () => {
    expect(written.size).toBeGreaterThan(100);
    for (const [frame, packets] of written) {
      const decoded = decodeRtcpCompound(datagrams[frame - 1]!.payload);
      expect(decoded.errors, `frame ${frame}`).toEqual([]);
      expect(decoded.reducedSize).toBe(false);
      expect(decoded.packets.length).toBe(packets.length);
      decoded.packets.forEach((p, i) => expect(p, `frame ${frame} packet ${i}`).toMatchObject(packets[i]!));
    }
  });

  it('use every packet type and XR block the scenario promises', () => {
    const pts = new Set<number>();
    const xrBlocks = new Set<number>();
    const sdesItems = new Set<number>();
    for (const packets of written.values()) {
      for (const p of packets) {
        pts.add(p.pt);
        if ('blocks' in p) for (const b of p.blocks) xrBlocks.add(b.bt);
        if ('chunks' in p) for (const c of p.chunks) for (const item of c.items) sdesItems.add(item.type);
      }
    }
    expect([...pts].sort()).toEqual([200, 201, 202, 203, 205, 206, 207]);
    expect([...xrBlocks].sort()).toEqual([4, 5, 7]);
    expect([...sdesItems].sort((a, b) => a - b)).toEqual([1, 2, 3, 8, 12]);
  });
});
