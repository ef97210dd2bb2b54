/**
 * Exports to NATS JetStream, for several enforcers feeding shared consumers (SPEC §7). Each
 * line kind has its subject (`<prefix>.telemetry`, `.aggregate`, `.report`); the message id
 * is the line's requestId, so the stream's duplicate window drops a redelivery (a retry after
 * a lost PubAck, or two enforcers replaying the same capture). The stream's max_age is the
 * longest retention the operator configured: nothing outlives every preference in the stream;
 * each message is deleted at its own expiresAt before that (nats-expiry.ts), and carries it
 * in `Aipref-Expires-At` for consumers. An item already
 * past its expiresAt is not published at all. There is no spool: what is still unacknowledged
 * when close's grace runs out is given up, and counted (`stats.givenUp`); while the server is
 * away, at most `maxInFlight` lines wait in memory, the oldest given up first (`stats.overflowed`).
 * A line whose PubAck was lost may be stored all the same: when it expires (or is given up for
 * room) undelivered, its stored copy is looked for by its message id, reading the stream (nothing
 * is published for it: nats-lookup.ts), and deleted at expiresAt; one acknowledged after such an
 * attempt has its other copies looked for (a retry past the duplicate window is stored again).
 * A server back without the stream (an empty store, the stream deleted) gets it made again.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { isIP, type Socket } from 'node:net';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { connect, ErrorCode, headers, NatsError, nanos, type ConnectionOptions, type JetStreamClient, type JetStreamManager, type NatsConnection, type StreamConfig, type StreamInfo } from 'nats';
import { abortableDelay, unlessAborted } from './abortable.js';
import { backoffDelayMs, type BackoffOptions } from './backoff.js';
import { StreamExpiry } from './nats-expiry.js';
import { STREAM_NOT_FOUND, StoredCopyLookup, type MaybeStored } from './nats-lookup.js';
import { ExporterClosedError, ExportOverflowError, exportLineExpiresAt, exportLineId, exportLineKind, type ExportFailureListener, type ExportLine, type Exporter, type ExportLineKind } from './exporter.js';
import { urlForDisplay } from '../sources/url-for-display.js';

export interface NatsExporterOptions {
  /**
   * e.g. "nats://127.0.0.1:4222"; a `user:pass@` (or `token@`) in it is taken as the credentials
   * (one set for every server); any server written `tls://` makes TLS required for all
   */
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
  /**
   * lines waiting for their PubAck (or retrying) at most, the server away; past it the oldest is
   * given up (its send rejects with ExportOverflowError, onFailure says 'overflow'); default 100 000
   */
  maxInFlight?: number;
  backoff?: Partial<BackoffOptions>;
  /** seconds since the epoch, for expiry */
  clock?: () => number;
  /**
   * passed to nats.connect (credentials, TLS, reconnect timing); its `tls` (a CA, a client
   * certificate, handshakeFirst) is added to, not put in place of, the check of each server's
   * certificate against the host dialled, an IP address included — only a `checkServerIdentity`
   * of the caller's own replaces that check
   */
  connection?: Partial<ConnectionOptions>;
  onFailure?: ExportFailureListener;
}

export interface NatsExporterStats {
  published: number;
  /** PubAcks saying the stream already had the message id */
  duplicates: number;
  expired: number;
  retries: number;
  /** lines still unacknowledged when close's grace ran out: given up, not known to be in the stream */
  givenUp: number;
  /** lines given up while waiting, to keep at most maxInFlight in memory */
  overflowed: number;
  /** stored messages deleted at their expiresAt */
  deletedExpired: number;
}

/** How long close waits for the connection to drain before it closes it (the server may be away). */
const DRAIN_MS = 2000;

const encoder = new TextEncoder();

