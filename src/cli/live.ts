/**
 * `aipref-enforcer live` (SPEC §7, §8): the enforcer beside a media relay. Listeners (a UDP
 * mirror, HEPv3 over UDP and TCP, an interface through the optional native `pcap` package)
 * push records into one bounded PacketQueue; liveRecordBatches turns them into the record
 * batches the replay engine takes as its `source`, so live decisions are those of a replay.
 * The engine's sink parses each line once and hands it to every exporter that is on (rotating
 * NDJSON files by default; an AI service over HTTP/WebSocket; NATS JetStream).
 *
 * Signals: SIGTERM/SIGINT stop the listeners, let the queue drain into the engine (which then
 * closes every window), flush and close the exporters, and exit 0 — nothing accepted is lost,
 * but for what NATS (no spool) has not delivered within its stop grace: given up, and logged.
 * SIGHUP re-reads the policy file; an invalid file is logged and the old one kept; a valid one
 * applies from the next batch on (SignalingFront.updatePolicy through the engine's
 * takePolicyUpdate). Logs are one JSON object per line on stderr.
 */
import { makeDir, removeMade } from '../export/make-dir.js';
import { DEFAULT_WINDOW_SEC } from '../enforce/windows.js';
import { AiServiceExporter } from '../export/http-exporter.js';
import { ExporterClosedError, type ExportFailureKind, ExportOverflowError, exportLineExpiresAt, type ExportLine, type Exporter } from '../export/exporter.js';
import { EnforcerMetrics, startMetricsServer, type MetricsServer } from '../export/metrics.js';
import { NatsJetStreamExporter, natsServersForDisplay } from '../export/nats-exporter.js';
import { RotatingNdjsonExporter } from '../export/ndjson-rotating.js';
import { SpoolFileError } from '../export/spool.js';
import { carriesMediaPortProtocol, classifyRtpRtcp } from '../media/demux.js';
import { UriResolver } from '../policy/uri-resolver.js';
import { reportJson } from '../report/report.js';
import { type PacketTotals, type PolicyUpdate, replayCapture as runEngine, type ReplayResult, type ReplaySink } from '../pipeline/replay-engine.js';
import { loadPolicyFile, PolicyError, type PolicyFile } from '../policy/policy-file.js';
import { looksLikeSip } from '../signaling/looks-like-sip.js';
import { HepListener, type HepListenerOptions } from '../sources/hep-listener.js';
import { BpfFilterError, startInterfaceCapture } from '../sources/native-pcap.js';
import { PacketQueue } from '../sources/packet-queue.js';
import { liveRecordBatches } from '../sources/source-batch.js';
import { countKind, createSourceCounters, endpointText, type SourceCounters, type SourcePacket } from '../sources/source-packet.js';
import { UdpMirrorListener } from '../sources/udp-listener.js';
import { urlForDisplay } from './args.js';
import { UsageError } from './usage.js';
import { loadPolicyOption } from './replay.js';
import { liveOptionsFromArgs, type HostPort, type LiveOptions, type LogEvent } from './live-options.js';
import { checkOutDir } from './out-dir.js';
import { malformedLog, type MalformedLogOptions } from './malformed-log.js';
import { packageVersion } from './version.js';
import { MAX_TIMER_MS } from '../export/abortable.js';

/** How long a silent feed waits before the service's clock moves the windows on (an empty batch: a few µs of work). */
const IDLE_TICK_MS = 100;

export interface LiveAddresses {
  udp?: HostPort;
  hep?: { udp: HostPort; tcp: HostPort };
  metrics?: HostPort;
  iface?: string;
}

export interface LiveCounts {
  exports: number;
  aggregates: number;
  reports: number;
  malformedDatagrams: number;
  overflowed: number;
  received: number;
}

export interface LiveService {
  readonly addresses: LiveAddresses;
  readonly counts: LiveCounts;
  readonly sources: ReadonlyMap<string, SourceCounters>;
  readonly metrics: EnforcerMetrics;
  /** re-reads the policy file; false (old policy kept) when it is invalid or there is none */
  reload(): Promise<boolean>;
  /** stops listening, drains, closes the exporters; resolves with the engine's result (rejects with the first output file that could not be written) */
  stop(): Promise<ReplayResult>;
  /** settles when the service has stopped (or the engine failed) */
  readonly done: Promise<ReplayResult>;
}

/** One exporter as the sink drives it. */
interface LineExporter {
  name: string;
  /** resolves once the sink holds the lines (written, spooled, or — for NATS — handed over) */
  take(kind: 'exports' | 'reports' | 'decisions', texts: readonly string[], lines: readonly ExportLine[]): Promise<void>;
  close(): Promise<void>;
  depth?: () => number;
}

function defaultLog(event: LogEvent): void {
  const { event: name, level, ...rest } = event;
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: level ?? 'info', event: name, ...rest }) + '\n');
}

/** What a plain mirrored datagram is, by a first look (the pipeline decides for good). */
function payloadKind(payload: Uint8Array): 'rtp' | 'rtcp' | 'sip' | 'other' {
  const cls = classifyRtpRtcp(payload, 0, payload.length);
  if (cls !== 'other') return cls;
  const eol = payload.indexOf(0x0a);
  return looksLikeSip(payload, 0, eol < 0 ? payload.length : eol) ? 'sip' : 'other';
}

/**
 * The rotating NDJSON files. A file that cannot be written (a full disk) rejects neither take()
 * nor close(): it goes to `onWriteFailure`, and the batch's other kinds still reach their files.
 */
