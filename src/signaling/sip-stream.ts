/**
 * SIP over a byte stream (TCP, TLS cleartext, RFC 3261 §18.3): messages are delimited by
 * Content-Length only, may be split across segments or packed several to a segment, and
 * CRLF keepalives (RFC 5626 §3.5.1) may sit between them. One framer per stream direction.
 */
import { decodeUtf8, headerSectionEnd } from './byte-search.js';
import { looksLikeSip } from './looks-like-sip.js';
import { parseSipMessage, type SipParseResult } from './sip-message.js';
import { sipError } from './sip-errors.js';

export interface SipStreamLimits {
  /** a message (headers + body) larger than this is dropped and the stream resynchronised */
  maxMessageBytes: number;
}

/** Content-Length (compact `l`), its value possibly on a folded line (RFC 3261 HCOLON = *WSP ":" SWS, SWS = [LWS]). */
const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(?:\r?\n[ \t]+)*(\d+)[ \t]*\r?$/im;

export class SipStreamFramer {
  private buffer: Uint8Array = new Uint8Array(0);
  /** stream bytes consumed before buffer[0], so errors can say where in the stream they were */
  private consumed = 0;
  /** bytes of an oversized message still to come, to be dropped unread */
  private skipRemaining = 0;

  constructor(private readonly limits: SipStreamLimits = { maxMessageBytes: 256 * 1024 }) {}

  /** Bytes held waiting for the rest of a message. */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  push(chunk: Uint8Array): SipParseResult[] {
    this.append(chunk);
    const out: SipParseResult[] = [];
    let pos = 0;
    const b = this.buffer;
    if (this.skipRemaining > 0) {
      pos = Math.min(this.skipRemaining, b.length);
      this.skipRemaining -= pos;
    }
    while (pos < b.length) {
      if (b[pos] === 0x0d || b[pos] === 0x0a) {
        pos++;
        continue;
      }
      const lineEnd = b.indexOf(0x0a, pos);
      if (lineEnd < 0) {
        if (b.length - pos > this.limits.maxMessageBytes) pos = this.discard(out, pos, b.length, 'oversized-message');
        break;
      }
      if (!looksLikeSip(b, pos, lineEnd - pos)) {
        // not at a message boundary (a gap in the stream, or not SIP): skip to the next line
        pos = this.discard(out, pos, lineEnd + 1, 'garbage-skipped');
        continue;
      }
      const headerEnd = headerSectionEnd(b, lineEnd, b.length);
      if (headerEnd < 0) {
        if (b.length - pos > this.limits.maxMessageBytes) pos = this.discard(out, pos, b.length, 'oversized-message');
        break;
      }
      const length = CONTENT_LENGTH.exec(decodeUtf8(b, pos, headerEnd));
      if (length === null) {
        out.push({ message: null, errors: [sipError('missing-content-length', this.consumed + pos, 'assuming no body')] });
      }
      const bodyLength = length === null ? 0 : Number(length[1]);
      const total = headerEnd - pos + bodyLength;
      if (total > this.limits.maxMessageBytes) {
        // its length is known: skip the whole message, even the part not received yet
        this.discard(out, pos, pos, 'oversized-message', `${total}`);
        const available = Math.min(total, b.length - pos);
        this.skipRemaining = total - available;
        pos += available;
        continue;
      }
      if (pos + total > b.length) break;
      out.push(parseSipMessage(b, pos, total));
      pos += total;
    }
    this.buffer = b.slice(pos);
    this.consumed += pos;
    return out;
  }

  /**
   * The stream ended (`cause`: how, e.g. "RST"): the bytes of a message still waiting for the
   * rest are reported once as a cut message, never parsed nor kept for later bytes. Returns null
   * when nothing was waiting. The framer is not fed again.
   */
  end(cause: string): SipParseResult | null {
    const b = this.buffer;
    this.buffer = new Uint8Array(0);
    // (the rest of an oversized message being skipped was reported when it began)
    if (b.length === 0) return null;
    // push() leaves the buffer where an unfinished message (or a line not ended yet) starts
    const reason = headerSectionEnd(b, 0, b.length) < 0 ? 'no-header-end' : 'body-truncated';
    return { message: null, errors: [sipError(reason, this.consumed, `${b.length} bytes of a message cut by ${cause}, dropped`)] };
  }

  private append(chunk: Uint8Array): void {
    if (this.buffer.length === 0) {
      this.buffer = chunk;
      return;
    }
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer, 0);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
  }

  private discard(out: SipParseResult[], from: number, to: number, reason: 'garbage-skipped' | 'oversized-message', detail = `${to - from}`): number {
    const last = out[out.length - 1];
    const previous = last?.message === null ? last.errors[0] : undefined;
    // consecutive skipped lines are one error, not one per line
    if (previous && previous.reason === reason && reason === 'garbage-skipped') {
      previous.detail = `${Number(previous.detail ?? '0') + (to - from)}`;
    } else {
      out.push({ message: null, errors: [sipError(reason, this.consumed + from, detail)] });
    }
    return to;
  }
}
