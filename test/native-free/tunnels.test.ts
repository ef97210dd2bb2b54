import { describe, expect, it } from 'vitest';
import { createLayerError } from '../../native-free/layer-error.js';
import { createTunnelPayload, openGre, openUdpTunnel, Tunnel } from '../../native-free/tunnels.js';

const open = (f: typeof openGre | ((b: Uint8Array, at: number, end: number, out: ReturnType<typeof createTunnelPayload>, err: ReturnType<typeof createLayerError>) => Tunnel), bytes: number[]) => {
  const out = createTunnelPayload();
  const err = createLayerError();
  const b = Uint8Array.from(bytes);
  const kind = f(b, 0, b.length, out, err);
  return { kind, at: out.at, error: kind === Tunnel.MALFORMED ? err.error : null };
};
const gre = (bytes: number[]) => open(openGre, bytes);
const udp = (dport: number, bytes: number[]) => open((b, at, end, out, err) => openUdpTunnel(dport, b, at, end, out, err), bytes);

describe('GRE (RFC 2784/2890) and ERSPAN', () => {
  it('finds the payload past the optional checksum, key and sequence words', () => {
    expect(gre([0x00, 0, 0x08, 0x00, 0x45])).toMatchObject({ kind: Tunnel.IPV4, at: 4 });
    expect(gre([0xb0, 0, 0x86, 0xdd, ...Array(12).fill(0), 0x60])).toMatchObject({ kind: Tunnel.IPV6, at: 16 });
    expect(gre([0x20, 0, 0x65, 0x58, 0, 0, 0, 1])).toMatchObject({ kind: Tunnel.ETHERNET, at: 8 });
  });

  it('ERSPAN: type I the frame itself, type II after 8 bytes, type III after 12 or 20 (its O bit)', () => {
    expect(gre([0x00, 0, 0x88, 0xbe])).toMatchObject({ kind: Tunnel.ETHERNET, at: 4 });
    expect(gre([0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, ...Array(8).fill(0)])).toMatchObject({ kind: Tunnel.ETHERNET, at: 16 });
    expect(gre([0x10, 0, 0x22, 0xeb, 0, 0, 0, 1, ...Array(12).fill(0)])).toMatchObject({ kind: Tunnel.ETHERNET, at: 20 });
    expect(gre([0x10, 0, 0x22, 0xeb, 0, 0, 0, 1, ...Array(11).fill(0), 0x01, ...Array(8).fill(0)])).toMatchObject({ kind: Tunnel.ETHERNET, at: 28 });
  });

  it('a header cut short is malformed, saying which and by how much', () => {
    expect(gre([0x30, 0, 0x65, 0x58, 0, 0])).toMatchObject({ kind: Tunnel.MALFORMED, error: 'GRE header cut short: 6 of 12 bytes' });
    expect(gre([0x10, 0, 0x88, 0xbe, 0, 0, 0, 1, 0, 0])).toMatchObject({ kind: Tunnel.MALFORMED, error: 'ERSPAN type II header cut short: 2 of 8 bytes' });
    expect(gre([0x10, 0, 0x22, 0xeb, 0, 0, 0, 1, ...Array(11).fill(0), 0x01])).toMatchObject({ kind: Tunnel.MALFORMED, error: 'ERSPAN type III header cut short: 12 of 20 bytes' });
  });

  it('PPTP (version 1), source routing and other protocols are not read', () => {
    expect(gre([0x30, 0x81, 0x88, 0x0b, 0, 0, 0, 0, 0, 0, 0, 0]).kind).toBe(Tunnel.OTHER);
    expect(gre([0x40, 0, 0x08, 0x00, 0, 0, 0, 0]).kind).toBe(Tunnel.OTHER);
    expect(gre([0x00, 0, 0x88, 0x47]).kind).toBe(Tunnel.OTHER);
  });
});

describe('VXLAN (RFC 7348) and Geneve (RFC 8926) on their UDP ports', () => {
  it('an Ethernet frame after VXLAN header with its I flag; without it, a plain UDP datagram', () => {
    expect(udp(4789, [0x08, 0, 0, 0, 0, 0x04, 0xd2, 0])).toMatchObject({ kind: Tunnel.ETHERNET, at: 8 });
    expect(udp(4789, [0x00, 0, 0, 0, 0, 0x04, 0xd2, 0]).kind).toBe(Tunnel.OTHER);
    expect(udp(4789, [0x08, 0, 0]).kind).toBe(Tunnel.OTHER);
  });

  it('Geneve: past its options, by its protocol; another version is no Geneve', () => {
    expect(udp(6081, [0x02, 0, 0x65, 0x58, 0, 0, 1, 0, ...Array(8).fill(0)])).toMatchObject({ kind: Tunnel.ETHERNET, at: 16 });
    expect(udp(6081, [0x00, 0, 0x08, 0x00, 0, 0, 1, 0])).toMatchObject({ kind: Tunnel.IPV4, at: 8 });
    expect(udp(6081, [0x40, 0, 0x08, 0x00, 0, 0, 1, 0]).kind).toBe(Tunnel.OTHER);
    expect(udp(6081, [0x03, 0, 0x65, 0x58, 0, 0, 1, 0])).toMatchObject({ kind: Tunnel.MALFORMED, error: 'Geneve header cut short: 8 of 20 bytes' });
  });

  it('any other port is no tunnel', () => {
    expect(udp(5060, [0x08, 0, 0, 0, 0, 0, 0, 0]).kind).toBe(Tunnel.OTHER);
  });
});
