import { describe, expect, it } from 'vitest';
import { RtcpPacketConverter } from 'werift';
import { buildRtcpMix } from '../../bench/rtcp-decode.js';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';

describe('the RTCP benchmark mix', () => {
  it('is 6 kinds of well-formed compounds that both decoders read', () => {
    const mix = buildRtcpMix();
    const kinds = new Set<string>();
    for (const bytes of mix) {
      const c = decodeRtcpCompound(bytes);
      expect(c.errors).toEqual([]);
      kinds.add(c.packets.map((p) => p.pt).join('+'));
      // werift decodes the SR/RR at least (it skips BYE and XR)
      expect(RtcpPacketConverter.deSerialize(Buffer.from(bytes)).length).toBeGreaterThanOrEqual(1);
    }
    expect([...kinds].sort()).toEqual(['200+202', '200+203', '201+202', '201+205', '201+206', '201+207']);
  });
});
