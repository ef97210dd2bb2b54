/**
 * Reads a JetStream stream for the stored copies of lines whose PubAck was lost (StoredCopyLookup,
 * which nats-exporter.ts owns: its queue, its scans, and whether the stream is still the one the
 * exporter knows). Nothing is published on the stream's subjects: each message is asked for with the
 * stream's message-get API (`$JS.API.STREAM.MSG.GET`, the next one on the line's subject from a
 * sequence on: `next_by_subj`, nats-server 2.9+) and answered as an API reply to the client's own
 * inbox. No consumer is made: a consumer's deliveries go out under the stream's subject (`aipref.telemetry`,
 * a headers-only one with an empty body), which a subscriber of `>` (or `_INBOX.>`) receives — and there
 * is nothing to leave behind when the server goes away mid-scan: the scan goes on from the message it
 * was at. The cost: one request per message of the subject read, its body included (a line, a few
 * hundred bytes). The enforcer's NATS user needs `$JS.API.STREAM.MSG.GET.<stream>` for it.
 */
import { NatsError, type JetStreamManager, type MsgRequest, type StreamInfo } from 'nats';
import { abortableDelay, unlessAborted } from './abortable.js';
import { backoffDelayMs, type BackoffOptions } from './backoff.js';

export interface StoredCopyScan {
  stream: string;
  subject: string;
  /**
   * the next stream sequence to read (≥ 1): moved past each message read, so a scan whose request
   * failed goes on from where it was
   */
  nextSeq: number;
  /** the last one: what the stream held when the lookup began; a message past it is not read */
  toSeq: number;
  /** each message read, its message id and sequence; true once nothing more is looked for (the scan ends) */
  seen: (id: string, seq: number) => boolean;
  /** stops the scan (close) */
  signal: AbortSignal;
}

/**
 * Reads the messages on the subject from `nextSeq` to `toSeq`, handing each to `seen`: true once
 * read to the end (or `seen` asked no more), false once `signal` aborts. Rejects when a request is
 * not answered (jsm's timeout: the server away) or refused; `nextSeq` then says where to go on from.
 */
export async function scanStoredCopies(jsm: JetStreamManager, scan: StoredCopyScan): Promise<boolean> {
  while (scan.nextSeq <= scan.toSeq) {
    // (nats.js 2.29 types streams.getMessage without next_by_subj, which the server's message get takes)
    const query = { seq: scan.nextSeq, next_by_subj: scan.subject } as unknown as MsgRequest;
    let m;
    try {
      m = await unlessAborted(jsm.streams.getMessage(scan.stream, query), scan.signal);
    } catch (err) {
      // none on the subject from `nextSeq` on: read to the end
      if (err instanceof Error && /no message found/i.test(err.message)) break;
      throw err;
    }
    if (m === undefined) return false;
    if (m.seq > scan.toSeq) break;
    scan.nextSeq = Math.max(scan.nextSeq, m.seq) + 1;
    if (scan.seen(m.header.get('Nats-Msg-Id'), m.seq)) break;
  }
  return true;
}

/** The server's words for a stream that is not there (JetStream API error 10059). */
export const STREAM_NOT_FOUND = /stream not found/i;

/**
 * A line that left undelivered, or was acknowledged, after an attempt whose outcome is unknown (a
 * PubAck lost): the stream may hold it (another copy of it).
 */
export interface MaybeStored {
  subject: string;
  id: string;
  expiresAt: number;
  /**
   * the highest stream sequence a PubAck had shown when its first attempt left unanswered was sent:
   * a copy stored by that attempt or a later one has a larger sequence (the stream stores in order)
   */
  floor: number;
  /** `seqEpoch` then: a floor of another epoch (the stream made again since) is no floor */
  epoch: number;
  /**
   * the sequence a PubAck showed at last (noted for expiresAt): what is looked for is the line's other
   * copies, below it; undefined: the line left undelivered, its first copy is looked for
   */
  acked?: number;
}

/**
 * One pass over a subject for the lines waiting on it when it began, kept across failed requests:
 * tried again, it goes on from the message it was at (begun again only for a stream made again).
 */
