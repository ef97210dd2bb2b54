/**
 * Replay of a capture through the whole enforcer. The main thread reads the capture, decodes
 * the packet layers, runs signaling, and cuts each batch's media into shards by Call-ID (all
 * of a call's streams in one shard, so nothing a stream depends on lives elsewhere). Shards
 * run in piscina worker threads (one thread per shard, so state stays put) or, with
 * `workers: 0`, in this thread. Each batch's lines — signaling reports and every shard's
 * output — are sorted by (frame, key) and written before the next batch's: the result is the
 * same bytes whatever the worker count.
 */
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { readUint32 } from '../../native-free/big-endian.js';
import { unsupportedLinkTypeWarnings } from '../../native-free/capture.js';
import { CaptureError, type PacketView, type RecordBatch } from '../../native-free/types.js';
import { TransportMap, type TransportEntry } from '../binding/transport-map.js';
import type { BindingRow, DialogScope } from '../binding/types.js';
import type { PolicyFile } from '../policy/policy-file.js';
import type { UriResolver } from '../policy/uri-resolver.js';
import { type Report, reportJson } from '../report/report.js';
import type { CoreCounters, CoreEvent, MediaCore, MediaCoreOptions, OutputLine, TagsAnswer } from './media-core.js';
import { type ByteRun, byFrameThenKey, decodeRuns, type EncodedLines, isTextLines, mergedRuns, type ShardLines } from './encoded-lines.js';
import { rekeyedScope, unboundSessionKey, unroutedPairV4 } from './media-core.js';
import { type MediaWork, MediaWorkBuilder, Proto, ReusableAddress } from './media-work.js';
import { createRtpHeaderView, decodeRtpHeader } from '../media/rtp.js';
import { sharesMediaPort } from '../media/demux.js';
import { PacketFeed } from './packet-feed.js';
import { Shard, type ShardFinal } from './shard-state.js';
import type { MediaCounted, ShardTask, ThreadBatch, ThreadFinal } from './shard-worker.js';
import { RtcpCopies } from './rtcp-copies.js';
import { chainsAsRtcp } from '../media/rtcp/compound.js';
import { senderAddress, SrtcpKeyring } from './srtcp-keyring.js';
import { UnboundTags } from './unbound-tags.js';
import { SignalingFront } from './signaling-front.js';
import { CaptureClock, SourceClocks } from './capture-clock.js';

export interface ReplayOptions {
  /** a capture file; or, with `source`, a name for it in messages */
  capture: string;
  /** live only: resolve `uri=<https://…>` APT handles as they arrive (replay resolves them through the policy file) */
  uriResolver?: UriResolver;
  /**
   * the time (seconds since the epoch) an empty batch stands for: with a live source that ticks
   * when idle, windows then close — and nothing outlives its retention — on a silent feed too
   */
  clock?: () => number;
  /** record batches from elsewhere (a live listener) instead of reading `capture` */
  source?: AsyncIterable<RecordBatch>;
  policy: PolicyFile;
  /** 0: everything on this thread; n: n shard threads */
  workers: number;
  windowSec: number;
  explain: boolean;
  sink: ReplaySink;
  /** batches in flight to the workers before the reader waits (backpressure) */
  maxInFlight?: number;
  onProgress?: (packets: number, bytes: number) => void;
  /**
   * After each batch's lines are written: the run's packet counts through that batch, as the
   * summary will count them (a live service's packet metrics, so they agree with its summary).
   */
  onCounted?: (totals: PacketTotals) => void;
  /** stops reading at the next batch boundary; what was read is still judged and written */
  signal?: AbortSignal;
  onWarning?: (message: string) => void;
  chunkBytes?: number;
  /** records per batch at most (batch boundaries are where windows close on time) */
  maxBatchRecords?: number;
  /**
   * With `source`, asked before each batch: a reloaded policy file to apply from that batch on,
   * or null. It reaches the shards before the batch's first packet (SignalingFront.updatePolicy).
   */
  takePolicyUpdate?: () => PolicyUpdate | null;
  /**
   * build the binding table (ReplayResult.bindings): every stream, ended dialogs' included,
   * is kept to the end for it. Without it an ended dialog's streams are let go.
   */
  bindings?: boolean;
  /**
   * A read that fails after some records (a capture broken mid-file) throws, but first hands
   * here the result of what it read — its summary, and with `bindings` its binding table — so
   * that it is not lost.
   */
  onPartialResult?: (result: ReplayResult) => void | Promise<void>;
}

/** A reloaded policy file, and the window it makes (its own, unless the command line fixed one). */
export interface PolicyUpdate {
  policy: PolicyFile;
  windowSec: number;
}

/** Where the sorted lines go; called once per batch, in capture order. */
export interface ReplaySink {
  exports(lines: string[]): void | Promise<void>;
  reports(lines: string[]): void | Promise<void>;
  decisions(lines: string[]): void | Promise<void>;
  /**
   * Optional: a batch's export or decision lines as shard threads encoded them (UTF-8, each
   * line with its newline), in output order; called instead of exports() or decisions() when
   * the lines come from threads. A sink without it is given them as strings.
   */
  encoded?(kind: 'exports' | 'decisions', runs: readonly ByteRun[]): void | Promise<void>;
}

/** The `--json` summary (SPEC §8). */
export interface ReplaySummary {
  packets: number;
  rtp: number;
  rtcp: number;
  sip: number;
  malformed: number;
  streams: number;
  dialogs: number;
  telemetry: { export: number; aggregate: number; drop: number };
  reports: Record<string, number>;
}

export interface ReplayResult {
  summary: ReplaySummary;
  /** the binding table at the end, with `bindings`; else empty */
  bindings: (BindingRow & { ended: boolean })[];
  /** how many times a batch's work was cut before a packet to ask another shard for carried tags (askPairShards; with 2 workers or more): not in the summary */
  cuts: number;
}

/** A batch's lines from one shard: as the core made them in this thread, or encoded by a thread. */
interface ShardOutputs {
  exports: ShardLines;
  reports: OutputLine[];
  decisions: ShardLines;
  /** answers to the unit's `ask` events */
  answers?: TagsAnswer[];
  /** the shard's core's RTP and RTCP packets so far, through this batch */
  counted?: MediaCounted;
}

