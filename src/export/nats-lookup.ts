/**
 * Reads a JetStream stream for the stored copies of lines whose PubAck was lost (nats-exporter.ts
 * findEachStored). Nothing is published on the stream's subjects: each message is asked for with the
 * stream's message-get API (`$JS.API.STREAM.MSG.GET`, the next one on the line's subject from a
 * sequence on: `next_by_subj`, nats-server 2.9+) and answered as an API reply to the client's own
 * inbox. No consumer is made: a consumer's deliveries go out under the stream's subject (`aipref.telemetry`,
 * a headers-only one with an empty body), which a subscriber of `>` (or `_INBOX.>`) receives — and there
 * is nothing to leave behind when the server goes away mid-scan: the scan goes on from the message it
 * was at. The cost: one request per message of the subject read, its body included (a line, a few
 * hundred bytes). The enforcer's NATS user needs `$JS.API.STREAM.MSG.GET.<stream>` for it.
 */
import type { JetStreamManager, MsgRequest } from 'nats';
import { unlessAborted } from './abortable.js';

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