export class NatsJetStreamExporter implements Exporter {
  private readonly statsNow: Omit<NatsExporterStats, 'deletedExpired'> = { published: 0, duplicates: 0, expired: 0, retries: 0, givenUp: 0, overflowed: 0 };
  /** each waiting publish, oldest first, with what stops it (close's grace over, or room made for a newer line) */
  private readonly inFlight = new Map<Promise<void>, AbortController>();
  private closed = false;
  private closeDone: Promise<void> | undefined;
  /** the lost-PubAck lookup: its queue, its scans, and whether the stream is still the one known */
  private readonly lookup: StoredCopyLookup;
  /** the stream was made again since the last PubAck: not again until a line is acknowledged (once per outage) */
  private streamRemade = false;
  private remaking: Promise<boolean> | undefined;
  /**
   * the highest stream sequence known stored, in this epoch (the stream's last at open, or when it was
   * seen made again; raised by each PubAck): the floor of a line's lookup
   */
  private seqSeen: number;
  /** counts the times the stream's sequences may have started again (the stream made again): floors of an earlier epoch are 0 */
  private seqEpoch = 0;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly opts: NatsExporterOptions,
    readonly streamName: string,
    private readonly expiry: StreamExpiry,
    private readonly dials: DialWatch,
    stream: StreamInfo,
  ) {
    // a line first sent from now on is stored past what the stream holds now
    this.seqSeen = stream.state.last_seq;
    this.lookup = new StoredCopyLookup(
      {
        jsm,
        streamName,
        maxWaiting: opts.maxInFlight ?? 100_000,
        seqSeen: () => this.seqSeen,
        seqEpoch: () => this.seqEpoch,
        newSeqEpoch: (lastSeq) => this.newSeqEpoch(lastSeq),
        note: (seq, expiresAt) => this.expiry.note(seq, expiresAt),
        backoff: () => this.backoffOptions(),
        say: (reason, id) => this.opts.onFailure?.(reason, id, 'retry'),
      },
      Date.parse(stream.created),
    );
  }

  get stats(): Readonly<NatsExporterStats> {
    return { ...this.statsNow, deletedExpired: this.expiry.stats.deleted };
  }

  static async open(opts: NatsExporterOptions): Promise<NatsJetStreamExporter> {
    // nats.js ignores a URL's userinfo: it is taken out of the URL into the connection's credentials
    // (each trimmed first, as the client trims it: ` tls://u:p@h` is a tls:// server, its userinfo `u:p`)
    const servers = [opts.servers].flat().map((s) => splitUserinfo(s.trim()));
    const credentials = servers.find((s) => s.credentials !== undefined)?.credentials;
    // nats.js drops a URL's scheme and encrypts only when asked (`tls`) or offered: a tls:// server
    // means TLS required — for every server (the client holds one TLS setting, as nats.go sets Secure
    // for its whole pool), so a server offering none is refused (ServerOptionNotAvailable) before any
    // CONNECT, never sent the credentials in clear
    const tlsRequired = servers.some((s) => TLS_SCHEME.test(s.server));
    // the caller's own tls (any object: nats.js then requires TLS too) keeps the address check, merged
    // in unless it brings a checkServerIdentity of its own
    const callerTls = opts.connection?.tls as (NonNullable<ConnectionOptions['tls']> & { checkServerIdentity?: unknown }) | null | undefined;
    const tls = tlsRequired || callerTls ? ({ ...callerTls, checkServerIdentity: callerTls?.checkServerIdentity ?? dialledServerIdentity } as NonNullable<ConnectionOptions['tls']>) : undefined;
    let nc: NatsConnection;
    try {
      nc = await connect({
        servers: servers.map((s) => s.server),
        maxReconnectAttempts: -1,
        ...credentials,
        ...opts.connection,
        // (nats.js hands its tls options to tls.connect whole: checkServerIdentity is Node's, not in its type)
        ...(tls !== undefined && { tls }),
      });
    } catch (err) {
      // whatever asked for TLS, the same one line (nats.js says only `tls`; `noEcho` is the same code)
      if (tls !== undefined && err instanceof NatsError && err.code === ErrorCode.ServerOptionNotAvailable && err.message === 'tls')
        throw new Error(`${servers.length > 1 ? 'a server' : 'the server'} offers no TLS, which ${tlsRequired ? 'tls://' : "the connection's tls option"} requires (no credentials sent)`, { cause: err });
      throw err;
    }
    const dials = watchDials(nc);
    try {
      const streamName = opts.stream ?? 'AIPREF';
      const jsm = await nc.jetstreamManager({ timeout: opts.timeoutMs ?? 5000 });
      const info = await ensureStream(jsm, streamName, opts);
      const clock = opts.clock ?? wallClock;
      // (asked only at a sweep, from a timer: the exporter is made by then)
      let exporter: NatsJetStreamExporter | undefined;
      const check = (): Promise<boolean> => exporter!.lookup.checkStream();
      const expiry = new StreamExpiry(jsm, streamName, Math.max(1, opts.maxRetentionSec), clock, (reason) => opts.onFailure?.(reason, '', 'retry'), check);
      exporter = new NatsJetStreamExporter(nc, nc.jetstream(), jsm, opts, streamName, expiry, dials, info);
      return exporter;
    } catch (err) {
      await nc.close();
      endPendingDial(nc, dials);
      throw err;
    }
  }

  subjectOf(kind: ExportLineKind): string {
    return `${this.opts.subjectPrefix ?? 'aipref'}.${kind}`;
  }

  /**
   * Publishes and resolves on the stream's PubAck; failures (server away, PubAck timeout) are
   * retried with backoff until acknowledged, expired, or the exporter is closed (then it rejects
   * with ExporterClosedError, counted in `stats.givenUp`).
   */
  send(line: ExportLine): Promise<void> {
    if (this.closed) return Promise.reject(new ExporterClosedError('NatsJetStreamExporter'));
    const stop = new AbortController();
    const task = this.publish(line, stop.signal);
    this.inFlight.set(task, stop);
    const settle = (): void => {
      this.inFlight.delete(task);
    };
    task.then(settle, settle);
    if (this.inFlight.size > (this.opts.maxInFlight ?? 100_000)) {
      // the oldest waiting line goes: it stops at its next step (a PubAck wait, a backoff sleep)
      const [oldest, room] = this.inFlight.entries().next().value!;
      this.inFlight.delete(oldest);
      room.abort();
    }
    return task;
  }

  /** What waits for a PubAck or a retry, for the queue-depth metric. */
  get pending(): number {
    return this.inFlight.size;
  }

  /** `stop`: aborted to give the line up (closed: close's grace is over; else: room made for newer lines) */
  private async publish(line: ExportLine, stop: AbortSignal): Promise<void> {
    const id = exportLineId(line);
    const expiresAt = exportLineExpiresAt(line);
    const clock = this.opts.clock ?? wallClock;
    const h = headers();
    if (expiresAt !== null) h.set('Aipref-Expires-At', String(expiresAt));
    const data = encoder.encode(JSON.stringify(line));
    const subject = this.subjectOf(exportLineKind(line));
    // set once an attempt may have stored the line without its PubAck coming back: that attempt's floor
    let floor = -1;
    let epoch = 0;
    const leaveUndelivered = (): void => {
      if (floor >= 0 && expiresAt !== null) this.findStored({ subject, id, expiresAt, floor, epoch });
    };
    for (let attempt = 1; ; attempt++) {
      if (expiresAt !== null && expiresAt <= clock()) {
        this.statsNow.expired++;
        this.opts.onFailure?.('expired before the stream acknowledged it', id, 'expired');
        leaveUndelivered();
        return;
      }
      if (stop.aborted) break;
      // (read before the send: a PubAck answered meanwhile may be of a message stored after it)
      const floorAtSend = this.seqSeen;
      const epochAtSend = this.seqEpoch;
      /** this attempt's outcome is unknown: the line's floor is the first such attempt's */
      const unsure = (): void => {
        if (floor >= 0) return;
        floor = floorAtSend;
        epoch = epochAtSend;
      };
      try {
        // not waited for past close's grace, nor once given up: a PubAck wait with the server away takes the whole timeout
        const ack = await unlessAborted(this.js.publish(subject, data, { msgID: id, headers: h, timeout: this.opts.timeoutMs ?? 5000 }), stop);
        if (ack === undefined) {
          unsure();
          break;
        }
        this.streamRemade = false;
        // a fresh message below one acknowledged before: the stream started its sequences again (its
        // `created` not known: taken from the next stream info holding what PubAcks showed since)
        if (!ack.duplicate && ack.seq < this.seqSeen) {
          this.lookup.forgetCreated();
          this.newSeqEpoch(0);
        }
        if (ack.seq > this.seqSeen) this.seqSeen = ack.seq;
        if (ack.duplicate) this.statsNow.duplicates++;
        else this.statsNow.published++;
        if (expiresAt !== null) {
          // a duplicate's sequence is the stored copy's: its line is the same, so is its expiresAt
          this.expiry.note(ack.seq, expiresAt);
          // an attempt before whose PubAck was lost may have stored another copy: one outside the
          // duplicate window of the first (PubAcks lost longer than it) is acknowledged as a new message
          if (floor >= 0) this.findStored({ subject, id, expiresAt, floor, epoch, acked: ack.seq });
        }
        return;
      } catch (err) {
        if (!refusedUnstored(err)) unsure();
        if (stop.aborted) break;
        this.statsNow.retries++;
        this.opts.onFailure?.(err instanceof Error ? err.message : String(err), id, 'retry');
        // a server back without the stream (an empty store, the stream deleted) answers no publish;
        // once it is made again, the lines that waited for it go at once, in the order they came
        if (streamMissing(err) && (await unlessAborted(this.remakeStream(), stop)) === true) continue;
        const delay = backoffDelayMs(attempt, this.backoffOptions());
        await abortableDelay(delay, stop);
      }
    }
    leaveUndelivered();
    if (!this.closed) {
      const overflow = new ExportOverflowError('NatsJetStreamExporter', this.opts.maxInFlight ?? 100_000);
      this.statsNow.overflowed++;
      this.opts.onFailure?.(overflow.message, id, 'overflow');
      throw overflow;
    }
    this.statsNow.givenUp++;
    throw new ExporterClosedError('NatsJetStreamExporter');
  }

  private backoffOptions(): BackoffOptions {
    return { baseMs: this.opts.backoff?.baseMs ?? 100, maxMs: this.opts.backoff?.maxMs ?? 10_000, ...(this.opts.backoff?.random && { random: this.opts.backoff.random }) };
  }

  /**
   * Makes the stream again, once per outage (until a line is acknowledged); lines failing meanwhile
   * wait for the same attempt. True: made by this attempt.
   */
  private remakeStream(): Promise<boolean> {
    if (this.streamRemade) return Promise.resolve(false);
    this.remaking ??= ensureStream(this.jsm, this.streamName, this.opts)
      .then(
        (info) => {
          // its sequences start again: what a PubAck showed before is no floor, and no delete is due
          // in it — unless the stream was there all along (a server answering before its JetStream was
          // ready: the same `created`), whose schedule still holds
          this.lookup.sameStream(info, this.seqSeen);
          return (this.streamRemade = true);
        },
        (err: unknown) => {
          this.opts.onFailure?.(`making stream ${this.streamName} again: ${err instanceof Error ? err.message : String(err)}`, '', 'retry');
          return false;
        },
      )
      .finally(() => {
        this.remaking = undefined;
      });
    return this.remaking;
  }

  /**
   * The stream's sequences may have started again: floors noted so far are of no use (0 instead);
   * `lastSeq`: what the stream is known to hold now (0 if not known), the floor of lines sent from now on.
   * The deletes scheduled so far are dropped: their numbers are the old stream's, whose messages went
   * with it, and name the new one's (another enforcer's, this one's newer lines) — a delete already sent
   * cannot be recalled (StreamExpiry.forgetAll). Not at open: the schedule is empty then.
   */
  private newSeqEpoch(lastSeq: number): void {
    this.seqEpoch++;
    this.seqSeen = lastSeq;
    this.expiry.forgetAll();
  }

  /**
   * Queues a line that may be stored (again) though its PubAck was lost, for the lookup; not once closed.
   */
  private findStored(line: MaybeStored): void {
    if (this.closed) return;
    this.lookup.findStored(line);
  }

  /** Resolves once every line sent so far is acknowledged by the stream (or expired). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.inFlight.keys()]);
  }

  /**
   * Waits for what is in flight for up to `graceMs`, then gives up on it (`stats.givenUp` says
   * how many) and drains the connection for up to 2 s more: it settles within about
   * graceMs + 2 s, whether the server is there or not.
   */
  close(graceMs = 5000): Promise<void> {
    this.closeDone ??= this.closeNow(graceMs);
    return this.closeDone;
  }

  private async closeNow(graceMs: number): Promise<void> {
    await within(Promise.allSettled([...this.inFlight.keys()]), graceMs);
    this.closed = true;
    for (const stop of this.inFlight.values()) stop.abort();
    // prompt now: each publish gives up at its next step, PubAck waits and backoff sleeps included
    await Promise.allSettled([...this.inFlight.keys()]);
    // lines whose PubAck was lost are not looked for any more: like a note not due yet, left to max_age
    const finding = this.lookup.close();
    // (prompt: its requests and backoff stop at once, and it deletes nothing itself; bounded all the same)
    if (finding !== undefined) await within(finding, graceMs);
    // what is not due yet stays to max_age (nothing here outlives the process)
    await within(this.expiry.close(), graceMs);
    // drain sends what the client still buffers; with the server away it may wait for a reconnect
    const drained = this.nc.drain().then(
      () => true,
      () => false,
    );
    await within(drained, DRAIN_MS);
    // a drain while disconnected resolves without closing (nats.js swallows its error): closed here,
    // or the client goes on dialling every server of the list and the process never ends
    if (!this.nc.isClosed()) await this.nc.close().catch(() => undefined);
    endPendingDial(this.nc, this.dials);
  }
}

