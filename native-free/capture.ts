/**
 * Reading capture files in constant memory: the file is read a chunk at a time into a buffer
 * (on this thread while the file comes from memory, else the next read in flight while one
 * chunk is walked: see ReadMode), the format's walker finds the whole records in it, and the
 * bytes of a record cut by the chunk's end are carried into room left at the front of the next
 * buffer.
 */
import { createReadStream, fstatSync, readSync, type Stats } from 'node:fs';
import { pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isatty } from 'node:tty';
import { CaptureError, type CaptureWarning, type RecordBatch } from './types.js';
import { createRecordBatch, DEFAULT_MAX_BATCH_RECORDS, MAX_RECORD_BYTES, type CaptureRecordWalker } from './record-batch.js';
import { isPcapMagic, PcapWalker } from './pcap.js';
import { PcapngBlockType, PcapngWalker } from './pcapng.js';

export interface ReadCaptureOptions {
  /** bytes read from the file at a time; default 4 MiB */
  chunkBytes?: number;
  /** records per batch at most; default 8192 */
  maxBatchRecords?: number;
  /** told about problems that do not stop the read, such as a last record cut short */
  onWarning?: (w: CaptureWarning) => void;
  /**
   * the consumer keeps no view into a batch's bytes once it asks for the batch after the
   * chunk's last one (it copies what it keeps): chunks are then reused rather than allocated
   * per read.
   */
  recycleChunks?: boolean;
  /**
   * the consumer keeps no reference to a batch (nor its arrays) once it asks for the next one:
   * one batch object is then refilled for every batch instead of fresh arrays per batch
   */
  reuseBatches?: boolean;
  /** how chunks are read; default 'auto' */
  readMode?: ReadMode;
  /** 'auto' only: the rule that a read waited on a device (default slowRead; tests replace it) */
  isSlowRead?: (bytes: number, ms: number) => boolean;
  /**
   * the consumer's interrupt: standard input or a gzip stream read in turn is then closed, so a
   * read waiting on a writer gone quiet (`tcpdump -w -` on a quiet link) ends, and with it the
   * batches, without a warning. (A file's read in flight ends by itself.)
   */
  signal?: AbortSignal;
}

/**
 * 'sync': each chunk is read on this thread when the walk needs it. The copy out of the page
 * cache then lands in this core's caches, where the walk and the packet decoder read it next.
 * Read on libuv's thread pool (another core), the 4 MiB chunks of the 548 MB bench capture
 * took 104 ms to walk instead of 27 (the reads themselves ~55 ms either way), and the
 * decoder's first touch of each packet missed the caches as well.
 * 'ahead': the next chunk's read is in flight on the thread pool while one chunk is walked, so
 * a disk (or a pipe's writer) works while the records are processed.
 * 'auto': 'sync' for a regular file read with recycleChunks, until reads show the file coming
 * from a device rather than from memory (two slow reads in a row, by slowRead: one alone may be
 * the thread losing its core); 'ahead' from then on, and for anything else: a pipe or a FIFO,
 * or a consumer that needs a fresh chunk per read (the page faults of filling a fresh 4 MiB
 * buffer, ~15 ms here, are better paid on the thread pool than on the walking thread).
 * Only reads into a recycled chunk are judged: the first read into a fresh one is slow for its
 * page faults alone.
 */
export type ReadMode = 'auto' | 'sync' | 'ahead';

/**
 * Whether a synchronous read of `bytes` that took `ms` waited on a device: slower than about
 * 1 GB/s, with a millisecond's grace (a page-cache copy of 4 MiB takes ~0.5 ms here).
 */
export function slowRead(bytes: number, ms: number): boolean {
  return ms > 1 + bytes / 1e6;
}

export type CaptureFormat = 'pcap' | 'pcapng';

export const DEFAULT_CHUNK_BYTES = 4 * 1024 * 1024;

/**
 * The capture argument that reads standard input, fd 0, whatever it is — a pipe, a socket (a
 * child's stdin as Node spawns it, which /dev/stdin cannot open: ENXIO), a redirected file — as
 * `tcpdump -r -` and `tshark -r -` do. A file named `-` is given as `./-`.
 */
export const STDIN_CAPTURE = '-';