async function ndjsonExporter(opts: LiveOptions, explain: boolean, log: (e: LogEvent) => void, onWriteFailure: (err: Error) => void): Promise<LineExporter> {
  const dir = opts.outDir!;
  await checkOutDir(dir);
  await makeDir(dir);
  const rotation = {
    dir,
    ...(opts.rotateBytes !== undefined && { maxBytes: opts.rotateBytes }),
    ...(opts.rotateAgeSec !== undefined && { maxAgeSec: opts.rotateAgeSec }),
    ...(opts.maxFiles !== undefined && { maxFiles: opts.maxFiles }),
    // said, not done quietly: lines replayed from an old capture (HEP keeps capture times) have expired already
    onDelete: (path: string, reason: 'expired' | 'max-files') =>
      log({ event: 'file-deleted', path, reason: reason === 'expired' ? 'every line is past its expiresAt (retention)' : `more than --max-files ${opts.maxFiles} closed files` }),
    onRewrite: (path: string, dropped: number) => log({ event: 'file-rewritten', path, reason: `${dropped === 1 ? 'a line' : `${dropped} lines`} past ${dropped === 1 ? 'its' : 'their'} expiresAt (retention) taken out` }),
    // the files' own timer (rotation by age, deletion on a quiet feed) and reading an earlier run's files: no caller waits
    onError: (err: Error) => log({ event: 'file-error', level: 'error', dir, error: err.message }),
  };
  // Lines past their expiresAt when they come are not written (an old capture replayed over HEP,
  // an agent's clock behind by more than the retention): said at once, then at most once a
  // minute with how many since (a timer tells a count held back, the feed quiet or not), and
  // what is left at the stop.
  const unwritten = { since: 0, loggedAt: Number.NEGATIVE_INFINITY, timer: undefined as NodeJS.Timeout | undefined };
  const tellUnwritten = (base: string, force: boolean): void => {
    const now = performance.now();
    if (unwritten.since === 0) return;
    if (!force && now - unwritten.loggedAt < 60_000) {
      unwritten.timer ??= setTimeout(() => {
        unwritten.timer = undefined;
        tellUnwritten(base, true);
      }, unwritten.loggedAt + 60_000 - now).unref();
      return;
    }
    clearTimeout(unwritten.timer);
    unwritten.timer = undefined;
    log({ event: 'lines-not-written', dir, base, count: unwritten.since, reason: 'past their expiresAt when they came (retention): not kept' });
    unwritten.since = 0;
    unwritten.loggedAt = now;
  };
  // one opened before another is refused (its lock held elsewhere) is closed again: its lock goes
  const opened: RotatingNdjsonExporter[] = [];
  const openBase = async (base: string) => {
    const onExpiredOnArrival = (count: number): void => {
      unwritten.since += count;
      tellUnwritten(base, false);
    };
    const file = await RotatingNdjsonExporter.open({ ...rotation, base, onExpiredOnArrival });
    opened.push(file);
    return file;
  };
  let files: { exports: RotatingNdjsonExporter; reports: RotatingNdjsonExporter; decisions: RotatingNdjsonExporter | null };
  try {
    files = { exports: await openBase('exports'), reports: await openBase('reports'), decisions: explain ? await openBase('decisions') : null };
  } catch (err) {
    await Promise.all(opened.map((f) => f.close()));
    throw err;
  }
  return {
    name: 'file',
    async take(kind, texts, lines) {
      const file = files[kind];
      if (!file) return;
      try {
        // (decisions come as text alone: they never expire)
        await Promise.all(texts.map((t, i) => (kind === 'decisions' ? file.writeLine(t, null) : file.writeLine(t, exportLineExpiresAt(lines[i]!), lines[i]!.ts))));
        await file.flush();
      } catch (err) {
        onWriteFailure(asError(err));
      }
    },
    async close() {
      // every file is closed (its lock released) whichever fails
      const closed = await Promise.allSettled([files.exports.close(), files.reports.close(), files.decisions?.close()]);
      // (only export lines expire)
      tellUnwritten('exports', true);
      for (const c of closed) if (c.status === 'rejected') onWriteFailure(asError(c.reason));
    },
  };
}

/**
 * An exporter's delivery failures as log lines: the first of each kind (retry, overflow, ...) in
 * an outage, then none of that kind until a line is delivered again. The failure metric counts
 * every one.
 */
function oncePerOutage(log: (e: LogEvent) => void, exporter: string, delivered: () => number): (reason: string, kind: ExportFailureKind) => void {
  const loggedAt = new Map<ExportFailureKind, number>();
  return (reason, kind) => {
    const now = delivered();
    if (loggedAt.get(kind) === now) return;
    loggedAt.set(kind, now);
    log({ event: 'export-failure', level: 'warn', exporter, kind, reason, detail: 'the next ones of this kind are counted, not logged, until a line is delivered' });
  };
}

/**
 * Calls `tick` every `ms`, on unref'd timers (--stats-every). A period longer than a timer holds
 * (`--stats-every 30d`: an operator who wants the counters rarely) is waited in several timers,
 * so it is the period asked for: a sound wish, not a typo to refuse, nor one to shorten to 24.8
 * days (and never the 1 ms an overflowing setInterval makes of it: a flood of counters lines).
 */
