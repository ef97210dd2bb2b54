/**
 * What a stream has done so far while the capture is written: the counters its own sender
 * reports carry, and what its peer's receiver reports and XR blocks need to echo (LSR/DLSR of
 * RFC 3550 §6.4.1, LRR/DLRR of RFC 3611 §4.5).
 */
import type { Endpoint, StreamPlan } from './call-plan.js';
import type { SeededRandom } from './seeded-random.js';

export interface StreamRuntime {
  plan: StreamPlan;
  sender: Endpoint;
  receiver: Endpoint;
  rtpPort: { src: number; dst: number };
  rtcpPort: { src: number; dst: number };
  rng: SeededRandom;
  /** the stream the same m-section carries the other way */
  peer: StreamRuntime | null;
  firstSeq: number;
  firstTs: number;
  /** packets sent so far; the next packet's sequence number is firstSeq + sent */
  sent: number;
  octets: number;
  /** fraction of the peer's packets this side pretends to have lost, for report blocks */
  lossRate: number;
  /** middle 32 bits of the NTP time of the last SR / XR RRT sent, and when (µs), or null */
  lastSr: { middle: number; us: number } | null;
  lastRrt: { middle: number; us: number } | null;
  firstFrame: number;
  lastFrame: number;
  rtcpCompounds: number;
}

/** NTP time (RFC 5905) of a capture time in µs since the epoch: [seconds, fraction]. */
export function ntpTime(epochUs: number): [number, number] {
  const NTP_UNIX_OFFSET = 2_208_988_800;
  const sec = Math.floor(epochUs / 1e6);
  const frac = Math.floor(((epochUs - sec * 1e6) / 1e6) * 4294967296);
  return [(sec + NTP_UNIX_OFFSET) >>> 0, frac >>> 0];
}

export function ntpMiddle32(ntp: [number, number]): number {
  return (((ntp[0] & 0xffff) << 16) | (ntp[1] >>> 16)) >>> 0;
}

/** RTP timestamp of the stream at a moment, following its clock from the first packet. */
export function rtpTimestampAt(s: StreamRuntime, us: number): number {
  const elapsed = Math.max(0, us - s.plan.startUs);
  return (s.firstTs + Math.floor((elapsed * s.plan.clockRate) / 1e6)) >>> 0;
}
