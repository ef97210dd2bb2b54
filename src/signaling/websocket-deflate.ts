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
import { joinBytes } from '../../native-free/bytes.js';
import { decodeUtf8 } from './byte-search.js';

/** Why a window is lost when a message of the direction was not inflated: the sender's window holds it. */
const UNREAD = 'an earlier message was not read';

/** The largest LZ77 window DEFLATE has (windowBits 15). */
const WINDOW_BYTES = 32 * 1024;
/**
 * DEFLATE streams (each ended by a block with BFINAL set) read in one message at most. A sender
 * flushing with a final block (§7.2.3.4) makes one per message, or one per fragment; each
 * stream costs an inflate call given the whole window, so a message of thousands of tiny ones
 * would cost seconds for a few KiB: past this many it is refused, as malformed.
 */
export const MAX_STREAMS_PER_MESSAGE = 16;
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

/** inflateRawSync's answer with `info: true`: the bytes, and the engine that read `bytesWritten` bytes of input. */
interface InflateInfo {
  buffer: Uint8Array;
  engine: { bytesWritten: number };
}

export type Inflated = { bytes: Uint8Array; error: null } | { bytes: null; error: string; tooLarge: boolean };

/**
 * The windows of every direction together are bounded: past `maxBytes` the least recently used
 * directions' windows are let go (as if lost: a later message of theirs that refers back is
 * reported, never read wrong). 20 000 WebSocket directions holding 32 KiB each would be 640 MiB.
 */
export class WindowBudget {
  private readonly held = new Map<MessageInflater, number>();
  private total = 0;

  constructor(readonly maxBytes: number) {}

  /** An inflater now holds `bytes` of window: it becomes the most recently used. */
  hold(inflater: MessageInflater, bytes: number): void {
    this.release(inflater);
    if (bytes === 0) return;
    this.held.set(inflater, bytes);
    this.total += bytes;
    for (const [oldest] of this.held) {
      if (this.total <= this.maxBytes || oldest === inflater) break;
      oldest.lose('window let go: memory bound'); // releases it
    }
  }

  release(inflater: MessageInflater): void {
    const bytes = this.held.get(inflater);
    if (bytes === undefined) return;
    this.held.delete(inflater);
    this.total -= bytes;
  }
}

/** Windows kept at most, all directions together: 1024 full windows. */
export const DEFAULT_WINDOW_BUDGET_BYTES = 32 * 1024 * 1024;

export class MessageInflater {
  private window: Uint8Array = new Uint8Array(0);
  /** why the window no longer holds what the sender's does (a message failed or was dropped, the budget), or null */
  private windowLost: string | null = null;

  constructor(private readonly budget: WindowBudget | null = null) {}

  /**
   * A compressed message's payload (its frames' payloads joined); `max`: the most it may
   * inflate to. DEFLATE data that goes on after a block with BFINAL set (a sender flushing so,
   * §7.2.3.4) is inflated on in the same window, as zlib-based receivers do, for
   * MAX_STREAMS_PER_MESSAGE streams at most.
   */
  inflate(payload: Uint8Array, max: number): Inflated {
    let input = new Uint8Array(payload.length + TAIL.length);
    input.set(payload, 0);
    input.set(TAIL, payload.length);
    const parts: Uint8Array[] = [];
    let total = 0;
    for (let streams = 0; input.length > 0; streams++) {
      // after a final block, only the empty block appended here (RFC 7692 §7.2.2) is left: no stream of the sender's
      if (streams > 0 && isTail(input)) break;
      // a first stream filled the limit and more follows
      if (total >= max) return this.tooLarge(max);
      if (streams === MAX_STREAMS_PER_MESSAGE) {
        this.lose(UNREAD);
        return { bytes: null, error: `not inflated: more than ${MAX_STREAMS_PER_MESSAGE} DEFLATE streams in one message`, tooLarge: false };
      }
      let bytes: Uint8Array;
      let consumed: number;
      try {
        const { buffer, engine } = inflateRawSync(input, {
          // the data ends with a sync flush, not a final block: no "unexpected end of file"
          finishFlush: zlibConstants.Z_SYNC_FLUSH,
          maxOutputLength: max - total,
          // the engine too, for how much input the stream took (with `info`, Node answers { buffer, engine }: its types say Buffer)
          info: true,
          ...(this.window.length > 0 ? { dictionary: this.window } : {}),
        }) as unknown as InflateInfo;
        bytes = buffer;
        consumed = engine.bytesWritten;
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') return this.tooLarge(max);
        const error = this.failure(err);
        this.lose(UNREAD);
        return { bytes: null, error, tooLarge: false };
      }
      parts.push(bytes);
      total += bytes.length;
      this.keep(bytes);
      // all of it read, or nothing more: done; else a final block ended zlib's stream before the message's end
      if (consumed <= 0 || consumed >= input.length) break;
      input = input.subarray(consumed);
    }
    return { bytes: parts.length === 1 ? parts[0]! : joinBytes(parts, total), error: null };
  }

  /** The direction's window is no longer the sender's (a message dropped unread, or let go for the budget). */
  lose(why: string = UNREAD): void {
    this.window = new Uint8Array(0);
    this.windowLost = why;
    this.budget?.release(this);
  }

  /** The direction is gone: its window leaves the budget. */
  close(): void {
    this.window = new Uint8Array(0);
    this.budget?.release(this);
  }

  /** A message past the limit: not inflated, and the window went with it. */
  private tooLarge(max: number): Inflated {
    this.lose(UNREAD);
    return { bytes: null, error: `a compressed message inflates past ${max} bytes`, tooLarge: true };
  }

  /** Why a message did not inflate, in under 80 characters (what a report keeps of a detail). */
  private failure(err: unknown): string {
    const why = err instanceof Error ? err.message : String(err);
    if (!why.includes('too far back')) return `not inflated: ${why}`;
    return `not inflated: ${why} (${this.windowLost ?? 'bytes before the capture or a gap'})`;
  }

  /** The window after a message: a copy of the last 32 KiB of everything inflated so far. */
  private keep(out: Uint8Array): void {
    const kept = Math.min(this.window.length, WINDOW_BYTES - Math.min(out.length, WINDOW_BYTES));
    const fresh = Math.min(out.length, WINDOW_BYTES);
    const next = new Uint8Array(kept + fresh);
    next.set(this.window.subarray(this.window.length - kept), 0);
    next.set(out.subarray(out.length - fresh), kept);
    this.window = next;
    // the whole window is known again
    if (next.length === WINDOW_BYTES) this.windowLost = null;
    this.budget?.hold(this, next.length);
  }
}

/**
 * Whether the bytes are only the empty block that ends a message: TAIL, appended to every message
 * before inflating, with or without the 0x00 that starts it, which a sender flushing after a
 * final block leaves when it cuts the four octets off (RFC 7692 §7.2.1).
 */
function isTail(b: Uint8Array): boolean {
  const from = b.length - TAIL.length;
  return (from === 0 || (from === 1 && b[0] === 0)) && TAIL.every((v, i) => b[from + i] === v);
}