function every(ms: number, tick: () => void): { stop(): void } {
  if (ms <= MAX_TIMER_MS) {
    const interval = setInterval(tick, ms);
    interval.unref();
    return { stop: () => clearInterval(interval) };
  }
  let timer: NodeJS.Timeout | undefined;
  let left = ms;
  const arm = (): void => {
    const wait = Math.min(left, MAX_TIMER_MS);
    timer = setTimeout(() => {
      left -= wait;
      if (left <= 0) {
        left = ms;
        tick();
      }
      arm();
    }, wait);
    timer.unref();
  };
  arm();
  return { stop: () => clearTimeout(timer) };
}

/** How long NATS may still deliver once the service stops. */
const NATS_STOP_GRACE_MS = 5000;

/**
 * An exporter over the network. `onWriteFailure`: where a line that could not be written to its
 * spool goes (the AI service's; see startLive's onWriteFailure), rather than an export-error.
 */
function exporterOf(name: string, exporter: Exporter & { pending?: number }, log: (e: LogEvent) => void, awaitSend: boolean, onWriteFailure?: (err: Error) => void): LineExporter {
  const pending = new Set<Promise<void>>();
  return {
    name,
    async take(kind, _texts, lines) {
      if (kind === 'decisions') return;
      const sends = lines.map((l) =>
        Promise.resolve(exporter.send(l)).catch((err: unknown) => {
          // a line given up at stop is counted once, in the exporter's own stop log (export-given-up)
          if (err instanceof ExporterClosedError) return;
          // a line given up to make room was told to the failure listener (logged once per outage)
          if (err instanceof ExportOverflowError) return;
          // its spool file cannot be written (a full disk): the line would not outlive a restart as
          // the spool promises — an output that cannot be written, which stops the service as an
          // NDJSON file does
          if (err instanceof SpoolFileError && onWriteFailure) return onWriteFailure(err);
          log({ event: 'export-error', level: 'error', exporter: name, error: err instanceof Error ? err.message : String(err) });
        }),
      );
      if (awaitSend) await Promise.all(sends);
      else
        for (const s of sends) {
          pending.add(s);
          void s.finally(() => pending.delete(s));
        }
    },
    async close() {
      await Promise.allSettled([...pending]);
      await exporter.flush().catch(() => undefined);
      await exporter.close();
    },
    depth: () => exporter.pending ?? pending.size,
  };
}

/** What tests may set that no flag does. */
export type LiveInternals = MalformedLogOptions;