/**
 * Ends what the closed connection's dials left going: nats.js's close leaves alone a transport that
 * has not connected yet, so a reconnect's socket holds the process — one to a server that accepts
 * and never answers (a frozen server, a proxy holding the connection) waiting for an INFO that never
 * comes (the transport's socket: the client's own fields), and one still in the TCP handshake (a
 * full accept queue, SYNs dropped: the kernel retries for minutes), which only the dial's closure
 * holds. Every socket `watchDials` saw made and still kept is destroyed: a dial given up whose
 * socket connected after all (its transport no longer the connection's, nats.js has moved on, yet
 * open on its own once the server's INFO came) as much as one still connecting — none is of use
 * once the connection is closed (its own transport's socket is closed by then).
 */
function endPendingDial(nc: NatsConnection, dials: DialWatch): void {
  const transport = (nc as unknown as { protocol?: { transport?: { connected?: boolean; socket?: { destroy(): void } } } }).protocol?.transport;
  if (transport !== undefined && transport.connected !== true) transport.socket?.destroy();
  dials.closed = true;
  for (const socket of dials.sockets) socket.destroy();
  dials.sockets.clear();
}

/** The sockets of the connection's dials, as `watchDials` saw them made. */
interface DialWatch {
  /**
   * each kept until its dial is given up (then destroyed) or it is seen closed at a later dial:
   * nats.js removes every listener of a dial's socket once connected, a 'close' listener too
   */
  readonly sockets: Set<Socket>;
  /** the connection is closed: the socket of a dial made after is destroyed at once */
  closed: boolean;
}

