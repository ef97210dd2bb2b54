/**
 * "Every export carries: a unique requestId" (SPEC §4). A telemetry export's id was a digest of
 * ('', 'telemetry', frame, item index) only, so the first raw item of every capture (and of every
 * live enforcer) got the same id whatever its dialog, stream or content, and NATS, which
 * deduplicates by it (README), would have dropped the later one. It now digests the capture
 * time and the sender's SSRC too.
 */
import { afterAll, describe, expect, it } from 'vitest';
import type { RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import { Workspace } from './e2e-helpers.js';
import { replayTwoParty, srFrom, T0 } from './two-party-rtcp.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('requestId uniqueness', () => {
  it('two different exports (different capture, stream, content) do not share a requestId', async () => {
    const policy = { apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' } } };
    const one = await replayTwoParty(ws, 'rid-one', {
      aLines: ['a=aipref:session apt-raw'],
      rtcp: [{ ts: 1, fromA: true, packets: [srFrom(1111, T0 + 1)] }],
      policy,
    });
    const two = await replayTwoParty(ws, 'rid-two', {
      aLines: ['a=aipref:session apt-raw'],
      // B's SR, other SSRC, other time, other content: the same frame number and item index
      rtcp: [{ ts: 7.5, fromA: false, packets: [{ ...srFrom(2222, T0 + 7.5), packetCount: 999, octetCount: 12345 } as RtcpPacketInput] }],
      policy,
    });
    const x = one.exports.find((e) => e.type === 'telemetry')!;
    const y = two.exports.find((e) => e.type === 'telemetry')!;
    expect(x.stream.ssrc).toBe(1111);
    expect(y.stream.ssrc).toBe(2222);
    expect(x.ts).not.toBe(y.ts);
    expect(y.requestId).not.toBe(x.requestId);
  });
});
