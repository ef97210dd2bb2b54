/**
 * The bench capture split by kind of traffic, so that a replay's time can be told apart by what
 * it spends it on: the capture without its RTCP, its SIP and RTCP alone, its SIP alone, and none
 * of it (the file header alone: a replay's start and end with no packet). Replayed with
 * `--workers 0` beside the whole capture (bench/run.ts), they say what the RTCP path costs per
 * compound and the SIP path per message, which the packet counts hide (RTCP is about 1% of the
 * bench capture's packets).
 *
 * A record is RTCP when its UDP payload is RTP version 2 with a second byte of 192–223 (RFC 5761
 * §4: RTCP's packet types), RTP when it is version 2 otherwise, and SIP when it is neither: the
 * generated captures hold nothing else, and the counts are checked against the generator's own
 * (BenchCapture.packets) before any file is kept. Records are copied byte for byte (their pcap
 * record headers with them), so each part is the whole capture's records of those kinds, in
 * their order and at their times. The parts are kept beside the capture (CACHE_DIR) under its
 * name, and made again when one is missing or of another size than the last split wrote; each
 * split writes temporaries of its own and renames them into place, so two bench runs at once
 * both end with whole parts.
 */
import { randomUUID } from 'node:crypto';
import { open, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { readCaptureBatches } from '../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../native-free/packet-decoder.js';
import { isPcapMagic, PCAP_FILE_HEADER_BYTES, PCAP_RECORD_HEADER_BYTES } from '../native-free/pcap.js';
import type { BenchCapture } from './capture-cache.js';
import type { BenchFigure } from './report.js';
import { RECYCLED_READ } from './record-walk.js';

export type TrafficKind = 'sip' | 'rtp' | 'rtcp';

/** Which kinds each part keeps, by the suffix of its file name. */
export const TRAFFIC_PARTS = {
  'no-rtcp': ['sip', 'rtp'],
  'sip-rtcp': ['sip', 'rtcp'],
  sip: ['sip'],
  empty: [],
} as const satisfies Record<string, readonly TrafficKind[]>;

export type TrafficPart = keyof typeof TRAFFIC_PARTS;

export interface TrafficSplit {
  /** by part: its file and how many packets it holds */
  parts: Record<TrafficPart, { path: string; packets: number }>;
  /** the whole capture's records by kind: as counted when the parts were written, which the generator's counts matched */
  counts: Record<TrafficKind, number>;
  /** true when this run wrote the parts, false when an earlier run's were reused */
  written: boolean;
}

/** A part's file: `<capture without .pcap>.<part>.pcap`. */
export function partPath(capture: string, part: TrafficPart): string {
  return `${capture.replace(/\.pcap$/, '')}.${part}.pcap`;
}

/** What the last split of `capture` wrote (sizes by part), beside it. */
function splitMetaPath(capture: string): string {
  return `${capture.replace(/\.pcap$/, '')}.split.json`;
}

/** Output buffered per part and written in large pieces. */
class PartWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  bytes = 0;

  constructor(private readonly file: FileHandle) {}

  async add(bytes: Uint8Array): Promise<void> {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.bytes += bytes.length;
    if (this.pendingBytes >= 4 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    await this.file.write(Buffer.concat(this.pending, this.pendingBytes));
    this.pending = [];
    this.pendingBytes = 0;
  }
}

/** A record's kind by its UDP payload's first two bytes; null for a record that is not UDP. */
export function trafficKind(kind: string, bytes: Uint8Array, off: number, len: number): TrafficKind | null {
  if (kind !== 'udp') return null;
  if (len >= 2 && bytes[off]! >> 6 === 2) {
    const second = bytes[off + 1]!;
    return second >= 192 && second <= 223 ? 'rtcp' : 'rtp';
  }
  return 'sip';
}

/**
 * The parts of a generated classic-pcap capture (see above). Throws, naming the file and the
 * frame, on a record that is not UDP, and when the kinds counted differ from `expected`.
 */
export async function splitByTraffic(capture: Pick<BenchCapture, 'path' | 'packets'>): Promise<TrafficSplit> {
  const file = capture.path;
  const expected: Record<TrafficKind, number> = { sip: capture.packets.sip, rtp: capture.packets.rtp, rtcp: capture.packets.rtcp };
  const names = Object.keys(TRAFFIC_PARTS) as TrafficPart[];
  const packetsOf = (part: TrafficPart) => TRAFFIC_PARTS[part].reduce((n, k) => n + expected[k], 0);
  const parts = Object.fromEntries(names.map((part) => [part, { path: partPath(file, part), packets: packetsOf(part) }])) as TrafficSplit['parts'];

  // an earlier run's parts, when every file is there at the size that run wrote
  try {
    const meta = JSON.parse(await readFile(splitMetaPath(file), 'utf8')) as { captureBytes: number; bytes: Record<TrafficPart, number> };
    const sizes = await Promise.all(names.map(async (part) => (await stat(parts[part].path)).size));
    if (meta.captureBytes === (await stat(file)).size && names.every((part, k) => meta.bytes[part] === sizes[k])) return { parts, counts: expected, written: false };
  } catch {
    // none to reuse
  }

  const header = new Uint8Array(PCAP_FILE_HEADER_BYTES);
  const source = await open(file, 'r');
  try {
    await source.read(header, 0, header.length, 0);
  } finally {
    await source.close();
  }
  // (a part is the records' bytes after this header: a pcapng file's blocks are not records)
  if (!isPcapMagic(new DataView(header.buffer).getUint32(0, true))) throw new Error(`${file}: not a classic pcap file; the bench split reads the generated captures only`);
  const counts: Record<TrafficKind, number> = { sip: 0, rtp: 0, rtcp: 0 };
  // (a split's own temporaries: another bench run may be splitting the same capture)
  const tmpOf = ((suffix: string) => (file: string) => `${file}.${suffix}.tmp`)(`${process.pid}-${randomUUID().slice(0, 8)}`);
  const handles = await Promise.all(names.map((part) => open(tmpOf(parts[part].path), 'w')));
  const writers = handles.map((h) => new PartWriter(h));
  try {
    for (const w of writers) await w.add(header);
    const decoder = new PacketDecoder();
    const view = createPacketView();
    for await (const batch of readCaptureBatches(file, RECYCLED_READ)) {
      for (let i = 0; i < batch.count; i++) {
        const frame = batch.firstFrame + i;
        const kind = trafficKind(decoder.decode(batch, i, view), view.bytes, view.payloadOffset, view.payloadLength);
        if (kind === null) throw new Error(`${file}: frame ${frame}: not a UDP datagram; the bench split reads generated captures of SIP, RTP and RTCP over UDP only`);
        counts[kind]++;
        // the record with its header: a copy, as the reader recycles its chunks
        const start = batch.dataOffset[i]! - PCAP_RECORD_HEADER_BYTES;
        const record = batch.bytes.slice(start, batch.dataOffset[i]! + batch.capLen[i]!);
        for (let k = 0; k < names.length; k++) {
          if ((TRAFFIC_PARTS[names[k]!] as readonly TrafficKind[]).includes(kind)) await writers[k]!.add(record);
        }
      }
    }
    decoder.flush();
    for (const w of writers) await w.flush();
    if (counts.sip !== expected.sip || counts.rtp !== expected.rtp || counts.rtcp !== expected.rtcp) {
      throw new Error(`${file}: the split counted ${counts.sip} SIP, ${counts.rtp} RTP and ${counts.rtcp} RTCP records; the generator wrote ${expected.sip}, ${expected.rtp} and ${expected.rtcp}`);
    }
  } catch (err) {
    await Promise.all(handles.map((h) => h.close()));
    await Promise.all(names.map((part) => rm(tmpOf(parts[part].path), { force: true })));
    throw err;
  }
  await Promise.all(handles.map((h) => h.close()));
  for (const part of names) await rename(tmpOf(parts[part].path), parts[part].path);
  const bytes = Object.fromEntries(names.map((part, k) => [part, writers[k]!.bytes]));
  const meta = splitMetaPath(file);
  await writeFile(tmpOf(meta), JSON.stringify({ captureBytes: (await stat(file)).size, bytes }, null, 1));
  await rename(tmpOf(meta), meta);
  return { parts, counts, written: true };
}

/** A part's replay, its median over the runs (bench/run.ts seriesMedians). */
export interface PartTiming {
  wallSeconds: number;
  packetsPerSec: number;
}

export interface TrafficFigures {
  figures: BenchFigure[];
  /** µs per RTCP compound, per SIP message: undefined where the difference was not above zero (noise) */
  rtcpMicrosPerCompound: number | undefined;
  sipMicrosPerMessage: number | undefined;
}

/** A packet count as a figure's name gives it. */
function packetCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : String(n);
}

