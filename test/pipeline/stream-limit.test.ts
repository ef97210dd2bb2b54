import { describe, expect, it } from 'vitest';
import { encodeRtpPacket } from '../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../src/pipeline/media-core.js';

const addr: PacketAddress = { v6: false, src4: 0x0a000001, dst4: 0x0a000002, src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002 };

describe('a flood of SSRCs', () => {
  it('keeps the stream table bounded, evicting the least recently seen, and reports when the limit bites', () => {
    const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, maxStreams: 3 });
    // two packets in sequence per SSRC (from addresses no signaling routes, a source is valid from its second, RFC 3550 A.1)
    for (let i = 0; i < 50; i++) {
      const packet = encodeRtpPacket({ pt: 0, seq: i, ts: i * 160, ssrc: 1000 + (i >> 1), payload: new Uint8Array(20) });
      core.rtp(i + 1, 100 + i * 0.02, packet, 0, packet.length, addr);
    }
    expect(core.streamCount).toBe(3);
    const reports = core.drain().reports.map((l) => JSON.parse(l.text) as { type: string; frame: number; detail: string });
    const limits = reports.filter((r) => r.type === 'state-limit');
    // 22 evictions: told at the first and at the tenth, not 22 times (the fourth SSRC's second packet is frame 8)
    expect(limits.map((r) => r.frame)).toEqual([8, 26]);
    expect(limits[0]!.detail).toMatch(/stream table full \(3 streams\): 1 least recently seen stream evicted/);
    expect(limits[1]!.detail).toMatch(/10 least recently seen streams evicted/);
  });
});
