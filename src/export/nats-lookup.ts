/**
 * Reads a JetStream stream for the stored copies of lines whose PubAck was lost (nats-exporter.ts
 * findEachStored). Nothing is published on the stream's subjects: each message is asked for with the
 * stream's message-get API (`$JS.API.STREAM.MSG.GET`, the next one on the line's subject from a
 * sequence on: `next_by_subj`, nats-server 2.9+) and answered as an API reply to the client's own
 * inbox. No consumer is made: a consumer's deliveries go out under the stream's subject (`aipref.telemetry`,
 * a headers-only one with an empty body), which a subscriber of `>` (or `_INBOX.>`) receives — and there
 * is nothing to leave behind when the server goes away mid-scan. The cost: one request per message of
 * the subject read, its body included (a line, a few hundred bytes).
 */
import type { JetStreamManager, MsgRequest } from 'nats';
import { unlessAborted } from './abortable.js';

export interface StoredCopyScan {
  stream: string;
  subject: string;
  /** the first stream sequence read (≥ 1) */
  fromSeq: number;
  /** the last one: what the stream held when the lookup began; a message past it is not read */
  toSeq: number;
  /** the message ids looked for */
  ids: ReadonlySet<string>;
  /** stops the scan (close) */
  signal: AbortSignal;
}

/**
 * Each id found between fromSeq and toSeq on the subject, with the sequence of its first stored copy;
 * undefined once `signal` aborts. Rejects when a request is not answered (jsm's timeout: the server
 * away) or refused: the caller tries again later, from the start.
 */
export async function scanStoredCopies(jsm: JetStreamManager, scan: StoredCopyScan): Promise<Map<string, number> | undefined> {
  const found = new Map<string, number>();
  for (let seq = scan.fromSeq; seq <= scan.toSeq && found.size < scan.ids.size; ) {
    // (nats.js 2.29 types streams.getMessage without next_by_subj, which the server's message get takes)
    const query = { seq, next_by_subj: scan.subject } as unknown as MsgRequest;
    let m;
    try {
      m = await unlessAborted(jsm.streams.getMessage(scan.stream, query), scan.signal);
    } catch (err) {
      // none on the subject from `seq` on: read to the end
      if (err instanceof Error && /no message found/i.test(err.message)) break;
      throw err;
    }
    if (m === undefined) return undefined;
    if (m.seq > scan.toSeq) break;
    const id = m.header.get('Nats-Msg-Id');
    if (scan.ids.has(id) && !found.has(id)) found.set(id, m.seq);
    seq = Math.max(seq, m.seq) + 1;
  }
  return found;
}