export interface CopyScan extends StoredCopyScan {
  readonly lines: readonly MaybeStored[];
  /** `lines` by message id */
  readonly byId: Map<string, MaybeStored[]>;
  /** the id of each unacknowledged line found, with the sequence of its first copy */
  readonly found: Map<string, number>;
  /** the other copies of acknowledged lines found (below the sequence their PubAck showed) */
  readonly others: { seq: number; expiresAt: number }[];
  /** `seqEpoch` when it began; -1 before */
  epoch: number;
  /** ids of unacknowledged lines not found yet */
  missing: number;
  /** the highest acknowledged sequence among `lines`: their other copies are below it */
  ackedBelow: number;
}

/** What the lookup needs of the exporter that owns it (NatsJetStreamExporter). */
export interface StoredCopyHost {
  readonly jsm: JetStreamManager;
  readonly streamName: string;
  /** lines waiting to be looked for at most (the exporter's maxInFlight): past it the oldest is dropped */
  readonly maxWaiting: number;
  /** the exporter's `seqSeen`: the highest stream sequence known stored in this epoch (raised by each PubAck) */
  seqSeen(): number;
  /** the exporter's `seqEpoch`: counts the times the stream's sequences may have started again */
  seqEpoch(): number;
  /** the stream's sequences may have started again (the exporter's newSeqEpoch): `lastSeq` what it holds now */
  newSeqEpoch(lastSeq: number): void;
  /** a copy found: deleted at `expiresAt`, at once if past (StreamExpiry.note) */
  note(seq: number, expiresAt: number): void;
  /** the backoff of a scan tried again */
  backoff(): BackoffOptions;
  /** says `reason` through the exporter's onFailure (as a 'retry') */
  say(reason: string, id: string): void;
}

/**
 * The lost-PubAck lookup of a NatsJetStreamExporter: the queue of lines that may be stored (again),
 * the scans that look for their copies, and the check that the stream is still the one the exporter
 * knows (its `created`, its last sequence against what PubAcks showed).
 */
export class StoredCopyLookup {
  /** oldest first, looked for by `findEachStored`, the lines of one subject at a time */
  private readonly maybeStored: MaybeStored[] = [];
  private finding: Promise<void> | undefined;
  /** stops `findStored` at close */
  private readonly closing = new AbortController();

  /**
   * @param streamCreatedMs when the stream the exporter knows was made (ms since the epoch, from the
   *   server): another one is a stream made again
   */
  constructor(
    private readonly host: StoredCopyHost,
    private streamCreatedMs: number,
  ) {}

  /** The queue (oldest first), for the exporter's `maybeStored`. */
  get waiting(): readonly MaybeStored[] {
    return this.maybeStored;
  }

  /** The lookup running, if one is, for the exporter's `finding`. */
  get running(): Promise<void> | undefined {
    return this.finding;
  }

  /** A PubAck went backwards: the new stream's `created` is not known (taken from the next stream info holding what PubAcks showed since). */
  forgetCreated(): void {
    this.streamCreatedMs = NaN;
  }

  /**
   * Whether `info` is of the stream this exporter knows; if not (another `created`, or fewer messages
   * than `seen`, the highest sequence a PubAck had shown before `info` was asked for), a new epoch.
   * A stream whose `created` is not known (a PubAck went backwards) is taken to be the one holding at
   * least `seen` — not covered: one made again twice, the second published past `seen` before it is asked.
   */
  sameStream(info: StreamInfo, seen: number): boolean {
    const created = Date.parse(info.created);
    const same = (created === this.streamCreatedMs || Number.isNaN(this.streamCreatedMs)) && info.state.last_seq >= seen;
    this.streamCreatedMs = created;
    if (!same) this.host.newSeqEpoch(info.state.last_seq);
    return same;
  }

  /**
   * StreamExpiry's check before a sweep deletes (one stream info request): true if the stream is still
   * the one its schedule is of; else a new epoch, the schedule dropped — a shared stream made again by
   * another enforcer and published to past this one's last sequence, which no PubAck of this one shows
   * going backwards. Rejects with the server away (or the stream gone): the sweep is tried again.
   */
  async checkStream(): Promise<boolean> {
    // (read before the request: a PubAck answered meanwhile may be of a message stored after it)
    const seen = this.host.seqSeen();
    const epoch = this.host.seqEpoch();
    const info = await this.host.jsm.streams.info(this.host.streamName);
    // made again meanwhile, and noticed otherwise: the schedule the sweep holds was dropped already
    if (this.host.seqEpoch() !== epoch) return false;
    return this.sameStream(info, seen);
  }

