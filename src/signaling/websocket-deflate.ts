/**
 * permessage-deflate (RFC 7692), as SIP over WebSocket meets it: browsers offer it in every
 * handshake, and a server that accepts it sends (and receives) messages whose first frame has
 * RSV1 set and whose payload is raw DEFLATE data (RFC 1951) ending in an empty stored block with
 * its last four octets (00 00 ff ff) removed (§7.2.1).
 *
 * One inflater per direction. With context takeover (the default) a message may refer back to
 * bytes of the direction's earlier messages, up to 32 KiB: the inflater keeps the last 32 KiB
 * it produced and gives them to zlib as the next message's dictionary — the LZ77 window a
 * streaming inflater would hold. Keeping it when the peers agreed `*_no_context_takeover`
 * changes nothing (the sender never refers back), so the agreement's parameters need not be
 * known; the window sizes (`*_max_window_bits`) only bound how far back the sender reaches.
 * A message that refers back past what the inflater holds (the capture began after it, or
 * bytes were lost) fails to inflate, as zlib finds the distance too far back: it is reported,
 * never read with wrong bytes.
 */
import { inflateRawSync, constants as zlibConstants } from 'node:zlib';
import { decodeUtf8 } from './byte-search.js';

/** The largest LZ77 window DEFLATE has (windowBits 15). */
const WINDOW_BYTES = 32 * 1024;
/** The tail a sender removed from each message (§7.2.1), put back before inflating (§7.2.2). */
const TAIL = Uint8Array.of(0x00, 0x00, 0xff, 0xff);

/**
 * Whether an HTTP Upgrade request or response (its header section, `b[0..end)`) names the
 * permessage-deflate extension in a Sec-WebSocket-Extensions header: the client's offer, or
 * the server's acceptance.
 */
export function namesPermessageDeflate(b: Uint8Array, end: number): boolean {
  const lines = decodeUtf8(b, 0, end).split(/\r?\n/);
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim().toLowerCase() !== 'sec-websocket-extensions') continue;
    for (const extension of line.slice(colon + 1).split(',')) {
      if (extension.split(';')[0]!.trim().toLowerCase() === 'permessage-deflate') return true;
    }
  }
  return false;
}

export type Inflated = { bytes: Uint8Array; error: null } | { bytes: null; error: string; tooLarge: boolean };

export class MessageInflater {
  private window: Uint8Array = new Uint8Array(0);
  /** a message failed, so the window no longer holds what the sender's does */
  private windowLost = false;

  /** A compressed message's payload (its frames' payloads joined); `max`: the most it may inflate to. */
  inflate(payload: Uint8Array, max: number): Inflated {
    const input = new Uint8Array(payload.length + TAIL.length);
    input.set(payload, 0);
    input.set(TAIL, payload.length);
    let bytes: Uint8Array;
    try {
      bytes = inflateRawSync(input, {
        // the data ends with a sync flush, not a final block: no "unexpected end of file"
        finishFlush: zlibConstants.Z_SYNC_FLUSH,
        maxOutputLength: max,
        ...(this.window.length > 0 ? { dictionary: this.window } : {}),
      });
    } catch (err) {
      const tooLarge = (err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      const error = tooLarge ? `a compressed message inflates past ${max} bytes` : this.failure(err);
      this.window = new Uint8Array(0);
      this.windowLost = true;
      return { bytes: null, error, tooLarge };
    }
    this.keep(bytes);
    return { bytes, error: null };
  }

  private failure(err: unknown): string {
    const why = err instanceof Error ? err.message : String(err);
    const where = this.windowLost ? 'an earlier message that did not inflate' : 'bytes before the capture or a lost segment';
    return `a compressed message does not inflate (${why}): it may refer back to ${where}`;
  }

  /** The window after a message: the last 32 KiB of everything inflated so far. */
  private keep(out: Uint8Array): void {
    if (out.length >= WINDOW_BYTES) {
      this.window = out.slice(out.length - WINDOW_BYTES);
      this.windowLost = false; // the whole window is known again
      return;
    }
    const kept = Math.min(this.window.length, WINDOW_BYTES - out.length);
    const next = new Uint8Array(kept + out.length);
    next.set(this.window.subarray(this.window.length - kept), 0);
    next.set(out, kept);
    this.window = next;
    if (next.length === WINDOW_BYTES) this.windowLost = false;
  }
}
