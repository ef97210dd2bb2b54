/**
 * Prometheus metrics of a live enforcer, and the HTTP endpoint a scraper reads them from
 * (`/metrics`) beside a liveness probe (`/healthz`). The registry is the enforcer's own, not
 * prom-client's global one, so two enforcers in one process (tests) do not mix their counts.
 * Labels take small fixed sets (protocols, outcomes, report types, reasons) — never SSRCs or
 * Call-IDs, which would make one series per call.
 */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { SourceCounters } from '../sources/source-packet.js';
import type { ExportFailureListener } from './exporter.js';

export interface EnforcerMetricsOptions {
  /** name prefix; default "aipref_" */
  prefix?: string;
  /** also export Node's process metrics (CPU, memory, event loop lag) */
  processMetrics?: boolean;
}

/**
 * Of a listener's `byKind` counts, those that note a record already counted under its kind (a
 * plain datagram or HEP RTCP frame): a family of their own, so that no record counts twice in one.
 */
const SOURCE_NOTES: ReadonlySet<string> = new Set(['rtcp-json', 'media-port-protocol', 'not-rtp-rtcp-sip']);
/** Of a listener's `byKind` counts, those that count things inside records, each its own family. */
const SOURCE_ITEM_COUNTS: ReadonlySet<string> = new Set(['unknown-chunks', 'rtcp-json-dropped-items']);

export class EnforcerMetrics {
  readonly registry = new Registry();
  /**
   * packets by proto: sip (messages), rtp, rtcp, malformed — each as the run's summary counts it
   * (malformed ones are also counted under what they were read as)
   */
  readonly packets: Counter<'proto'>;
  /** every packet (record) read, as the summary's `packets` */
  readonly packetsRead: Counter;
  /** telemetry decisions, by outcome: export, aggregate, drop */
  readonly decisions: Counter<'outcome'>;
  /** reports made, by type (SPEC §6) */
  readonly reports: Counter<'type'>;
  /** telemetry dropped, by reason (the decision's reason, or a queue overflow) */
  readonly drops: Counter<'reason'>;
  /** failed export attempts, by exporter (http, ws, nats, file) and kind (retry, rejected) */
  readonly exportFailures: Counter<'exporter' | 'kind'>;
  /** items waiting, by queue; read from the providers at scrape time */
  readonly queueDepth: Gauge<'queue'>;
  /**
   * records received by each live source (listener): one series per source, kind="received" (the
   * label kept for the queries written against it). What the records were, the malformed among
   * them and what is counted inside records are families of their own, below: summed over
   * `kind`, this one is the records received.
   */
  readonly sourceRecords: Counter<'source' | 'kind'>;
  /**
   * a source's records by what they are, each under one kind (datagram — in ip-packet mode one that is no IP packet —, ip-packet, frame; hep:sip,
   * hep:rtp, hep:rtcp, hep:log by HEP protocol type, hep:other for any other; hep:malformed, a HEP
   * frame that cannot be read; auth-rejected)
   */
  readonly sourceRecordKinds: Counter<'source' | 'kind'>;
  /** a source's records noted for how they came, each under one note at most (rtcp-json, media-port-protocol, not-rtp-rtcp-sip) */
  readonly sourceRecordNotes: Counter<'source' | 'note'>;
  /** a source's records (and socket errors) that could not be read, each reported as malformed-input */
  readonly sourceMalformed: Counter<'source'>;
  /** HEP chunks of types the listener does not know, skipped */
  readonly sourceUnknownChunks: Counter<'source'>;
  /** SDES items of HEP RTCP JSON that cannot be read back (rtcp-json.ts), left out */
  readonly sourceRtcpJsonDroppedItems: Counter<'source'>;
  /** datagrams the kernel dropped at each live source's UDP socket (its receive buffer overran), where the kernel tells */
  readonly socketDrops: Gauge<'source'>;
  private readonly queues = new Map<string, () => number>();
  private readonly sources = new Map<string, SourceCounters>();
  private readonly sockets = new Map<string, () => number | null>();

