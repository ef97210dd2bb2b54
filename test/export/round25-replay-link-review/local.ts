/** Scratch (round-25 review of replay --to's link-layer corners): `replay --to` into a plain UDP socket, and the frames this review needs. */
import { cli } from '../../live/live-vs-replay-review/lvr-helpers.js';
import { receiver, until } from '../round24-replay-to-review/frames.js';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { C4, C6, ipv4, ipv6, S4, S6, udp } from '../round24-replay-to-review/pkt.js';
import { cat } from '../round24-replay-to-final-review/linkcap.js';

/** `replay <cap> --to udp://…` (payload or ip-packet mode) or `hep://…` into a UDP socket: {sent, skipped}, stderr lines, datagrams received. */
export async function toSocket(cap: string, mode: 'payload' | 'ip-packet' | 'hep', expect: number) {
  const r = await receiver();
  try {
    const scheme = mode === 'hep' ? 'hep' : 'udp';
    const res = await cli(['replay', cap, '--to', `${scheme}://127.0.0.1:${r.port}`, '--speed', '0', ...(mode === 'ip-packet' ? ['--udp-mode', 'ip-packet'] : [])]);
    await until(r.got, expect, 2000);
    return { result: JSON.parse(res.stdout) as { sent: number; skipped: number }, stderr: res.stderr, lines: res.stderr.trim().split('\n').filter((l) => l !== ''), got: r.got };
  } finally {
    r.close();
  }
}

export const u16 = (v: number): number[] => [v >> 8, v & 0xff];
export const MACS = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6];
/** a UDP SIP datagram, IPv4 / IPv6 */
export const sip4 = (n: number): Uint8Array => ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(n)));
export const sip6 = (n: number): Uint8Array => ipv6(C6, S6, [], 17, udp(5060, 5060, sipMsg(n)));
/** PPPoE session frame with the given PPP protocol (0x0021 IPv4, 0x0057 IPv6), whatever the packet */
export const pppoeAs = (ip: Uint8Array, ppp: number): Uint8Array => cat(MACS, u16(0x8864), [0x11, 0x00], u16(1), u16(ip.length + 2), u16(ppp), ip);
/** 802.1Q frame with the given inner EtherType, whatever the packet */
export const vlanAs = (ip: Uint8Array, type: number): Uint8Array => cat(MACS, u16(0x8100), u16(100), u16(type), ip);
/** QinQ (88a8 then 8100) frame with the given inner EtherType */
export const qinqAs = (ip: Uint8Array, type: number): Uint8Array => cat(MACS, u16(0x88a8), u16(200), u16(0x8100), u16(100), u16(type), ip);
/** loopback (NULL / LOOP) record with the 4 family bytes as given */
export const fam = (family: number[], ip: Uint8Array): Uint8Array => cat(family, ip);
/** reports as "type detail", without their "frame N: " and " at byte N of the record" (live counts from the IP header) */
export const plain = (rs: Record<string, unknown>[]) => rs.map((r) => `${String(r.type)} ${String(r.detail).replace(/^frame \d+: /, '').replace(/ at byte \d+ of the record$/, '')}`);