/** Starts the live service: listeners, engine, exporters, metrics. */
export async function startLive(opts: LiveOptions, internal: LiveInternals = {}): Promise<LiveService> {
  const log = opts.log ?? defaultLog;
  let policy: PolicyFile = await loadPolicyOption(opts.policyFile);
  for (const warning of policy.warnings()) log({ event: 'policy-warning', level: 'warn', warning });
  // seed 001 §3.3: the bearer token goes over TLS only — a plain URL is allowed (a service beside
  // the relay, a test), but said at start: whoever sees the traffic can take the token
  if (opts.aiService?.token !== undefined && /^(http|ws):/i.test(opts.aiService.url)) {
    log({ event: 'warning', level: 'warn', message: `--token is sent in clear to ${urlForDisplay(opts.aiService.url)} (seed 001 §3.3 asks for TLS: https:// or wss://)` });
  }
  let pendingPolicy: PolicyUpdate | null = null;
  /** the window a policy file makes: `--window` when given, else the file's, else the default */
  const windowOf = (p: PolicyFile): number => opts.windowSec ?? p.windowSec ?? DEFAULT_WINDOW_SEC;
  let windowSec = windowOf(policy);
  const metrics = new EnforcerMetrics({ processMetrics: true });
  // an idle tick every IDLE_TICK_MS without packets: on a silent feed, windows still close on
  // time and within retention — a window closes halfway through its earliest item's retention,
  // and a tick a second apart made a 1 s retention's aggregate at its own expiry (never delivered)
  const queue = new PacketQueue(opts.queueCapacity ?? 65_536, opts.maxBatchRecords ?? 1024, IDLE_TICK_MS);
  const counts: LiveCounts = { exports: 0, aggregates: 0, reports: 0, malformedDatagrams: 0, overflowed: 0, received: 0 };
  const sources = new Map<string, SourceCounters>();
  /** the UDP sources' sockets, by source name: the kernel's count of datagrams dropped there */
  const socketDrops = new Map<string, () => number | null>();
  const addresses: LiveAddresses = {};
  const closers: (() => Promise<void>)[] = [];
  let stopping = false;

  const malformedReports: string[] = [];
  // logged per peer, the first few with their reason (a flood from whoever reaches the port must
  // not write the operator's log); counted and reported every one
  const malformedLogged = malformedLog(log, internal);
  const reportMalformed = (source: string, reason: string, peer: string) => {
    counts.malformedDatagrams++;
    metrics.packets.inc({ proto: 'malformed' });
    malformedLogged.note(source, peer, reason);
    // Written with the next batch's reports; frame 0: the datagram never became a record.
    malformedReports.push(reportJson({ type: 'malformed-input', ts: Date.now() / 1000, frame: 0, dialog: null, detail: `${source} ${peer}: ${reason}` }));
  };

  /** Into the queue (aipref_packets_total counts it once the pipeline has read it: onCounted). */
  const accept = (p: SourcePacket) => {
    counts.received++;
    const before = queue.overflowed;
    queue.push(p);
    if (queue.overflowed !== before) {
      // thrown away by a full queue: counted as a drop, not as a packet (the summary never sees it)
      counts.overflowed++;
      metrics.drops.inc({ reason: 'queue-overflow' });
    }
  };

  /**
   * aipref_packets_total{proto} as the summary counts (the `stop` line's): from what the pipeline
   * made of each packet, not a first look at arrival (a datagram that looked like RTCP by its
   * first header but does not chain as RTCP is not RTCP to the pipeline); every packet read in
   * aipref_packets_read_total, as the summary's `packets`.
   */
  const counted: PacketTotals = { packets: 0, rtp: 0, rtcp: 0, sip: 0, malformed: 0 };
  const countPackets = (totals: PacketTotals) => {
    // each a count the summary keeps, so each only grows and ends equal to it (a difference of
    // them would not: a packet held on probation counts as RTP only once its source is confirmed)
    for (const proto of ['rtp', 'rtcp', 'sip', 'malformed'] as const) {
      if (totals[proto] > counted[proto]) metrics.packets.inc({ proto }, totals[proto] - counted[proto]);
    }
    if (totals.packets > counted.packets) metrics.packetsRead.inc(totals.packets - counted.packets);
    Object.assign(counted, totals);
  };

  /**
   * The first output file that could not be written. As replay does, the service then stops as
   * on SIGTERM — what it accepted still reaches every output that can be written, to its end —
   * and stop() fails with it (exit 1).
   */
  let writeFailure: Error | undefined;
  /** set once the engine runs */
  let stopOnWriteFailure: (() => void) | undefined;
  const onWriteFailure = (err: Error) => {
    if (writeFailure !== undefined) return;
    writeFailure = err;
    log({ event: 'write-failed', level: 'error', error: err.message, detail: 'stopping as on SIGTERM: the other outputs still get every line' });
    stopOnWriteFailure?.();
  };

  // Exporters first: nothing may arrive before there is somewhere to put it.
  const exporters: LineExporter[] = [];
  const failures = (name: string) => metrics.exportFailureListener(name);
  /** the folders this start made (--out, --spool and their parents): removed again if the start is refused */
  const madeDirs: string[] = [];
  try {
    // --out and --spool are both checked before either folder is made: a refused start leaves nothing
    if (opts.outDir !== undefined) await checkOutDir(opts.outDir);
    if (opts.aiService) await checkOutDir(opts.aiService.spoolDir, '--spool');
    if (opts.outDir !== undefined) madeDirs.push(...(await makeDir(opts.outDir)));
    if (opts.aiService) madeDirs.push(...(await makeDir(opts.aiService.spoolDir)));
    if (opts.outDir !== undefined) exporters.push(await ndjsonExporter(opts, opts.explain, log, onWriteFailure));
    if (opts.aiService) {
      // schemes are case-insensitive (RFC 3986 §3.1): WSS:// is a WebSocket service as wss:// is
      const scheme = /^wss?:/i.test(opts.aiService.url) ? 'ws' : 'http';
      // the exporter is read once it exists: a spool's expired lines are told while it opens
      let ai: AiServiceExporter | undefined;
      const logDiscard = oncePerOutage(log, scheme, () => ai?.stats.delivered ?? 0);
      ai = await AiServiceExporter.open({
        url: opts.aiService.url,
        ...(opts.aiService.token !== undefined && { token: opts.aiService.token }),
        spoolDir: opts.aiService.spoolDir,
        onFailure: (reason, requestId, kind) => {
          failures(scheme)(reason, requestId, kind);
          // deliveries are paced by one backoff, each logged; items leaving the spool undelivered go in bulk
          if (kind === 'expired' || kind === 'overflow') logDiscard(reason, kind);
          else log({ event: 'export-failure', level: 'warn', exporter: scheme, kind, reason });
        },
        onSpoolError: (err) => log({ event: 'spool-error', level: 'error', error: err.message }),
      });
      exporters.push(exporterOf(scheme, ai, log, true, onWriteFailure));
    }
    if (opts.nats) {
      // every line retries on its own while the server is away: one log per outage, not per attempt
      let opened: NatsJetStreamExporter | undefined;
      const logFailure = oncePerOutage(log, 'nats', () => (opened === undefined ? 0 : opened.stats.published + opened.stats.duplicates));
      const nats = await NatsJetStreamExporter.open({
        // a comma list as the client's list of servers to try (one URL would reach only its last host:port)
        servers: opts.nats.serverList ?? opts.nats.servers,
        maxRetentionSec: opts.nats.maxAgeSec,
        ...(opts.nats.maxPending !== undefined && { maxInFlight: opts.nats.maxPending }),
        onFailure: (reason, requestId, kind) => {
          failures('nats')(reason, requestId, kind);
          logFailure(reason, kind);
        },
      }).catch((err: unknown) => {
        // the client's own text ("CONNECTION_REFUSED") names neither the flag nor the server: every
        // server of the list is named (it tried them all), each without the credentials its URL may
        // carry (stderr goes to collected logs), as it is in the client's text (longest first: one
        // entry may begin another)
        const list = [opts.nats!.serverList ?? opts.nats!.servers].flat();
        const reason = [...list]
          .sort((a, b) => b.length - a.length)
          .reduce((text, s) => text.split(s).join(natsServersForDisplay(s)), err instanceof Error ? err.message : String(err));
        throw new Error(`--nats ${natsServersForDisplay(list)}: cannot connect: ${reason}`);
      });
      opened = nats;
      // On stop, not every pending send waited for (each retries until acknowledged, and a report
      // never expires: with the server away, never): NATS gets close's grace, then gives up what
      // is still unacknowledged — it has no spool — and that is said, with how many.
      exporters.push({
        ...exporterOf('nats', nats, log, false),
        async close() {
          await nats.close(NATS_STOP_GRACE_MS);
          if (nats.stats.givenUp > 0)
            log({ event: 'export-given-up', level: 'warn', exporter: 'nats', count: nats.stats.givenUp, reason: `not acknowledged by the stream within ${NATS_STOP_GRACE_MS / 1000} s of stopping` });
        },
      });
    }
  } catch (err) {
    malformedLogged.close();
    await Promise.allSettled(exporters.map((e) => e.close()));
    await removeMade(madeDirs);
    throw err;
  }
  for (const e of exporters) if (e.depth) metrics.trackQueue(`export:${e.name}`, e.depth);
  metrics.trackQueue('packets', () => queue.depth);

  const decisionCount = (text: string) => {
    const m = /"decision":"(export|aggregate|drop)","reason":"([^"]*)"/.exec(text);
    if (!m) return;
    metrics.decisions.inc({ outcome: m[1]! });
    if (m[1] === 'drop') metrics.drops.inc({ reason: m[2]! });
  };

  const deliver = async (kind: 'exports' | 'reports' | 'decisions', texts: string[]) => {
    if (texts.length === 0) return;
    const lines = kind === 'decisions' ? [] : texts.map((t) => JSON.parse(t) as ExportLine);
    if (kind === 'exports') for (const l of lines) l.type === 'aggregate' ? counts.aggregates++ : counts.exports++;
    if (kind === 'reports') {
      counts.reports += lines.length;
      for (const l of lines) metrics.reports.inc({ type: l.type });
    }
    if (kind === 'decisions') for (const t of texts) decisionCount(t);
    await Promise.all(exporters.map((e) => e.take(kind, texts, lines)));
    if (kind !== 'decisions') opts.onExported?.(lines, performance.now());
  };

  const sink: ReplaySink = {
    exports: (lines) => deliver('exports', lines),
    reports: (lines) => {
      const extra = malformedReports.splice(0);
      return deliver('reports', extra.length > 0 ? extra.concat(lines) : lines);
    },
    decisions: (lines) => deliver('decisions', lines),
  };

  // Listeners, and the metrics server: one that cannot start (its address in use) closes those
  // already bound, as a listener's failure does (a bound socket kept the process alive).
  let metricsServer: MetricsServer | undefined;
  try {
    if (opts.udp) {
      const mode = opts.udpMode ?? 'plain';
      const listener: UdpMirrorListener = await UdpMirrorListener.start({
        host: opts.udp.host,
        port: opts.udp.port,
        mode,
        receiveBufferBytes: 8 << 20,
        onPacket: (p) => {
          if (mode === 'ip-packet') return accept(p);
          if (payloadKind(p.payload) !== 'other') return accept(p);
          // what RFC 7983 puts on a media port beside RTP (ICE checks, DTLS, keep-alives) is not
          // broken media, as in a capture on a negotiated transport (replay-engine other())
          if (carriesMediaPortProtocol(p.payload, 0, p.payload.length)) return countKind(listener.counters, 'media-port-protocol');
          listener.counters.malformed++;
          countKind(listener.counters, 'not-rtp-rtcp-sip');
          reportMalformed('udp', `datagram of ${p.payload.length} bytes is neither RTP, RTCP nor SIP`, endpointText(p.src, p.sport));
        },
        onMalformed: (reason, from) => reportMalformed('udp', reason, endpointText(from.address, from.port)),
      });
      sources.set('udp', listener.counters);
      socketDrops.set('udp', () => listener.kernelDrops());
      addresses.udp = { host: listener.address.address, port: listener.address.port };
      closers.push(() => listener.close());
    }
    if (opts.hep) {
      const hep = await startHep(opts.hep, opts.hepAuthKey, {
        onPacket: (p) => accept(p),
        onMalformed: (reason, peer) => reportMalformed('hep', reason, peer),
        onAuthRejected: authRejectedLog(log),
      });
      sources.set('hep', hep.counters);
      socketDrops.set('hep', () => hep.kernelDrops());
      addresses.hep = { udp: { host: hep.udpAddress!.address, port: hep.udpAddress!.port }, tcp: { host: hep.tcpAddress!.address, port: hep.tcpAddress!.port } };
      closers.push(() => hep.close());
    }
    if (opts.iface) {
      const counters = createSourceCounters();
      const capture = await startInterfaceCapture(
        opts.iface,
        (r) => {
          counters.received++;
          countKind(counters, 'frame');
          // a whole link-layer frame: the engine decodes its layers as it does a capture's
          accept({ ts: r.ts, src: '', dst: '', sport: 0, dport: 0, proto: 'udp', payload: r.data, linkType: r.linkType });
        },
        (message) => log({ event: 'capture-error', level: 'error', interface: opts.iface!.name, error: message }),
        // libpcap's own words, said by the service as a log line (not the package's raw text on stderr)
        (warning) => log({ event: 'capture-warning', level: 'warn', interface: opts.iface!.name, warning }),
      ).catch((err: unknown) => {
        // a filter libpcap cannot compile is the operator's typo, as for inspect: bad usage (exit 2: no restart mends it)
        // (one a config file gave is named by the file and its key, as its other values are)
        if (!(err instanceof BpfFilterError)) throw err;
        throw new UsageError(`${opts.iface!.filterFrom !== undefined ? `${opts.iface!.filterFrom}: ` : ''}--${err.message}`, false);
      });
      sources.set(`pcap:${opts.iface.name}`, counters);
      addresses.iface = opts.iface.name;
      closers.push(() => capture.stop());
    }
    if (opts.metrics) {
      metricsServer = await startMetricsServer({
        metrics,
        host: opts.metrics.host,
        port: opts.metrics.port,
        health: () => ({ ok: !stopping, detail: { queueDepth: queue.depth, overflowed: queue.overflowed, received: counts.received, stopping } }),
      });
      addresses.metrics = { host: opts.metrics.host, port: metricsServer.port };
    }
  } catch (err) {
    malformedLogged.close();
    await Promise.allSettled(closers.map((c) => c()));
    await Promise.allSettled(exporters.map((e) => e.close()));
    // (only those left empty: a folder an exporter wrote in stays)
    await removeMade(madeDirs);
    throw err;
  }
  for (const [name, c] of sources) metrics.trackSource(name, c);
  for (const [name, drops] of socketDrops) metrics.trackSocketDrops(name, drops);
  /** each UDP source's kernel drop count (null: the kernel does not tell), for the logs */
  const kernelDrops = (): Record<string, number | null> | undefined => (socketDrops.size === 0 ? undefined : Object.fromEntries([...socketDrops].map(([name, drops]) => [name, drops()])));

  async function* paced(): AsyncGenerator<SourcePacket[]> {
    for await (const group of queue) {
      yield group;
      if (opts.batchMs > 0 && !stopping) await new Promise((r) => setTimeout(r, opts.batchMs));
    }
  }

  const engine = runEngine({
    capture: 'live',
    source: liveRecordBatches(paced()),
    policy,
    workers: opts.workers,
    maxInFlight: 1,
    windowSec,
    // live records carry capture times that are (nearly) now: HEP's from the relay, a mirror's arrival
    clock: () => Date.now() / 1000,
    // decisions are always made (metrics count them); the files get them only with --explain
    explain: true,
    ...(opts.resolveUri !== false && { uriResolver: new UriResolver({ ...(opts.uriCa !== undefined && { ca: opts.uriCa }), ...(opts.uriAllow !== undefined && { allowHosts: opts.uriAllow }) }) }),
    sink,
    onCounted: countPackets,
    takePolicyUpdate: () => {
      const next = pendingPolicy;
      pendingPolicy = null;
      return next;
    },
    onWarning: (message) => log({ event: 'warning', level: 'warn', message }),
  });
  log({ event: 'start', version: packageVersion(), addresses, policy: policy.fileName, windowSec, workers: opts.workers, exporters: exporters.map((e) => e.name), udpMode: opts.udp ? (opts.udpMode ?? 'plain') : undefined });

  const statsTimer =
    opts.statsSec > 0 && !opts.quiet
      ? every(opts.statsSec * 1000, () => {
          log({ event: 'counters', ...counts, queueDepth: queue.depth, sources: Object.fromEntries(sources), kernelDrops: kernelDrops() });
        })
      : undefined;

  let stopped: Promise<ReplayResult> | undefined;
  let failed: ((err: unknown) => void) | undefined;
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });
  engine.catch(async (err: unknown) => {
    // the engine stopped (it failed; an output file that cannot be written stops the service
    // through onWriteFailure instead): the sockets, files and metrics server go too, so the
    // process ends with the error (exit 1) rather than staying up unread
    stopping = true;
    statsTimer?.stop();
    await Promise.allSettled(closers.map((c) => c()));
    malformedLogged.close();
    queue.end();
    await Promise.allSettled(exporters.map((e) => e.close()));
    await metricsServer?.close().catch(() => undefined);
    failed?.(err);
  });

  const stop = (): Promise<ReplayResult> => {
    stopped ??= (async () => {
      stopping = true;
      statsTimer?.stop();
      log({ event: 'drain', queueDepth: queue.depth });
      // read while the sockets are open (a closed socket's count is gone with it)
      const droppedByKernel = kernelDrops();
      await Promise.allSettled(closers.map((c) => c()));
      // no datagram comes any more: what was counted and not yet told is told now
      malformedLogged.close();
      // the queue ends once empty: the engine judges everything accepted, then closes its windows
      queue.end();
      let result: ReplayResult;
      try {
        result = await engine;
        if (malformedReports.length > 0) await deliver('reports', malformedReports.splice(0));
      } finally {
        await Promise.allSettled(exporters.map((e) => e.close()));
        await metricsServer?.close();
      }
      // the malformed datagrams the service reported itself (they never became records) count as the engine's do
      const summary = counts.malformedDatagrams === 0 ? result.summary : { ...result.summary, malformed: result.summary.malformed + counts.malformedDatagrams, reports: { ...result.summary.reports, 'malformed-input': (result.summary.reports['malformed-input'] ?? 0) + counts.malformedDatagrams } };
      log({ event: 'stop', ...counts, malformedNotLogged: malformedLogged.notLogged, summary, kernelDrops: droppedByKernel });
      if (writeFailure !== undefined) throw writeFailure;
      return result;
    })();
    return stopped;
  };
  // its rejection (the write failure) is told by `done`
  stopOnWriteFailure = () => void stop().catch(() => undefined);

  // Reloads are numbered by their SIGHUP: a read still going when a later SIGHUP's read has
  // applied its file (a large file, a slow filesystem) is the older content and is dropped, or
  // it would put back what the operator had just replaced. Not queued: a read that never ends
  // (a FIFO at the path) must not hold every later reload back.
  let reloadsStarted = 0;
  let reloadApplied = 0;
  const reload = async (): Promise<boolean> => {
    if (opts.policyFile === undefined) {
      log({ event: 'reload-skipped', level: 'warn', reason: 'no --policy file to reload' });
      return false;
    }
    const number = ++reloadsStarted;
    let next: PolicyFile;
    try {
      next = await loadPolicyFile(opts.policyFile);
    } catch (err) {
      log({ event: 'reload-failed', level: 'error', policy: opts.policyFile, error: err instanceof PolicyError || err instanceof Error ? err.message : String(err), kept: policy.fileName });
      return false;
    }
    if (number < reloadApplied) {
      log({ event: 'reload-superseded', level: 'warn', policy: opts.policyFile, reason: 'a later SIGHUP\'s read of the file applied first' });
      return false;
    }
    reloadApplied = number;
    const nextWindowSec = windowOf(next);
    // what the new file changes, by top-level key: the statements, the repository, the trusted keys too
    const changed: string[] = [];
    if (!sameEntries(next.apts, policy.apts)) changed.push('apts');
    if (JSON.stringify(next.dialogs) !== JSON.stringify(policy.dialogs)) changed.push('dialogs');
    if (!sameEntries(next.keys, policy.keys)) changed.push('keys');
    if (next.defaultApt !== policy.defaultApt) changed.push('default');
    if (nextWindowSec !== windowSec) changed.push('window');
    if (!sameSet(next.revoked, policy.revoked)) changed.push('revoked');
    if (JSON.stringify(next.issuers) !== JSON.stringify(policy.issuers)) changed.push('issuers');
    policy = next;
    windowSec = nextWindowSec;
    pendingPolicy = { policy: next, windowSec };
    for (const warning of next.warnings()) log({ event: 'policy-warning', level: 'warn', warning });
    log({
      event: 'reload',
      policy: opts.policyFile,
      apts: next.apts.size,
      dialogs: next.dialogs.length,
      default: next.defaultApt,
      windowSec,
      ...(changed.length > 0 && { changed }),
      ...(opts.windowSec !== null && next.windowSec !== null && next.windowSec !== opts.windowSec && { windowFixedBy: '--window' }),
      appliesFrom: 'next batch',
    });
    return true;
  };

  const done = Promise.race([engine.then(() => stop()), failure]);
  done.catch(() => undefined); // observed by whoever awaits `done`; never an unhandled rejection here
  return { addresses, counts, sources, metrics, reload, stop, done };
}

