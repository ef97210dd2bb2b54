/**
 * Found by a review of the packet layers against tshark, fixed since: units finer than 2^31 a second are divided exactly in integers (native-free/pcapng.ts exactSeconds).
 *
 * Input: a pcapng whose interface has if_tsresol 0x80|32 (2^-32 s units, the 32.32 fixed-point
 *   time of ERF/DAG captures converted to pcapng) and one EPB at 7580393914319405659 units
 *   (1764947994.220863482 s), carrying a SIP OPTIONS.
 * Was: timestampSeconds() (native-free/pcapng.ts) takes units / unitsPerSecond as one float for
 *   resolutions finer than 2^31 units a second; the count (~7.6e18) is not exact as a double
 *   (2^11 units of error), so the time lands on the wrong side of a half microsecond: inspect
 *   --json prints ts 1764947994.220864 where tshark's frame.time_epoch (1764947994.220863482) is
 *   …220863 to the microsecond. About one EPB in eight at 2^-32 (and at 10^-10) is one µs off, and
 *   the same instant written at ns or µs resolution gives a different ts.
 * Correct: SPEC §8: times are capture times with microsecond precision; the module's own contract
 *   ("a time is the same float whatever the file's resolution"); tshark as oracle.
 * Fix: native-free/pcapng.ts timestampSeconds(): for unitsPerSecond > 2^31 split exactly too, e.g.
 *   with BigInt (units / ups, units % ups, then the remainder rounded to µs), or for 2^-n
 *   resolutions with shifts on hi/lo; these resolutions are rare, so the BigInt cost is moot.
 */
import { describe, expect, it } from 'vitest';
import { buildIpv4Packet, buildUdpDatagram, parseIpv4, wrapEthernet } from '../../../native-free/frame-builder.js';
import { timestampSeconds } from '../../../native-free/pcapng.js';
import { encodePcapngEnhancedPacket, encodePcapngInterface, encodePcapngSectionHeader } from '../../../native-free/write.js';
import { concat, inspect, text, tsharkFields, writeFile, hasTshark } from '../helpers.js';


const UNITS = 7580393914319405659n;
/** the exact time to the nearest microsecond: units × 10^6 / 2^32, rounded */
const EXACT_US = Number((UNITS * 1_000_000n + (1n << 31n)) >> 32n);

const s4 = parseIpv4('10.0.0.1');
const d4 = parseIpv4('10.0.0.2');
const sip = text('OPTIONS sip:bob@example.net SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bKr\r\nFrom: <sip:a@example.net>;tag=1\r\nTo: <sip:bob@example.net>\r\nCall-ID: res32@x\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n');
const frame = wrapEthernet(0x800, buildIpv4Packet({ src: s4, dst: d4, protocol: 17, payload: buildUdpDatagram(s4, d4, 5060, 5060, sip) }));

describe('pcapng if_tsresol 2^-32: times to the microsecond', () => {
  it('timestampSeconds gives the exact time rounded to the microsecond', () => {
    expect(EXACT_US).toBe(1764947994220863);
    const hi = Number(UNITS >> 32n);
    const lo = Number(UNITS & 0xffffffffn);
    expect(Math.round(timestampSeconds(hi, lo, 2 ** 32) * 1e6)).toBe(EXACT_US);
  });

  it('inspect --json prints the time tshark shows, to the microsecond', () => {
    const file = writeFile(
      'plr-tsresol32.pcapng',
      concat(encodePcapngSectionHeader(), encodePcapngInterface(1, { tsresol: 0x80 | 32 }), encodePcapngEnhancedPacket(0, UNITS, frame)),
    );
    if (hasTshark) {
      const [[epoch]] = tsharkFields(file, ['frame.time_epoch']) as [[string]];
      const [s, ns] = epoch.split('.') as [string, string];
      expect(Number(s) * 1e6 + Math.round(Number(ns.padEnd(9, '0')) / 1000)).toBe(EXACT_US);
    }
    const [line] = inspect(file);
    expect(line).toMatchObject({ frame: 1, proto: 'sip' });
    expect(line!.ts).toBe(EXACT_US / 1e6);
  });
});
