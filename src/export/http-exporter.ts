/**
 * Exports to an AI service in the message form of seed 001 §3.2, over HTTP POST or a
 * WebSocket (chosen by the URL's scheme). Every line is spooled to disk before delivery is
 * tried, and leaves the spool only when the service acknowledged it, refused it for good, or
 * its `expiresAt` passed — an expired item is deleted, never sent. Failed deliveries are
 * retried with exponential backoff and jitter, and never sooner than a Retry-After asked. A
 * refused token (401/403) is retried the same way: the items stay spooled, and a restart with
 * a renewed token delivers them. A few requests are in flight at once (`concurrency`); items
 * are started oldest first.
 */
import { MAX_TIMER_MS } from './abortable.js';
import { buildAiServiceRequest, type AiServiceSessionDefaults } from './ai-service-message.js';
import { retryPauseMs, type BackoffOptions } from './backoff.js';
import type { DeliveryTransport } from './delivery-transport.js';
import { ExporterClosedError, exportLineExpiresAt, exportLineId, type ExportFailureListener, type ExportLine, type Exporter } from './exporter.js';
import { HttpTransport } from './http-transport.js';
import { DiskSpool, SpoolFileError, type DiskSpoolOptions, type SpoolStats } from './spool.js';
import { WebSocketTransport } from './websocket-transport.js';
import { urlForDisplay } from '../sources/url-for-display.js';

export interface AiServiceExporterOptions {
  /** http(s)://… for POST, ws(s)://… for a WebSocket */
  url: string;
  token?: string;
  /** directory of the spool; what a previous run left there is delivered first */
  spoolDir: string;
  spool?: DiskSpoolOptions;
  /** per request; default 5000 */
  timeoutMs?: number;
  backoff?: Partial<BackoffOptions>;
  session?: AiServiceSessionDefaults;
  /**
   * how often the spool is swept whatever else happens: what failed on disk is tried again, and
   * waiters for an empty spool are told; default 1000 ms. Expired items' bytes do not wait for it:
   * a timer set at the spool's next due moment removes them (see armExpiry).
   */
  expirySweepMs?: number;
  /** deliveries in flight at once; default 4. With 1, items arrive strictly in spool order. */
  concurrency?: number;
  /**
   * told about every failed attempt (for logs and metrics), except that refused credentials
   * are told once per episode: at the first refusal after a start or an acknowledgement
   */
  onFailure?: ExportFailureListener;
  /**
   * told when the spool directory cannot be written or read, but for a line it cannot take
   * (send rejects with that): each failure once however many items it failed, and again at most
   * once a minute while it persists (see tellSpoolFailures)
   */
  onSpoolError?: (err: Error) => void;
}

export interface AiServiceExporterStats {
  attempts: number;
  delivered: number;
  retries: number;
  /** of the retries, attempts the service refused for this enforcer's credentials (401/403) */
  unauthorized: number;
  rejected: number;
  spool: SpoolStats;
}

/**
 * The expiry timer's sweeps are this far apart at least: items expiring a moment apart are swept
 * together (each such sweep passes over the waiting items), a little late rather than one by one.
 */
const EXPIRY_MIN_GAP_MS = 10;

const CREDENTIALS_REFUSED =
  'the service refused this enforcer\'s credentials (token expired, revoked or without the scope?); delivery is paused and retried with backoff, items stay spooled until they expire; restart with a renewed token';

export class ExporterUrlError extends Error {
  constructor(url: string) {
    super(`AI service URL "${urlForDisplay(url)}" is not http(s):// or ws(s)://`);
    this.name = 'ExporterUrlError';
  }
}

export class AiServiceExporter implements Exporter {
  private closed = false;
  /** the first close(), which every later call waits for too */
  private closing: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private nudged = false;
  private readonly inFlight = new AbortController();
  private pump: Promise<void> = Promise.resolve();
  private sweeper: NodeJS.Timeout | undefined;
  /** performance.now() when the last sweep began */
  private lastSweepAt = -Infinity;
  /** one timeout for the spool's next due moment (see armExpiry); fires at `expiryDue` (spool clock) */
  private expiryTimer: NodeJS.Timeout | undefined;
  private expiryDue = Infinity;
  /** performance.now() when the expiry timer last fired */
  private lastExpiryAt = -Infinity;
  private readonly sweepMs: number;
  private readonly idleWaiters: (() => void)[] = [];
  readonly stats: AiServiceExporterStats;

