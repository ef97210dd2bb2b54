/**
 * Deletes each message this enforcer stored in the JetStream stream at its own expiresAt
 * (SPEC §3: retention is how long telemetry may be kept, by the enforcer and downstream; §4: the
 * enforcer keeps nothing past it). The stream's max_age is one figure for every message, so a
 * line of a 1 s retention stayed for the whole max_age (7 days by default). NATS 2.11's
 * per-message TTL would do this in the server, but servers before it (Debian has 2.9) do not
 * have it: the exporter notes each PubAck's sequence with the line's expiresAt and deletes the
 * message by sequence when that time comes. Every line is noted, even one max_age should remove
 * first: the stream's max_age is the last opener's (another enforcer's may be longer), and a
 * delete of a message max_age took first is only a "no message found".
 *
 * Kept small: consecutive sequences due in the same tenth of a second make one run, so a steady
 * feed of one retention holds a run per tenth of a second of its retention, not a note per line.
 * What is noted lives in this process: after a restart, messages stored before it are left to
 * max_age (README). What is noted is of one stream: one made again (sequences from 1 again) has
 * the schedule dropped (forgetAll), or its messages of the same numbers would be deleted. The
 * exporter notices it by its own PubAcks and lookups, which a shared stream made again by another
 * enforcer (and published to past this one's last sequence) may never show: each sweep with
 * deletes due asks first (`check`, one request per sweep, not per delete).
 */
import type { JetStreamManager } from 'nats';
import { MAX_TIMER_MS } from './abortable.js';

interface Run {
  /** when its messages are past retention, in tenths of a second since the epoch */
  due: number;
  first: number;
  last: number;
}

/** A delete that failed is tried again this much later (tenths of a second). */
const RETRY_TENTHS = 10;

/** Deletes at most this many messages at once (each is one API request). */
const CONCURRENT_DELETES = 32;

