/**
 * Aggregated jitter in milliseconds (SPEC §4 aggregates): a report block's interarrival jitter
 * is in the RTP timestamp units of the source it reports on (RFC 3550 §6.4.1), so one RR about
 * BUNDLE audio (opus, 48 kHz) and video (VP8, 90 kHz) holds numbers of two clocks. `jitterMs`
 * converts each by its source's clock rate: the payload type last seen in the source's RTP,
 * read by the m-section's a=rtpmap lines or RFC 3551's static table.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../src/media/rtp-encode.js';
import { type ExportLine, parseLines, policyOf, replayLines, Workspace } from './e2e-helpers.js';
import { type At, request, response, writeCall } from './hand-built-calls.js';
import { sdesMid } from './calls-on-any-address.js';
import { rrFrom } from './two-party-rtcp.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** A BUNDLE offer/answer: audio (mid a) and video (mid v) on one port per side, rtcp-mux. */
function bundleSdp(party: 'a' | 'b', audioFormats = '111 101 0'): string {
  const ip = party === 'a' ? '10.0.0.1' : '10.0.0.2';
  const port = party === 'a' ? 4000 : 5000;
  return [
    'v=0', `o=${party} 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', 'a=group:BUNDLE a v', 'a=aipref:session apt-agg',
    `m=audio ${port} RTP/AVP ${audioFormats}`, 'a=mid:a', 'a=rtcp-mux', 'a=rtpmap:111 opus/48000/2', 'a=rtpmap:101 telephone-event/8000', 'a=sendrecv',
    `m=video ${port} RTP/AVP 96 97`, 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', 'a=rtpmap:97 rtx/90000', 'a=sendrecv', '',
  ].join('\r\n');
}

const policy = policyOf({ apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' } } });

/** B's RTP to A's bundled port */
function rtpFromB(at: At, ts: number, ssrc: number, pt: number): void {
  at(ts, encodeRtpPacket({ pt, seq: Math.round(ts * 50), ts: 0, ssrc, payload: new Uint8Array(20) }), false, 5000, 4000);
}

/** A's RR about B's sources, on the bundled (muxed) port */
function rrFromA(at: At, ts: number, blocks: { ssrc: number; jitter: number }[]): void {
  at(ts, encodeRtcpCompound([rrFrom(1111, blocks)]), true, 4000, 5000);
}

type Spread = { min: number; mean: number; max: number; p95: number };
type Stats = { jitter: Spread | null; jitterMs: (Spread & { count: number }) | null; reportBlocks: number };

async function aggregateOfA(name: string, write: (at: At) => void): Promise<Stats> {
  const file = await ws.file(`${name}.pcap`);
  await writeCall(file, (at) => {
    at(0, request('INVITE', 1, bundleSdp('a')), true);
    at(0.1, response('200 OK', 1, bundleSdp('b')), false);
    at(0.2, request('ACK', 1, null), true);
    write(at);
  });
  // the payload types reach the shard threads as the in-thread core sees them
  const runs = await Promise.all([0, 2].map((workers) => replayLines({ capture: file, policy, workers })));
  expect(runs[1]!.exports).toEqual(runs[0]!.exports);
  const aggregates = parseLines<ExportLine>(runs[0]!.exports).filter((x) => x.type === 'aggregate' && x.stream.ssrc === 1111);
  expect(aggregates).toHaveLength(1);
  return aggregates[0]!.stats as unknown as Stats;
}

describe('aggregated jitter in milliseconds, by the reported source clock', () => {
  it('one RR about BUNDLE audio (opus, 48 kHz) and video (VP8, 90 kHz): 480 and 900 units are both 10 ms', async () => {
    const stats = await aggregateOfA('jitter-bundle', (at) => {
      rtpFromB(at, 0.3, 2222, 111);
      rtpFromB(at, 0.31, 4444, 96);
      rrFromA(at, 1, [{ ssrc: 2222, jitter: 480 }, { ssrc: 4444, jitter: 900 }]);
      rrFromA(at, 2, [{ ssrc: 2222, jitter: 960 }, { ssrc: 4444, jitter: 1800 }]);
    });
    // as reported: two clocks' units side by side
    expect(stats.jitter).toEqual({ min: 480, mean: 1035, max: 1800, p95: 1800 });
    expect(stats.jitterMs).toEqual({ min: 10, mean: 15, max: 20, p95: 20, count: 4 });
  });

  it('a block about a source whose clock is unknown (no RTP seen, no m-section) is left out of jitterMs, not of jitter', async () => {
    const stats = await aggregateOfA('jitter-unknown', (at) => {
      rtpFromB(at, 0.3, 4444, 96);
      rrFromA(at, 1, [{ ssrc: 4444, jitter: 450 }, { ssrc: 9999, jitter: 7 }]);
    });
    expect(stats.reportBlocks).toBe(2);
    expect(stats.jitter).toEqual({ min: 7, mean: 228.5, max: 450, p95: 450 });
    expect(stats.jitterMs).toEqual({ min: 5, mean: 5, max: 5, p95: 5, count: 1 });
  });

  it('the clock follows the payload type in use: a static one without rtpmap (PCMU, 8 kHz), then opus', async () => {
    const stats = await aggregateOfA('jitter-switch', (at) => {
      rtpFromB(at, 0.3, 2222, 0);
      rrFromA(at, 1, [{ ssrc: 2222, jitter: 80 }]);
      rtpFromB(at, 1.5, 2222, 111);
      rrFromA(at, 2, [{ ssrc: 2222, jitter: 480 }]);
    });
    expect(stats.jitterMs).toEqual({ min: 10, mean: 10, max: 10, p95: 10, count: 2 });
  });

  it('before any RTP of a source: the clock its m-section formats share (video 90 kHz), none for audio with telephone-event/8000 beside opus', async () => {
    const stats = await aggregateOfA('jitter-before-rtp', (at) => {
      // no RTP: B's RTCP SDES says which m-section each source is
      at(0.5, encodeRtcpCompound([sdesMid(2222, 'a'), sdesMid(4444, 'v')]), false, 5000, 4000);
      rrFromA(at, 1, [{ ssrc: 2222, jitter: 480 }, { ssrc: 4444, jitter: 2700 }]);
    });
    expect(stats.jitterMs).toEqual({ min: 30, mean: 30, max: 30, p95: 30, count: 1 });
  });
});