  private constructor(
    private readonly spool: DiskSpool,
    private readonly transport: DeliveryTransport,
    private readonly opts: AiServiceExporterOptions,
    private readonly spoolError: (err: unknown) => void,
  ) {
    this.stats = { attempts: 0, delivered: 0, retries: 0, unauthorized: 0, rejected: 0, spool: spool.stats };
    this.sweepMs = opts.expirySweepMs ?? 1000;
  }

  static async open(opts: AiServiceExporterOptions): Promise<AiServiceExporter> {
    const scheme = /^([a-z]+):\/\//i.exec(opts.url)?.[1]?.toLowerCase();
    const transportOptions = { url: opts.url, timeoutMs: opts.timeoutMs ?? 5000, ...(opts.token !== undefined && { token: opts.token }) };
    let transport: DeliveryTransport;
    if (scheme === 'http' || scheme === 'https') transport = new HttpTransport(transportOptions);
    else if (scheme === 'ws' || scheme === 'wss') transport = new WebSocketTransport(transportOptions);
    else throw new ExporterUrlError(opts.url);
    const maxItems = opts.spool?.maxItems ?? 100_000;
    const spoolError = tellSpoolFailures(opts.onSpoolError, opts.spool?.clock ?? (() => Date.now() / 1000));
    const spool = await DiskSpool.open(opts.spoolDir, {
      ...opts.spool,
      // the folder is this service's alone: a second one given it is refused here, before it reads anything
      lock: true,
      // what leaves the spool undelivered is a failed export too, told to the listener (and so to the metric)
      onDiscard: (id, why) => {
        opts.spool?.onDiscard?.(id, why);
        opts.onFailure?.(why === 'expired' ? 'expired before it was delivered' : `more than ${maxItems} items waited in the spool; the oldest was given up`, id, why);
      },
      // the oldest item pushed out by a send could not be settled on disk: a spool error, not the send's
      onSpoolError: (err) => {
        opts.spool?.onSpoolError?.(err);
        spoolError(err);
      },
    });
    const exporter = new AiServiceExporter(spool, transport, opts, spoolError);
    exporter.pump = exporter.run();
    // half an interval's slack: a timer firing a little early after an idle sweep still sweeps
    exporter.sweeper = setInterval(() => void exporter.sweepIfDue(exporter.sweepMs / 2), exporter.sweepMs);
    exporter.sweeper.unref();
    // what a previous run left is due at its expiry too
    exporter.armExpiry();
    return exporter;
  }

  /** Items waiting for delivery. */
  get pending(): number {
    return this.spool.size;
  }

  /** Spools the line (resolves once it is on disk); a line already spooled or delivered is skipped. */
  async send(line: ExportLine): Promise<void> {
    if (this.closed) throw new ExporterClosedError('AiServiceExporter');
    const request = buildAiServiceRequest(line, this.opts.session);
    await this.spool.append({ id: exportLineId(line), expiresAt: exportLineExpiresAt(line), body: JSON.stringify(request) });
    this.armExpiry();
    this.nudge();
  }

  async flush(): Promise<void> {
    await this.spool.drained();
  }

  /** Resolves true once the spool is empty, false if `timeoutMs` passes first. */
  async delivered(timeoutMs: number): Promise<boolean> {
    if (this.spool.size === 0) return true;
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Stops delivering (an unanswered request is abandoned and stays spooled), closes the transport
   * and then the spool, whose lock goes (also when its last work failed). A second call waits for the first.
   */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.inFlight.abort();
    this.nudge();
    try {
      await this.pump;
      await this.transport.close();
      // No sweep runs until the next start: settled lines leave the disk now, not at their expiry.
      try {
        await this.spool.compact();
      } catch (err) {
        this.spoolError(err);
      }
    } finally {
      await this.spool.close();
    }
  }

