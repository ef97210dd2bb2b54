/**
 * pcapng with several interfaces of different link types and time resolutions in one section,
 * compared with tshark frame by frame.
 */
import { describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv6Udp, wrapEthernet } from '../../native-free/frame-builder.js';
import { encodePcapngBlock, encodePcapngEnhancedPacket, encodePcapngSectionHeader, encodePcapngSimplePacket } from '../../native-free/write.js';
import { concat, inspect, rtp, tsharkFields, writeFile } from './helpers.js';

function idb(linkType: number, options: { code: number; value: Uint8Array }[], snapLen = 0): Uint8Array {
  const opts: Uint8Array[] = [];
  for (const o of options) {
    const h = new Uint8Array(4 + ((o.value.length + 3) & ~3));
    const dv = new DataView(h.buffer);
    dv.setUint16(0, o.code, true);
    dv.setUint16(2, o.value.length, true);
    h.set(o.value, 4);
    opts.push(h);
  }
  if (opts.length) opts.push(new Uint8Array(4));
  const body = new Uint8Array(8);
  const dv = new DataView(body.buffer);
  dv.setUint16(0, linkType, true);
  dv.setUint32(4, snapLen, true);
  return encodePcapngBlock(1, concat(body, ...opts));
}

function sll2(protocol: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(20);
  const dv = new DataView(h.buffer);
  dv.setUint16(0, protocol);
  dv.setUint32(4, 3);
  dv.setUint16(8, 1);
  h[10] = 0;
  h[11] = 6;
  return concat(h, payload);
}

describe('control: pcapng interfaces of different link types and resolutions', () => {
  it('times, addresses and ports agree with tshark on every frame', () => {
    const sec = 1700000000n;
    const f1 = buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 40000, dport: 40002, payload: rtp(1, 1), vlan: [100, 200] });
    const f2 = sll2(0x86dd, buildIpv6Udp({ src: '2001:db8::1', dst: '2001:db8::2', sport: 41000, dport: 41002, payload: rtp(2, 1), link: 'raw' }));
    const f3 = buildEthernetIpv4Udp({ src: '10.0.0.3', dst: '10.0.0.4', sport: 42000, dport: 42002, payload: rtp(3, 1), link: 'raw' });
    const bytes = concat(
      encodePcapngSectionHeader(),
      idb(1, [{ code: 2, value: new TextEncoder().encode('eth0') }, { code: 9, value: Uint8Array.of(9) }]),
      idb(276, []),
      idb(101, [{ code: 9, value: Uint8Array.of(0x80 | 20) }]),
      encodePcapngEnhancedPacket(0, sec * 1_000_000_000n + 123_456_789n, f1),
      encodePcapngEnhancedPacket(1, sec * 1_000_000n + 223_456n, f2),
      encodePcapngEnhancedPacket(2, (sec << 20n) + 1n * (1n << 19n), f3),
      encodePcapngSimplePacket(f1),
    );
    const file = writeFile('multi-if.pcapng', bytes);
    const ts = tsharkFields(file, ['frame.number', 'frame.time_epoch', 'ip.src', 'ipv6.src', 'udp.srcport']);
    const lines = inspect(file);
    expect(lines.length).toBe(ts.length);
    for (const [i, t] of ts.entries()) {
      const l = lines[i]!;
      expect(l.frame).toBe(Number(t[0]));
      if (t[1] !== '') expect(Math.abs(l.ts - Number(t[1])), `frame ${t[0]} ts`).toBeLessThan(1e-6);
      expect(l.src).toBe(t[2] || t[3]);
      expect(String(l.sport)).toBe(t[4]);
    }
  });
});