/**
 * Watches the connection's dials for the socket each makes: nats.js has no option or hook giving
 * it, and keeps a socket still connecting in its dial's closure only. Each dial of the client
 * (`protocol.dial`, wrapped on this connection alone) makes its plain socket with net.createConnection
 * before its first await, and Node announces it on the `net.client.socket` diagnostics channel:
 * listened to for that synchronous part of the dial only, so the socket is this dial's. A dial
 * nats.js gives up (its `timeout` over, the server's answer failing) settles rejected, and leaves
 * its socket as it is — still in the TCP handshake through an outage that drops SYNs, connecting
 * later on its own once the server is back, and staying open: its socket is destroyed then. Once
 * per dial, never per line. Failing safe: a client without these fields (another nats.js) is left
 * as it is, and a dial making its socket later (handshakeFirst's tls.connect) is not seen — then
 * close ends what it ended before.
 */
function watchDials(nc: NatsConnection): DialWatch {
  const watch: DialWatch = { sockets: new Set(), closed: false };
  const protocol = (nc as unknown as { protocol?: { dial?: unknown } }).protocol;
  const dial = protocol?.dial;
  if (protocol === undefined || typeof dial !== 'function') return watch;
  let made: Socket[] = [];
  const seen = (message: unknown): void => {
    made.push((message as { socket: Socket }).socket);
  };
  protocol.dial = function (this: unknown, ...args: unknown[]): unknown {
    // (those of earlier dials closed since: the live connection's once it went, a refused dial's)
    for (const socket of watch.sockets) if (socket.destroyed) watch.sockets.delete(socket);
    made = [];
    subscribe('net.client.socket', seen);
    let dialling: unknown;
    try {
      dialling = dial.apply(this, args);
    } finally {
      unsubscribe('net.client.socket', seen);
    }
    const sockets = made;
    if (sockets.length === 0) return dialling;
    // (a dial after close, of a client still looping: of no use either)
    if (watch.closed) for (const socket of sockets) socket.destroy();
    else for (const socket of sockets) watch.sockets.add(socket);
    if (dialling instanceof Promise)
      dialling.catch(() => {
        for (const socket of sockets) {
          socket.destroy();
          watch.sockets.delete(socket);
        }
      });
    return dialling;
  };
  return watch;
}

