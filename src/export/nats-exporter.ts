/**
 * Exports to NATS JetStream, for several enforcers feeding shared consumers (SPEC §7). Each
 * line kind has its subject (`<prefix>.telemetry`, `.aggregate`, `.report`); the message id
 * is the line's requestId, so the stream's duplicate window drops a redelivery (a retry after
 * a lost PubAck, or two enforcers replaying the same capture). The stream's max_age is the
 * longest retention the operator configured: nothing outlives every preference in the stream,
 * and each message also carries its own `Aipref-Expires-At` for consumers. An item already
 * past its expiresAt is not published at all.
 */
import { connect, headers, nanos, type ConnectionOptions, type JetStreamClient, type NatsConnection, type StreamConfig } from 'nats';
import { backoffDelayMs, type BackoffOptions } from './backoff.js';
import { ExporterClosedError, exportLineExpiresAt, exportLineId, exportLineKind, type ExportFailureListener, type ExportLine, type Exporter, type ExportLineKind } from './exporter.js';

export interface NatsExporterOptions {
  /** e.g. "nats://127.0.0.1:4222" */
  servers: string | string[];
  /** stream name; default "AIPREF" */
  stream?: string;
  /** subjects are `<prefix>.<kind>`; default "aipref" */
  subjectPrefix?: string;
  /** the longest retention among the configured preferences, in seconds: the stream's max_age */
  maxRetentionSec: number;
  /** JetStream duplicate window; default 10 min, never longer than max_age */
  duplicateWindowSec?: number;
  /** per publish (waiting for the PubAck); default 5000 */
  timeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  /** seconds since the epoch, for expiry */
  clock?: () => number;
  /** passed to nats.connect (credentials, TLS, reconnect timing) */
  connection?: Partial<ConnectionOptions>;
  onFailure?: ExportFailureListener;
}

export interface NatsExporterStats {
  published: number;
  /** PubAcks saying the stream already had the message id */
  duplicates: number;
  expired: number;
  retries: number;
}

const encoder = new TextEncoder();

export class NatsJetStreamExporter implements Exporter {
  readonly stats: NatsExporterStats = { published: 0, duplicates: 0, expired: 0, retries: 0 };
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private readonly closing = new AbortController();

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly opts: NatsExporterOptions,
    readonly streamName: string,
  ) {}

  static async open(opts: NatsExporterOptions): Promise<NatsJetStreamExporter> {
    const nc = await connect({ servers: opts.servers, maxReconnectAttempts: -1, ...opts.connection });
    try {
      const streamName = opts.stream ?? 'AIPREF';
      await ensureStream(nc, streamName, opts);
      return new NatsJetStreamExporter(nc, nc.jetstream(), opts, streamName);
    } catch (err) {
      await nc.close();
      throw err;
    }
  }

  subjectOf(kind: ExportLineKind): string {
    return `${this.opts.subjectPrefix ?? 'aipref'}.${kind}`;
  }

  /**
   * Publishes and resolves on the stream's PubAck; failures (server away, PubAck timeout) are
   * retried with backoff until acknowledged, expired, or the exporter is closed.
   */
  send(line: ExportLine): Promise<void> {
    if (this.closed) return Promise.reject(new ExporterClosedError('NatsJetStreamExporter'));
    const task = this.publish(line);
    this.inFlight.add(task);
    const settle = (): void => {
      this.inFlight.delete(task);
    };
    task.then(settle, settle);
    return task;
  }

  private async publish(line: ExportLine): Promise<void> {
    const id = exportLineId(line);
    const expiresAt = exportLineExpiresAt(line);
    const clock = this.opts.clock ?? (() => Date.now() / 1000);
    const h = headers();
    if (expiresAt !== null) h.set('Aipref-Expires-At', String(expiresAt));
    const data = encoder.encode(JSON.stringify(line));
    const subject = this.subjectOf(exportLineKind(line));
    for (let attempt = 1; ; attempt++) {
      if (expiresAt !== null && expiresAt <= clock()) {
        this.stats.expired++;
        return;
      }
      if (this.closed) throw new ExporterClosedError('NatsJetStreamExporter');
      try {
        const ack = await this.js.publish(subject, data, { msgID: id, headers: h, timeout: this.opts.timeoutMs ?? 5000 });
        if (ack.duplicate) this.stats.duplicates++;
        else this.stats.published++;
        return;
      } catch (err) {
        this.stats.retries++;
        this.opts.onFailure?.(err instanceof Error ? err.message : String(err), id, 'retry');
        const delay = backoffDelayMs(attempt, { baseMs: this.opts.backoff?.baseMs ?? 100, maxMs: this.opts.backoff?.maxMs ?? 10_000, ...(this.opts.backoff?.random && { random: this.opts.backoff.random }) });
        await abortableDelay(delay, this.closing.signal);
      }
    }
  }

  /** Resolves once every line sent so far is acknowledged by the stream (or expired). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  /** Waits for what is in flight for up to `graceMs`, then gives up on it and drains the connection. */
  async close(graceMs = 5000): Promise<void> {
    if (this.closed) return;
    const settled = Promise.allSettled([...this.inFlight]);
    const timer = new Promise<void>((resolve) => setTimeout(resolve, graceMs).unref());
    await Promise.race([settled, timer]);
    this.closed = true;
    this.closing.abort();
    await settled;
    await this.nc.drain().catch(() => this.nc.close());
  }
}

/** Creates the stream, or brings an existing one's subjects and max_age in line with the options. */
async function ensureStream(nc: NatsConnection, name: string, opts: NatsExporterOptions): Promise<void> {
  const jsm = await nc.jetstreamManager();
  const prefix = opts.subjectPrefix ?? 'aipref';
  const maxAgeMs = Math.max(1, opts.maxRetentionSec) * 1000;
  const duplicateWindowMs = Math.min(maxAgeMs, (opts.duplicateWindowSec ?? 600) * 1000);
  const config: Partial<StreamConfig> = {
    name,
    subjects: [`${prefix}.telemetry`, `${prefix}.aggregate`, `${prefix}.report`],
    max_age: nanos(maxAgeMs),
    duplicate_window: nanos(duplicateWindowMs),
  };
  const existing = await jsm.streams.info(name).catch((err: unknown) => {
    if (err instanceof Error && /stream not found/i.test(err.message)) return undefined;
    throw err;
  });
  if (existing === undefined) await jsm.streams.add(config);
  else await jsm.streams.update(name, { ...existing.config, ...config });
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
