/**
 * What the first touch of a fresh page of memory costs on this machine: a large buffer is
 * allocated (not zeroed, so the OS has only reserved it) and one byte of every 4 KiB page is
 * written, twice. The first pass takes a page fault per page, the second none; the difference
 * per page is the fault's cost. On a bare machine it is a fraction of a microsecond; on a
 * virtual one whose host backs guest memory lazily, ten or more, and then every megabyte a
 * process touches for the first time (its heaps growing, its buffers) costs milliseconds.
 */
const PAGE = 4096;

export interface PageTouchResult {
  megabytes: number;
  /** microseconds per page, first touch minus a touch of the same page after */
  firstTouchMicros: number;
}

/** The median of three probes of `megabytes` each (each a fresh buffer, freed after). */
export function firstTouchCost(megabytes = 32): PageTouchResult {
  const probes: number[] = [];
  for (let r = 0; r < 3; r++) {
    const buf = Buffer.allocUnsafeSlow(megabytes * 1024 * 1024);
    const pages = buf.length / PAGE;
    let t = performance.now();
    for (let i = 0; i < buf.length; i += PAGE) buf[i] = 1;
    const first = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < buf.length; i += PAGE) buf[i] = 2;
    const again = performance.now() - t;
    probes.push(((first - again) * 1000) / pages);
  }
  probes.sort((a, b) => a - b);
  return { megabytes, firstTouchMicros: probes[1]! };
}
