/**
 * Datagrams the kernel dropped before a listener saw them: a UDP socket whose receive buffer
 * overran (a mirror's burst while the event loop was busy) loses datagrams no counter of ours
 * can see. Linux counts them per socket in the last column of /proc/net/udp and /proc/net/udp6
 * (`drops`); the socket is found there by its bound address and port, written as the kernel
 * prints them (each 32-bit word of the address in host byte order, as hex; the port as hex).
 * Elsewhere (no /proc) the count is unknown: null.
 */
import { readFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { parseIpv6 } from '../../native-free/frame-builder.js';

/** The kernel's count of datagrams dropped at the socket bound to this address, or null if unknown. */
export function udpReceiveDrops(bound: { address: string; port: number }, procNet = '/proc/net'): number | null {
  const v6 = isIPv6(bound.address);
  const want = `${procAddress(bound.address, v6)}:${hex(bound.port, 4)}`;
  let table: string;
  try {
    table = readFileSync(`${procNet}/${v6 ? 'udp6' : 'udp'}`, 'latin1');
  } catch {
    return null;
  }
  const lines = table.split('\n');
  for (let i = 1; i < lines.length; i++) {
    const fields = lines[i]!.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (fields.length < 13 || fields[1] !== want) continue;
    const drops = Number(fields[12]);
    return Number.isSafeInteger(drops) ? drops : null;
  }
  return null;
}

/** The address as /proc/net/udp{,6} writes it: its 32-bit words in little-endian byte order, upper-case hex. */
function procAddress(address: string, v6: boolean): string {
  const bytes = v6 ? parseIpv6(address.replace(/%.*$/, '')) : Uint8Array.from(address.split('.').map(Number));
  let out = '';
  for (let w = 0; w < bytes.length; w += 4) for (let b = 3; b >= 0; b--) out += hex(bytes[w + b]!, 2);
  return out;
}

function hex(n: number, width: number): string {
  return n.toString(16).toUpperCase().padStart(width, '0');
}
