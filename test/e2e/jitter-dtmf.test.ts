/**
 * stats.jitterMs converted a report block's jitter by the clock of the payload type *last* seen
 * in the reported source's RTP (StreamState.pt, media-core.ts streamClockRate). An audio source
 * that sends opus (48 kHz) and, for a moment, DTMF as telephone-event/8000 (RFC 4733; the usual
 * WebRTC offer has both) keeps its jitter in the audio clock's units: the receiver measures it on
 * the media. After one DTMF packet the next RR's 480 units (10 ms of opus) are read as 60 ms.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../src/media/rtp-encode.js';
import { type ExportLine, parseLines, policyOf, replayLines, Workspace } from './e2e-helpers.js';
import { type At, request, response, writeCall } from './hand-built-calls.js';
import { rrFrom } from './two-party-rtcp.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

function sdp(party: 'a' | 'b'): string {
  const ip = party === 'a' ? '10.0.0.1' : '10.0.0.2';
  const port = party === 'a' ? 4000 : 5000;
  return [
    'v=0', `o=${party} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', 'a=aipref:session apt-agg',
    `m=audio ${port} RTP/AVP 111 101`, 'a=mid:a', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv', '',
  ].join('\r\n');
}

const policy = policyOf({ apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' } } });

describe('jitterMs of an opus source that sent a DTMF event', () => {
  it('480 units of an opus source are 10 ms, whether or not its last packet was telephone-event', async () => {
    const file = await ws.file('jitter-dtmf.pcap');
    await writeCall(file, (at: At) => {
      at(0, request('INVITE', 1, sdp('a')), true);
      at(0.1, response('200 OK', 1, sdp('b')), false);
      at(0.2, request('ACK', 1, null), true);
      const rtp = (ts: number, pt: number) => at(ts, encodeRtpPacket({ pt, seq: Math.round(ts * 50), ts: 0, ssrc: 2222, payload: new Uint8Array(20) }), false, 5000, 4000);
      rtp(0.3, 111);
      rtp(0.32, 111);
      rtp(0.34, 101); // one DTMF event packet of the same source
      at(1, encodeRtcpCompound([rrFrom(1111, [{ ssrc: 2222, jitter: 480 }])]), true, 4000, 5000);
    });
    const runs = await Promise.all([0, 2].map((workers) => replayLines({ capture: file, policy, workers })));
    expect(runs[1]!.exports).toEqual(runs[0]!.exports);
    const run = runs[0]!;
    const agg = parseLines<ExportLine>(run.exports).filter((x) => x.type === 'aggregate' && x.stream.ssrc === 1111);
    expect(agg).toHaveLength(1);
    const stats = agg[0]!.stats as unknown as { jitterMs: { mean: number } | null };
    expect(stats.jitterMs?.mean).toBe(10);
  });
});