  /**
   * Queues a line that may be stored (again) though its PubAck was lost, to learn its sequence: at
   * most maxInFlight wait (the oldest dropped). (Not once the exporter is closed: its findStored.)
   */
  findStored(line: MaybeStored): void {
    this.maybeStored.push(line);
    if (this.maybeStored.length > this.host.maxWaiting) this.leftToMaxAge(this.maybeStored.shift()!, 'more lines than maxInFlight were waiting to be looked for');
    this.finding ??= this.findEachStored().finally(() => {
      this.finding = undefined;
    });
  }

  /** Stops looking (at the exporter's close); the lookup still running, if one is, to wait for. */
  close(): Promise<void> | undefined {
    this.closing.abort();
    return this.finding;
  }

  /**
   * Looks for the queued lines, one subject at a time: a scan of the stream from the lowest floor
   * among the lines of the oldest one's subject (every line of it waiting then) answers for each of
   * them — a copy found is noted for its line's expiresAt (deleted by StreamExpiry then, at once if
   * past); a line left undelivered and not found is taken as never stored (what that relies on:
   * scanFor), and dropped. A scan whose request fails (the server away) is tried again with backoff
   * from the message it was at, until close; one the server refuses (no permission for the message
   * get) is said, and its lines left to max_age. No give-up past that: the duplicate window no longer
   * bounds the lookup (nothing is published, a copy is found as long as the stream holds it), and one
   * scan reads at most the messages the stream holds on the subject past the floor (one request each;
   * max_age bounds them), for every line waiting on that subject at once; the queue holds maxInFlight
   * lines at most.
   */
  private async findEachStored(): Promise<void> {
    let scan: CopyScan | undefined;
    for (let attempt = 1; !this.closing.signal.aborted; ) {
      if (scan === undefined) {
        if (this.maybeStored.length === 0) return;
        scan = this.newScan(this.maybeStored[0]!.subject);
      }
      let found: Map<string, number> | undefined;
      try {
        found = await this.scanFor(scan.subject, scan.lines, scan);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        // the stream deleted: every copy it held went with it
        if (STREAM_NOT_FOUND.test(message)) {
          found = new Map();
          scan.others.length = 0;
        } else if (lookupRefused(err)) {
          // not tried again (the answer would be the same): said, as a copy kept past its expiresAt must be
          this.host.say(`reading stream ${this.host.streamName} for stored copies on ${scan.subject}: ${message} (refused: ${scan.lines.length} line(s) left to max_age)`, '');
          this.dropLookedFor(scan.lines);
          for (const line of scan.lines) this.leftToMaxAge(line, `the server refused reading stream ${this.host.streamName}`);
          scan = undefined;
          continue;
        } else {
          await abortableDelay(backoffDelayMs(attempt++, this.host.backoff()), this.closing.signal);
          continue;
        }
      }
      if (found === undefined) return;
      attempt = 1;
      // (the queue may have dropped some of them meanwhile, for room, and said so: a copy found is deleted all the same)
      this.dropLookedFor(scan.lines);
      // each deleted at its line's expiresAt, at once if past: by StreamExpiry's sweep, which close bounds
      for (const line of scan.lines) {
        const seq = line.acked === undefined ? found.get(line.id) : undefined;
        if (seq !== undefined) this.host.note(seq, line.expiresAt);
      }
      for (const copy of scan.others) this.host.note(copy.seq, copy.expiresAt);
      scan = undefined;
    }
  }

  /** A scan for every line waiting on `subject` now. */
  private newScan(subject: string): CopyScan {
    const lines = this.maybeStored.filter((l) => l.subject === subject);
    const byId = new Map<string, MaybeStored[]>();
    let ackedBelow = 0;
    for (const line of lines) {
      const same = byId.get(line.id);
      if (same === undefined) byId.set(line.id, [line]);
      else same.push(line);
      if (line.acked !== undefined) ackedBelow = Math.max(ackedBelow, line.acked);
    }
    const scan: CopyScan = {
      stream: this.host.streamName,
      subject,
      nextSeq: 0,
      toSeq: 0,
      seen: (id, seq) => this.seenCopy(scan, id, seq),
      signal: this.closing.signal,
      lines,
      byId,
      found: new Map(),
      others: [],
      epoch: -1,
      missing: 0,
      ackedBelow,
    };
    return scan;
  }