/**
 * The packets a run has counted so far, as its summary counts them (SPEC §8): handed to
 * ReplayOptions.onCounted after each batch is written, the last time equal to the summary's.
 */
export interface PacketTotals {
  packets: number;
  rtp: number;
  rtcp: number;
  sip: number;
  malformed: number;
}

/** A shard as the engine drives it: in this thread or in a worker. */
interface ShardHandle {
  work(work: MediaWork): Promise<ShardOutputs>;
  finish(work: MediaWork): Promise<ShardFinal | ThreadFinal>;
  close(): Promise<void>;
}

function inThreadShard(shard: Shard): ShardHandle {
  return {
    work: async (work) => ({ ...shard.work(work), counted: { rtp: shard.core.counters.rtp, rtcp: shard.core.counters.rtcp } }),
    finish: async (work) => shard.finish(work),
    close: async () => {},
  };
}

/**
 * The file a shard thread loads: in the command's bundle (dist/bundle/main.cjs), the entry that
 * loads the shard's bundle from its code cache (shard-entry.ts, compiled into dist/src/pipeline/);
 * beside this code when it runs as tsc compiled it (dist/src/pipeline/); and under dist/ when it
 * runs from the sources (the tests).
 */
function workerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return here.replace(/[\\/]src[\\/]pipeline[\\/]replay-engine\.ts$/, '/dist/src/pipeline/shard-worker.js');
  if (here.endsWith('.cjs')) return fileURLToPath(new URL('../src/pipeline/shard-entry.js', import.meta.url));
  return fileURLToPath(new URL('./shard-worker.js', import.meta.url));
}