const wallClock = (): number => Date.now() / 1000;

/** Creates the stream, or brings an existing one's subjects and max_age in line with the options; its info after. */
async function ensureStream(jsm: JetStreamManager, name: string, opts: NatsExporterOptions): Promise<StreamInfo> {
  const prefix = opts.subjectPrefix ?? 'aipref';
  const maxAgeMs = Math.max(1, opts.maxRetentionSec) * 1000;
  const duplicateWindowMs = duplicateWindowMsOf(opts);
  const config: Partial<StreamConfig> = {
    name,
    subjects: [`${prefix}.telemetry`, `${prefix}.aggregate`, `${prefix}.report`],
    max_age: nanos(maxAgeMs),
    duplicate_window: nanos(duplicateWindowMs),
  };
  const existing = await jsm.streams.info(name).catch((err: unknown) => {
    if (err instanceof Error && STREAM_NOT_FOUND.test(err.message)) return undefined;
    throw err;
  });
  if (existing === undefined) return jsm.streams.add(config);
  return jsm.streams.update(name, { ...existing.config, ...config });
}

function duplicateWindowMsOf(opts: NatsExporterOptions): number {
  return Math.min(Math.max(1, opts.maxRetentionSec) * 1000, (opts.duplicateWindowSec ?? 600) * 1000);
}

