/** Capture-time review helpers: raw pcap/pcapng bytes with exact seconds and fractions, tshark's times, inspect's times. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader, encodePcapngBlock, encodePcapngEnhancedPacket } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { concatBytes } from '../../native-free/capture-helpers.js';
import { BIN } from '../e2e-helpers.js';

export const DIR = mkdtempSync(path.join(tmpdir(), 'aipref-capture-time-'));
let n = 0;
export function save(bytes: Uint8Array, ext = 'pcap'): string {
  const f = path.join(DIR, `c-${n++}.${ext}`);
  writeFileSync(f, bytes);
  return f;
}

/** an RTCP SR from 10.0.0.1:4001 to 10.0.0.2:5001 as an Ethernet frame */
export function srFrame(ssrc = 1111): Uint8Array {
  const payload = encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: [] }]);
  return buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 4001, dport: 5001, payload });
}

/** A classic LE pcap whose records carry exactly these (sec, frac) pairs. */
export function pcapOf(times: [number, number][], nanosecond: boolean, frame = srFrame()): Uint8Array {
  const parts: Uint8Array[] = [encodePcapFileHeader(1, { nanosecond })];
  for (const [sec, frac] of times) {
    const r = new Uint8Array(16 + frame.length);
    const dv = new DataView(r.buffer);
    dv.setUint32(0, sec >>> 0, true);
    dv.setUint32(4, frac >>> 0, true);
    dv.setUint32(8, frame.length, true);
    dv.setUint32(12, frame.length, true);
    r.set(frame, 16);
    parts.push(r);
  }
  return concatBytes(...parts);
}

export function shb(): Uint8Array {
  const body = new Uint8Array(16);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, 0x1a2b3c4d, true);
  dv.setUint16(4, 1, true);
  dv.setBigInt64(8, -1n, true);
  return encodePcapngBlock(0x0a0d0d0a, body);
}

export function idb(tsresol?: number, tsoffset?: bigint): Uint8Array {
  const opts: number[][] = [];
  const parts: Uint8Array[] = [];
  if (tsresol !== undefined) {
    const o = new Uint8Array(8);
    const dv = new DataView(o.buffer);
    dv.setUint16(0, 9, true);
    dv.setUint16(2, 1, true);
    o[4] = tsresol;
    parts.push(o);
  }
  if (tsoffset !== undefined) {
    const o = new Uint8Array(12);
    const dv = new DataView(o.buffer);
    dv.setUint16(0, 14, true);
    dv.setUint16(2, 8, true);
    dv.setBigInt64(4, tsoffset, true);
    parts.push(o);
  }
  void opts;
  if (parts.length > 0) parts.push(new Uint8Array(4));
  const options = concatBytes(...parts);
  const body = new Uint8Array(8 + options.length);
  const dv = new DataView(body.buffer);
  dv.setUint16(0, 1, true);
  dv.setUint32(4, 0, true);
  body.set(options, 8);
  return encodePcapngBlock(1, body);
}

export function epb(iface: number, units: bigint, frame = srFrame()): Uint8Array {
  return encodePcapngEnhancedPacket(iface, units, frame);
}

/** tshark's frame.time_epoch per frame, as text (nanoseconds). */
export function tsharkEpoch(file: string): string[] {
  return execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.time_epoch'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    .split('\n')
    .filter((l) => l !== '');
}

/** a decimal epoch text (optionally negative, up to 9 fraction digits) rounded half up to whole microseconds, as a number */
export function toMicros(text: string): number {
  const neg = text.startsWith('-');
  const [i, f = ''] = (neg ? text.slice(1) : text).split('.');
  const ns = BigInt(i!) * 1_000_000_000n + BigInt((f + '000000000').slice(0, 9));
  const signed = neg ? -ns : ns;
  // floor((ns + 500) / 1000) with floor semantics for negatives
  const q = signed + 500n;
  const us = q >= 0n ? q / 1000n : -((-q + 999n) / 1000n);
  return Number(us) / 1e6;
}

/** the CLI's inspect --json times */
export function inspectTs(file: string): number[] {
  const out = execFileSync(process.execPath, [BIN, 'inspect', file, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { ts: number }).ts);
}

/** the raw JSON text of each inspect line's ts field (to see the digits as written) */
export function inspectTsText(file: string): string[] {
  const out = execFileSync(process.execPath, [BIN, 'inspect', file, '--json'], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l !== '').map((l) => /"ts":(-?[0-9.e+-]+)/.exec(l)![1]!);
}
