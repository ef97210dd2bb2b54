/**
 * Round-trip time from RTCP report blocks (RFC 3550 §6.4.1): RTT = A − LSR − DLSR, all in the
 * 32-bit "compact NTP" unit of 1/65536 s, where A is the arrival time of the report. Here the
 * arrival is the capture time, so the figure is exact when the SR sender's clock agrees with
 * the capture clock — the same assumption an endpoint makes about its own clock.
 */

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const NTP_UNIX_OFFSET = 2_208_988_800;
const COMPACT_PER_SECOND = 65536;

/** The middle 32 bits of a 64-bit NTP timestamp: what an RR's LSR field echoes. */
export function compactNtp(ntpSec: number, ntpFrac: number): number {
  return (((ntpSec & 0xffff) << 16) | (ntpFrac >>> 16)) >>> 0;
}

/** A capture time (Unix seconds) as compact NTP. */
export function compactNtpOfUnixTime(unixSec: number): number {
  const whole = Math.floor(unixSec);
  const frac = Math.floor((unixSec - whole) * 2 ** 32) >>> 0;
  return compactNtp((whole + NTP_UNIX_OFFSET) >>> 0, frac);
}

/**
 * RTT in milliseconds, or null when it cannot be computed: no SR echoed (LSR 0) or a result
 * that is negative or implausibly large (clock disagreement, wrap), which is no measurement.
 */
export function roundTripMs(arrivalUnixSec: number, lsr: number, dlsr: number, maxPlausibleSec = 60): number | null {
  if (lsr === 0) return null;
  const compact = (compactNtpOfUnixTime(arrivalUnixSec) - lsr - dlsr) | 0;
  if (compact < 0 || compact > maxPlausibleSec * COMPACT_PER_SECOND) return null;
  return (compact * 1000) / COMPACT_PER_SECOND;
}