/** Hosts whose refused HEP frames were logged: a bound, so that a flood from spoofed addresses cannot grow it. */
const AUTH_REJECTED_HOSTS_LOGGED = 1024;

/**
 * Frames refused for their auth key are counted (aipref_source_records_total{source="hep",kind="auth-rejected"})
 * and logged once per sending host: an agent set up with an old or no key shows at once in the
 * log, without a line per frame. Past the bound, further hosts are only counted.
 */
function authRejectedLog(log: (e: LogEvent) => void): (peer: string, keyGiven: boolean) => void {
  const logged = new Set<string>();
  return (peer, keyGiven) => {
    const host = peer.slice(peer.indexOf(':') + 1, peer.lastIndexOf(':'));
    if (logged.has(host) || logged.size >= AUTH_REJECTED_HOSTS_LOGGED) return;
    logged.add(host);
    const why = keyGiven ? 'another auth key' : 'no auth key';
    log({ event: 'hep-auth-rejected', level: 'warn', source: 'hep', peer, reason: `HEP frames with ${why} (chunk 14) are dropped; further ones from this host are only counted` });
  };
}

/** HEP on UDP and TCP at one port; port 0 picks a free UDP port and takes TCP at the same number. */
async function startHep(at: HostPort, authKey: string | undefined, handlers: Pick<HepListenerOptions, 'onPacket' | 'onMalformed' | 'onAuthRejected'>): Promise<HepListener> {
  // relays send in bursts: 8 MiB of socket buffer rather than the kernel's default few hundred frames
  const base = { host: at.host, ...handlers, receiveBufferBytes: 8 << 20, ...(authKey !== undefined && { authKey }) };
  if (at.port !== 0) return HepListener.start({ ...base, udpPort: at.port, tcpPort: at.port });
  for (let attempt = 0; ; attempt++) {
    const probe = await HepListener.start({ ...base, udpPort: 0 });
    const port = probe.udpAddress!.port;
    await probe.close();
    try {
      return await HepListener.start({ ...base, udpPort: port, tcpPort: port });
    } catch (err) {
      if (attempt >= 10) throw err;
    }
  }
}

