/**
 * Arrival time of live packets, in the capture-time unit of the record contract (seconds since
 * the epoch, microsecond precision). performance.now() keeps it monotonic within a process,
 * so packets read in order never go back in time when the system clock is stepped.
 */
import { performance } from 'node:perf_hooks';

export function wallClockSeconds(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000) / 1e6;
}
