/**
 * Reads a generated capture back through the project's own capture reader and packet layers,
 * giving every record as a UDP datagram (the generator writes nothing else).
 */
import { readCaptureBatches } from '../../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../../native-free/packet-decoder.js';

export interface Datagram {
  frame: number;
  ts: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: Uint8Array;
}

export async function readDatagrams(path: string): Promise<{ datagrams: Datagram[]; notUdp: number[] }> {
  const decoder = new PacketDecoder();
  const view = createPacketView();
  const datagrams: Datagram[] = [];
  const notUdp: number[] = [];
  for await (const batch of readCaptureBatches(path)) {
    for (let i = 0; i < batch.count; i++) {
      const kind = decoder.decode(batch, i, view);
      if (kind !== 'udp') {
        notUdp.push(view.frame);
        continue;
      }
      datagrams.push({
        frame: view.frame,
        ts: view.ts,
        src: view.src,
        dst: view.dst,
        sport: view.sport,
        dport: view.dport,
        payload: view.bytes.slice(view.payloadOffset, view.payloadOffset + view.payloadLength),
      });
    }
  }
  return { datagrams, notUdp };
}
