import { constants } from 'node:fs';
import { access, lstat, open as openFile, stat, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { captureName, probeCaptureFormat, STDIN_CAPTURE, statCapture } from '../../native-free/capture.js';
import { CaptureError } from '../../native-free/types.js';
import { abortableDelay } from '../export/abortable.js';
import { makeDir, removeMade } from '../export/make-dir.js';
import { errorReason, NdjsonFile } from '../export/ndjson-file.js';
import { emptyPolicy, loadPolicyFile, PolicyError } from '../policy/policy-file.js';
import { parseDuration } from '../policy/vocabulary.js';
import { DEFAULT_WINDOW_SEC } from '../enforce/windows.js';
import { defaultWorkerCount, replayCapture, type ReplayResult, type ReplaySink } from '../pipeline/replay-engine.js';
import type { ByteRun } from '../pipeline/encoded-lines.js';
import { parseCommandArgs, parseWorkerCount, refuseTerminalStdin } from './args.js';
import { Progress } from './progress.js';
import { checkOutDir } from './out-dir.js';
import { UsageError } from './usage.js';
import { sayLine } from './stderr-line.js';

/** Policy file errors are bad input (exit 1) with the file's own one-line message. */
export async function loadPolicyOption(file: string | undefined) {
  if (file === undefined) return emptyPolicy();
  try {
    return await loadPolicyFile(file);
  } catch (err) {
    if (err instanceof PolicyError) throw new Error(err.message);
    throw err;
  }
}

/**
 * `replay <capture> --to udp://host:port|hep://host:port [--speed x]`: sends the capture's
 * datagrams to a live enforcer instead of enforcing here; prints `{sent, skipped}`.
 */
async function sendCapture(capture: string, captureAfter: string | undefined, to: string, speedText: string | undefined, udpMode: string | undefined, hepAuthKey: string | undefined): Promise<number> {
  // loaded here: enforcing a capture never needs the sockets (node:dgram, node:net) of sending one
  const { parseReplayTarget, replayCapture: sendToListener, ReplayTargetError } = await import('../sources/replay-sender.js');
  let target;
  try {
    target = parseReplayTarget(to);
  } catch (err) {
    if (err instanceof ReplayTargetError) throw new UsageError(err.message);
    throw err;
  }
  const speed = speedText === undefined ? 1 : Number(speedText);
  if (speedText !== undefined && (!/^\d+(\.\d+)?$/.test(speedText) || !Number.isFinite(speed))) throw new UsageError(`--speed takes a number ≥ 0 (0 = as fast as possible), not '${speedText}'`);
  if (udpMode !== undefined && udpMode !== 'plain' && udpMode !== 'ip-packet') throw new UsageError(`--udp-mode takes plain or ip-packet, not '${udpMode}'`);
  if (udpMode === 'ip-packet' && target.scheme !== 'udp') throw new UsageError('--udp-mode ip-packet applies to --to udp://');
  if (hepAuthKey !== undefined && target.scheme !== 'hep') throw new UsageError('--hep-auth-key applies to --to hep://');
  await statNamedCapture(capture, captureAfter);
  const interrupt = new AbortController();
  const onSignal = () => {
    interrupt.abort();
    // a read of standard input waiting on a writer gone quiet ends once stdin is closed (the
    // sender then sees the interrupt)
    if (capture === STDIN_CAPTURE) process.stdin.destroy();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await sendToListener(capture, target, {
      speed,
      signal: interrupt.signal,
      udpMode: udpMode === 'ip-packet' ? 'ip-packet' : 'payload',
      ...(hepAuthKey !== undefined && { authKey: hepAuthKey }),
      // a record cut short is said, as the enforcing commands say it, and counted in `skipped`
      onWarning: (message) => sayLine('replay', message),
    });
    process.stdout.write(JSON.stringify({ sent: result.sent, skipped: result.skipped }) + '\n');
    return 0;
  } catch (err) {
    if (interrupt.signal.aborted) return 130;
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * statCapture, but a capture that directly follows a secret option's value (`captureAfter`:
 * `--hep-auth-key my pass`, the quotes forgotten, 'pass' taken for the capture) is not named when
 * it cannot be opened: it is likely more of that value (SECRET_OPTIONS, src/cli/args.ts).
 */
async function statNamedCapture(capture: string, captureAfter: string | undefined): ReturnType<typeof statCapture> {
  try {
    return await statCapture(capture);
  } catch (err) {
    if (captureAfter === undefined || !(err instanceof CaptureError)) throw err;
    throw new Error(`the capture (the argument after ${captureAfter}'s value, not shown) cannot be opened: ${err.reason.replace(/^cannot open: /, '')} (quote a value with spaces)`);
  }
}

/** A replay's output files (SPEC §8: decisions.ndjson only with --explain). */
export interface ReplayFiles {
  exports: NdjsonFile;
  reports: NdjsonFile;
  decisions: NdjsonFile | null;
}

export interface ReplayOutputs {
  /** the files, once the first write (or open()) has made them; null before */
  readonly files: ReplayFiles | null;
  /** writes each batch's lines to their file, making the files at its first call */
  sink: ReplaySink;
  /** makes the files if no write has yet */
  open(): Promise<ReplayFiles>;
  /** closes the files, if they were made */
  close(): Promise<void>;
}

/**
 * A replay's output files in `outDir` and the sink that fills them. Nothing is made — folder
 * nor files — before the sink's first call: the engine writes only once the capture has been
 * accepted, so a run refused before its first record (not a capture, a file it cannot open, a
 * bad pcap version) leaves nothing behind, while one that fails later keeps what it accepted.
 * Without --explain, making them removes a decisions.ndjson an earlier --explain run left in
 * the folder: it would not be this run's, and would disagree with its exports and reports.
 * A file that cannot be written (a full disk) is told to `onWriteFailure` at the next write to
 * it, never as a rejection of the sink: the caller stops the run as an interrupt does, so what
 * is in flight still reaches the other files, and close() rejects with the error naming the file.
 * A FIFO in a file's place waits for its reader (as `cmd > fifo` does), saying so once it has
 * waited a moment; `signal` (the run's interrupt) ends that wait: the files are then not made
 * (OutputsInterrupted), and nothing of the run's is left.
 */
export function replayOutputs(outDir: string, explain: boolean, onOpen?: () => void, onWriteFailure?: () => void, signal?: AbortSignal): ReplayOutputs {
  let files: ReplayFiles | null = null;
  let opening: Promise<ReplayFiles> | undefined;
  const open = (): Promise<ReplayFiles> =>
    (opening ??= (async () => {
      onOpen?.();
      const madeDirs = await makeDir(outDir);
      // Every file is found to be openable, and a stale decisions.ndjson removable, before any
      // is emptied: a run refused for one (a folder in its place) leaves an earlier run's files
      // as they were, and nothing of its own (the files, nor the folders, it made).
      const names = ['exports.ndjson', 'reports.ndjson', ...(explain ? ['decisions.ndjson'] : [])];
      const createdFiles: string[] = [];
      const fifos = new Set<string>();
      try {
        for (const name of names) if (await checkOpenable(path.join(outDir, name), createdFiles)) fifos.add(name);
        if (!explain) await removeStale(path.join(outDir, 'decisions.ndjson'));
      } catch (err) {
        for (const f of createdFiles) await unlink(f).catch(() => undefined);
        await removeMade(madeDirs);
        throw err;
      }
      // One that cannot be opened even so (a device that refuses), or a wait for a FIFO's reader
      // that an interrupt ended, closes those opened before it and removes what the run made.
      // The FIFOs go first: while one waits for its reader, no earlier run's file is yet emptied.
      const opened: NdjsonFile[] = [];
      try {
        const made = new Map<string, NdjsonFile>();
        for (const name of [...names.filter((n) => fifos.has(n)), ...names.filter((n) => !fifos.has(n))]) {
          made.set(name, await createFile(outDir, name, opened, fifos.has(name) ? signal : undefined));
        }
        files = { exports: made.get('exports.ndjson')!, reports: made.get('reports.ndjson')!, decisions: made.get('decisions.ndjson') ?? null };
        return files;
      } catch (err) {
        await Promise.allSettled(opened.map((f) => f.close()));
        for (const f of createdFiles) await unlink(f).catch(() => undefined);
        await removeMade(madeDirs);
        throw err;
      }
    })());
  // A file that cannot keep up (a slow disk) holds the replay back: the engine waits for the
  // sink before it reads on, so lines never pile up in memory.
  const waitFor = (file: NdjsonFile) => file.backpressure()?.catch(() => onWriteFailure?.());
  const write = (file: NdjsonFile | null, lines: string[]) => {
    if (file === null) return undefined;
    for (const l of lines) file.writeLine(l);
    return waitFor(file);
  };
  const encoded = (file: NdjsonFile | null, runs: readonly ByteRun[]) => {
    if (file === null) return undefined;
    for (const r of runs) file.writeBytes(r.bytes, r.start, r.end, r.lines);
    return waitFor(file);
  };
  /** `use` with the files, made first at the first call */
  const withFiles = (use: (f: ReplayFiles) => void | Promise<void>): void | Promise<void> => (files !== null ? use(files) : open().then(use));
  return {
    get files() {
      return files;
    },
    sink: {
      exports: (lines) => withFiles((f) => write(f.exports, lines)),
      reports: (lines) => withFiles((f) => write(f.reports, lines)),
      decisions: (lines) => withFiles((f) => write(f.decisions, lines)),
      encoded: (kind, runs) => withFiles((f) => encoded(kind === 'exports' ? f.exports : f.decisions, runs)),
    },
    open,
    close: async () => {
      const made = opening === undefined ? null : await opening.catch(() => null);
      if (made === null) return;
      // every file is written to its end before a failed one's error is told: one file that
      // cannot be written (a full disk) loses nothing of the others
      const closed = await Promise.allSettled([made.exports.close(), made.reports.close(), made.decisions?.close()]);
      const failed = closed.find((c) => c.status === 'rejected');
      if (failed !== undefined) throw failed.reason;
    },
  };
}

/** An interrupt that came before a FIFO in an output file's place was opened (or while it waited for its reader): the files were not made. */
export class OutputsInterrupted extends Error {
  constructor(readonly file: string, waited: boolean) {
    super(`${file}: ${waited ? 'interrupted while waiting for a reader (a FIFO)' : 'interrupted before this FIFO was opened'}: no output written`);
    this.name = 'OutputsInterrupted';
  }
}

/** How long an open of a FIFO waits for its reader before it says so. */
const FIFO_WAIT_NOTICE_MS = 1_000;

/**
 * Makes (empties) one of a replay's files, added to `opened`. One that cannot be opened is said
 * as one that cannot be written is (src/export/ndjson-file.ts): `<path>: cannot open: illegal
 * operation on a directory (EISDIR)`, not in Node's words. `fifo`: the run's interrupt, for a
 * FIFO in the file's place (its open waits for a reader: openFifo).
 */
async function createFile(outDir: string, name: string, opened: NdjsonFile[], fifo?: AbortSignal): Promise<NdjsonFile> {
  const file = path.join(outDir, name);
  let made: NdjsonFile;
  try {
    made = fifo !== undefined ? await openFifo(file, fifo) : await NdjsonFile.create(file);
  } catch (err) {
    if (err instanceof OutputsInterrupted) throw err;
    throw new Error(`${file}: cannot open: ${errorReason(err)}`, { cause: err });
  }
  opened.push(made);
  return made;
}

/** How often a FIFO this process may not read is tried for a reader (openFifoUnreadable). */
const FIFO_POLL_MS = 100;

/**
 * Opens a FIFO for writing, waiting for its reader as `cmd > fifo` does; after a moment without
 * one, a line says so. An interrupt (`signal`) ends the wait: the promise rejects with
 * OutputsInterrupted (at once after an interrupt that came before). How the wait is ended
 * depends on whether this process may read the FIFO (openFifoBlocking, openFifoUnreadable).
 */
async function openFifo(file: string, signal: AbortSignal): Promise<NdjsonFile> {
  if (signal.aborted) throw new OutputsInterrupted(file, false);
  // (a FIFO another service's user owns, mode 0620, this one in its group: written, not read)
  const readable = await access(file, constants.R_OK).then(
    () => true,
    () => false,
  );
  return readable ? openFifoBlocking(file, signal) : openFifoUnreadable(file, signal);
}

/**
 * The open waits in a pool thread (in the kernel) until a reader opens the other end. An
 * interrupt opens a reader of this process's own, without waiting, which lets the open return;
 * both are closed again. Nothing probes for a reader with an open for writing of its own here:
 * closed while no other writer is open, that would be the end of a reader's input.
 */
function openFifoBlocking(file: string, signal: AbortSignal): Promise<NdjsonFile> {
  if (signal.aborted) return Promise.reject(new OutputsInterrupted(file, false));
  return new Promise<NdjsonFile>((resolve, reject) => {
    let settled = false;
    /** this process's own reader that ended the wait, closed once the open has returned */
    let ownReader: Promise<FileHandle | null> | undefined;
    const notice = setTimeout(() => {
      if (!settled) sayLine('replay', `${file}: waiting for a reader (a FIFO)`);
    }, FIFO_WAIT_NOTICE_MS);
    const onAbort = () => {
      if (!settled) ownReader ??= openFile(file, constants.O_RDONLY | constants.O_NONBLOCK).catch(() => null);
    };
    /** the open has returned (or failed): no notice, no interrupt of it any more; the own reader closed */
    const done = async () => {
      settled = true;
      clearTimeout(notice);
      signal.removeEventListener('abort', onAbort);
      await (await ownReader)?.close().catch(() => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    NdjsonFile.create(file).then(
      async (made) => {
        const interrupted = ownReader !== undefined;
        await done();
        if (!interrupted) return resolve(made);
        // the open the own reader let through: not the run's output
        await made.close().catch(() => undefined);
        reject(new OutputsInterrupted(file, true));
      },
      async (err: unknown) => {
        const interrupted = ownReader !== undefined;
        await done();
        reject(interrupted ? new OutputsInterrupted(file, true) : err);
      },
    );
  });
}

/**
 * A FIFO this process may write but not read (mode 0222, or 0620 in the reader's group): no
 * reader of its own could end a blocked open, which no one can cancel either — it would hold its
 * pool thread, and the process (even process.exit, which joins the pool's threads), until some
 * reader came. So nothing blocks: an open without waiting (O_NONBLOCK: ENXIO while there is no
 * reader) is tried every FIFO_POLL_MS until one is there, and the interrupt just stops trying.
 * Once it succeeds, the run's own open returns at once (the reader is there), and the probe — a
 * writer too — is closed only after it, so the reader never sees its input end. (A reader that
 * leaves between the two opens leaves the run's open waiting for the next one, as a plain
 * `cmd > fifo` would: a window of one open, not worth a second mechanism.)
 */
async function openFifoUnreadable(file: string, signal: AbortSignal): Promise<NdjsonFile> {
  const notice = setTimeout(() => sayLine('replay', `${file}: waiting for a reader (a FIFO)`), FIFO_WAIT_NOTICE_MS);
  try {
    for (;;) {
      if (signal.aborted) throw new OutputsInterrupted(file, true);
      let probe: FileHandle;
      try {
        probe = await openFile(file, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw err;
        await abortableDelay(FIFO_POLL_MS, signal);
        continue;
      }
      clearTimeout(notice);
      let made: NdjsonFile;
      try {
        made = await NdjsonFile.create(file);
      } finally {
        await probe.close().catch(() => undefined);
      }
      if (!signal.aborted) return made;
      // interrupted as the reader came: not the run's output (as openFifoBlocking's own reader's)
      await made.close().catch(() => undefined);
      throw new OutputsInterrupted(file, true);
    }
  } finally {
    clearTimeout(notice);
  }
}


/**
 * Whether `file` can be opened for writing, found out without emptying it: an existing one is
 * opened as it is, a missing one made (added to `created`, for a refused run to remove again).
 * `<path>: cannot open: <reason>` as createFile says it.
 */
async function checkOpenable(file: string, created: string[]): Promise<boolean> {
  // a FIFO (a reader at its other end: an open and close here would end its input) or a
  // device (/dev/null) is opened once, by createFile, and emptied by nobody; a socket cannot be
  // opened at all (ENXIO), and is refused here, before any file is emptied
  const st = await stat(file).catch(() => null);
  if (st !== null && (st.isFIFO() || st.isCharacterDevice())) return st.isFIFO();
  try {
    try {
      await (await openFile(file, constants.O_WRONLY)).close();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      try {
        await (await openFile(file, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL)).close();
        created.push(file);
      } catch (again) {
        // a dangling symlink, or made meanwhile: createFile says what it finds
        if ((again as NodeJS.ErrnoException).code !== 'EEXIST') throw again;
      }
    }
  } catch (err) {
    throw new Error(`${file}: cannot open: ${errorReason(err)}`, { cause: err });
  }
  return false;
}

/**
 * Removes a file an earlier run left, if there is one: `<path>: cannot remove: <reason>` when it
 * cannot be (a folder in its place). A FIFO, a device, a socket or a symlink (to /dev/null, say)
 * there is the operator's, holds no lines of an earlier run, and is left alone.
 */
async function removeStale(file: string): Promise<void> {
  try {
    const st = await lstat(file);
    if (!st.isFile() && !st.isDirectory()) return;
    await unlink(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new Error(`${file}: cannot remove: ${errorReason(err)}`, { cause: err });
  }
}

/** replay's options (parseArgs form): enforcing, and with --to, sending. */
export const REPLAY_OPTIONS = {
  policy: { type: 'string' },
  out: { type: 'string' },
  workers: { type: 'string' },
  window: { type: 'string' },
  explain: { type: 'boolean' },
  json: { type: 'boolean' },
  quiet: { type: 'boolean' },
  to: { type: 'string' },
  speed: { type: 'string' },
  'udp-mode': { type: 'string' },
  'hep-auth-key': { type: 'string' },
} as const;

/**
 * `aipref-enforcer replay <capture> [--policy f] [--out dir] [--workers n] [--window dur]
 * [--explain] [--json] [--quiet]` (SPEC §8): writes exports.ndjson and reports.ndjson (and
 * decisions.ndjson with --explain) into the output folder; prints a summary.
 */
export async function runReplay(args: string[]): Promise<number> {
  const { capture, captureAfter, values } = parseCommandArgs(args, REPLAY_OPTIONS);
  // `-` typed at a terminal, the pipe forgotten: nothing to read (usage, exit 2)
  refuseTerminalStdin(capture, 'replay');
  if (values.to !== undefined) {
    // sending enforces nothing here: what only enforcing reads would be silently ignored
    const enforcing = (['policy', 'out', 'workers', 'window', 'explain', 'json'] as const).filter((k) => values[k] !== undefined);
    if (enforcing.length > 0) throw new UsageError(`--${enforcing[0]} does not apply to replay --to (the live enforcer it sends to has its own)`);
    // (a capture after --to's value is named: a target that parses carries no user:password@ —
    // parseReplayTarget refuses one — so the word after it is not more of a secret; unless that
    // word holds the '@': `--to hep://agent:2024 S3CRET@h:9`, a password with a space, whose
    // first word parsed as a port)
    const named = captureAfter === '--to' && !capture.includes('@');
    return sendCapture(capture, named ? undefined : captureAfter, values.to, values.speed, values['udp-mode'], values['hep-auth-key']);
  }
  if (values.speed !== undefined || values['udp-mode'] !== undefined || values['hep-auth-key'] !== undefined) throw new UsageError('--speed, --udp-mode and --hep-auth-key apply to replay --to');
  const workers = parseWorkerCount(values.workers, defaultWorkerCount());
  let windowSec: number | null = null;
  if (values.window !== undefined) {
    windowSec = parseDuration(values.window);
    if (windowSec === null || windowSec <= 0) throw new UsageError(`--window takes a duration such as 10s or 1m, not '${values.window}'`);
  }
  const policy = await loadPolicyOption(values.policy);
  const outDir = values.out ?? 'aipref-out';
  const info = await statNamedCapture(capture, captureAfter);
  // A file that is not a capture is refused before the workers start. A pipe, a FIFO or
  // standard input (`-`) cannot be looked into twice: the replay judges its first bytes itself. Either way the output
  // folder and files are made at the first write, once the capture has been accepted.
  // a gzip-compressed file's share read is not known from its size: no share, no ETA then
  const sized = info.isFile() && capture !== STDIN_CAPTURE && !(await probeCaptureFormat(capture)).gzip;
  await checkOutDir(outDir);
  const explain = values.explain === true;
  // once the run is accepted — its first output made, not before: a capture refused at its first
  // record (a pipe is never probed) says only what refused it (one line, SPEC §8)
  const interrupt = new AbortController();
  const outputs = replayOutputs(
    outDir,
    explain,
    () => {
      for (const warning of policy.warnings()) sayLine('replay', warning);
    },
    // closing the files (below) then rejects with the error naming the file: exit 1
    () => interrupt.abort(),
    interrupt.signal,
  );
  const progress = new Progress(`replay ${captureName(capture)}`, sized ? info.size : 0, values.quiet === true);
  const onSignal = () => interrupt.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let result;
  let files: ReplayFiles;
  /** what a capture broken mid-file gave before the break (its summary is printed, then the error) */
  let partial: ReplayResult | undefined;
  try {
    result = await replayCapture({
      capture,
      policy,
      workers,
      windowSec: windowSec ?? policy.windowSec ?? DEFAULT_WINDOW_SEC,
      explain,
      sink: outputs.sink,
      signal: interrupt.signal,
      onProgress: (packets, bytes) => progress.update(packets, bytes),
      onWarning: (message) => sayLine('replay', message),
      onPartialResult: (r) => void (partial = r),
    });
    // made at the first write; a capture with no record in it (a header alone) still has them, empty
    files = await outputs.open();
  } catch (err) {
    // interrupted while a FIFO in an output's place waited for its reader: nothing was made
    if (err instanceof OutputsInterrupted) {
      sayLine('replay', err.message);
      return 130;
    }
    // a capture broken mid-file: what was read before the break is written and summed up (on
    // stdout, as for a whole capture), then the error stops the run (exit 1)
    if (partial !== undefined) {
      const written = await outputs.open();
      printSummary(partial.summary, written, ' — stopped where the capture broke');
    }
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.done();
    await outputs.close();
  }
  printSummary(result.summary, files, interrupt.signal.aborted ? ' — interrupted' : '');
  return interrupt.signal.aborted ? 130 : 0;

  function printSummary(s: ReplayResult['summary'], written: ReplayFiles, ending: string): void {
    if (values.json) {
      process.stdout.write(JSON.stringify(s) + '\n');
    } else if (!values.quiet) {
      const reports = Object.entries(s.reports).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';
      process.stdout.write(
        `${s.packets} packets (${s.rtp} RTP, ${s.rtcp} RTCP, ${s.sip} SIP, ${s.malformed} malformed), ${s.dialogs} dialogs, ${s.streams} streams\n` +
          `telemetry: ${s.telemetry.export} exported, ${s.telemetry.aggregate} aggregated, ${s.telemetry.drop} dropped\n` +
          `reports: ${reports}\n` +
          `written to ${path.join(outDir, path.sep)} (exports.ndjson ${written.exports.lineCount} lines, reports.ndjson ${written.reports.lineCount} lines${written.decisions ? `, decisions.ndjson ${written.decisions.lineCount} lines` : ''})${ending}\n`,
      );
    }
  }
}
