/** Ethernet pcap records with any EtherType and an original length past the captured one (round-24 fixes' tests). */
import { encodePcapFileHeader, encodePcapRecord } from '../../../native-free/write.js';
import { createSocket, type Socket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';

export interface Frame {
  ts: number;
  /** the Ethernet payload */
  body: Uint8Array;
  /** default: IPv4/IPv6 by the version nibble */
  etherType?: number;
  /** bytes the snap length cut off the end (origLen = captured + cut) */
  cut?: number;
}

/** A pcap (Ethernet) of the frames. */
export async function writeFrames(file: string, frames: readonly Frame[]): Promise<string> {
  const parts: Uint8Array[] = [encodePcapFileHeader(1)];
  for (const f of frames) {
    const b = new Uint8Array(14 + f.body.length);
    b.set([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 6], 0);
    new DataView(b.buffer).setUint16(12, f.etherType ?? (f.body[0]! >> 4 === 6 ? 0x86dd : 0x0800));
    b.set(f.body, 14);
    parts.push(encodePcapRecord(f.ts, b, { origLen: b.length + (f.cut ?? 0) }));
  }
  await writeFile(file, Buffer.concat(parts));
  return file;
}

/** A UDP socket on 127.0.0.1 keeping what it receives. */
export async function receiver(): Promise<{ socket: Socket; port: number; got: Buffer[]; close: () => void }> {
  const socket = createSocket({ type: 'udp4', recvBufferSize: 8 << 20 });
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(m));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { socket, port: socket.address().port, got, close: () => socket.close() };
}

/** Waits until `got` holds `n` datagrams (or `ms` passed), then a little more for any extra one. */
export async function until(got: unknown[], n: number, ms = 5000): Promise<void> {
  const start = Date.now();
  while (got.length < n && Date.now() - start < ms) await new Promise((r) => setTimeout(r, 10));
  await new Promise((r) => setTimeout(r, 100));
}