/** The server answered that it did not store the message (no stream for the subject, or a JetStream refusal). */
function refusedUnstored(err: unknown): boolean {
  return err instanceof NatsError && (err.code === ErrorCode.NoResponders || err.isJetStreamError());
}

function streamMissing(err: unknown): boolean {
  return err instanceof NatsError && (err.code === ErrorCode.NoResponders || STREAM_NOT_FOUND.test(err.message));
}

/** A server written `tls://…` (any case): TLS required. */
const TLS_SCHEME = /^tls:\/\//i;

/** What Node's tls.connect calls checkServerIdentity on: its options, with what nats.js gave it. */
interface TlsConnectOptions {
  /** nats.js's TLS name: the name a server was written (or resolved) by; '' for a server written as an IP address */
  servername?: string;
  /** the connected plain socket TLS starts on (nats.js's STARTTLS-like upgrade) */
  socket?: { remoteAddress?: string };
  /** the address dialled, when TLS is the first thing on the connection (nats.js's handshakeFirst) */
  host?: string;
}

/**
 * The certificate check of each connection, against the server being connected. nats.js gives a
 * server written by name that name (checked as Node checks it), and one written as an IP address
 * no TLS name, so Node would check its certificate against 'localhost': any trusted certificate for
 * localhost passed for every IP address, and one for the address itself was refused. Such a
 * certificate is checked against the address actually dialled instead — the one written, as the
 * client read it (`127.1` is 127.0.0.1) — and that of this connection, whatever else the list
 * names. With no address to check against, it is refused, never checked against 'localhost'.
 * (Node calls it as a method of the connection's options: `this` is them.)
 */