/**
 * Whether `path` is standard input and that is a terminal: a capture never comes from a
 * keyboard, so the commands refuse it at once (as `tshark -r -` and `gzip -d` do) rather
 * than wait silently for bytes that will not come.
 */
export function stdinIsTerminal(path: string): boolean {
  return path === STDIN_CAPTURE && isatty(0);
}

/** What `command` says when its capture is standard input at a terminal, else undefined. */
export function terminalStdinRefusal(path: string, command: string): string | undefined {
  if (!stdinIsTerminal(path)) return undefined;
  return `stdin: is a terminal, not a capture: pipe or redirect one into it (tcpdump -w - | aipref-enforcer ${command} -, or aipref-enforcer ${command} - < call.pcap)`;
}

/** How a capture is named in messages: standard input as `stdin`, a file by its path. */
export function captureName(path: string): string {
  return path === STDIN_CAPTURE ? 'stdin' : path;
}

/**
 * One warning per link type the decoder does not read, for the end of a run: the capture was
 * readable, but those records said nothing to the enforcer (counted with `other`, never judged);
 * `unsupportedLinkTypes`: records by link type (PacketLayerStats.unsupportedLinkTypes).
 */
export function unsupportedLinkTypeWarnings(file: string, unsupportedLinkTypes: ReadonlyMap<number, number>): string[] {
  // (standard input, `-`, named `stdin` as the reader's own errors name it)
  const name = captureName(file);
  return [...unsupportedLinkTypes].map(([linkType, n]) =>
    n === 1
      ? `${name}: 1 record of link type ${linkType} was not read (unsupported link type)`
      : `${name}: ${n} records of link type ${linkType} were not read (unsupported link type)`,
  );
}

/** Names the format from the first four bytes, or undefined when they are no capture's magic. */
export function detectCaptureFormat(firstFour: Uint8Array): CaptureFormat | undefined {
  if (firstFour.length < 4) return undefined;
  const word = (firstFour[0]! | (firstFour[1]! << 8) | (firstFour[2]! << 16) | (firstFour[3]! << 24)) >>> 0;
  if (isPcapMagic(word)) return 'pcap';
  if (word === PcapngBlockType.SECTION_HEADER) return 'pcapng';
  return undefined;
}

/** "ENOENT: no such file or directory" without the path the CaptureError names already. */
function systemErrorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    const text = err.message.replace(/,\s*(open|read|stat)\s+'.*'$/, '');
    return code !== undefined && !text.startsWith(code) ? `${code}: ${text}` : text;
  }
  return String(err);
}

/** The error of a read that failed at file offset `at`. */
function readError(file: string, at: number, err: unknown): CaptureError {
  return new CaptureError(file, at, `cannot read: ${systemErrorText(err)}`);
}