  /**
   * Sweeps unless a sweep began less than `minGapMs` ago: the sweep retries what failed on disk
   * (a file that cannot be deleted, acks not written) and says each failure, so it runs about
   * once per `expirySweepMs` however busy delivery is — one attempt and one line per interval,
   * as the outputs' failed deletions (README). Waiters for an empty spool are told either way.
   */
  private async sweepIfDue(minGapMs: number): Promise<void> {
    if (performance.now() - this.lastSweepAt >= minGapMs) await this.sweep();
    else this.notifyIfIdle();
  }

  /** Removes expired items; a disk error is reported, and the next sweep tries again. */
  private async sweep(): Promise<void> {
    this.lastSweepAt = performance.now();
    try {
      await this.spool.expire();
    } catch (err) {
      this.spoolError(err);
    }
    // the expired items went from memory even when the disk failed
    this.notifyIfIdle();
    this.armExpiry();
  }

  /**
   * Sets the one expiry timer for the spool's next due moment (DiskSpool.nextDueAt), unless it
   * already fires by then: by an item's expiry its bytes leave the spool directory, not at the next
   * sweep (README). Called after each append, settle and sweep; a moment that moved later leaves the
   * timer as it is (it fires early, finds nothing due and is set again), so it is not one setTimeout
   * per item. Unref'd: it never keeps the process alive.
   */
  private armExpiry(): void {
    const due = this.spool.nextDueAt;
    if (this.closed || (this.expiryTimer !== undefined && this.expiryDue <= due)) return;
    clearTimeout(this.expiryTimer);
    this.expiryTimer = undefined;
    this.expiryDue = due;
    if (due === Infinity) return;
    const sinceLast = performance.now() - this.lastExpiryAt;
    const ms = Math.min(MAX_TIMER_MS, Math.max(0, EXPIRY_MIN_GAP_MS - sinceLast, Math.ceil((due - this.spool.clock()) * 1000)));
    this.expiryTimer = setTimeout(() => void this.expireDue(), ms);
    this.expiryTimer.unref();
  }

  /**
   * What the expiry timer does: what is due by the clock goes (DiskSpool.expire without its retries
   * of failed disk work, which keep to the sweep interval); then the timer is set for the next moment.
   */
  private async expireDue(): Promise<void> {
    this.expiryTimer = undefined;
    this.expiryDue = Infinity;
    this.lastExpiryAt = performance.now();
    try {
      await this.spool.expire(false);
    } catch (err) {
      this.spoolError(err);
    }
    this.notifyIfIdle();
    this.armExpiry();
  }