function dialledServerIdentity(this: TlsConnectOptions | undefined, hostname: string, cert: PeerCertificate): Error | undefined {
  if (this?.servername) return checkServerIdentity(hostname, cert);
  // no TLS name: Node's `hostname` is 'localhost' for an IP address (or the name it looked up, the
  // client asked not to resolve names: checked against the address all the same, failing closed)
  const address = this?.socket?.remoteAddress ?? this?.host;
  if (address === undefined || isIP(address) === 0) return new Error(`cannot tell which address the server was dialled at, to check its certificate (${hostname})`);
  return checkServerIdentity(address, cert);
}

/** A server entry's `scheme://` as written (any scheme, any case: `TLS://`, `wss://`); '' for a bare `host:port`. */
export function schemeOf(server: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.exec(server)?.[0] ?? '';
}

/** A server's host as written (`tls://[::1]:4222` → `::1`; scheme-less `h:4222` → `h`); '' if it has none. */
export function natsServerHost(server: string): string {
  try {
    const host = new URL(schemeOf(server) !== '' ? server : `nats://${server}`).hostname;
    return host.startsWith('[') ? host.slice(1, -1) : host;
  } catch {
    return '';
  }
}

/** `user:pass@` or `token@` taken out of a server URL, for the connection options (nats.js ignores userinfo). */
export function splitUserinfo(server: string): { server: string; credentials?: Pick<ConnectionOptions, 'user' | 'pass' | 'token'> } {
  const scheme = schemeOf(server);
  const at = server.lastIndexOf('@');
  if (at < scheme.length) return { server };
  const userinfo = server.slice(scheme.length, at);
  const bare = scheme + server.slice(at + 1);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return { server: bare, credentials: { token: decodeUserinfo(userinfo) } };
  return { server: bare, credentials: { user: decodeUserinfo(userinfo.slice(0, colon)), pass: decodeUserinfo(userinfo.slice(colon + 1)) } };
}

function decodeUserinfo(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * The servers as they may be printed: each without the credentials its URL may carry (taken out as
 * the connection takes them out), then as urlForDisplay shows a URL (a query's values, a fragment: `…`).
 */
export function natsServersForDisplay(servers: string | string[]): string {
  return [servers]
    .flat()
    .map((s) => urlForDisplay(splitUserinfo(s).server))
    .join(',');
}

/** `task`'s value, or undefined when it takes longer than `ms` (its timer is cleared either way). */
function within<T>(task: Promise<T>, ms: number): Promise<T | undefined> {
  const expired = new AbortController();
  const timer = setTimeout(() => expired.abort(), ms);
  return unlessAborted(task, expired.signal).finally(() => clearTimeout(timer));
}