/**
 * The figures of the split's replays: the capture without its RTCP (packets/s, and its ratio to
 * the record walk), its SIP and RTCP alone (ms), and the two paths by difference — RTCP: SIP and
 * RTCP alone less SIP alone, per compound; SIP: SIP alone less none of it, per message. A
 * difference that is not above zero (a capture too small for the machine's noise) says nothing
 * and is left out, as the bench leaves out a rate net of a fixed cost that is not.
 */
export function trafficFigures(split: Pick<TrafficSplit, 'parts' | 'counts'>, timing: Record<TrafficPart, PartTiming>, whole: PartTiming, walkRecordsPerSec: number, runs: number): TrafficFigures {
  const { parts, counts } = split;
  const noRtcp = timing['no-rtcp'];
  const sipRtcp = timing['sip-rtcp'];
  const sip = timing.sip;
  const empty = timing.empty;
  const figures: BenchFigure[] = [
    {
      suite: 'e2e',
      name: `replay --workers 0 of the capture without its RTCP (${packetCount(parts['no-rtcp'].packets)} packets)`,
      value: noRtcp.packetsPerSec,
      unit: 'packets/s',
      ratio: { to: 'record walk', value: noRtcp.packetsPerSec / walkRecordsPerSec },
      note: `${noRtcp.wallSeconds.toFixed(2)} s wall against ${whole.wallSeconds.toFixed(2)} s with its ${counts.rtcp} RTCP datagrams; median of ${runs}; shown for insight, not a target figure`,
    },
    {
      suite: 'e2e',
      name: `replay --workers 0 of its SIP and RTCP alone (${packetCount(parts['sip-rtcp'].packets)} packets)`,
      value: sipRtcp.wallSeconds * 1000,
      unit: 'ms',
      note: `median of ${runs}; its SIP alone (${packetCount(parts.sip.packets)} packets): ${(sip.wallSeconds * 1000).toFixed(0)} ms; none of it (the file header alone): ${(empty.wallSeconds * 1000).toFixed(0)} ms`,
    },
  ];
  /** µs per item of (more − less) over `count` items, its figure pushed; undefined where it is not above zero */
  const perItem = (name: string, more: PartTiming, less: PartTiming, count: number, items: string, note: (ms: number) => string): number | undefined => {
    const seconds = more.wallSeconds - less.wallSeconds;
    if (!(count > 0 && seconds > 0)) return undefined;
    const value = (seconds / count) * 1e6;
    figures.push({ suite: 'e2e', name, value, unit: 'µs', note: `(${more.wallSeconds.toFixed(3)} − ${less.wallSeconds.toFixed(3)}) s over ${count} ${items}: ${note(seconds * 1000)}` });
    return value;
  };
  const rtcpMicros = perItem('replay --workers 0: the RTCP path, per compound', sipRtcp, sip, counts.rtcp, 'compounds', (ms) => `decoding, binding, deciding, windows, export lines (the streams' set-up and first compilations included); ${ms.toFixed(0)} ms, against the whole replay's ${(whole.wallSeconds * 1000).toFixed(0)} ms`);
  const sipMicros = perItem('replay --workers 0: the SIP path, per message', sip, empty, counts.sip, 'messages', () => "parsing, dialogs, SDP, scopes, statements (its code's first runs included)");
  return { figures, rtcpMicrosPerCompound: rtcpMicros, sipMicrosPerMessage: sipMicros };
}