async function workerShard(options: MediaCoreOptions, merged: boolean, maxTasks: number, builder: MediaWorkBuilder): Promise<ShardHandle> {
  // loaded here, not at the top: an in-thread replay (--workers 0) never pays for its import
  // (required, not imported: the bundle holds no import(), src/cli/bundle-loader.ts)
  const { Piscina } = createRequire(import.meta.url)('piscina') as typeof import('piscina');
  const pool = new Piscina({
    filename: workerFile(),
    minThreads: 1,
    maxThreads: 1,
    idleTimeout: 2 ** 31 - 1,
    // A shard's tasks must run one after the other in the order given: its state is a sequence.
    // They are all posted to the one thread as they come (the task function is synchronous, so
    // the thread runs them one at a time, in the order its port delivers them), and piscina
    // never holds one back in its own queue: the engine never has more than `maxTasks` in flight.
    // Handing each task over only once the one before had finished left the thread idle while
    // the main thread was busy reading.
    concurrentTasksPerWorker: maxTasks,
    // and should one wait in piscina's queue after all (before the thread is up), it keeps its place
    stricterFIFO: true,
    // A shard's live state is small but every batch brings fresh typed arrays: a small young
    // generation collects them promptly, which keeps the whole process's resident memory flat.
    // 4 MB rather than 8: 1150 concurrent calls with two shards peaked 9–13 MB lower, the 1 M
    // packet capture's replays as fast (README, Performance, ninth round).
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  let inFlight = 0;
  // The thread starts and loads its modules while the reader gets going: init is not waited
  // for here, only posted first. Should it fail, every later task fails with its error.
  const init = pool.run({ type: 'init', options, merged } satisfies ShardTask) as Promise<null>;
  init.catch(() => undefined);
  const run = <T>(task: ShardTask): Promise<T> => {
    if (++inFlight > maxTasks) throw new Error(`shard: more than ${maxTasks} tasks in flight`);
    const done = pool.run(task) as Promise<T>;
    return done.then(
      (result) => {
        inFlight--;
        return result;
      },
      async (err: unknown) => {
        inFlight--;
        await init;
        throw err;
      },
    );
  };
  return {
    // the work's arrays are views of shared memory: they reach the thread without a copy
    work: (work) =>
      run<ThreadBatch>({ type: 'work', work }).then((outputs) => {
        // answered: the shard is done with the unit, and its block can take a later batch
        builder.recycle(work);
        return outputs;
      }),
    finish: (work) => run<ThreadFinal>({ type: 'finish', work }),
    close: () => pool.destroy(),
  };
}

export function defaultWorkerCount(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/**
 * A 32-bit finaliser (murmur3's fmix32 constants): the transport pair's number keeps its low bits
 * nearly fixed where ports are (every pair of 10.1.x.y:40000 → 10.2.0.1:5000 was even: all in
 * one of two or four shards); mixed, the modulo spreads them.
 */
export function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit FNV-1a: a stable shard choice from a string. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The lines of units a batch's work was cut into before its last (askPairShards): each shard's counts are its last unit's. */
function linesOf(units: ShardOutputs[][]): ShardOutputs[] {
  return units.flatMap((u) => u.map(({ counted: _, ...lines }) => lines));
}

function sortedText(lines: OutputLine[]): string[] {
  return lines.sort(byFrameThenKey).map((l) => l.text);
}

/** A carry to another shard than its transport pair's, waiting for that shard's answer (askPairShards). */
interface CarryAsk {
  frame: number;
  ts: number;
  /** the dialog it goes to, and that dialog's shard */
  key: string;
  shard: number;
  ssrc: number;
  /** the transport pair's unbound session key, and its shard */
  pair: string;
  pairShard: number;
  id: number;
}

interface PendingBatch {
  results: Promise<ShardOutputs[]>;
  signalingReports: OutputLine[];
  /** the main thread's counts when the batch ended: packets read, SIP messages, RTCP copies */
  packets: number;
  sip: number;
  rtcpCopies: number;
}

export async function replayCapture(opts: ReplayOptions): Promise<ReplayResult> {
  const shardCount = Math.max(1, opts.workers);
  const coreOptions: MediaCoreOptions = { windowSec: opts.windowSec, explain: opts.explain, defaultApt: opts.policy.defaultApt, bindings: opts.bindings === true };
  // With no workers the feed drives this one shard's core directly, packet by packet: copying
  // every media packet into a work unit only to read it straight back cost ~10% of a replay.
  const local = opts.workers === 0 ? new Shard(coreOptions) : null;
  const maxInFlight = opts.maxInFlight ?? 4;
  // a shard's tasks at most: every batch in flight, the finish, the init
  const maxTasks = maxInFlight + 2;
  // each shard's work units are built in blocks a worker shard gives back (`local` only gets its last, empty one)
  const builders = Array.from({ length: shardCount }, () => new MediaWorkBuilder(4096));
  const shards: ShardHandle[] = local ? [inThreadShard(local)] : await Promise.all(builders.map((b) => workerShard(coreOptions, shardCount > 1, maxTasks, b)));
  const front = new SignalingFront(opts.policy, opts.uriResolver ?? null);
  const routes = new TransportMap();
  const callIdOf = new Map<string, string>();
  const reportCounts: Record<string, number> = {};
  const telemetry = { export: 0, aggregate: 0, drop: 0 };
  let pendingEvents: CoreEvent[] = front.initialEvents();
  /**
   * With `local`: how many of pendingEvents its core has had. Applied as runMediaWork would —
   * each before the first later packet of its batch, in order — so the lines come out the same.
   * (pendingEvents only grows by appending within a batch, so the count stays valid.)
   */
  let appliedEvents = 0;
  const applyEventsThrough = (core: MediaCore, frame: number) => {
    const events = pendingEvents;
    let e = appliedEvents;
    while (e < events.length && events[e]!.frame <= frame) core.event(events[e++]!);
    appliedEvents = e;
  };
  const localAddress = new ReusableAddress();
  const rtpHeader = createRtpHeaderView();
  const inFlight: PendingBatch[] = [];

  /** The scope in force per dialog key, as the shards' cores keep it (MediaCore.applyEvent). */
  const scopes = new Map<string, DialogScope>();
  /**
   * What the signaling says of SRTCP, as every core keeps it: an ended dialog's sender's SRTCP,
   * which the cores decrypt and read unbound, has its tags noted here too (unboundTags).
   */
  const keyring = new SrtcpKeyring((key) => scopes.get(key));
  /**
   * Keeps the front end's own copy of where each dialog's media arrives, to pick shards: the
   * same routes the cores follow, event by event, or a packet would reach a shard that binds it
   * otherwise than a single core does.
   */
  const track = (events: CoreEvent[]) => {
    for (const ev of events) {
      if (ev.kind === 'scope') {
        const previous = scopes.get(ev.scope.key);
        if (previous !== undefined) keyring.scopeChanged(ev.scope.key, previous, ev.scope);
        scopes.set(ev.scope.key, ev.scope);
        routes.set(ev.scope);
        callIdOf.set(ev.scope.key, ev.scope.dialog.callId);
      } else if (ev.kind === 'rekey') {
        // an early dialog confirmed under another key keeps its routes there, as in the cores
        const scope = scopes.get(ev.from);
        keyring.rekeyed(ev.from, ev.to);
        scopes.delete(ev.from);
        routes.remove(ev.from);
        callIdOf.delete(ev.from);
        callIdOf.set(ev.to, ev.dialog.callId);
        if (scope && !scopes.has(ev.to)) {
          const moved = rekeyedScope(scope, ev.to, ev.dialog);
          scopes.set(ev.to, moved);
          routes.set(moved);
        }
      } else if (ev.kind === 'dialog-ended') {
        keyring.dialogEnded(ev.key, ev.ts, routes);
        scopes.delete(ev.key);
        routes.end(ev.key);
        callIdOf.delete(ev.key);
      }
    }
  };

  /**
   * Malformed packets (the summary's `malformed`): the frames malformed-input reports name, each
   * once — one packet may have several faults, each its own report. A batch's reports come sorted
   * by frame and name its own frames (or, at the end, the one past the last): the frames of the
   * last batch that had any are all that a later report may name again.
   */
  let malformedPackets = 0;
  let malformedFramesBefore = new Set<number>();
  /**
   * Datagrams whose fragments never completed: each lost set counts one (its report names the
   * frame it was given up at, which several sets can share, or none of theirs), counted as
   * reported; their report lines are left out of the count by frame (lostReports, until counted).
   */
  let lostDatagrams = 0;
  const lostReports = new Set<string>();
  const countReports = (lines: string[]) => {
    let malformedFrames: Set<number> | null = null;
    for (const text of lines) {
      const type = text.slice(9, text.indexOf('"', 9));
      reportCounts[type] = (reportCounts[type] ?? 0) + 1;
      if (type !== 'malformed-input' || lostReports.delete(text)) continue;
      const frame = (JSON.parse(text) as { frame: number }).frame;
      malformedFrames ??= new Set();
      if (!malformedFrames.has(frame) && !malformedFramesBefore.has(frame)) malformedPackets++;
      malformedFrames.add(frame);
    }
    if (malformedFrames !== null) malformedFramesBefore = malformedFrames;
  };

  /** Each shard's RTP and RTCP packets through the last batch written. */
  const shardCounted: MediaCounted[] = shards.map(() => ({ rtp: 0, rtcp: 0 }));
  const tellCounted = (main: { packets: number; sip: number; rtcpCopies: number }) => {
    if (!opts.onCounted) return;
    let rtp = 0;
    let rtcp = main.rtcpCopies;
    for (const c of shardCounted) {
      rtp += c.rtp;
      rtcp += c.rtcp;
    }
    opts.onCounted({ packets: main.packets, rtp, rtcp, sip: main.sip, malformed: malformedPackets + lostDatagrams });
  };

  /** The shards' export or decision lines of a batch, merged into output order, to the sink. */
  const writeLines = (kind: 'exports' | 'decisions', parts: ShardLines[]) => {
    if (parts.every(isTextLines)) return opts.sink[kind](sortedText(([] as OutputLine[]).concat(...parts)));
    // a batch's lines all come from threads (an in-thread shard is the only shard)
    const runs = mergedRuns(parts as EncodedLines[]);
    return opts.sink.encoded ? opts.sink.encoded(kind, runs) : opts.sink[kind](decodeRuns(runs));
  };

  const writeBatch = async (signalingReports: OutputLine[], outputs: ShardOutputs[]) => {
    // (each shard's counts through the batch: in its last unit's outputs, the last ones)
    const first = outputs.length - shards.length;
    outputs.forEach((o, i) => {
      if (o.counted) shardCounted[i - first] = o.counted;
    });
    const reports = sortedText(signalingReports.concat(...outputs.map((o) => o.reports)));
    countReports(reports);
    await writeLines('exports', outputs.map((o) => o.exports));
    await opts.sink.reports(reports);
    if (opts.explain) await writeLines('decisions', outputs.map((o) => o.decisions));
  };

  const drainOldest = async () => {
    const oldest = inFlight.shift()!;
    await writeBatch(oldest.signalingReports, await oldest.results);
    tellCounted(oldest);
  };

  type Addressed = { ipVersion: 4 | 6; src4: number; dst4: number; src: string; dst: string; sport: number; dport: number };
  const negotiatedTransport = (view: Addressed) =>
    view.ipVersion === 4 ? routes.lookupDatagramV4(view.src4, view.dst4, view.sport, view.dport) : routes.lookupDatagramV6(view.src, view.dst, view.sport, view.dport);

  /** The dialog's entry by a=ssrc, for media from addresses no SDP names (RTP's SSRC at byte 8, RTCP's sender at 4). */
  const declaredSsrc = (view: PacketView, rtcp: boolean) => {
    // an ended dialog's late media is not a live call's (MediaCore.lookup)
    if (view.ipVersion === 4 ? routes.endedEndV4(view.src4, view.dst4, view.sport, view.dport) : routes.endedEndV6(view.src, view.dst, view.sport, view.dport)) return undefined;
    const at = rtcp ? 4 : 8;
    return view.payloadLength >= at + 4 ? routes.lookupSsrc(readUint32(view.bytes, view.payloadOffset + at)) : undefined;
  };

  /**
   * The dialog a media packet belongs to, as the shards' cores route it (MediaCore.lookup); its
   * capture time is noted there, on the main thread in capture order whatever the worker count,
   * so that the tracker idles out no dialog whose media still flows (its own stamp: the tracker
   * judges idleness at the capture clock, DialogTracker.now).
   */
  const routeOf = (view: PacketView, rtcp: boolean): TransportEntry | undefined => {
    const byAddress = negotiatedTransport(view);
    // RTCP whose sender another call declares goes to that call (MediaCore.lookup, TransportMap.declaredOver)
    const entry = byAddress === undefined ? declaredSsrc(view, rtcp) : rtcp && view.payloadLength >= 8 ? routes.declaredOver(byAddress, readUint32(view.bytes, view.payloadOffset + 4)) : byAddress;
    if (entry !== undefined) {
      entry.activity.lastMedia = view.ts;
      if (sourceClocks.active) entry.activity.lastMediaSource = sourceClocks.sourceOf(view.frame);
    }
    return entry;
  };
  front.noteMediaBy((dialogKey) => routes.lastMediaOf(dialogKey));
  const rtcpCopies = new RtcpCopies();
  /** SDES PRIV tags of media before its signaling, for the dialog that routes it later (unbound-tags.ts). */
  const unboundTags = new UnboundTags(opts.windowSec, shardCount);
  /**
   * Where a new note's pair is seen from (UnboundTags): the highest the capture clock has been at a
   * media record, or an unbound packet a core reads was stamped — the shard's session may hold
   * streams of packets before the note, read out of order or stamped hours ahead (the fail-safe
   * way: one such record anywhere has later notes kept that long).
   */
  let notedFrom = Number.NEGATIVE_INFINITY;
  /** How many of pendingEvents unboundTags has had (mirrorEvents), in the order every core has them. */
  let mirrored = 0;
  const mirrorEvents = () => {
    while (mirrored < pendingEvents.length) {
      const ev = pendingEvents[mirrored++]!;
      unboundTags.event(ev, eventClock(ev.frame, 'ts' in ev ? ev.ts : Number.NaN));
    }
  };
  /** Whether pendingEvents holds a `carry` or an `ask` (one shard's alone: eventsOf filters them). */
  let carrying = false;
  const eventsOf = (events: CoreEvent[], shard: number): CoreEvent[] =>
    carrying ? events.filter((ev) => (ev.kind !== 'carry' && ev.kind !== 'ask') || ev.shard === shard) : events;
  /** numbers the asks of a run (CoreEvent `ask`) */
  let nextAsk = 0;
  const captureClock = new CaptureClock();
  /**
   * A live service's capture agents' clocks, each its own (SourceClocks: dialogs idle out on
   * their own agent's clock); `sipFrame`, the record of the SIP message being handled.
   */
  const sourceClocks = new SourceClocks(
    () => (Number.isNaN(clockNow) ? feed.stats.lastTs : clockNow),
    (source) => front.holdsSource(source),
  );
  let sipFrame = 0;
  /**
   * The batch being fed: its first frame and the capture clock after each of its records
   * (beginBatch), handed to every shard so windows close at the same record whatever the batch
   * cut and worker count. The in-thread core's array is reused; a worker's is its own.
   */
  let batchFirst = 0;
  let batchClocks = new Float64Array(0);
  /** the first record of the work unit being filled: the batch's, or the one an ask cut it at */
  let unitFirst = 0;
  /**
   * The capture clock now: after the last record read (its batch's last clock), or as a live
   * source's idle tick last moved it on; NaN before either.
   */
  let clockNow = Number.NaN;
  let localClocks = new Float64Array(local ? 1024 : 0);
  /** The capture clock at record `frame` of the current batch; `ts`, its own time, for a frame outside it. */
  const clockOf = (frame: number, ts: number): number => {
    const i = frame - batchFirst;
    return i >= 0 && i < batchClocks.length ? batchClocks[i]! : ts;
  };
  /**
   * The capture clock by which the cores have closed their windows at an event of record `frame`
   * (MediaCore.event: passTo): its record's, within the batch; past the batch's records, the
   * clock after them (a value never above the highest they reached: the notes kept no shorter).
   */
  const eventClock = (frame: number, ts: number): number => {
    const i = frame - batchFirst;
    if (i >= 0 && i < batchClocks.length) return batchClocks[i]!;
    return Number.isNaN(clockNow) ? ts : clockNow;
  };

  /** `entry`: the packet's route (routeOf) */
  const shardOf = (view: PacketView, entry: TransportEntry | undefined): number => {
    if (shardCount === 1) return 0;
    // as the shard's core routes it (MediaCore.lookup), so the packet reaches its dialog's shard
    if (entry) {
      // the dialog's shard, filed under the entry at its first packet: a map lookup by dialog
      // key per packet (what this was before) cost ~8% of the main thread with two shards
      if (entry.tag < 0) entry.tag = hashString(callIdOf.get(entry.dialogKey) ?? entry.dialogKey) % shardCount;
      return entry.tag;
    }
    // the unordered transport pair (MediaCore.srPartition keeps RTT memory by the same parts)
    if (view.ipVersion === 4) return mix32(unroutedPairV4(view.src4, view.sport, view.dst4, view.dport)) % shardCount;
    return hashString(unboundSessionKey(view)) % shardCount;
  };

  /**
   * Tags noted before signaling (unboundTags): a packet no dialog routes that a core reads keeps
   * its pair's notes alive, as its shard's unbound session; the first packet a dialog routes on the noted transport pair that names
   * a noted SSRC takes its tags to the dialog that SSRC's own RTCP there goes to, on that
   * dialog's shard, applied there just before the packet. `plain`: the plaintext the core reads of
   * SRTCP an ended dialog's sender sent, else null.
   */
  const carryTags = (view: PacketView, route: TransportEntry | undefined, rtcp: boolean, plain: Uint8Array | null): CarryAsk[] | undefined => {
    if (route === undefined) {
      unboundTags.refresh(view, rtcp ? plain : undefined);
      return undefined;
    }
    // (routed SRTCP names its SSRCs in the plaintext the core reads: in clear, only the sender's)
    const carried = unboundTags.take(view, rtcp, rtcp ? () => keyring.plaintextOn(route, view.bytes, view.payloadOffset, view.payloadLength, view.payloadCut, view.ts, senderAddress(view.ipVersion === 6, view.src, view.src4, view.sport)) : undefined);
    if (carried === undefined) return undefined;
    // What the notes say is only whether to carry: the tags are those the pair's shard holds
    // there now (MediaCore.tagsHeld: it may have let its session go, or retired it, where the
    // notes, kept the fail-safe way, still stand). On the same shard, the carry asks its core as
    // it is applied; on another, the pair's shard is asked first (askPairShards).
    const pair = unboundSessionKey(view);
    const pairShard = shardOf(view, undefined);
    let asks: CarryAsk[] | undefined;
    // each to the dialog where that SSRC's own RTCP on this transport is read (routeOf with it as
    // the sender: a source another call declares is that call's), not merely the packet's
    const byAddress = negotiatedTransport(view);
    for (const { ssrc } of carried) {
      const target = (byAddress === undefined ? routes.lookupSsrc(ssrc) : routes.declaredOver(byAddress, ssrc)) ?? route;
      const shard = shardOf(view, target);
      if (shard === pairShard) pendingEvents.push({ kind: 'carry', frame: view.frame, ts: view.ts, key: target.dialogKey, ssrc, shard, pair });
      else (asks ??= []).push({ frame: view.frame, ts: view.ts, key: target.dialogKey, ssrc, shard, pair, pairShard, id: nextAsk++ });
    }
    carrying = true;
    return asks;
  };

  /**
   * The packet at `asks`' frame carries tags to a dialog on another shard than its pair's: the
   * work up to the packet goes to every shard now, the pair's shard answering, after every event
   * up to the packet, the tags it holds; then each `carry` goes with them (none where it holds
   * none). The shards' state is the same wherever work is cut (as at batch boundaries), and the
   * cut unit's lines are written with the rest of its batch's (cutUnits), merged by (frame, key):
   * what the batch tells only at its end (fragment sets given up) goes with them, in order.
   */
  const askPairShards = async (asks: CarryAsk[]): Promise<void> => {
    const frame = asks[0]!.frame;
    // What is at the packet's own frame (a token's expiry there, the carries to the pair's own
    // shard) stays for the unit that holds the packet. None of it changes what an unbound
    // session holds (only signaling events with a time sweep or retire one).
    mirrorEvents();
    const events = pendingEvents.filter((ev) => ev.frame < frame);
    pendingEvents = pendingEvents.filter((ev) => ev.frame >= frame);
    mirrored = pendingEvents.length;
    for (const a of asks) events.push({ kind: 'ask', frame, id: a.id, pair: a.pair, ssrc: a.ssrc, shard: a.pairShard });
    const i = frame - 1 - batchFirst;
    const lastTs = i >= 0 ? batchClocks[i]! : Number.isNaN(clockNow) ? feed.stats.lastTs : clockNow;
    // (one unit more in flight than the batches: each ask's is answered before the feed goes on)
    const cut = dispatchUnit(events, batchClocks.subarray(unitFirst - batchFirst), unitFirst, frame - 1, lastTs);
    cutUnits.push(cut);
    cuts++;
    const outputs = await cut;
    for (const a of asks) {
      const apts = outputs[a.pairShard]!.answers?.find((x) => x.id === a.id)?.apts ?? [];
      if (apts.length > 0) pendingEvents.push({ kind: 'carry', frame, ts: a.ts, key: a.key, ssrc: a.ssrc, apts, shard: a.shard });
    }
    carrying = true;
  };

  /** Reports of the packet layers (broken headers, a cut last record), keyed apart from signaling's. */
  let malformedLines: OutputLine[] = [];
  /**
   * The units the current batch's work was cut into before asking packets (askPairShards): their
   * lines are written with the batch's, merged by (frame, key) as one uncut batch's would be.
   */
  let cutUnits: Promise<ShardOutputs[]>[] = [];
  /** how many there were in the run (ReplayResult.cuts) */
  let cuts = 0;
  const frontReport = (r: Report): string => {
    const text = reportJson(r);
    malformedLines.push({ frame: r.frame, key: `f${String(malformedLines.length).padStart(6, '0')}`, text });
    return text;
  };
  /** A lost fragment set's report (or the count of those past the list): `datagrams` malformed, whatever frame it names. */
  const lostReport = (r: Report, datagrams: number) => {
    lostReports.add(frontReport(r));
    lostDatagrams += datagrams;
  };

  /** A media packet into its shard's work unit (with worker shards). */
  const toBuilder = (view: PacketView, proto: 'rtp' | 'rtcp', route: TransportEntry | undefined): void => {
    const builder = builders[shardOf(view, route)]!;
    if (proto === 'rtcp') builder.add(view, Proto.RTCP);
    // the header is read here, where its bytes were just touched: the shard need not touch them again
    else if (decodeRtpHeader(view.bytes, view.payloadOffset, view.payloadLength, rtpHeader, view.payloadCut) !== null) builder.add(view, Proto.RTP);
    else builder.addRtpHeader(view, rtpHeader);
  };

  /**
   * The work since the unit's first record (`unitFirst`) through `lastFrame` goes to the shards
   * with `events`: the whole batch's at its end, or its part before a packet that asks a shard
   * (askPairShards). `clocks`: the capture clock after each record from `firstFrame` on, to the
   * batch's end.
   */
  const dispatchUnit = (events: CoreEvent[], clocks: Float64Array, firstFrame: number, lastFrame: number, lastTs: number): Promise<ShardOutputs[]> => {
    unitFirst = lastFrame + 1;
    if (local) {
      local.core.endBatch(lastFrame, lastTs);
      return Promise.resolve([{ ...local.core.drain(), counted: { rtp: local.core.counters.rtp, rtcp: local.core.counters.rtcp } }]);
    }
    return Promise.all(shards.map((s, i) => s.work(builders[i]!.take(eventsOf(events, i), clocks, firstFrame, lastFrame, lastTs))));
  };

  const feed: PacketFeed = new PacketFeed({
    media(view, proto, batch) {
      // a signed statement's token expired (SignalingFront.expireDue): from this packet on, in every
      // shard; by the capture clock (clockOf), as windows close: one record stamped hours ahead expires nothing
      const clock = clockOf(view.frame, view.ts);
      if (clock >= front.nextExpiry) {
        front.expireDue(view.frame, clock);
        for (const ev of front.takeEvents()) pendingEvents.push(ev);
      }
      const route = routeOf(view, proto === 'rtcp');
      // a copy of an RTCP compound just seen on the same transport is counted, not decided again:
      // judged here, before any shard, as the core would count the compound (off every
      // negotiated transport, only a datagram that chains as RTCP is one)
      // (an RTCP datagram off every route that does not chain as RTCP is read by no core — unless
      // it is SRTCP an ended dialog's sender sent under its kept keys: MediaCore.rtcp)
      let readAsRtcp = false;
      /** the plaintext the cores read of SRTCP an ended dialog's sender sent under its kept keys (MediaCore.rtcp) */
      let plain: Uint8Array | null = null;
      if (proto === 'rtcp') {
        const chains = route !== undefined || view.payloadCut > 0 || chainsAsRtcp(view.bytes, view.payloadOffset, view.payloadLength);
        if (!chains && keyring.endedSenders > 0) plain = keyring.afterEnd(senderAddress(view.ipVersion === 6, view.src, view.src4, view.sport), view.ts, view.bytes, view.payloadOffset, view.payloadLength);
        if (chains || plain !== null) {
          // (SRTCP after the end too: a mirror's second copy is one, as its plain copy's would be)
          const transport = view.ipVersion === 4 ? `${view.src4} ${view.sport} ${view.dst4} ${view.dport}` : `${view.src} ${view.sport} ${view.dst} ${view.dport}`;
          if (rtcpCopies.isCopy(view.ts, view.bytes, view.payloadOffset, view.payloadLength, transport)) return;
          // but a cut one from an ended dialog's sender on a secure profile is reported cut, not read (MediaCore.rtcp)
          readAsRtcp = !(route === undefined && view.payloadCut > 0 && keyring.endedSenders > 0 && keyring.cutAfterEnd(senderAddress(view.ipVersion === 6, view.src, view.src4, view.sport), view.ts, view.bytes, view.payloadOffset, view.payloadLength, view.payloadCut));
        }
      }
      if (clock > notedFrom) notedFrom = clock;
      if (route === undefined && (readAsRtcp || proto === 'rtp') && view.ts > notedFrom) notedFrom = view.ts;
      if (route === undefined && readAsRtcp) {
        mirrorEvents();
        if (plain === null) unboundTags.note(view, notedFrom);
        else unboundTags.noteIn(view, plain, 0, plain.length, 0, notedFrom);
      }
      if (unboundTags.size > 0 && (proto === 'rtp' || readAsRtcp)) {
        mirrorEvents();
        const asks = carryTags(view, route, proto === 'rtcp', plain);
        // (with more than one shard: never with `local`)
        if (asks !== undefined) return askPairShards(asks).then(() => toBuilder(view, proto, route));
      }
      if (local === null) {
        toBuilder(view, proto, route);
        return;
      }
      const core = local.core;
      if (appliedEvents < pendingEvents.length) applyEventsThrough(core, view.frame);
      localAddress.set(view.src4, view.dst4, view.sport, view.dport, view.ipVersion === 6 ? view.src : null, view.ipVersion === 6 ? view.dst : null);
      let bytes = view.bytes;
      let off = view.payloadOffset;
      if (bytes !== batch.bytes) {
        // reassembled from fragments: a copy of its own, as MediaWorkBuilder makes (the core may keep what it decodes)
        bytes = bytes.slice(off, off + view.payloadLength);
        off = 0;
      }
      if (proto === 'rtp') core.rtp(view.frame, view.ts, bytes, off, view.payloadLength, localAddress, view.payloadCut);
      else core.rtcp(view.frame, view.ts, bytes, off, view.payloadLength, localAddress, view.payloadCut);
    },
    async sip(messages, ctx) {
      // a token's exp is judged by the capture clock at the message's record (clockOf), as media's
      const clock = clockOf(ctx.frame, ctx.ts);
      if (sourceClocks.active) {
        sipFrame = ctx.frame;
        ctx.source = sourceClocks.sourceOf(ctx.frame);
      }
      for (const m of messages) await front.message(m, ctx, clock);
      const events = front.takeEvents();
      track(events);
      // appended in place (a batch's array is handed on whole at its end): concat copied the
      // batch's events so far at every SIP message, quadratic in a batch busy with signaling
      for (const ev of events) pendingEvents.push(ev);
    },
    other(view, kind) {
      // A datagram that is neither SIP nor RTP/RTCP where the signaling said media would arrive
      // is broken media (a length word past its end, a cut header), not someone else's traffic
      // — unless it is what RFC 7983 puts on media ports beside RTP (STUN, DTLS…) or a keep-alive.
      if (kind !== 'udp' || sharesMediaPort(view.bytes, view.payloadOffset, view.payloadLength) || negotiatedTransport(view) === undefined) return;
      const bytes = view.bytes.subarray(view.payloadOffset, view.payloadOffset + Math.min(view.payloadLength, 4));
      const head = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
      frontReport({ type: 'malformed-input', ts: view.ts, frame: view.frame, dialog: null, detail: `frame ${view.frame}: ${view.payloadLength}-byte datagram on a negotiated media transport is neither RTP nor RTCP (starts ${head || '(empty)'})` });
    },
    lostFragments(sets, past) {
      // its datagram never completed (a fragment lost): reported where it was given up — the
      // fragment whose arrival did it, or after the last frame — naming its first fragment's
      // frame. (At the first fragment's frame, the report came out before or after lines of the
      // frames between, as the batches were cut: it is known only when given up.)
      for (const set of sets) {
        const parts = set.key.split(' ');
        const when = set.why === 'timeout' ? 'given up after the reassembly timeout' : set.why === 'limit' ? 'given up at the reassembly limit' : 'still incomplete at the end of the capture';
        const at = set.atFrame ?? feed.stats.lastFrame + 1;
        lostReport({ type: 'malformed-input', ts: set.atFrame === null ? feed.stats.lastTs : set.atTs, frame: at, dialog: null, detail: `frame ${set.firstFrame}: IPv${parts[0]} fragments of id ${parts[parts.length - 1]} never completed (${set.received} bytes held): ${when}` }, 1);
      }
      // past the sets listed at once, the rest are told as a count, after the last one listed
      if (past > 0) {
        const last = sets.length > 0 ? sets[sets.length - 1]! : null;
        const frame = last?.atFrame ?? feed.stats.lastFrame + 1;
        lostReport({ type: 'malformed-input', ts: last !== null && last.atFrame !== null ? last.atTs : feed.stats.lastTs, frame, dialog: null, detail: `frame ${frame}: ${past} more IP fragment sets never completed (not listed one by one: ${sets.length} were)` }, past);
      }
    },
    beginBatch(batch) {
      const n = batch.count;
      if (local) {
        if (localClocks.length < n) localClocks = new Float64Array(Math.max(n, localClocks.length * 2));
        batchClocks = localClocks.subarray(0, n);
      } else batchClocks = new Float64Array(n);
      batchFirst = batch.firstFrame;
      unitFirst = batchFirst;
      // a live service's clock as the batch's records came (CaptureClock.through)
      const wall = opts.clock?.();
      const clock = captureClock.through(batch.ts, n, wall, batchClocks);
      if (n > 0) clockNow = clock;
      sourceClocks.begin(batch, wall);
      if (sourceClocks.active && !front.bySource) front.judgeBySource((source) => sourceClocks.now(source, sipFrame), (dialogKey) => routes.lastMediaSourceOf(dialogKey));
      if (local) local.core.beginBatch(batchClocks, batchFirst);
    },
    malformed(view) {
      frontReport({ type: 'malformed-input', ts: view.ts, frame: view.frame, dialog: null, detail: `frame ${view.frame}: ${view.error} at byte ${view.errorOffset} of the record` });
    },
    async endBatch(batch) {
      // An empty batch is a live source's idle tick: time moves by the clock, not by packets.
      const lastFrame = batch.count > 0 ? batch.firstFrame + batch.count - 1 : feed.stats.lastFrame;
      const wall = batch.count > 0 ? undefined : opts.clock?.();
      const lastTs = batch.count > 0 ? batchClocks[batch.count - 1]! : wall === undefined ? captureClock.set(feed.stats.lastTs) : captureClock.tick(wall);
      if (wall !== undefined) clockNow = lastTs;
      // the batch's end as runMediaWork has it: the events left, then the windows due
      if (local) applyEventsThrough(local.core, Infinity);
      mirrorEvents();
      const events = pendingEvents;
      pendingEvents = [];
      appliedEvents = 0;
      mirrored = 0;
      const last = batch.count > 0 ? dispatchUnit(events, batchClocks.subarray(unitFirst - batchFirst), unitFirst, lastFrame, lastTs) : dispatchUnit(events, EMPTY_CLOCKS, lastFrame + 1, lastFrame, lastTs);
      carrying = false;
      // a batch cut before asking packets: its units' lines together, in unit order (each shard's
      // counts through the batch: its last unit's)
      const parts = cutUnits;
      cutUnits = [];
      const results = parts.length === 0 ? last : Promise.all([...parts, last]).then((units) => [...linesOf(units.slice(0, -1)), ...units.at(-1)!]);
      const signalingReports = front.takeReports().concat(malformedLines);
      malformedLines = [];
      inFlight.push({ results, signalingReports, packets: feed.stats.packets, sip: front.counters.sip, rtcpCopies: rtcpCopies.count });
      if (opts.workers === 0 || inFlight.length >= maxInFlight) await drainOldest();
      opts.onProgress?.(feed.stats.packets, feed.stats.bytes);
    },
  });

  /** A reloaded policy applies before the next batch's first packet: its statements lead that batch's events. */
  async function* withPolicyUpdates(source: AsyncIterable<RecordBatch>, take: () => PolicyUpdate | null): AsyncGenerator<RecordBatch> {
    for await (const batch of source) {
      const reloaded = take();
      if (reloaded) {
        // in force after the last packet read: before this batch's first; at the capture clock
        // there (a lone record stamped hours ahead does not move it; idle ticks since moved it on),
        // the last record's own time before any clock
        const at = Number.isNaN(clockNow) ? feed.stats.lastTs : clockNow;
        await front.updatePolicy(reloaded.policy, reloaded.windowSec, feed.stats.lastFrame, at);
        for (const ev of front.takeEvents()) pendingEvents.push(ev);
      }
      yield batch;
    }
  }

  let finals: (ShardFinal | ThreadFinal)[];
  /** the read came to its end (or to `signal`) rather than failing */
  let readEnded = false;
  try {
    if (opts.source) await feed.runBatches(opts.takePolicyUpdate ? withPolicyUpdates(opts.source, opts.takePolicyUpdate) : opts.source, opts.signal);
    else await feed.run(opts.capture, opts.signal, {
      // Nothing keeps a batch's bytes, nor the batch, once the feed has walked it: the core
      // copies what it keeps, work units copy what a shard thread reads. So two chunks and one
      // batch object go round the whole capture, and their memory stays in the caches.
      recycleChunks: true,
      reuseBatches: true,
      ...(opts.chunkBytes ? { chunkBytes: opts.chunkBytes } : {}),
      ...(opts.maxBatchRecords ? { maxBatchRecords: opts.maxBatchRecords } : {}),
      // an interrupt also ends a read of standard input waiting on a writer gone quiet
      ...(opts.signal ? { signal: opts.signal } : {}),
      onWarning: (w) => {
        opts.onWarning?.(`${w.file}: at byte ${w.offset}: ${w.message}`);
        frontReport({ type: 'malformed-input', ts: feed.stats.lastTs, frame: w.frame ?? feed.stats.lastFrame + 1, dialog: null, detail: `${w.message} (byte ${w.offset})` });
      },
    });
    readEnded = true;
  } catch (err) {
    // A capture broken after some records: the break is reported with what was accepted
    // (reports.ndjson says where the read stopped, as for a record cut short at the end).
    if (err instanceof CaptureError && feed.stats.packets > 0) {
      frontReport({ type: 'malformed-input', ts: feed.stats.lastTs, frame: feed.stats.lastFrame + 1, dialog: null, detail: `${err.reason} (byte ${err.offset}): the capture cannot be read past here` });
    }
    throw err;
  } finally {
    try {
      // Whatever stopped the read, what was accepted is judged and written.
      while (inFlight.length > 0) await drainOldest();
      // (an in-thread core has had the first appliedEvents already, if the read stopped mid-batch)
      const events = pendingEvents.slice(appliedEvents).concat(front.takeEvents());
      const lastFrame = feed.stats.lastFrame;
      const lastTs = feed.stats.lastTs;
      finals = await Promise.all(shards.map((s, i) => s.finish(builders[i]!.take(eventsOf(events, i), EMPTY_CLOCKS, lastFrame + 1, lastFrame, lastTs))));
      // A capture refused before its first record was not read at all: the sink hears nothing
      // of the run (the CLI makes its output files at the first write, so there are none).
      if (readEnded || feed.stats.packets > 0) {
        // (with the units of a batch the read stopped in that asking packets had cut, in their order)
        const cut = linesOf(await Promise.all(cutUnits));
        await writeBatch(front.takeReports().concat(malformedLines), [...cut, ...finals.map((f) => ({ ...f.outputs, counted: f.counters }))]);
        tellCounted({ packets: feed.stats.packets, sip: front.counters.sip, rtcpCopies: rtcpCopies.count });
      }
      if (!readEnded && feed.stats.packets > 0 && opts.onPartialResult) await opts.onPartialResult(resultOf(finals));
    } finally {
      // Batches still in the shard threads when writing failed (an output file that cannot be
      // made) are not written: the run failed. Closing the threads rejects their results with
      // piscina's "Terminating worker thread", which nobody would await: an unhandled
      // rejection that ended the process with a stack before the error's one line (SPEC §8).
      for (const batch of inFlight.splice(0)) batch.results.catch(() => undefined);
      // shard threads stop even when writing failed (a full disk), or the process would not end
      await Promise.all(shards.map((s) => s.close()));
    }
  }

  // (after a read that ended: one that failed says only what stopped it)
  for (const w of unsupportedLinkTypeWarnings(opts.capture, feed.stats.layers.unsupportedLinkTypes)) opts.onWarning?.(w);
  return resultOf(finals);

  /** The summary (SPEC §8) and binding table of what the shards finished with; called once. */
  function resultOf(finals: readonly (ShardFinal | ThreadFinal)[]): ReplayResult {
    const counters: CoreCounters = { rtp: 0, rtcp: 0, malformed: 0, telemetry };
    let streams = 0;
    for (const f of finals) {
      counters.rtp += f.counters.rtp;
      counters.rtcp += f.counters.rtcp;
      counters.malformed += f.counters.malformed;
      telemetry.export += f.counters.telemetry.export;
      telemetry.aggregate += f.counters.telemetry.aggregate;
      telemetry.drop += f.counters.telemetry.drop;
      streams += f.streams;
    }
    const bindings = finals.flatMap((f) => f.bindings).sort(bindingOrder);
    return {
      summary: {
        packets: feed.stats.packets,
        rtp: counters.rtp,
        // (copies are RTCP packets too, counted where they were found)
        rtcp: counters.rtcp + rtcpCopies.count,
        sip: front.counters.sip,
        // packets, not faults: the reports' count by fault is `reports['malformed-input']`
        malformed: malformedPackets + lostDatagrams,
        streams,
        dialogs: front.counters.dialogs,
        telemetry,
        reports: Object.fromEntries(Object.entries(reportCounts).sort(([a], [b]) => (a < b ? -1 : 1))),
      },
      bindings,
      cuts,
    };
  }
}

/**
 * The binding table's order, the same whatever the shard count: by dialog and SSRC, then by
 * everything else a row says (two unbound streams of one SSRC on two transports came out in
 * creation order in one thread and in shard order from two).
 */
function bindingOrder(a: BindingRow & { ended?: boolean }, b: BindingRow & { ended?: boolean }): number {
  const ka = `${a.dialog?.callId ?? '~'}\n${a.dialog?.fromTag ?? ''}\n${a.dialog?.toTag ?? ''}`;
  const kb = `${b.dialog?.callId ?? '~'}\n${b.dialog?.fromTag ?? ''}\n${b.dialog?.toTag ?? ''}`;
  if (ka !== kb) return ka < kb ? -1 : 1;
  if (a.ssrc !== b.ssrc) return a.ssrc - b.ssrc;
  const ra = JSON.stringify([a.mid, a.kind, a.via, a.apt, a.ended ?? false]);
  const rb = JSON.stringify([b.mid, b.kind, b.via, b.apt, b.ended ?? false]);
  return ra < rb ? -1 : ra > rb ? 1 : 0;
}

/** The clocks of a unit of no records (an idle tick, the capture's end). */
const EMPTY_CLOCKS = new Float64Array(0);