export class StreamExpiry {
  /** min-heap by due */
  private readonly heap: Run[] = [];
  /** the run the last note went to: the next sequence usually extends it */
  private tail: Run | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerDue = Infinity;
  private sweeping: Promise<void> | undefined;
  private stopped = false;
  /** counts forgetAll: a sweep or a failed delete of an earlier count is of a stream gone since */
  private generation = 0;
  /** messages deleted, and delete attempts that failed (each tried again) */
  readonly stats = { deleted: 0, failed: 0 };

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    /**
     * the max_age this enforcer gave the stream; not relied on to remove a line (the stream is
     * shared: another enforcer's open may have raised it), kept in the signature its callers use
     */
    _maxAgeSec: number,
    private readonly clock: () => number,
    private readonly onFailure: (reason: string) => void,
    /**
     * asked before a sweep deletes: true if the stream is still the one noted in; false if it was made
     * again, the schedule dropped already (forgetAll, by the caller); a rejection (the server away):
     * the sweep's deletes are tried again a second on. None: the stream is taken as the same.
     */
    private readonly check: () => Promise<boolean> = () => Promise.resolve(true),
  ) {}

  /**
   * The stream stored `line` as `seq` (a PubAck, or a copy the lookup found); `expiresAt` in seconds
   * since the epoch (one already past: deleted at the next sweep, at once).
   */
  note(seq: number, expiresAt: number): void {
    if (this.stopped) return;
    const due = Math.ceil(expiresAt * 10);
    const tail = this.tail;
    if (tail !== undefined && tail.due === due && tail.last + 1 === seq) {
      tail.last = seq;
      return;
    }
    const run = { due, first: seq, last: seq };
    this.push(run);
    this.tail = run;
    this.schedule();
  }

  /**
   * The stream was made again (deleted, or emptied with its sequences started at 1 again): what is
   * noted is of the old one, whose messages went with it, while the same numbers now name the new
   * one's messages (another enforcer's, or this one's newer lines). Nothing noted before this call is
   * deleted after it: not what is due later, not the rest of a sweep under way, not a failed delete's
   * retry. A delete request already sent (at most CONCURRENT_DELETES) cannot be recalled: reaching the
   * server after the new stream was made, it removes that stream's message of the number.
   */
  forgetAll(): void {
    this.generation++;
    this.heap.length = 0;
    this.tail = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerDue = Infinity;
  }

  /** Stops deleting (what is not yet due stays to max_age); waits for deletes under way. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  private schedule(): void {
    const next = this.heap[0];
    if (next === undefined || this.stopped || this.sweeping !== undefined) return;
    if (next.due >= this.timerDue && this.timer !== undefined) return;
    clearTimeout(this.timer);
    this.timerDue = next.due;
    // a timer waits 2^31 - 1 ms at most (Node fires a longer one at once): a far due wakes early and re-arms
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.timerDue = Infinity;
      this.sweeping = this.sweep().finally(() => {
        this.sweeping = undefined;
        this.schedule();
      });
    }, Math.min(MAX_TIMER_MS, Math.max(0, next.due * 100 - this.clock() * 1000)));
    // nothing to keep the process up for: at a stop what is not due is left to max_age
    this.timer.unref();
  }

  private async sweep(): Promise<void> {
    const now = this.clock() * 10;
    const runs: Run[] = [];
    while (this.heap.length > 0 && this.heap[0]!.due <= now && !this.stopped) {
      const run = this.pop()!;
      if (run === this.tail) this.tail = undefined;
      runs.push(run);
    }
    if (runs.length === 0) return;
    const generation = this.generation;
    // the stream made again unnoticed (another enforcer's, published past this one's last sequence):
    // its messages of these numbers are not this one's — nothing deleted (the caller forgot the schedule)
    let same: boolean;
    try {
      same = await this.check();
    } catch (err) {
      if (!this.stopped && this.generation === generation) {
        const due = Math.ceil(this.clock() * 10) + RETRY_TENTHS;
        for (const run of runs) this.push({ due, first: run.first, last: run.last });
        this.schedule();
      }
      this.onFailure(`deleting expired messages from stream ${this.stream}: checking it was not made again: ${err instanceof Error ? err.message : String(err)} (tried again)`);
      return;
    }
    if (!same || this.generation !== generation) return;
    const seqs: number[] = [];
    for (const run of runs) for (let seq = run.first; seq <= run.last; seq++) seqs.push(seq);
    let failure: string | undefined;
    let next = 0;
    const worker = async (): Promise<void> => {
      // (forgetAll meanwhile: the rest are of a stream gone)
      while (next < seqs.length && this.generation === generation) {
        const failed = await this.deleteOne(seqs[next++]!, generation);
        failure ??= failed;
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENT_DELETES, seqs.length) }, worker));
    if (failure !== undefined) this.onFailure(`deleting expired messages from stream ${this.stream}: ${failure} (tried again)`);
  }

  /**
   * Deletes `seq` (noted in `generation`); what failed is pushed to be tried again unless forgetAll
   * came meanwhile, and said (undefined: done).
   */
  private async deleteOne(seq: number, generation: number): Promise<string | undefined> {
    try {
      await this.jsm.streams.deleteMessage(this.stream, seq, false);
      this.stats.deleted++;
      return undefined;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      // gone already: max_age, a purge, or another enforcer's copy of the same line
      if (/no message found/i.test(message)) return undefined;
      this.stats.failed++;
      // the server away: tried again a second on
      if (!this.stopped && this.generation === generation) {
        this.push({ due: Math.ceil(this.clock() * 10) + RETRY_TENTHS, first: seq, last: seq });
        this.schedule();
      }
      return message;
    }
  }

  private push(run: Run): void {
    const heap = this.heap;
    let i = heap.push(run) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent]!.due <= run.due) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = run;
  }

  private pop(): Run | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (top === undefined || last === undefined || heap.length === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && heap[r]!.due < heap[l]!.due ? r : l;
      if (heap[child]!.due >= last.due) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = last;
    return top;
  }
}
