/**
 * Property tests: no input makes a decoder throw anything but its named error.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CaptureError, LinkType } from '../../native-free/types.js';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { encodePcapngEnhancedPacket, encodePcapngInterface, encodePcapngSectionHeader } from '../../native-free/write.js';
import { concatBytes, readBytes } from './capture-helpers.js';
import { decodeAll } from './packet-helpers.js';

const linkTypes = Object.values(LinkType);

describe('fuzz: packet layers', () => {
  it('random bytes under every link type decode to a kind, never an exception', () => {
    fc.assert(
      fc.property(fc.constantFrom(...linkTypes), fc.uint8Array({ maxLength: 120 }), (linkType, data) => {
        const { decoded } = decodeAll([{ data, linkType }]);
        expect(['udp', 'tcp', 'pending', 'other', 'malformed']).toContain(decoded[0]!.kind);
        if (decoded[0]!.kind === 'malformed') {
          expect(decoded[0]!.error).not.toBe('');
          expect(decoded[0]!.errorOffset).toBeGreaterThanOrEqual(0);
          expect(decoded[0]!.errorOffset).toBeLessThanOrEqual(data.length);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('a valid frame with one byte changed still decodes without an exception', () => {
    const frame = buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, payload: new Uint8Array(20), vlan: 7 });
    fc.assert(
      fc.property(fc.nat(frame.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(frame.length), (at, value, cut) => {
        const mutated = frame.slice(0, cut);
        if (at < mutated.length) mutated[at] = value;
        decodeAll([{ data: mutated, linkType: LinkType.ETHERNET }]);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the plain Ethernet/IPv4/UDP shortcut', () => {
  it('decodes every frame, valid or with a byte changed or cut, exactly as the general path does', () => {
    const frame = buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '192.168.200.2', sport: 5004, dport: 40000, payload: Uint8Array.from({ length: 24 }, (_, i) => i) });
    fc.assert(
      fc.property(fc.nat(frame.length - 1), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: frame.length + 8 }), (at, value, cut) => {
        const mutated = new Uint8Array(Math.max(cut, 0));
        mutated.set(frame.subarray(0, Math.min(cut, frame.length)));
        if (at < mutated.length) mutated[at] = value;
        const records = [{ data: mutated, linkType: LinkType.ETHERNET }];
        expect(decodeAll(records).decoded).toEqual(decodeAll(records, { plainUdpShortcut: false }).decoded);
      }),
      { numRuns: 4000 },
    );
  });

  it('agrees with the general path at every length boundary (IP total length, UDP length, captured length, flags)', () => {
    const frame = buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, payload: new Uint8Array(30) });
    const ip = 14;
    const total = (frame[ip + 2]! << 8) | frame[ip + 3]!;
    const udp = (frame[ip + 24]! << 8) | frame[ip + 25]!;
    fc.assert(
      fc.property(
        fc.integer({ min: -30, max: 3 }),
        fc.integer({ min: -24, max: 3 }),
        fc.integer({ min: -3, max: 3 }),
        fc.constantFrom(0x00, 0x40, 0x20, 0x80, 0x01, 0x60),
        fc.constantFrom(0x00, 0x01),
        (dTotal, dUdp, dCut, flags, offsetLow) => {
          const mutated = new Uint8Array(frame.length + 3);
          mutated.set(frame);
          mutated[ip + 2] = (total + dTotal) >> 8;
          mutated[ip + 3] = (total + dTotal) & 0xff;
          mutated[ip + 24] = (udp + dUdp) >> 8;
          mutated[ip + 25] = (udp + dUdp) & 0xff;
          mutated[ip + 6] = flags;
          mutated[ip + 7] = offsetLow;
          const records = [{ data: mutated.subarray(0, frame.length + dCut), linkType: LinkType.ETHERNET }];
          expect(decodeAll(records).decoded).toEqual(decodeAll(records, { plainUdpShortcut: false }).decoded);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('fuzz: capture files', () => {
  const pcap = readFileSync(path.resolve(process.cwd(), '../shared/captures/heplify_sip_ipv6_udp.pcap'));
  const pcapng = concatBytes(
    encodePcapngSectionHeader(),
    encodePcapngInterface(1, { tsresol: 9 }),
    encodePcapngEnhancedPacket(0, 123n, new Uint8Array(60)),
    encodePcapngEnhancedPacket(0, 124n, new Uint8Array(70)),
  );
  for (const [name, file] of [['pcap', new Uint8Array(pcap)], ['pcapng', pcapng]] as const) {
    it(`${name} with a byte changed or cut: records, then at most a CaptureError`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat(file.length - 1), fc.integer({ min: 0, max: 255 }), fc.nat(file.length), fc.integer({ min: 1, max: 300 }), async (at, value, cut, chunkBytes) => {
          const mutated = file.slice(0, cut);
          if (at < mutated.length) mutated[at] = value;
          const r = await readBytes(mutated, { chunkBytes });
          if (r.error !== undefined) expect(r.error).toBeInstanceOf(CaptureError);
          for (const rec of r.records) expect(rec.capLen).toBeLessThanOrEqual(mutated.length);
        }),
        { numRuns: 150 },
      );
    });
  }
});
