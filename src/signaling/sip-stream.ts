/**
 * SIP over a byte stream (TCP, TLS cleartext, RFC 3261 §18.3): messages are delimited by
 * Content-Length only, may be split across segments or packed several to a segment, and
 * CRLF keepalives (RFC 5626 §3.5.1) may sit between them. One framer per stream direction.
 */
import { decodeUtf8, headerSectionEnd } from './byte-search.js';
import { heldCopy, NO_BYTES, roomFor } from './held-bytes.js';
import { looksLikeSip } from './looks-like-sip.js';
import { parseSipMessage, type SipParseResult } from './sip-message.js';
import { sipError, type SipParseError } from './sip-errors.js';

export interface SipStreamLimits {
  /** a message (headers + body) larger than this is dropped and the stream resynchronised */
  maxMessageBytes: number;
}

/** Content-Length (compact `l`), its value possibly on a folded line (RFC 3261 HCOLON = *WSP ":" SWS, SWS = [LWS]). */
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(?:\r?\n[ \t]+)*(\d+)[ \t]*\r?$/im;

/**
 * The bytes of a message not complete yet are held in the framer's own buffer, grown by doubling,
 * from a read offset: the next segment is appended, not copied with them, and what was searched
 * of them (the first line's end, the header section's end, the message's length) is not searched
 * again — a direction sent in small segments costs in proportion to its bytes. A segment that
 * ends where its messages do is read where it lies, never copied.
 */
export class SipStreamFramer {
  /** the held bytes: held[start, stop) */
  private held: Uint8Array = NO_BYTES;
  private start = 0;
  private stop = 0;
  /** stream bytes consumed before the held bytes, so errors can say where in the stream they were */
  private consumed = 0;
  /** bytes of an oversized message still to come, to be dropped unread */
  private skipRemaining = 0;
  /** of the held bytes: how many were searched without finding the first line's end (or, once `lineEnd` is known, the header section's) */
  private searched = 0;
  /** where (from the held bytes' start) the first line of the message they start ends, its LF; -1: not known yet */
  private lineEnd = -1;
  /** the length of the message the held bytes start, once its header section has ended; -1: not known yet */
  private total = -1;
  /** the stretch passed over (no start line in it) not reported yet: it goes on into the next bytes */
  private skipped: SipParseError | null = null;

  constructor(private readonly limits: SipStreamLimits = { maxMessageBytes: 256 * 1024 }) {}

  /** Bytes held waiting for the rest of a message. */
  get pendingBytes(): number {
    return this.stop - this.start;
  }

  push(chunk: Uint8Array): SipParseResult[] {
    const out: SipParseResult[] = [];
    let b: Uint8Array;
    let pos: number;
    let end: number;
    const own = this.stop !== this.start;
    if (!own) {
      // nothing held: the segment is read where it lies
      b = chunk;
      pos = 0;
      end = chunk.length;
    } else {
      this.append(chunk);
      // (a view that ends where the bytes do: a search for a byte goes no further)
      b = this.held.subarray(0, this.stop);
      pos = this.start;
      end = this.stop;
    }
    const base = pos;
    const at0 = this.consumed;
    /** the stream offset of b[i] */
    const streamAt = (i: number) => at0 + (i - base);
    if (this.skipRemaining > 0) {
      const n = Math.min(this.skipRemaining, end - pos);
      pos += n;
      this.skipRemaining -= n;
    }
    // what is known of the message at pos (from the held bytes: searched before)
    let searched = pos === base ? this.searched : 0;
    let lineEnd = pos === base ? this.lineEnd : -1;
    let total = pos === base ? this.total : -1;
    const max = this.limits.maxMessageBytes;
    while (pos < end) {
      if (total < 0) {
        if (lineEnd < 0) {
          if (searched === 0 && (b[pos] === 0x0d || b[pos] === 0x0a)) {
            pos++;
            continue;
          }
          const lf = b.indexOf(0x0a, pos + searched);
          if (lf < 0 || lf >= end) {
            searched = end - pos;
            if (end - pos > max) {
              this.report(out, sipError('oversized-message', streamAt(pos), `${end - pos}`));
              pos = end;
              searched = 0;
            }
            break;
          }
          if (!looksLikeSip(b, pos, lf - pos)) {
            // not at a message boundary (a gap in the stream, or not SIP): skip to the next line
            this.passOver(streamAt(pos), lf + 1 - pos);
            pos = lf + 1;
            searched = 0;
            continue;
          }
          lineEnd = lf - pos;
          searched = lineEnd;
        }
        // (an LF of the header section's end may have been searched before the bytes after it came)
        const headerEnd = headerSectionEnd(b, pos + Math.max(lineEnd, searched - 3), end);
        if (headerEnd < 0) {
          searched = end - pos;
          if (end - pos > max) {
            this.report(out, sipError('oversized-message', streamAt(pos), `${end - pos}`));
            pos = end;
            searched = 0;
            lineEnd = -1;
          }
          break;
        }
        const length = CONTENT_LENGTH.exec(decodeUtf8(b, pos, headerEnd));
        if (length === null) this.report(out, sipError('missing-content-length', streamAt(pos), 'assuming no body'));
        total = headerEnd - pos + (length === null ? 0 : Number(length[1]));
        if (total > max) {
          // its length is known: skip the whole message, even the part not received yet
          this.report(out, sipError('oversized-message', streamAt(pos), `${total}`));
          const available = Math.min(total, end - pos);
          this.skipRemaining = total - available;
          pos += available;
          searched = 0;
          lineEnd = -1;
          total = -1;
          continue;
        }
      }
      if (pos + total > end) break;
      this.flushSkipped(out);
      out.push(parseSipMessage(b, pos, total));
      pos += total;
      searched = 0;
      lineEnd = -1;
      total = -1;
    }
    this.consumed = streamAt(pos);
    this.searched = searched;
    this.lineEnd = lineEnd;
    this.total = total;
    this.keep(b, own, pos, end);
    return out;
  }

