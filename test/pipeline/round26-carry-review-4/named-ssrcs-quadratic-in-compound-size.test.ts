/**
 * Input: on a transport pair with one note (SR(7) + SDES{7: PRIV aipref=apt-none}, unbound), an
 *   unbound compound of 500 BYE packets of 31 SSRCs each (64,000 bytes, 15,500 distinct SSRCs: a
 *   fragmented UDP datagram anyone reaching the pair can send) passed to UnboundTags.refresh (the
 *   main thread does this for every packet on a noted pair; take() does the same for routed ones).
 * Was: namedBy() de-duplicates with `out.includes(value)` for every SSRC field: quadratic in the
 *   compound's SSRC count — ~66 ms per such compound here against ~0.8 ms to decode it (80×), on
 *   the main thread that every packet of every worker count (and `live`) goes through: a dozen
 *   such datagrams a second on a pair with a note stall the whole capture.
 * Correct: the README's carry is meant to cost only "rare" unbound compounds and pairs with notes
 *   (unbound-tags.ts header); reading a compound's SSRC fields is linear (the decoder is): a few
 *   decodes' time at most, whatever the compound.
 * Fix: src/pipeline/unbound-tags.ts namedBy: de-duplicate with a Set (or check each SSRC against
 *   the pair's notes as it is met, no list), and walk the decoded packets' known fields rather
 *   than Object.entries over every object.
 */
import { describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../../src/media/rtcp/compound.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { UnboundTags } from '../../../src/pipeline/unbound-tags.js';
import type { PacketView } from '../../../native-free/types.js';

const view = (bytes: Uint8Array) =>
  ({ bytes, payloadOffset: 0, payloadLength: bytes.length, payloadCut: 0, ipVersion: 4, src4: 1, dst4: 2, sport: 4001, dport: 5001, src: '0.0.0.1', dst: '0.0.0.2', ts: 0 }) as unknown as PacketView;

function best(n: number, f: () => void): number {
  let min = Infinity;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    f();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

describe('UnboundTags on a compound with thousands of SSRC fields', () => {
  it('costs a few decodes, not quadratic time', () => {
    const t = new UnboundTags(10);
    t.note(view(encodeRtcpCompound([{ pt: 200, ssrc: 7, ntpSec: 1, ntpFrac: 0, rtpTs: 0, packetCount: 1, octetCount: 1, reports: [] } as never, { pt: 202, chunks: [{ ssrc: 7, items: [{ type: 8, prefix: 'aipref', value: 'apt-none' }] }] } as never])), 1);
    let s = 100;
    const packets = Array.from({ length: 500 }, () => ({ pt: 203, ssrcs: Array.from({ length: 31 }, () => s++) }) as never);
    const bytes = encodeRtcpCompound(packets);
    expect(bytes.length).toBeLessThanOrEqual(65_507);
    const decode = best(7, () => decodeRtcpCompound(bytes));
    // (refresh no longer reads the compound since notes go by the pair's sweeps; take() does, for a routed one)
    const refresh = best(5, () => t.take(view(bytes), true));
    expect(t.size).toBe(1);
    // a ratio of two timings in one process, each the best of several, with a wide margin (fixed,
    // ~3×; quadratic, 80–170×): it holds on a loaded machine, where both slow down alike
    expect(refresh / decode, `refresh ${refresh.toFixed(2)} ms, decode ${decode.toFixed(2)} ms`).toBeLessThan(30);
  });
});
