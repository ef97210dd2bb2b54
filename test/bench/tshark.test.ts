/**
 * The bench's tshark baseline is the median of a few runs (one run's time swung from 13.8 to
 * 23.7 s on the bench VM, and the × tshark target with it), and finds the capture's RTCP.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTshark, tsharkRtcp } from '../../bench/tshark.js';

const found = findTshark();

describe.skipIf(!found.path)('tsharkRtcp', () => {
  it('runs tshark three times and reports the median run, with every RTCP packet of the capture', async () => {
    const r = await tsharkRtcp(found.path!, found.version!, path.resolve('samples/call-small.pcap'), 440);
    expect(r.runs).toHaveLength(3);
    expect(r.seconds).toBe([...r.runs].sort((a, b) => a - b)[1]);
    expect(r.packetsPerSec).toBeCloseTo(440 / r.seconds, 6);
    // samples/call-small.pcap: 54 RTCP datagrams (README), some compound
    expect(r.rtcpLines).toBe(54);
  });
});
