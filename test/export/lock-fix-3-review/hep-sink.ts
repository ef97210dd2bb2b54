/** A UDP socket standing for `live --hep`: the HEP frames it gets, decoded, with their arrival time. */
import { createSocket } from 'node:dgram';
import { decodeHep } from '../../../src/sources/hep.js';

export interface Arrived {
  at: number;
  ts: number;
  text: string;
  sport: number;
}

export async function hepSink(): Promise<{ port: number; frames: Arrived[]; close: () => void }> {
  const sock = createSocket('udp4');
  const frames: Arrived[] = [];
  sock.on('message', (m) => {
    const d = decodeHep(new Uint8Array(m));
    if (!d.ok) return;
    frames.push({ at: performance.now(), ts: d.packet.tsSeconds + d.packet.tsMicroseconds / 1e6, text: Buffer.from(d.packet.payload).toString('latin1'), sport: d.packet.sport });
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', () => resolve()));
  return { port: sock.address().port, frames, close: () => sock.close() };
}
