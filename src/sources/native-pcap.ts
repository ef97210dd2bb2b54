/**
 * The optional native `pcap` package (node_pcap, a libpcap binding). It is needed only for
 * capture from a live interface and for BPF filters on a file (`inspect --filter`); replay of
 * files runs on native-free/. The package needs the libpcap headers to build, so it is an
 * optional dependency, loaded only when asked for.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createRecordBatch } from '../../native-free/record-batch.js';
import { CaptureError, LinkType, type RecordBatch } from '../../native-free/types.js';
import { probeCaptureFormat, readCaptureBatches, type ReadCaptureOptions } from '../../native-free/capture.js';

/** node_pcap's packet event: `buf` is reused for the next packet; `header` holds 4 host-order words. */
interface NativePacketWithHeader {
  buf: Uint8Array;
  header: Uint8Array;
  link_type: string;
}

export interface NativePcapSession {
  readonly link_type: string;
  on(event: 'packet', listener: (packet: NativePacketWithHeader) => void): this;
  on(event: 'complete', listener: () => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  close(): void;
}

/** The parts of the `pcap` package the enforcer uses. */
export interface NativePcapModule {
  createSession(device: string, options?: { filter?: string; buffer_size?: number; snap_length?: number; buffer_timeout?: number }): NativePcapSession;
  createOfflineSession(path: string, options?: { filter?: string }): NativePcapSession;
  lib_version?: string;
  /**
   * What a live session's open says when libpcap cannot look up the device's IPv4 network
   * (pcap_lookupnet: an interface without an IPv4 address); the package's own writes
   * `warning: <text> - this may not actually work` to stderr. Read at each open: overridable.
   */
  warningHandler?: (text: string) => void;
}

export interface NativePcapRecord {
  /** seconds since the epoch, microsecond precision */
  ts: number;
  data: Uint8Array;
  origLen: number;
  linkType: number;
}

/** Loads the optional package and finds its path: required, not imported (the command's bundle holds no import(), src/cli/bundle-loader.ts). */
const requireHere = createRequire(import.meta.url);

export const NATIVE_PCAP_MISSING =
  "the optional native 'pcap' package is not available: install the libpcap headers (apt-get install libpcap-dev), then run npm install pcap";

/** node_pcap names link types by their LINKTYPE_ constant. */
const LINK_TYPE_NUMBERS: Record<string, number> = {
  LINKTYPE_NULL: 0,
  LINKTYPE_ETHERNET: 1,
  LINKTYPE_RAW: 101,
  LINKTYPE_IEEE802_11_RADIO: 127,
  LINKTYPE_LINUX_SLL: 113,
};

/** One packet of node_pcap as a record: its header holds four host-order words (sec, usec, caplen, len). */
function recordOf(packet: NativePacketWithHeader, linkType: number): NativePcapRecord {
  const h = new DataView(packet.header.buffer, packet.header.byteOffset, 16);
  return {
    ts: h.getUint32(0, true) + h.getUint32(4, true) / 1e6,
    // the package reuses its buffer for the next packet, and Buffer#slice is a view: copy
    data: new Uint8Array(packet.buf.subarray(0, h.getUint32(8, true))),
    origLen: h.getUint32(12, true),
    linkType,
  };
}

function isNativePcapModule(value: unknown): value is NativePcapModule {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { createOfflineSession?: unknown }).createOfflineSession === 'function' &&
    typeof (value as { createSession?: unknown }).createSession === 'function'
  );
}

/**
 * Loads the `pcap` package. When it is missing, or installed without its native binding, the
 * Error says in one line how to get it.
 */
export async function loadNativePcap(): Promise<NativePcapModule> {
  // A variable specifier keeps TypeScript from requiring the optional package at build time.
  const specifier = 'pcap';
  let loaded: unknown;
  try {
    loaded = requireHere(specifier);
  } catch (err) {
    throw new Error(NATIVE_PCAP_MISSING, { cause: err });
  }
  const mod = (loaded as { default?: unknown }).default ?? loaded;
  if (!isNativePcapModule(mod)) throw new Error(NATIVE_PCAP_MISSING);
  return mod;
}

export async function isNativePcapAvailable(): Promise<boolean> {
  try {
    await loadNativePcap();
    return true;
  } catch {
    return false;
  }
}

