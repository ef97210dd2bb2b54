/** The sample call with records inserted or rewritten (media demux tests). */
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { type PcapRecord, readPcapRecords, SMALL_PCAP, type Workspace, writePcapRecords } from './e2e-helpers.js';
import { type Udp, udp } from './srtcp-helpers.js';

export interface Edit {
  /** the record's UDP datagram rewritten (null: leave the record out; undefined: keep it as it is) */
  map?: (frame: number, u: Udp) => Udp | null | undefined;
  /** datagrams inserted right after the record of this (original, 1-based) frame, 1 µs apart */
  after?: (frame: number) => Udp[];
}

export async function editSample(ws: Workspace, name: string, e: Edit): Promise<string> {
  const { header, records } = await readPcapRecords(SMALL_PCAP);
  const out: PcapRecord[] = [];
  records.forEach((r, i) => {
    const frame = i + 1;
    const u = udp(r);
    const next = u !== null && e.map ? e.map(frame, u) : undefined;
    if (next !== null) out.push(next === undefined ? r : { ts: r.ts, data: buildEthernetIpv4Udp(next) });
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
