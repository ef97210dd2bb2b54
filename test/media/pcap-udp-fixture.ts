/**
 * A deliberately tiny classic-pcap reader for media tests: Ethernet / IPv4 / UDP at fixed
 * offsets, nothing else (the real capture layer lives in native-free/ and is tested there).
 * It lets these tests take UDP payloads out of the shared captures without depending on it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface UdpDatagram {
  frame: number;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

export function capturePath(name: string): string {
  return path.resolve(process.cwd(), '../shared/captures', name);
}

export function readUdpDatagrams(name: string): UdpDatagram[] {
  const file = new Uint8Array(readFileSync(capturePath(name)));
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const magic = view.getUint32(0, true);
  if (magic !== 0xa1b2c3d4) throw new Error(`${name}: not a little-endian microsecond pcap`);
  if (view.getUint32(20, true) !== 1) throw new Error(`${name}: not Ethernet`);
  const out: UdpDatagram[] = [];
  let pos = 24;
  let frame = 0;
  while (pos + 16 <= file.length) {
    const capLen = view.getUint32(pos + 8, true);
    const rec = pos + 16;
    pos = rec + capLen;
    frame++;
    if (view.getUint16(rec + 12) !== 0x0800) continue;
    const ip = rec + 14;
    if (file[ip + 9] !== 17) continue;
    const udp = ip + (file[ip] & 0x0f) * 4;
    const udpLen = view.getUint16(udp + 4);
    out.push({
      frame,
      sport: view.getUint16(udp),
      dport: view.getUint16(udp + 2),
      payload: file.slice(udp + 8, udp + udpLen),
    });
  }
  return out;
}