  constructor(opts: EnforcerMetricsOptions = {}) {
    const prefix = opts.prefix ?? 'aipref_';
    const registers = [this.registry];
    this.packets = new Counter({ name: `${prefix}packets_total`, help: 'Packets read, by protocol (as the summary counts each)', labelNames: ['proto'], registers });
    this.packetsRead = new Counter({ name: `${prefix}packets_read_total`, help: 'Packets read, every one', registers });
    this.decisions = new Counter({ name: `${prefix}decisions_total`, help: 'Telemetry item decisions, by outcome', labelNames: ['outcome'], registers });
    this.reports = new Counter({ name: `${prefix}reports_total`, help: 'Reports made, by type', labelNames: ['type'], registers });
    this.drops = new Counter({ name: `${prefix}drops_total`, help: 'Telemetry items dropped, by reason', labelNames: ['reason'], registers });
    this.exportFailures = new Counter({ name: `${prefix}export_failures_total`, help: 'Failed export attempts, by exporter and kind', labelNames: ['exporter', 'kind'], registers });
    this.queueDepth = providedGauge(registers, `${prefix}queue_depth`, 'Items waiting, by queue', 'queue', this.queues);
    // The listeners keep their own counts; they are copied in at scrape time.
    const sources = this.sources;
    const sourceCounter = <L extends string>(name: string, help: string, labelNames: readonly L[], fill: (counter: Counter<L>, source: string, c: SourceCounters) => void): Counter<L> =>
      new Counter({
        name: `${prefix}${name}`,
        help,
        labelNames,
        registers,
        collect() {
          this.reset();
          for (const [source, c] of sources) fill(this, source, c);
        },
      });
    this.sourceRecords = sourceCounter('source_records_total', 'Records received by live sources (kind="received")', ['source', 'kind'], (m, source, c) => m.inc({ source, kind: 'received' }, c.received));
    this.sourceRecordKinds = sourceCounter('source_record_kinds_total', 'Records received by live sources, by what they are (one kind each)', ['source', 'kind'], (m, source, c) => {
      for (const [kind, n] of Object.entries(c.byKind)) if (!SOURCE_NOTES.has(kind) && !SOURCE_ITEM_COUNTS.has(kind)) m.inc({ source, kind }, n);
    });
    this.sourceRecordNotes = sourceCounter('source_record_notes_total', 'Records received by live sources, noted for how they came (one note at most each)', ['source', 'note'], (m, source, c) => {
      for (const note of SOURCE_NOTES) if (c.byKind[note] !== undefined) m.inc({ source, note }, c.byKind[note]);
    });
    this.sourceMalformed = sourceCounter('source_malformed_total', 'Records (and socket errors) of live sources that could not be read', ['source'], (m, source, c) => m.inc({ source }, c.malformed));
    this.sourceUnknownChunks = sourceCounter('source_unknown_chunks_total', 'HEP chunks of unknown types, skipped, by source', ['source'], (m, source, c) => {
      if (c.byKind['unknown-chunks'] !== undefined) m.inc({ source }, c.byKind['unknown-chunks']);
    });
    this.sourceRtcpJsonDroppedItems = sourceCounter('source_rtcp_json_dropped_items_total', 'SDES items of HEP RTCP JSON that cannot be read back, left out, by source', ['source'], (m, source, c) => {
      if (c.byKind['rtcp-json-dropped-items'] !== undefined) m.inc({ source }, c.byKind['rtcp-json-dropped-items']);
    });
    // the kernel's own count (Linux /proc/net/udp), read at scrape time
    this.socketDrops = providedGauge(registers, `${prefix}socket_receive_drops`, "Datagrams the kernel dropped at a live source's UDP socket since it opened (receive buffer overrun), by source", 'source', this.sockets);
    if (opts.processMetrics) collectDefaultMetrics({ register: this.registry, prefix });
  }

  /** Reports `depth()` as the queue's depth at every scrape (spool size, pending publishes, ...). */
  trackQueue(queue: string, depth: () => number): void {
    this.queues.set(queue, depth);
  }

  /** Publishes a listener's counters (UdpMirrorListener, HepListener `counters`) under `source`. */
  trackSource(source: string, counters: SourceCounters): void {
    this.sources.set(source, counters);
  }

  /** Reports `drops()` (the kernel's count for the source's UDP socket; null: unknown) at every scrape. */
  trackSocketDrops(source: string, drops: () => number | null): void {
    this.sockets.set(source, drops);
  }

  /** An exporter's onFailure that counts into export_failures_total{exporter, kind}. */
  exportFailureListener(exporter: string): ExportFailureListener {
    return (_reason, _requestId, kind) => this.exportFailures.inc({ exporter, kind });
  }

  untrackQueue(queue: string): void {
    this.queues.delete(queue);
    this.queueDepth.remove({ queue });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/** A gauge whose value per label is what its provider says at each scrape (null: unknown, no sample). */
function providedGauge<L extends string>(registers: Registry[], name: string, help: string, label: L, providers: ReadonlyMap<string, () => number | null>): Gauge<L> {
  return new Gauge({
    name,
    help,
    labelNames: [label],
    registers,
    collect() {
      for (const [value, provide] of providers) {
        const n = provide();
        if (n !== null) this.set({ [label]: value } as Record<L, string>, n);
      }
    },
  });
}

export interface HealthStatus {
  ok: boolean;
  detail?: Record<string, unknown>;
}

export interface MetricsServerOptions {
  metrics: EnforcerMetrics;
  /** loopback by default: metrics name APT identifiers' counts, not for the open network */
  host?: string;
  /** 0 picks a free port */
  port: number;
  /** what /healthz answers; 200 when ok, 503 when not; default always ok */
  health?: () => HealthStatus;
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startMetricsServer(opts: MetricsServerOptions): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/metrics') {
      opts.metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': opts.metrics.registry.contentType }).end(text),
        (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${err instanceof Error ? err.message : String(err)}\n`),
      );
      return;
    }
    if (path === '/healthz') {
      const status = opts.health?.() ?? { ok: true };
      res.writeHead(status.ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: status.ok ? 'ok' : 'unhealthy', ...status.detail }));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
