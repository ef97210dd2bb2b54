/** The sample call (samples/call-small.pcap) with records rewritten, left out, inserted or cut: one record walk for every test that edits it. */
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { type PcapRecord, readPcapRecords, SMALL_PCAP, type Workspace, writePcapRecords } from './e2e-helpers.js';

const ip = (b: Uint8Array, at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;

export interface Udp {
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

/** An Ethernet/IPv4/UDP record's datagram, or null for anything else. */
export function udp(r: PcapRecord): Udp | null {
  const b = r.data;
  if (b.length < 42 || b[12] !== 0x08 || b[13] !== 0x00 || b[23] !== 17) return null;
  const at = 14 + (b[14]! & 0x0f) * 4;
  return { src: ip(b, 26), dst: ip(b, 30), sport: (b[at]! << 8) | b[at + 1]!, dport: (b[at + 2]! << 8) | b[at + 3]!, payload: b.subarray(at + 8) };
}

export interface Edit {
  /** the record's UDP datagram rewritten (null: leave the record out; undefined: keep it as it is) */
  map?: (frame: number, u: Udp) => Udp | null | undefined;
  /** datagrams inserted right after the record of this (original, 1-based) frame, 1 µs apart */
  after?: (frame: number) => Udp[];
  /** how many bytes of the (rewritten) UDP record the capture's snap length cuts off its end: 0 for none */
  cut?: (frame: number, u: Udp, original: Udp) => number;
}

export async function editSample(ws: Workspace, name: string, e: Edit): Promise<string> {
  const { header, records } = await readPcapRecords(SMALL_PCAP);
  const out: PcapRecord[] = [];
  records.forEach((r, i) => {
    const frame = i + 1;
    const u = udp(r);
    const next = u !== null && e.map ? e.map(frame, u) : undefined;
    if (next !== null) {
      const data = next === undefined ? r.data : buildEthernetIpv4Udp(next);
      const cut = u !== null && e.cut ? e.cut(frame, next ?? u, u) : 0;
      out.push(cut > 0 ? { ts: r.ts, data: data.subarray(0, data.length - cut), origLen: data.length } : { ts: r.ts, data });
    }
    (e.after?.(frame) ?? []).forEach((x, k) => out.push({ ts: r.ts + (k + 1) * 1e-6, data: buildEthernetIpv4Udp(x) }));
  });
  const file = await ws.file(name);
  await writePcapRecords(file, header, out);
  return file;
}

/** Every aligned or unaligned occurrence of the 32-bit big-endian `from` in `bytes` replaced by `to` (a copy). */
export function replaceU32(bytes: Uint8Array, from: number, to: number): Uint8Array {
  const b = Buffer.from(bytes);
  const f = Buffer.alloc(4);
  f.writeUInt32BE(from >>> 0);
  for (let at = b.indexOf(f); at >= 0; at = b.indexOf(f, at + 4)) b.writeUInt32BE(to >>> 0, at);
  return b;
}

export const sipText = (u: Udp) => Buffer.from(u.payload).toString('latin1');