/**
 * `aipref-enforcer live [--udp host:port] [--udp-mode plain|ip-packet] [--hep host:port]
 * [--interface name [--filter bpf]] [--policy f] [--config f.json] [--out dir] [--rotate-bytes n]
 * [--to url --token t --spool dir] [--nats nats://h:p] [--metrics host:port] [--workers n]
 * [--window dur] [--batch-ms n] [--explain] [--quiet] [--no-resolve-uri] [--uri-ca pem] [--uri-allow host,…]`: runs until SIGTERM or SIGINT.
 */
export async function runLive(args: string[]): Promise<number> {
  // Handlers go in before anything is awaited (the config file read, the start): a signal while
  // the service starts must not find the default action (SIGHUP's is to end the process, which
  // systemd counts as a clean exit: a unit's ExecReload right after ExecStart left it down). It
  // is acted on once the service has started.
  let service: LiveService | undefined;
  let early: 'stop' | 'reload' | undefined;
  const onStop = (signal: string) => () => {
    defaultLog({ event: 'signal', signal });
    // a failure of the drain (a file that cannot be written) reaches the exit code through `done`
    if (service) void service.stop().catch(() => undefined);
    else early = 'stop';
  };
  const onTerm = onStop('SIGTERM');
  const onInt = onStop('SIGINT');
  const onHup = () => {
    defaultLog({ event: 'signal', signal: 'SIGHUP' });
    if (service) void service.reload();
    else early ??= 'reload';
  };
  process.on('SIGTERM', onTerm);
  process.on('SIGINT', onInt);
  process.on('SIGHUP', onHup);
  // bin/aipref-enforcer.js notes a SIGHUP while the bundle loads: a reload asked then is one asked now
  const loading = (globalThis as Record<symbol, unknown>)[SIGHUP_WHILE_LOADING] as { listener: () => void; count: number } | undefined;
  if (loading !== undefined) {
    process.off('SIGHUP', loading.listener);
    if (loading.count > 0) onHup();
  }
  let iface = false;
  let nats = false;
  try {
    const opts = await liveOptionsFromArgs(args);
    iface = opts.iface !== undefined;
    nats = opts.nats !== undefined;
    service = await startLive(opts);
    if (early === 'stop') void service.stop().catch(() => undefined);
    else if (early === 'reload') void service.reload();
    await service.done;
  } finally {
    if (iface || nats) {
      // node_pcap 3 keeps its poll handle referenced after close() until one more packet
      // arrives (only then does it release it): on a quiet interface the process would stay —
      // after a stop, a write failure or a refused start alike (however `done` settled). So may
      // a NATS client's dial its close left going (a server whose SYN is never answered: the
      // kernel retries for about 2 min). Everything is written and closed by now (NATS's lines
      // delivered or told as given up), so leave once the exit code (and main's line for a
      // failure) is set, and stderr is written out.
      setTimeout(leaveOnceLogged, 300).unref();
    }
    // Stopped (or failed to start): a signal from here to the process's end finds a listener that
    // does nothing rather than the default action, which would end the process by that signal
    // while main still prints the failure — systemd counts an end by SIGTERM, SIGINT or SIGHUP as
    // a clean exit, so a write failure would have passed for one (Restart=on-failure not acting).
    for (const [signal, listener] of [['SIGTERM', onTerm], ['SIGINT', onInt], ['SIGHUP', onHup]] as const) {
      // added before the other goes: a signal without listeners for a moment finds the default action
      if (!process.listeners(signal).includes(afterStop)) process.on(signal, afterStop);
      process.off(signal, listener);
    }
    // …and once the event loop is empty, Node's teardown closes those listeners (the default
    // action back) before the process ends: leaving from the 'exit' event skips that teardown.
    if (!process.listeners('exit').includes(exitNow)) process.once('exit', exitNow);
  }
  return 0;
}

