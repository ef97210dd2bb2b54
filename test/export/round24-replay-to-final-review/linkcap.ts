/** Scratch (round-24 final review of replay --to): pcaps of any link type, records with any original length. */
import { encodePcapFileHeader, encodePcapRecord } from '../../../native-free/write.js';
import { writeFile } from 'node:fs/promises';

export interface LinkRec {
  ts: number;
  /** the record's captured bytes (link header included) */
  data: Uint8Array;
  /** the original length; default the captured one */
  origLen?: number;
}

/** A pcap (microsecond, little-endian) of link type `linkType`. */
export async function writeLinkCap(file: string, linkType: number, recs: readonly LinkRec[]): Promise<string> {
  const parts: Uint8Array[] = [encodePcapFileHeader(linkType)];
  for (const r of recs) {
    parts.push(encodePcapRecord(r.ts, r.data, { origLen: r.origLen ?? r.data.length }));
  }
  await writeFile(file, Buffer.concat(parts));
  return file;
}

/** The byte offset of record `k` in a file written by writeLinkCap. */
export const offsetOf = (recs: readonly LinkRec[], k: number): number => 24 + recs.slice(0, k).reduce((n, r) => n + 16 + r.data.length, 0);

export const cat = (...parts: (Uint8Array | number[])[]): Uint8Array => Buffer.concat(parts.map((p) => Buffer.from(p instanceof Uint8Array ? p : Uint8Array.from(p))));

const u16 = (v: number): number[] => [v >> 8, v & 0xff];
const MACS = [0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6];
const ipType = (ip: Uint8Array): number => (ip[0]! >> 4 === 6 ? 0x86dd : 0x0800);

/** Link headers in front of an IP packet. */
export const link = {
  ethernet: (ip: Uint8Array, type = ipType(ip)) => cat(MACS, u16(type), ip),
  vlan: (ip: Uint8Array) => cat(MACS, u16(0x8100), u16(100), u16(ipType(ip)), ip),
  qinq: (ip: Uint8Array) => cat(MACS, u16(0x88a8), u16(200), u16(0x8100), u16(100), u16(ipType(ip)), ip),
  mpls: (ip: Uint8Array) => cat(MACS, u16(0x8847), [0x00, 0x01, 0x00, 0x40], [0x00, 0x02, 0x01, 0x40], ip),
  pppoe: (ip: Uint8Array) => cat(MACS, u16(0x8864), [0x11, 0x00], u16(0x0001), u16(ip.length + 2), u16(ip[0]! >> 4 === 6 ? 0x57 : 0x21), ip),
  llcSnap: (ip: Uint8Array) => cat(MACS, u16(ip.length + 8), [0xaa, 0xaa, 0x03, 0, 0, 0], u16(ipType(ip)), ip),
  sll: (ip: Uint8Array) => cat(u16(0), u16(1), u16(6), [0, 1, 2, 3, 4, 5, 0, 0], u16(ipType(ip)), ip),
  sll2: (ip: Uint8Array) => cat(u16(ipType(ip)), [0, 0], [0, 0, 0, 2], u16(1), [0, 6], [0, 1, 2, 3, 4, 5, 0, 0], ip),
  /** BSD loopback, family in little-endian host order */
  null: (ip: Uint8Array) => cat([ip[0]! >> 4 === 6 ? 30 : 2, 0, 0, 0], ip),
  /** OpenBSD loopback, family in network order */
  loop: (ip: Uint8Array) => cat([0, 0, 0, ip[0]! >> 4 === 6 ? 24 : 2], ip),
  raw: (ip: Uint8Array) => cat(ip),
};
