import { createRecordBatch } from '../../native-free/record-batch.js';
import { createPacketView, PacketDecoder, type PacketDecoderOptions } from '../../native-free/packet-decoder.js';
import type { PacketKind, PacketView, RecordBatch } from '../../native-free/types.js';

export interface TestRecord {
  data: Uint8Array;
  linkType: number;
  ts?: number;
  /** bytes captured (a snap length cut the record to them); default all of `data` */
  capLen?: number;
}

/** A batch over the given records, laid out after a few bytes of unrelated data. */
export function batchOf(records: readonly TestRecord[]): RecordBatch {
  const lead = 5; // records never start at offset 0 in real batches
  const bytes = new Uint8Array(lead + records.reduce((n, r) => n + (r.capLen ?? r.data.length), 0));
  const batch = createRecordBatch(bytes, records.length, 1);
  let o = lead;
  records.forEach((r, i) => {
    const captured = r.data.subarray(0, r.capLen ?? r.data.length);
    bytes.set(captured, o);
    batch.dataOffset[i] = o;
    batch.capLen[i] = captured.length;
    batch.origLen[i] = r.data.length;
    batch.linkType[i] = r.linkType;
    batch.ts[i] = r.ts ?? 1000 + i;
    o += captured.length;
  });
  batch.count = records.length;
  return batch;
}

export interface Decoded {
  kind: PacketKind;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  payload: string;
  /** bytes of the UDP payload the snap length cut off */
  payloadCut: number;
  flowKey: string;
  error: string;
  errorOffset: number;
}

/** Decodes every record with one decoder, copying out what each view held. */
export function decodeAll(records: readonly TestRecord[], opts?: PacketDecoderOptions): { decoded: Decoded[]; decoder: PacketDecoder } {
  const decoder = new PacketDecoder(opts);
  const view: PacketView = createPacketView();
  const batch = batchOf(records);
  const decoded: Decoded[] = [];
  for (let i = 0; i < batch.count; i++) {
    const kind = decoder.decode(batch, i, view);
    const carries = kind === 'udp' || kind === 'tcp';
    decoded.push({
      kind,
      src: carries ? view.src : '',
      dst: carries ? view.dst : '',
      sport: view.sport,
      dport: view.dport,
      payload: carries ? new TextDecoder('latin1').decode(view.bytes.subarray(view.payloadOffset, view.payloadOffset + view.payloadLength)) : '',
      payloadCut: view.payloadCut,
      flowKey: view.flowKey,
      error: view.error,
      errorOffset: view.errorOffset,
    });
  }
  return { decoded, decoder };
}

export const text = (s: string): Uint8Array => new TextEncoder().encode(s);