/**
 * What a signal does once live has stopped: the exit status is decided and the process ends on its
 * own (signal listeners hold no event loop open). Should something still hold it 5 s later, it
 * leaves then with that status, as the signal asked.
 */
function afterStop(): void {
  setTimeout(() => process.exit(), 5000).unref();
}

/**
 * process.exit() once what is queued for stderr has been written: a pipe or socket stderr (journald,
 * a log shipper) is written asynchronously, and process.exit() drops what is still queued — the
 * drain and stop lines, the run's record. An empty write's callback comes once every write before
 * it is out. A reader that never reads (a stopped collector) must not hold the process for ever,
 * so it leaves after LOG_FLUSH_BOUND_MS anyway: the lines still queued then are lost, as they
 * would be to a reader gone.
 */
function leaveOnceLogged(): void {
  setTimeout(() => process.exit(), LOG_FLUSH_BOUND_MS).unref();
  process.stderr.write('', () => process.exit());
}

/**
 * How long a stopped `live --interface` waits for its stderr reader: well within systemd's default
 * stop timeout (90 s), so a slow journald costs lines only after that long, and the exit status
 * stays the run's own rather than the SIGKILL at the end of that timeout.
 */
const LOG_FLUSH_BOUND_MS = 30_000;

/** process.exit() from the 'exit' event ends the process at once with process.exitCode, without the environment's teardown. */
function exitNow(): void {
  process.exit();
}

/** Where bin/aipref-enforcer.js keeps its SIGHUP listener and count for `live` while the bundle loads (the same key there). */
const SIGHUP_WHILE_LOADING = Symbol.for('aipref-enforcer.sighup-while-loading');

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

/** Whether two sets of the policy file hold the same members. */
function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  if (a.size !== b.size) return false;
  for (const k of a) if (!b.has(k)) return false;
  return true;
}

/** Whether two maps of the policy file (by key, JSON-like values) hold the same entries, in any order. */
function sameEntries(a: ReadonlyMap<string, unknown>, b: ReadonlyMap<string, unknown>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (!b.has(k) || JSON.stringify(v) !== JSON.stringify(b.get(k))) return false;
  return true;
}