/** A BPF filter expression libpcap cannot compile: the user's mistake, not the file's. */
export class BpfFilterError extends Error {
  constructor(
    readonly filter: string,
    reason: string,
  ) {
    super(`filter '${filter}': ${reason}`);
    this.name = 'BpfFilterError';
  }
}

function opensWithoutFilter(pcap: NativePcapModule, path: string): boolean {
  try {
    // close() breaks libpcap's loop before the session reads a record
    pcap.createOfflineSession(path, {}).close();
    return true;
  } catch {
    return false;
  }
}

/** The probe's ring: it opens the device to see whether it opens, and reads nothing. */
const PROBE_BUFFER_BYTES = 1 << 20;

/**
 * The probe, run in a child process (`node -e`): the package at argv[1] opens device argv[2] live
 * without a filter; exit status 0 if it opens. Its exit frees the session: node_pcap 3 frees a live
 * session (pcap_close, its poll handle stopped) only when a read finds libpcap's loop broken, and
 * libpcap's non-blocking ring reader says so only once a frame has come — close() alone sets the
 * flag — so a probe opened in this process on a quiet interface kept its socket and a referenced
 * poll handle (the event loop never emptied) until the interface's next packet.
 */
const PROBE_SCRIPT = [
  'const pcap = require(process.argv[1]);',
  'pcap.warningHandler = () => {};',
  `try { pcap.createSession(process.argv[2], { buffer_size: ${PROBE_BUFFER_BYTES}, buffer_timeout: Number(process.argv[3]) }); process.exit(0); }`,
  'catch { process.exit(1); }',
].join(' ');

/**
 * Whether the device opens as a live session without a filter (its warnings said already, by the
 * open that failed), asked of a short child process that leaves nothing behind
 * (test/live/round21-live-fixes-review/filter-probe-session-never-released.test.ts). Only a
 * refused start asks, so its ~0.1 s is spent once.
 */