  /**
   * The stream ended (`cause`: how, e.g. "RST"): the bytes of a message still waiting for the
   * rest are reported once as a cut message, never parsed nor kept for later bytes, and a stretch
   * passed over up to here is reported (one result, its errors in stream order). Returns null
   * when nothing was waiting nor passed over. The framer is not fed again.
   */
  end(cause: string): SipParseResult | null {
    const n = this.stop - this.start;
    const errors: SipParseError[] = [];
    if (this.skipped !== null) errors.push(this.skipped);
    // (the rest of an oversized message being skipped was reported when it began)
    // push() leaves the held bytes where an unfinished message (or a line not ended yet) starts
    if (n > 0) errors.push(sipError(this.total >= 0 ? 'body-truncated' : 'no-header-end', this.consumed, `${n} bytes of a message cut by ${cause}, dropped`));
    this.skipped = null;
    this.held = NO_BYTES;
    this.start = this.stop = 0;
    this.searched = 0;
    this.lineEnd = -1;
    this.total = -1;
    return errors.length === 0 ? null : { message: null, errors };
  }

  /** The held bytes and the segment after them, in the framer's buffer (grown by doubling, or its read bytes let go). */
  private append(chunk: Uint8Array): void {
    if (this.stop + chunk.length > this.held.length) {
      this.held = roomFor(this.held, this.start, this.stop, chunk.length);
      this.stop -= this.start;
      this.start = 0;
    }
    this.held.set(chunk, this.stop);
    this.stop += chunk.length;
  }

  /** What is left of b[pos, end) is held for the next bytes: in place when b is the framer's buffer (`own`), else copied to it (the segment is not the framer's). */
  private keep(b: Uint8Array, own: boolean, pos: number, end: number): void {
    const n = end - pos;
    if (n === 0) {
      // (messages are copied out by the parser: the buffer may go)
      this.held = NO_BYTES;
      this.start = this.stop = 0;
    } else if (own) {
      this.start = pos;
    } else {
      this.held = heldCopy(b.subarray(pos, end));
      this.start = 0;
      this.stop = n;
    }
  }

  /** A result other than a stretch passed over: the stretch before it, if any, is reported first. */
  private report(out: SipParseResult[], error: SipParseError): void {
    this.flushSkipped(out);
    out.push({ message: null, errors: [error] });
  }

  /** Bytes with no start line (a line at `at` of `n` bytes): one error for the whole stretch, however many lines and segments it spans — reported when it ends. */
  private passOver(at: number, n: number): void {
    if (this.skipped === null) this.skipped = sipError('garbage-skipped', at, `${n}`);
    else this.skipped.detail = `${Number(this.skipped.detail) + n}`;
  }

  private flushSkipped(out: SipParseResult[]): void {
    if (this.skipped === null) return;
    out.push({ message: null, errors: [this.skipped] });
    this.skipped = null;
  }
}