function formatOrThrow(file: string, head: Uint8Array): CaptureFormat {
  const format = detectCaptureFormat(head);
  if (format !== undefined) return format;
  if (head.length === 0) throw new CaptureError(file, 0, 'empty file: not a capture');
  const hex = Array.from(head.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join('');
  throw new CaptureError(file, 0, `not a pcap or pcapng capture (starts with 0x${hex})`);
}

/** gzip's magic (RFC 1952 §2.3.1): a compressed capture (tcpdump -z gzip, rotated .pcap.gz). */
function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/** How a gzip-compressed capture's file is named in errors: its offsets count decompressed bytes. */
function decompressedName(file: string): string {
  return `${file} (decompressed)`;
}

/** A pipe carrying gzip data: it cannot be looked into, so it is refused with what to do. */
function gzipThroughPipe(file: string): CaptureError {
  return new CaptureError(file, 0, 'gzip-compressed data through a pipe: give the .gz file itself, or decompress it on the way (zcat)');
}

/** Bytes read in turn (no positions) into a caller's buffer, as from a file handle. */
interface InTurnReader {
  read(buf: Uint8Array, offset: number, length: number): Promise<number>;
  close(): void;
}

/**
 * A gzip file's decompressed bytes. zlib reads concatenated members (a rotated file appended
 * to) as one stream.
 */
function gunzipReader(path: string): InTurnReader {
  const input = createReadStream(path);
  const gunzip = createGunzip();
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  return streamReader(gunzip, () => {
    input.destroy();
    gunzip.destroy();
  });
}

/**
 * What fd 0 is, or the CaptureError for standard input that holds no capture to read: a folder
 * (`< some-folder`: Node gives it an empty stream) is said as a folder given by its name is.
 */
function stdinStats(): Stats {
  let st: Stats;
  try {
    st = fstatSync(0);
  } catch (err) {
    throw new CaptureError(captureName(STDIN_CAPTURE), 0, `cannot open: ${systemErrorText(err)}`);
  }
  if (st.isDirectory()) {
    // the read's own error, worded as for the folder by name
    try {
      readSync(0, new Uint8Array(1), 0, 1, null);
    } catch (err) {
      throw readError(captureName(STDIN_CAPTURE), 0, err);
    }
    throw new CaptureError(captureName(STDIN_CAPTURE), 0, 'cannot read: EISDIR: illegal operation on a directory, read');
  }
  return st;
}

/**
 * Standard input's bytes, through the stream Node makes of fd 0 for what it is (a socket or a
 * pipe read as a socket, a file read from where its offset stands). Closing it destroys the
 * stream: a writer still writing then sees its reader gone, and nothing keeps the process up.
 * A regular file redirected onto it (`- < call.pcap.gz`) that is gzip-compressed is read
 * through zlib, as the file by its name is (`gzip` true); gzip through a pipe is refused by the
 * walk's first look (gzipThroughPipe).
 */
async function stdinReader(st: Stats): Promise<{ reader: InTurnReader; gzip: boolean }> {
  const stdin = process.stdin;
  const close = () => stdin.destroy();
  // only a file is looked into first: its first bytes come at once, a pipe's writer may be slow
  if (!st.isFile()) return { reader: streamReader(stdin, close), gzip: false };
  let head: Buffer | null;
  try {
    head = await firstPiece(stdin);
  } catch (err) {
    stdin.destroy();
    throw readError(captureName(STDIN_CAPTURE), 0, err);
  }
  if (head === null) return { reader: streamReader(stdin, close), gzip: false };
  stdin.unshift(head);
  if (!isGzip(head)) return { reader: streamReader(stdin, close), gzip: false };
  const gunzip = createGunzip();
  // either's end before the other's (stdin closed on an interrupt) destroys both
  pipeline(stdin, gunzip, () => {});
  return {
    reader: streamReader(gunzip, () => {
      stdin.destroy();
      gunzip.destroy();
    }),
    gzip: true,
  };
}

/** A paused stream's first piece, or null at its end. */
async function firstPiece(stream: Readable): Promise<Buffer | null> {
  for (;;) {
    const piece = stream.read() as Buffer | null;
    if (piece !== null) return piece;
    if (stream.readableEnded || stream.destroyed) return null;
    await new Promise<void>((resolve, reject) => {
      const settle = (err?: Error): void => {
        stream.off('readable', onMore).off('end', onMore).off('close', onMore).off('error', settle);
        if (err === undefined) resolve();
        else reject(err);
      };
      const onMore = (): void => settle();
      stream.on('readable', onMore).on('end', onMore).on('close', onMore).on('error', settle);
    });
  }
}

/** A readable stream's pieces, copied into the caller's buffer as asked for. */
function streamReader(source: Readable, close: () => void): InTurnReader {
  const pieces = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let piece: Buffer | undefined;
  let at = 0;
  return {
    async read(buf, offset, length) {
      if (piece === undefined || at === piece.length) {
        const next = await pieces.next();
        if (next.done === true) return 0;
        piece = next.value;
        at = 0;
      }
      const n = Math.min(length, piece.length - at);
      buf.set(piece.subarray(at, at + n), offset);
      at += n;
      return n;
    },
    close,
  };
}

function createWalker(file: string, head: Uint8Array): CaptureRecordWalker {
  return formatOrThrow(file, head) === 'pcap' ? new PcapWalker(file) : new PcapngWalker(file);
}

/**
 * What the file system says of a capture (its size, whether it is a file or a pipe), or the
 * CaptureError the reader would throw for a file it cannot open: naming the file and offset 0.
 */
export async function statCapture(path: string): Promise<Stats> {
  if (path === STDIN_CAPTURE) return stdinStats();
  try {
    return await stat(path);
  } catch (err) {
    throw new CaptureError(path, 0, `cannot open: ${systemErrorText(err)}`);
  }
}

/**
 * Says what format a file is, and whether it is gzip-compressed (read decompressed), before
 * anything is set up for it (output files, workers): throws the same CaptureError the reader
 * would, naming the file and offset 0.
 */
export async function probeCaptureFormat(path: string): Promise<{ format: CaptureFormat; gzip: boolean }> {
  // its first bytes, once read, are gone from it: the reader judges them
  if (path === STDIN_CAPTURE) throw new CaptureError(captureName(path), 0, 'standard input is read once: its format is judged as it is read');
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new CaptureError(path, 0, `cannot open: ${systemErrorText(err)}`);
  }
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (!isGzip(head.subarray(0, bytesRead))) return { format: formatOrThrow(path, head.subarray(0, bytesRead)), gzip: false };
    const st = await handle.stat();
    if (!st.isFile()) throw gzipThroughPipe(path);
    // a compressed capture: what it decompresses to must be one
    const inner = gunzipReader(path);
    try {
      let n = 0;
      for (let got = -1; n < 4 && got !== 0; n += got) got = await inner.read(head, n, 4 - n);
      return { format: formatOrThrow(decompressedName(path), head.subarray(0, n)), gzip: true };
    } catch (err) {
      if (err instanceof CaptureError) throw err;
      throw new CaptureError(path, 0, `gzip data that does not decompress: ${systemErrorText(err)}`);
    } finally {
      inner.close();
    }
  } catch (err) {
    if (err instanceof CaptureError) throw err;
    throw readError(path, 0, err);
  } finally {
    await handle.close();
  }
}

