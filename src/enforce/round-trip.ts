/**
 * Round-trip time from RTCP report blocks (RFC 3550 §6.4.1): RTT = A − LSR − DLSR, where LSR
 * and A must be read on one clock. An endpoint reads both on its own; the enforcer only
 * watches, and its one clock is the capture's. So A is the capture time of the report and
 * LSR stands for the capture time of the SR it echoes, found by its compact NTP (the middle
 * 32 bits) among the SRs seen from the reported-on source: the SR sender's NTP clock is never
 * compared with the capture clock, and may be off by any amount. DLSR is the reporter's own
 * interval and needs no clock agreement. The figure is the round trip between the capture
 * point and the reporter (the endpoint's own when the capture is taken at the SR's sender).
 */

const COMPACT_PER_SECOND = 65536;
/** One unit of DLSR (1/65536 s) in microseconds. */
const DLSR_UNIT_US = 1e6 / COMPACT_PER_SECOND;

/** The middle 32 bits of a 64-bit NTP timestamp: what an RR's LSR field echoes. */
export function compactNtp(ntpSec: number, ntpFrac: number): number {
  return (((ntpSec & 0xffff) << 16) | (ntpFrac >>> 16)) >>> 0;
}

/**
 * RTT in milliseconds from the capture times of the report and of the SR it echoes and the
 * report's DLSR (compact NTP units), or null when the result is negative or implausibly large
 * (a DLSR that does not fit the captured interval), which is no measurement.
 */
export function roundTripMs(reportUnixSec: number, srUnixSec: number, dlsr: number, maxPlausibleSec = 60): number | null {
  // In whole microseconds, as capture times are written (SPEC §8): the two times rounded
  // first, so a nanosecond capture of the same packets gives the same figure; DLSR's unit,
  // 1/65536 s, is 15.625 µs, exact in binary, so the one rounding left is exact too.
  const us = Math.round(Math.round(reportUnixSec * 1e6) - Math.round(srUnixSec * 1e6) - dlsr * (1e6 / COMPACT_PER_SECOND));
  // Less than one DLSR unit below zero is a round trip of nothing measured to DLSR's grain (a
  // capture on the reporter's own host; a reporter that rounds DLSR rather than truncating it):
  // 0, not "no measurement" — dropped, such samples left about half of a near-zero RTT's out
  if (us < 0 && us > -DLSR_UNIT_US) return 0;
  if (!(us >= 0) || us > maxPlausibleSec * 1e6) return null;
  return us / 1e3;
}