  /**
   * Reads the stream for the copies of `lines` (all on `subject`), going on with `scan` from where it
   * was: the sequence of each unacknowledged line's first copy found, by id (`scan.others`: acknowledged
   * lines' other copies); undefined at close. It publishes nothing: it reads from the lowest floor on,
   * to what the stream held when it began (its last sequence, asked first); tried again, it asks the
   * stream's info again, and begins again only if the stream was made again since.
   *
   * What it relies on: a line is queued once its attempts are over, each of its publishes written to
   * the connection before; the lookup's requests follow on the same connection, and nats.js sends in
   * order — what it buffered while the server was away goes first once connected again, or is thrown
   * away at the new dial and never reaches the server. The server reads a connection in order and has
   * stored a publish (within microseconds, by the stream's own routine) by the time it answers a later
   * request of the same connection: a copy is in the stream before the lookup asks for its end. Not
   * covered (as with the duplicate-publish lookup before): bytes of a connection given up that reach
   * the server only after the lookup (a partition healing late), stored past what the lookup read.
   */
  private async scanFor(subject: string, lines: readonly MaybeStored[], scan: CopyScan): Promise<Map<string, number> | undefined> {
    const info = await unlessAborted(this.host.jsm.streams.info(this.host.streamName), this.closing.signal);
    if (info === undefined) return undefined;
    // another stream of the name (deleted and made again), or one behind what a PubAck showed: sequences started again
    this.sameStream(info, this.host.seqSeen());
    if (scan.epoch !== this.host.seqEpoch()) {
      // (begun, or begun again: what an earlier stream held is gone with it)
      const epoch = this.host.seqEpoch();
      let floor = Number.MAX_SAFE_INTEGER;
      const missing = new Set<string>();
      for (const line of lines) {
        floor = Math.min(floor, line.epoch === epoch ? line.floor : 0);
        if (line.acked === undefined) missing.add(line.id);
      }
      scan.missing = missing.size;
      scan.epoch = epoch;
      scan.found.clear();
      scan.others.length = 0;
      scan.nextSeq = floor + 1;
      scan.toSeq = info.state.last_seq;
    }
    // (a purge may have moved the stream's first sequence past it)
    scan.nextSeq = Math.max(scan.nextSeq, info.state.first_seq, 1);
    if (!(await scanStoredCopies(this.host.jsm, scan))) return undefined;
    // the stream made again while it read (a PubAck going backwards): what it found may be the old
    // stream's numbers, not to be noted in the new one's schedule — read again, from the new one's start
    if (scan.epoch !== this.host.seqEpoch()) return this.scanFor(subject, lines, scan);
    return scan.found;
  }

  /** A message `scan` read: a copy of its lines' when the id is theirs; true once nothing more is looked for. */
  private seenCopy(scan: CopyScan, id: string, seq: number): boolean {
    const lines = scan.byId.get(id);
    if (lines !== undefined)
      for (const line of lines) {
        if (line.acked === undefined) {
          if (scan.found.has(id)) continue;
          scan.found.set(id, seq);
          scan.missing--;
        } else if (seq < line.acked) scan.others.push({ seq, expiresAt: line.expiresAt });
      }
    return scan.missing === 0 && seq >= scan.ackedBelow;
  }

  /** Takes `lines` (looked for) out of the queue, wherever they are: never another line in their place. */
  private dropLookedFor(lines: readonly MaybeStored[]): void {
    const done = new Set(lines);
    let kept = 0;
    for (const line of this.maybeStored) if (!done.has(line)) this.maybeStored[kept++] = line;
    this.maybeStored.length = kept;
  }

  private leftToMaxAge(line: MaybeStored, why: string): void {
    this.host.say(`the stream may keep ${line.id} past its expiresAt, to max_age (its PubAck was lost; ${why})`, line.id);
  }
}

/**
 * The server refused the lookup's request (no permission for the message get, a JetStream API error
 * of the request itself): the same answer each time, unlike a timeout or a server away (5xx).
 */
function lookupRefused(err: unknown): boolean {
  if (!(err instanceof NatsError)) return false;
  if (err.isPermissionError()) return true;
  const api = err.jsError();
  return api !== null && api.code >= 400 && api.code < 500;
}