function liveOpensWithoutFilter(device: string, options: { buffer_timeout: number }): Promise<boolean> {
  let pcapPath: string;
  try {
    pcapPath = requireHere.resolve('pcap');
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    // stdio ignored: execFile's pipes left this process a descriptor on /dev/null
    const child = spawn(process.execPath, ['-e', PROBE_SCRIPT, pcapPath, device, String(options.buffer_timeout)], { stdio: 'ignore', timeout: 10_000 });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
}

/**
 * Reads a capture file through libpcap, optionally with a BPF filter (one libpcap cannot
 * compile is a BpfFilterError). node_pcap reads an
 * offline file in one go without backpressure, so this is for cross-checks and small files;
 * large replays belong to native-free/.
 */
export async function* readCaptureWithNativePcap(path: string, bpfFilter?: string): AsyncGenerator<NativePcapRecord> {
  const pcap = await loadNativePcap();
  const records: NativePcapRecord[] = [];
  let failure: Error | undefined;
  let done = false;
  let wake: (() => void) | undefined;
  let session: NativePcapSession;
  try {
    session = pcap.createOfflineSession(path, bpfFilter ? { filter: bpfFilter } : {});
  } catch (err) {
    // libpcap opens the file, then compiles the filter: when the file opens without it, the filter is what it refused
    if (bpfFilter && opensWithoutFilter(pcap, path)) throw new BpfFilterError(bpfFilter, err instanceof Error ? err.message : String(err));
    throw err;
  }
  const linkType = LINK_TYPE_NUMBERS[session.link_type] ?? -1;
  session.on('packet', (packet) => {
    records.push(recordOf(packet, linkType));
    wake?.();
  });
  session.on('complete', () => {
    done = true;
    wake?.();
  });
  session.on('error', (err) => {
    failure = err;
    done = true;
    wake?.();
  });
  let next = 0;
  try {
    for (;;) {
      while (next < records.length) yield records[next++]!;
      records.length = 0;
      next = 0;
      if (failure) throw failure;
      if (done) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    try {
      session.close();
    } catch {
      // node_pcap 3 stops a live-capture watcher in close(), which an offline session lacks.
    }
  }
}

/** Whether record `i` of a file batch is the record libpcap handed over: same lengths, same bytes. */
function sameRecord(batch: RecordBatch, i: number, record: NativePcapRecord): boolean {
  const capLen = batch.capLen[i]!;
  const seen = record.data.length;
  // libpcap cuts a record longer than the file's snapshot length to that length: its bytes are then the record's first ones
  if (seen > capLen || batch.origLen[i] !== record.origLen) return false;
  const at = batch.bytes.byteOffset + batch.dataOffset[i]!;
  const inFile = Buffer.from(batch.bytes.buffer, at, seen);
  return inFile.equals(Buffer.from(record.data.buffer, record.data.byteOffset, seen));
}

/** One file record the filter kept; its bytes a copy of the file's, not a view into the reader's chunk. */
interface PickedRecord {
  data: Uint8Array;
  origLen: number;
  linkType: number;
  ts: number;
  fileOffset: number;
}

/**
 * The records libpcap reads with a BPF filter as record batches, so that a filtered capture
 * goes through the same packet feed and pipeline as any other, with each record's frame
 * number and file offset in the capture (SPEC §8: `frame` is the packet number in the
 * capture, whatever was filtered out; tshark -Y keeps them too).
 *
 * libpcap does not say which records it skipped, so the file is walked alongside it by
 * native-free's own reader (chunk by chunk, in constant memory): each libpcap record is the
 * next file record with the same captured and original length and the same bytes. That
 * greedy match is exact: libpcap's records are the file's in order, less those the filter
 * refused, and a BPF filter offline sees only a record's bytes and two lengths, so a file
 * record that looks the same as a kept one was kept as well. Timestamps are not compared:
 * libpcap gives microseconds where a file may hold nanoseconds, and no time to a pcapng
 * simple packet block. What goes downstream is the file's record as native-free reads it (its
 * time, link type and offset), the same as an unfiltered read gives.
 *
 * Batches carry consecutive frames, so a record after a gap starts a new batch. A libpcap
 * record that matches no file record (a record longer than the file's snapshot length, which
 * libpcap cuts) stops the read with an Error naming the file, rather than guess at numbers.
 */
export async function* nativePcapBatches(path: string, bpfFilter?: string, opts: { maxBatchRecords?: number; onWarning?: ReadCaptureOptions['onWarning'] } = {}): AsyncGenerator<RecordBatch> {
  const maxBatchRecords = opts.maxBatchRecords ?? 4096;
  // a file that is no capture is refused as an unfiltered read refuses it (file, byte offset),
  // not in libpcap's words ("unknown file format")
  if ((await probeCaptureFormat(path)).gzip) throw new CaptureError(path, 0, 'gzip-compressed: --filter reads through libpcap, which does not decompress (zcat it to a file, or leave --filter out)');
  let pending: PickedRecord[] = [];
  let pendingFirstFrame = 1;
  const flush = (): RecordBatch => {
    const size = pending.reduce((n, r) => n + r.data.length, 0);
    const batch = createRecordBatch(new Uint8Array(size), pending.length, pendingFirstFrame);
    let at = 0;
    for (const r of pending) {
      const i = batch.count++;
      batch.bytes.set(r.data, at);
      batch.dataOffset[i] = at;
      batch.capLen[i] = r.data.length;
      batch.origLen[i] = r.origLen;
      batch.linkType[i] = r.linkType;
      batch.ts[i] = r.ts;
      batch.fileOffset[i] = r.fileOffset;
      at += r.data.length;
    }
    pending = [];
    return batch;
  };
  // Every picked record is copied out before the next batch is asked for.
  const file = readCaptureBatches(path, { recycleChunks: true, reuseBatches: true, ...(opts.onWarning && { onWarning: opts.onWarning }) });
  let batch: RecordBatch | undefined;
  /** the next record of `batch` not yet looked at */
  let next = 0;
  /** the frame number of the last file record matched */
  let matchedFrame = 0;
  /** where the record after the last one matched starts in the file */
  let searchFrom = 0;
  let kept = 0;
  let failure: unknown;
  try {
    for await (const record of readCaptureWithNativePcap(path, bpfFilter)) {
      kept++;
      for (;;) {
        while (batch === undefined || next >= batch.count) {
          const step = await file.next();
          if (step.done) {
            throw new CaptureError(
              path,
              searchFrom,
              `the filter's record ${kept} (${record.data.length} of ${record.origLen} bytes, as libpcap read it) is none of the file's records after frame ${matchedFrame}: cannot tell its frame number`,
            );
          }
          batch = step.value;
          next = 0;
        }
        const i = next++;
        if (!sameRecord(batch, i, record)) continue;
        matchedFrame = batch.firstFrame + i;
        searchFrom = batch.fileOffset[i]! + batch.capLen[i]!;
        if (pending.length > 0 && matchedFrame !== pendingFirstFrame + pending.length) yield flush();
        if (pending.length === 0) pendingFirstFrame = matchedFrame;
        const at = batch.dataOffset[i]!;
        pending.push({
          // the file's bytes, whole where libpcap cut them: as an unfiltered read gives them
          data: batch.bytes.slice(at, at + batch.capLen[i]!),
          origLen: batch.origLen[i]!,
          linkType: batch.linkType[i]!,
          ts: batch.ts[i]!,
          fileOffset: batch.fileOffset[i]!,
        });
        if (pending.length >= maxBatchRecords) yield flush();
        break;
      }
    }
    // libpcap ends without a word at a record it cannot read, and says nothing of a last record
    // cut short: the file reader walks on to the file's end, so that a damaged capture fails,
    // and a cut one warns, as an unfiltered read of it does (not a clean, shorter run)
    for (;;) {
      const step = await file.next();
      if (step.done) break;
    }
  } catch (err) {
    failure = err;
  } finally {
    await file.return(undefined);
  }
  // what was matched before a failure is handed on before the failure is
  if (pending.length > 0) yield flush();
  if (failure !== undefined) throw failure;
}

/** libpcap hands a block of packets over at the latest this long after its first (node_pcap's default is 1 s). */
const PCAP_TIMEOUT_MS = 20;

/**
 * Opens a live session with the package's warnings going to `onWarning` rather than to its own
 * `console.warn` (raw text on stderr): the handler is set for the open only (the package calls
 * it from within createSession) and put back after. They are told once the session is open: an
 * open that fails says why itself (a missing device's "No such device" twice over, else).
 */
function openLive(pcap: NativePcapModule, device: string, options: Parameters<NativePcapModule['createSession']>[1], onWarning: (text: string) => void): NativePcapSession {
  const before = pcap.warningHandler;
  const warnings: string[] = [];
  pcap.warningHandler = (text) => void warnings.push(String(text));
  let session: NativePcapSession;
  try {
    session = pcap.createSession(device, options);
  } finally {
    pcap.warningHandler = before;
  }
  for (const w of warnings) onWarning(w);
  return session;
}

/**
 * Interface capture through the optional native `pcap` package (libpcap, with a BPF filter).
 * A missing package or a device that cannot be opened is one line; a filter libpcap cannot
 * compile on a device that opens without it is a BpfFilterError (the operator's typo, as for
 * `inspect --filter`). What libpcap warns of while opening (no IPv4 address on the interface)
 * goes to `onWarning`. `stop` waits for libpcap to retire its last block, takes what the kernel
 * still holds, then closes the session.
 */
export async function startInterfaceCapture(
  iface: { name: string; filter?: string },
  onRecord: (r: NativePcapRecord) => void,
  onError: (message: string) => void,
  onWarning: (message: string) => void,
): Promise<{ stop(): Promise<void> }> {
  const pcap = await loadNativePcap();
  let session: NativePcapSession;
  // buffer_timeout: libpcap hands a block of packets over at the latest this long after its first (node_pcap's default is 1 s)
  const options = { buffer_size: 16 << 20, buffer_timeout: PCAP_TIMEOUT_MS };
  try {
    session = openLive(pcap, iface.name, { ...options, ...(iface.filter && { filter: iface.filter }) }, onWarning);
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    // libpcap opens the device, then compiles the filter: when the device opens without it, the filter is what it refused
    if (iface.filter && (await liveOpensWithoutFilter(iface.name, options))) throw new BpfFilterError(iface.filter, reason);
    throw new Error(`interface ${iface.name}: ${reason}`);
  }
  const linkType = LINK_TYPE_NUMBERS[session.link_type] ?? LinkType.ETHERNET;
  session.on('packet', (packet) => onRecord(recordOf(packet, linkType)));
  session.on('error', (err) => onError(err.message));
  return {
    async stop() {
      await new Promise((resolve) => setTimeout(resolve, 2 * PCAP_TIMEOUT_MS + 20));
      // node_pcap 3: close() only breaks libpcap's loop; read what is left first
      const inner = (session as unknown as { session?: { read_callback?: () => void } }).session;
      try {
        inner?.read_callback?.();
        session.close();
      } catch {
        // already closed
      }
    },
  };
}