  private notifyIfIdle(): void {
    if (this.spool.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /**
   * Keeps up to `concurrency` deliveries going, oldest items first. A failure pauses new
   * starts for a backoff that grows with consecutive failures (the service is likely down or
   * overloaded for every item, not just this one) and resets on the next success; a
   * Retry-After lengthens it to what the service asked. Items that expire meanwhile are swept
   * away by the timer, never sent.
   */
  private async run(): Promise<void> {
    const concurrency = Math.max(1, this.opts.concurrency ?? 4);
    const { baseMs = 100, maxMs = 30_000, random, retryAfterMaxMs } = this.opts.backoff ?? {};
    const backoff: BackoffOptions = { baseMs, maxMs, ...(random && { random }), ...(retryAfterMaxMs !== undefined && { retryAfterMaxMs }) };
    const deliveries = new Set<Promise<void>>();
    const busy = new Set<string>();
    let failures = 0;
    let pausedUntil = 0;
    // Refused credentials fail every item alike until the token is renewed: said once, not at every retry.
    let credentialsRefused = false;
    const deliver = async (id: string, body: string): Promise<void> => {
      this.stats.attempts++;
      const outcome = await this.transport.deliver(body, id, this.inFlight.signal, () => !this.spool.expired(id));
      if (this.closed) return;
      if (outcome.kind === 'expired') {
        // expired while it waited to go out: the sweep counts it and takes it away, unsent (the
        // timer's, should one have run just now; meanwhile firstWaiting passes it over)
        await this.sweepIfDue(this.sweepMs);
      } else if (outcome.kind === 'acknowledged') {
        failures = 0;
        credentialsRefused = false;
        this.stats.delivered++;
        await this.spool.acknowledge(id);
        this.armExpiry();
      } else if (outcome.kind === 'rejected') {
        this.stats.rejected++;
        this.opts.onFailure?.(outcome.reason, id, 'rejected');
        await this.spool.discard(id);
        this.armExpiry();
      } else {
        failures++;
        this.stats.retries++;
        if (!outcome.unauthorized) this.opts.onFailure?.(outcome.reason, id, 'retry');
        else {
          this.stats.unauthorized++;
          if (!credentialsRefused) this.opts.onFailure?.(`${outcome.reason}: ${CREDENTIALS_REFUSED}`, id, 'retry');
          credentialsRefused = true;
        }
        pausedUntil = Math.max(pausedUntil, performance.now() + retryPauseMs(failures, backoff, outcome.retryAfterMs));
      }
    };
    while (!this.closed) {
      const wait = pausedUntil - performance.now();
      if (wait > 0) {
        await this.sleep(wait);
        continue;
      }
      const entry = deliveries.size < concurrency ? this.spool.firstWaiting((id) => !busy.has(id)) : undefined;
      if (entry) {
        busy.add(entry.id);
        const task = deliver(entry.id, entry.body)
          .catch((err: unknown) => {
            // The spool could not record the outcome on disk (a full disk, permissions): a spool
            // error, not a failed delivery. The item is settled all the same — acknowledged (or
            // refused for good), it is out of the waiting items and not tried again in this run —
            // and its id is written to disk at the next sweep (DiskSpool.expire). Were the process
            // to end before a sweep could write it, a restart would deliver the item once more
            // from its segment: a duplicate the service knows by its requestId, never a loss.
            if (err instanceof SpoolFileError) this.spoolError(err);
            else this.opts.onFailure?.(err instanceof Error ? err.message : String(err), entry.id, 'retry');
          })
          .finally(() => {
            busy.delete(entry.id);
            deliveries.delete(task);
            this.nudge();
          });
        deliveries.add(task);
        continue;
      }
      // idle: expired items go and waiters for an empty spool are told, the disk retries kept to the interval
      if (deliveries.size === 0) await this.sweepIfDue(this.sweepMs);
      // Woken by a send, a finished delivery, or close.
      await this.sleep(Infinity);
    }
    await Promise.allSettled([...deliveries]);
  }

  /** Tells the pump something changed; remembered if it is not asleep yet. */
  private nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Waits `ms` (only close cuts it short), or with Infinity until the next nudge. */
  private sleep(ms: number): Promise<void> {
    const untilNudged = !Number.isFinite(ms);
    if (this.closed || (untilNudged && this.nudged)) {
      this.nudged = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        if (untilNudged) this.nudged = false;
        resolve();
      };
      const timer = untilNudged ? undefined : setTimeout(done, ms);
      this.wake = untilNudged ? done : () => (this.closed ? done() : undefined);
    });
  }
}

/** How long a spool failure that was told goes untold while it persists (seconds). */
const SPOOL_FAILURE_RETELL_SEC = 60;

/**
 * The spool-error listener. Each distinct failure — its message: the file, what was being done, the
 * system's reason — is told when it first happens, then again at most once a minute (by the spool's
 * clock) while it persists. The sweep retries what failed about once a second: a file that stays
 * undeletable is one line a minute, not one a sweep; and several failures of one sweep (an
 * AggregateError) are told each on its own, so one failing for good hides no other. One failed write
 * that fails several callers — the settles whose ids went in the same append of the acks file, a
 * settle that joined another's queued rewrite of its segment — is one failure, told once. A failure
 * that stops and comes back within the minute is told again once the minute is over.
 */
function tellSpoolFailures(listener: ((err: Error) => void) | undefined, clock: () => number): (err: unknown) => void {
  /** message → when it was last told; a failure untold for a minute (or the clock stepped back) goes */
  const toldAt = new Map<string, number>();
  const tell = (err: unknown): void => {
    if (err instanceof AggregateError) {
      for (const each of err.errors as unknown[]) tell(each);
      return;
    }
    const error = err instanceof Error ? err : new Error(String(err));
    const now = clock();
    for (const [message, at] of toldAt) if (!(now >= at && now - at < SPOOL_FAILURE_RETELL_SEC)) toldAt.delete(message);
    if (toldAt.has(error.message)) return;
    toldAt.set(error.message, now);
    listener?.(error);
  };
  return tell;
}