/**
 * Yields the records of a pcap or pcapng file in batches. Batches cut from the same chunk
 * share its `bytes`. Bad input throws CaptureError after every complete record before it has
 * been yielded; a last record cut short by the end of the file is reported via `onWarning`.
 */
export async function* readCaptureBatches(path: string, opts: ReadCaptureOptions = {}): AsyncGenerator<RecordBatch> {
  const chunkBytes = Math.max(1, Math.floor(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES));
  const maxBatchRecords = Math.max(1, opts.maxBatchRecords ?? DEFAULT_MAX_BATCH_RECORDS);
  // Room in front of each chunk for the carried tail of a record, so carrying rarely copies the chunk.
  const headroom = Math.min(chunkBytes, MAX_RECORD_BYTES + 64);
  // standard input (`-`) is read as its stream, in turn: no handle of ours, nothing to seek
  const stdin = path === STDIN_CAPTURE;
  const label = captureName(path);
  let handle: FileHandle | undefined;
  if (!stdin) {
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw new CaptureError(path, 0, `cannot open: ${systemErrorText(err)}`);
    }
  }
  // Chunks are overwritten by the read before anything looks at them, so they need not be
  // zeroed first (zeroing 4 MiB per chunk was a tenth of a replay's time). A plain Uint8Array
  // view, not the Buffer itself: Buffer#slice would alias where this code means to copy.
  const allocate = (n: number): Uint8Array => {
    const b = Buffer.allocUnsafeSlow(n);
    return new Uint8Array(b.buffer, b.byteOffset, b.length);
  };
  // A fresh 4 MiB chunk per read made the garbage collector run for external memory pressure
  // every few chunks; recycled chunks (at most three: walked, read ahead, just released) do not.
  const recycled: Uint8Array[] = [];
  const releaseChunk = opts.recycleChunks ? (c: Uint8Array) => void recycled.push(c) : undefined;
  const mode = opts.readMode ?? 'auto';
  const isSlowRead = opts.isSlowRead ?? slowRead;
  // A pipe or a FIFO (`zcat x.pcap.gz | aipref-enforcer replay -`) has no positions:
  // it is read in turn, and in 'auto' mode ahead, since its writer may be slow.
  let seekable = false;
  if (handle !== undefined) {
    try {
      const st = await handle.stat();
      seekable = st.isFile() || st.isBlockDevice();
    } catch {
      seekable = false;
    }
  }
  // A gzip-compressed file is read through zlib: in turn, ahead (inflating is the thread
  // pool's work), its offsets those of the decompressed capture. Standard input is read in
  // turn, ahead, through its stream.
  let inTurn: InTurnReader | undefined;
  let gzip = false;
  if (stdin) ({ reader: inTurn, gzip } = await stdinReader(stdinStats()));
  if (seekable && handle !== undefined) {
    const head = new Uint8Array(2);
    try {
      const { bytesRead } = await handle.read(head, 0, 2, 0);
      gzip = isGzip(head.subarray(0, bytesRead));
      if (gzip) inTurn = gunzipReader(path);
    } catch (err) {
      await handle.close();
      throw readError(path, 0, err);
    }
  }
  const name = gzip ? decompressedName(label) : label;
  if (inTurn !== undefined) seekable = false;
  // An interrupt closes a reader read in turn: its read in flight, which may be waiting on a
  // writer gone quiet, then settles, and the batches end (READ_INTERRUPTED) without a warning.
  let interrupted = false;
  const onAbort = (): void => {
    interrupted = true;
    inTurn?.close();
  };
  const signal = inTurn !== undefined ? opts.signal : undefined;
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  let readAhead = inTurn !== undefined || mode === 'ahead' || (mode === 'auto' && (!opts.recycleChunks || !seekable));
  /** slow synchronous reads in a row ('auto') */
  let slowReads = 0;
  type Chunk = { buf: Uint8Array; bytesRead: number };
  // Every chunk is filled (all of chunkBytes, short only at the end of the input), however the
  // input hands its bytes over: a pipe gives what its writer has written so far. Chunks, and
  // with them the batches cut from them (where windows close on time), then break at the same
  // bytes whether a capture comes from a file or through a pipe, so the output is the same.
  /** a read that failed after some bytes of its chunk: those are walked first, then this is thrown */
  let failed: CaptureError | undefined;
  const readChunk = async (at: number): Promise<Chunk> => {
    if (failed !== undefined) throw failed;
    const buf = recycled.pop() ?? allocate(headroom + chunkBytes);
    let n = 0;
    try {
      while (n < chunkBytes) {
        const bytesRead = inTurn !== undefined ? await inTurn.read(buf, headroom + n, chunkBytes - n) : (await handle!.read(buf, headroom + n, chunkBytes - n, seekable ? at + n : null)).bytesRead;
        if (bytesRead === 0) break;
        n += bytesRead;
      }
      if (interrupted) throw READ_INTERRUPTED;
      return { buf, bytesRead: n };
    } catch (err) {
      if (interrupted) {
        releaseChunk?.(buf);
        throw READ_INTERRUPTED;
      }
      // a gzip stream cut or corrupt midway (a .gz copied while being written): the bytes it
      // gave before are records like any others
      failed = gzip ? new CaptureError(name, at + n, `gzip data that does not decompress: ${systemErrorText(err)}`) : readError(label, at + n, err);
      if (n > 0) return { buf, bytesRead: n };
      throw failed;
    }
  };
  const readChunkNow = (at: number): Chunk => {
    if (failed !== undefined) throw failed;
    const reused = recycled.pop();
    const buf = reused ?? allocate(headroom + chunkBytes);
    const started = performance.now();
    let n = 0;
    try {
      while (n < chunkBytes) {
        // (not reading ahead: a file of ours, neither gzip nor standard input)
        const bytesRead = readSync(handle!.fd, buf, headroom + n, chunkBytes - n, seekable ? at + n : null);
        if (bytesRead === 0) break;
        n += bytesRead;
      }
    } catch (err) {
      throw readError(label, at + n, err);
    }
    if (mode === 'auto' && reused !== undefined) {
      slowReads = isSlowRead(n, performance.now() - started) ? slowReads + 1 : 0;
      if (slowReads === 2) readAhead = true;
    }
    return { buf, bytesRead: n };
  };
  let spare: RecordBatch | undefined;
  const nextBatch = (bytes: Uint8Array, capacity: number, firstFrame: number): RecordBatch => {
    if (!opts.reuseBatches) return createRecordBatch(bytes, capacity, firstFrame);
    // full-size arrays: a walk stops at the chunk's last whole record whatever room is left
    spare ??= createRecordBatch(bytes, maxBatchRecords, firstFrame);
    spare.bytes = bytes;
    spare.count = 0;
    spare.firstFrame = firstFrame;
    return spare;
  };
  /** the chunk being walked, still the reader's until it moves on */
  let held: Uint8Array | undefined;
  // Reading ahead, one read is always in flight while the chunk before it is walked.
  let pending: Promise<Chunk> | undefined = readAhead ? readChunk(0) : undefined;
  pending?.catch(() => undefined);
  try {
    let walker: CaptureRecordWalker | undefined;
    let carry: Uint8Array = new Uint8Array(0);
    let filePos = 0;
    let frame = 1;
    for (;;) {
      // everything cut from the previous chunk has been yielded and its tail copied out
      if (held !== undefined) releaseChunk?.(held);
      held = undefined;
      let chunk: Chunk;
      if (pending !== undefined) chunk = await pending;
      else {
        // A synchronous read gives the event loop no turn: without one per chunk, timers,
        // signal handlers (Ctrl-C) and output callbacks would wait for the end of the file.
        await nextTurn();
        chunk = readChunkNow(filePos);
      }
      held = chunk.buf;
      const eof = chunk.bytesRead === 0;
      filePos += chunk.bytesRead;
      pending = eof || !readAhead ? undefined : readChunk(filePos);
      // it is awaited once this chunk's batches are taken: a read that fails meanwhile (a gzip
      // stream's end, EIO) is thrown then, in turn, not as a rejection no one handles yet
      pending?.catch(() => undefined);
      let buf = chunk.buf;
      let pos = headroom - carry.length;
      let end = headroom + chunk.bytesRead;
      if (pos >= 0) {
        buf.set(carry, pos);
      } else {
        buf = allocate(carry.length + chunk.bytesRead);
        buf.set(carry, 0);
        buf.set(chunk.buf.subarray(headroom, end), carry.length);
        pos = 0;
        end = buf.length;
      }
      const fileBase = filePos - end;
      const view = new DataView(buf.buffer, buf.byteOffset, end);

      if (walker === undefined) {
        const have = end - pos;
        if (have < 4 && !eof) {
          carry = buf.slice(pos, end);
          continue;
        }
        if (have === 0) throw new CaptureError(name, 0, 'empty file: not a capture');
        if (!gzip && isGzip(buf.subarray(pos, end))) throw gzipThroughPipe(label);
        if (have < 4) throw new CaptureError(name, 0, `truncated file header: ${have} bytes, not a capture`);
        walker = createWalker(name, buf.subarray(pos, pos + 4));
      }

      for (;;) {
        const capacity = Math.min(maxBatchRecords, Math.floor((end - pos) / walker.minRecordBytes) + 1);
        const batch = nextBatch(buf, capacity, frame);
        try {
          pos = walker.walk(buf, view, pos, end, fileBase, batch);
        } catch (err) {
          if (batch.count > 0) yield batch;
          throw err;
        }
        frame += batch.count;
        if (batch.count > 0) yield batch;
        if (batch.count < capacity) break;
      }

      if (eof) {
        if (pos < end) {
          const message = walker.describeLeftover(buf, view, pos, end, fileBase);
          opts.onWarning?.({ file: name, offset: fileBase + pos, frame, message });
        } else if ((walker.pendingSkip ?? 0) > 0) {
          opts.onWarning?.({ file: name, offset: fileBase + pos, frame, message: `record cut short: a block without packets ends ${walker.pendingSkip} bytes past the end of the file` });
        }
        return;
      }
      // Copied, not a view: the chunk it came from may be transferred or kept by the consumer.
      carry = buf.slice(pos, end);
    }
  } catch (err) {
    // interrupted: what was yielded is what was read
    if (err === READ_INTERRUPTED) return;
    throw err;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // A stream read in turn is closed first: that settles its read in flight, which would
    // otherwise wait for a writer still there (a broken capture from `tcpdump -w -` on a quiet
    // link). A file handle's read in flight must finish before the handle closes.
    inTurn?.close();
    const last = pending === undefined ? undefined : await pending.catch(() => undefined);
    if (last !== undefined) releaseChunk?.(last.buf);
    if (held !== undefined) releaseChunk?.(held);
    await handle?.close();
  }
}

/** Thrown by a read the consumer's interrupt ended: the batches end there, without a warning. */
const READ_INTERRUPTED = new Error('read interrupted');
