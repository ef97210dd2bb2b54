/**
 * SIP over WebSocket (RFC 7118): one direction of a TCP connection that starts with an HTTP
 * Upgrade handshake (RFC 6455 §4) and then carries frames (§5.2). The handshake's HTTP messages
 * are passed over, bodies and all, up to the server's 101 (a 401 may come first, and the
 * request again with credentials); a connection whose exchange shows it is no WebSocket (plain
 * HTTP) is someone else's traffic, never read as frames. After a captured handshake a frame
 * masked the wrong way for its sender (§5.1) gives the direction up, as the peer closes the
 * connection. Each complete WebSocket
 * message — text or binary, possibly fragmented — is exactly one SIP message (RFC 7118 §5.1),
 * or, when it holds nothing but CR/LF, a CRLF keep-alive (RFC 5626 §4.4.1), dropped unread.
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-------+-+-------------+-------------------------------+
 *  |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *  |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *  |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *  | |1|2|3|       |K|             |                               |
 *  +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *  |     Extended payload length continued, if payload len == 127  |
 *  + - - - - - - - - - - - - - - - +-------------------------------+
 *  |                               |Masking-key, if MASK set to 1  |
 *  +-------------------------------+-------------------------------+
 *  | Masking-key (continued)       |          Payload Data         |
 *  +-------------------------------- - - - - - - - - - - - - - - - +
 *
 * A message whose first frame has RSV1 set is compressed (permessage-deflate, RFC 7692): it is
 * inflated (websocket-deflate.ts) before it is read as SIP, unless the connection's handshake,
 * seen in the capture, put no such extension in use: the server's 101 accepts it (a client's
 * direction reads the answer through the WebSocketConnection the two directions share; before
 * it is seen, the client's own offer is taken). A compressed message dropped unread (cut,
 * oversized, malformed) takes the direction's window with it: the sender's window holds it.
 */
import { joinBytes } from '../../native-free/bytes.js';
import { headerSectionEnd } from './byte-search.js';
import { heldCopy, NO_BYTES, roomFor } from './held-bytes.js';
import { parseSipMessage, type SipParseResult } from './sip-message.js';
import { sipError } from './sip-errors.js';
import { MessageInflater, namesPermessageDeflate, type WindowBudget } from './websocket-deflate.js';

const OPCODE_CONTINUATION = 0x0;
const OPCODE_TEXT = 0x1;
const OPCODE_BINARY = 0x2;
const OPCODE_CLOSE = 0x8;

export interface WebSocketLimits {
  maxMessageBytes: number;
  /** the bound on every direction's inflater windows together (none: unbounded) */
  windows?: WindowBudget;
}

/** What the two directions of one WebSocket connection share: what the HTTP exchange before the frames said. */
export class WebSocketConnection {
  /** whether the server's 101 accepted permessage-deflate; null until it is seen */
  deflateAccepted: boolean | null = null;
  /** the server's 101 was seen: the connection is WebSocket from there on (RFC 6455 §4.2.2) */
  switched = false;
  /**
   * The exchange showed the connection is no WebSocket (a request without `Upgrade: websocket`,
   * a server going on past a refusal with bytes that are no HTTP response, a body read until the
   * connection closes): someone else's traffic, neither direction read as frames.
   */
  notWebSocket = false;
  /**
   * The client asked an HTTP proxy for a tunnel (CONNECT, RFC 6455 §4.1): a 2xx answering it has
   * no body, the tunnel starts after its header section (RFC 9112 §6.3)
   */
  tunnelAsked = false;
}

/** Where a direction is: its HTTP exchange (or its first bytes, which tell), or frames from there on. */
type Phase = 'http' | 'frames';

export class WebSocketFrameDecoder {
  /**
   * The bytes not read yet (a frame or an HTTP message not complete), held[start, stop): the
   * buffer is the decoder's own, grown by doubling, and the next segment is appended to them, not
   * copied with them — a direction sent in small segments costs in proportion to its bytes
   */
  private held: Uint8Array = NO_BYTES;
  private start = 0;
  private stop = 0;
  /** stream bytes consumed before the held bytes */
  private consumed = 0;
  /** where (a stream offset) an HTTP header section starts that was searched for its end (-1: none), and how many of its bytes were */
  private headSearchAt = -1;
  private headSearched = 0;
  /** the same for a chunked body's line (a chunk size, a trailer field) searched for its LF */
  private lineSearchAt = -1;
  private lineSearched = 0;
  private phase: Phase = 'http';
  /** bytes of an HTTP body still to pass over */
  private bodyLeft = 0;
  /** where a chunked HTTP body being passed over is: at a chunk-size line, or in its trailer section */
  private chunked: 'size' | 'trailers' | null = null;
  private fragments: Uint8Array[] = [];
  private fragmentBytes = 0;
  private inMessage = false;
  /** the message being gathered came with RSV1 set on its first frame */
  private compressed = false;
  /** the side whose handshake the direction opened with; null when the capture began after it */
  private role: 'client' | 'server' | null = null;
  /** a client's direction: whether its Upgrade request offered permessage-deflate */
  private offered = false;
  private inflater: MessageInflater | null = null;
  private closed = false;

  constructor(
    private readonly limits: WebSocketLimits = { maxMessageBytes: 256 * 1024 },
    readonly connection: WebSocketConnection = new WebSocketConnection(),
  ) {}

  push(chunk: Uint8Array): SipParseResult[] {
    const out: SipParseResult[] = [];
    if (this.closed || this.connection.notWebSocket) return out;
    // nothing held: the segment is read where it lies; else the held bytes and it, one view
    const own = this.stop !== this.start;
    const b = own ? this.append(chunk) : chunk;
    let pos = 0;
    if (this.phase === 'http') {
      pos = this.readHttp(b, out);
      if (this.connection.notWebSocket) {
        this.keep(b, own, b.length);
        return out;
      }
      if (this.phase === 'http') {
        this.keep(b, own, pos);
        return out;
      }
    }
    while (pos < b.length && !this.closed) {
      const used = this.readFrame(b, pos, out);
      if (used === 0) break;
      pos += used;
    }
    this.keep(b, own, pos);
    return out;
  }

  /**
   * Passes over the direction's HTTP messages (with their bodies) up to the frames: a client's
   * requests until bytes that are no request (a 401 or 407 may be answered by a request with
   * credentials, RFC 6455 §4.1), a server's responses up to its 101 — a response of another
   * status is followed by another response or by nothing that is WebSocket. Returns where it
   * stopped: where the frames start, or the bytes not complete yet.
   */
  private readHttp(b: Uint8Array, out: SipParseResult[]): number {
    let pos = 0;
    for (;;) {
      if (this.bodyLeft > 0) {
        pos = this.passBody(b, pos);
        if (this.bodyLeft > 0) return pos;
      }
      if (this.chunked !== null) {
        pos = this.chunkedBody(b, pos);
        if (this.chunked !== null || this.connection.notWebSocket) return pos;
        continue;
      }
      const opening = this.opening(b, pos);
      if (opening === 'wait') return pos;
      if (opening === 'frames') {
        this.phase = 'frames';
        return pos;
      }
      if (opening === 'other') {
        this.refuse();
        return pos;
      }
      // (the bytes searched before are not searched again, but for the last ones: an LF of the end may have come without what follows it)
      const at = this.consumed + pos;
      const end = headerSectionEnd(b, at === this.headSearchAt ? pos + Math.max(0, this.headSearched - 3) : pos, b.length);
      if (end < 0) {
        this.headSearchAt = at;
        this.headSearched = b.length - pos;
        if (b.length - pos > this.limits.maxMessageBytes) {
          out.push({ message: null, errors: [sipError('bad-websocket-handshake', this.consumed + pos, 'handshake never ends')] });
          this.closed = true;
          return b.length;
        }
        return pos;
      }
      const head = decodeLatin1(b, pos, end);
      const section = b.subarray(pos, end);
      pos = end;
      if (head.startsWith('HTTP/')) {
        this.role = 'server';
        const status = Number(/^HTTP\/\d\.\d (\d{3})/.exec(head)?.[1] ?? NaN);
        if (status === 101) {
          this.connection.switched = true;
          this.connection.deflateAccepted = namesPermessageDeflate(section, section.length);
          this.phase = 'frames';
          return pos;
        }
        // an interim response (100 Continue) has no body; 204 and 304 none either, nor a 2xx
        // opening a proxy's tunnel (RFC 9112 §6.3) — one with no length followed by a response
        // is that too, the server's bytes captured before the client's CONNECT
        if ((status >= 100 && status < 200) || status === 204 || status === 304) continue;
        if (status >= 200 && status < 300 && (this.connection.tunnelAsked || (noBodyLength(head) && startsWithAscii(b, pos, 'HTTP/')))) continue;
        if (!this.body(head, true)) {
          this.refuse();
          return pos;
        }
      } else {
        this.role = 'client';
        if (head.startsWith('CONNECT ')) {
          this.connection.tunnelAsked = true;
          this.body(head, false);
          continue;
        }
        if (!headerValues(head, 'upgrade').some((v) => v.split(',').some((token) => token.trim().toLowerCase() === 'websocket'))) {
          this.refuse();
          return pos;
        }
        this.offered = namesPermessageDeflate(section, section.length);
        this.body(head, false);
      }
    }
  }

  /**
   * What starts at pos of a direction in its HTTP exchange: an HTTP message, the frames, too few
   * bytes to tell, or (a server's bytes after a response that was no 101) someone else's traffic.
   */
  private opening(b: Uint8Array, pos: number): 'http' | 'frames' | 'wait' | 'other' {
    if (this.role === null) {
      if (opensHttpExchange(b, pos, b.length)) return 'http';
      // the capture began after the handshake: frames start right away
      return b.length - pos < 5 ? 'wait' : 'frames';
    }
    if (this.role === 'client') {
      // a method token and a space: a client's frame is masked, its second byte never a letter
      let at = pos;
      while (at < b.length && at - pos <= 20 && b[at]! >= 0x41 && b[at]! <= 0x5a) at++;
      if (at === b.length && at - pos <= 20) return 'wait';
      return at - pos >= 3 && b[at] === 0x20 ? 'http' : 'frames';
    }
    const rest = Math.min(5, b.length - pos);
    if (!startsWithAscii(b.subarray(pos, pos + rest), 0, 'HTTP/'.slice(0, rest))) return 'other';
    return rest < 5 ? 'wait' : 'http';
  }

  /**
   * Takes the length of the body after an HTTP header section (RFC 9112 §6.3): Content-Length,
   * or chunked. Returns false for a response whose body runs until the connection closes.
   */
  private body(head: string, response: boolean): boolean {
    const encodings = headerValues(head, 'transfer-encoding').join(',').toLowerCase();
    if (/(^|,)\s*chunked\s*$/.test(encodings)) {
      this.chunked = 'size';
      return true;
    }
    const length = headerValues(head, 'content-length')[0];
    if (length !== undefined && /^\s*\d+\s*$/.test(length)) {
      this.bodyLeft = Number(length);
      return true;
    }
    return !response;
  }

  /** Passes over what is left of a body (bodyLeft bytes, or to the end of the bytes); returns where it got. */
  private passBody(b: Uint8Array, pos: number): number {
    const passed = Math.min(this.bodyLeft, b.length - pos);
    this.bodyLeft -= passed;
    return pos + passed;
  }

  /** Passes over a chunked body from pos (RFC 9112 §7.1); returns how far it got: to its end (chunked is null then), or to the end of the bytes. */
  private chunkedBody(b: Uint8Array, pos: number): number {
    for (;;) {
      if (this.bodyLeft > 0) {
        pos = this.passBody(b, pos);
        if (this.bodyLeft > 0) return pos;
      }
      const at = this.consumed + pos;
      const lf = b.indexOf(0x0a, at === this.lineSearchAt ? pos + this.lineSearched : pos);
      if (lf < 0) {
        this.lineSearchAt = at;
        this.lineSearched = b.length - pos;
        // a chunk-size line or a trailer field is short: a long run without one is no chunked body
        if (b.length - pos > this.limits.maxMessageBytes) this.refuse();
        return pos;
      }
      const line = decodeLatin1(b, pos, lf).replace(/\r$/, '');
      pos = lf + 1;
      if (this.chunked === 'trailers') {
        if (line === '') {
          this.chunked = null;
          return pos;
        }
        continue;
      }
      const size = /^[0-9a-fA-F]+/.exec(line);
      if (size === null) {
        this.refuse();
        return pos;
      }
      const bytes = Number.parseInt(size[0], 16);
      if (bytes === 0) this.chunked = 'trailers';
      // the chunk's data and the CRLF after it
      else this.bodyLeft = bytes + 2;
    }
  }

  /** The exchange shows the connection is no WebSocket, unless its 101 was seen already. */
  private refuse(): void {
    if (this.connection.switched) this.closed = true;
    else this.connection.notWebSocket = true;
  }

  /** Reads one frame at pos; returns the bytes it used, 0 when the frame is not complete yet. */
  private readFrame(b: Uint8Array, pos: number, out: SipParseResult[]): number {
    if (b.length - pos < 2) return 0;
    const fin = (b[pos] & 0x80) !== 0;
    const rsv1 = (b[pos] & 0x40) !== 0;
    const opcode = b[pos] & 0x0f;
    const masked = (b[pos + 1] & 0x80) !== 0;
    if (this.role !== null && masked !== (this.role === 'client')) {
      // RFC 6455 §5.1: client frames are masked, server frames not; the peer closes the connection on any other
      out.push({ message: null, errors: [sipError('bad-websocket-frame', this.consumed + pos, `${masked ? 'masked frame from the server' : 'unmasked frame from the client'}, direction given up`)] });
      this.shut();
      return b.length - pos;
    }
    let length = b[pos + 1] & 0x7f;
    let header = 2;
    if (length === 126) {
      if (b.length - pos < 4) return 0;
      length = (b[pos + 2] << 8) | b[pos + 3];
      header = 4;
    } else if (length === 127) {
      if (b.length - pos < 10) return 0;
      const high = ((b[pos + 2] << 24) | (b[pos + 3] << 16) | (b[pos + 4] << 8) | b[pos + 5]) >>> 0;
      const low = ((b[pos + 6] << 24) | (b[pos + 7] << 16) | (b[pos + 8] << 8) | b[pos + 9]) >>> 0;
      length = high * 2 ** 32 + low;
      header = 10;
    }
    if (length > this.limits.maxMessageBytes) {
      out.push({ message: null, errors: [sipError('oversized-message', this.consumed + pos, `frame of ${length} bytes`)] });
      // the stream cannot be resynchronised inside an oversized frame
      this.shut();
      return b.length - pos;
    }
    const maskAt = pos + header;
    if (masked) header += 4;
    if (b.length - pos < header + length) return 0;
    // a copy (Uint8Array's slice: a Buffer's is a view), unmasked in place: the segment is the
    // caller's, and its buffer may be read again or reused while a fragment waits for the rest
    const payload = Uint8Array.prototype.slice.call(b, pos + header, pos + header + length);
    if (masked) for (let i = 0; i < payload.length; i++) payload[i] ^= b[maskAt + (i & 3)];

    if (opcode >= 0x8) {
      // control frames (close, ping, pong) may sit between fragments and carry no SIP; never compressed (RFC 7692 §6.1)
      if (rsv1) out.push({ message: null, errors: [sipError('bad-websocket-frame', this.consumed + pos, `RSV1 set on a control frame (opcode ${opcode})`)] });
      if (opcode === OPCODE_CLOSE) this.shut();
      return header + length;
    }
    if (opcode === OPCODE_TEXT || opcode === OPCODE_BINARY) {
      if (this.inMessage) {
        out.push({ message: null, errors: [sipError('bad-websocket-frame', this.consumed + pos, 'new message before the previous one finished')] });
        this.dropMessage();
      }
      this.inMessage = true;
      this.compressed = rsv1;
    } else if (opcode === OPCODE_CONTINUATION) {
      if (!this.inMessage) {
        out.push({ message: null, errors: [sipError('bad-websocket-frame', this.consumed + pos, 'continuation without a message')] });
        return header + length;
      }
      if (rsv1) {
        // RFC 7692 §6.1: only a message's first frame says whether it is compressed
        out.push({ message: null, errors: [sipError('bad-websocket-frame', this.consumed + pos, 'RSV1 set on a continuation frame, message dropped')] });
        this.dropMessage();
        return header + length;
      }
    } else {
      out.push({ message: null, errors: [sipError('bad-websocket-frame', this.consumed + pos, `reserved opcode ${opcode}`)] });
      return header + length;
    }
    this.fragments.push(payload);
    this.fragmentBytes += payload.length;
    if (this.fragmentBytes > this.limits.maxMessageBytes) {
      out.push({ message: null, errors: [sipError('oversized-message', this.consumed + pos, `${this.fragmentBytes} bytes in fragments`)] });
      this.dropMessage();
      return header + length;
    }
    if (fin) {
      const message = this.fragments.length === 1 ? this.fragments[0]! : joinBytes(this.fragments, this.fragmentBytes);
      const compressed = this.compressed;
      this.resetMessage();
      const read = compressed ? this.inflated(message, this.consumed + pos) : keepAlive(message) ? null : parseSipMessage(message, 0, message.length);
      if (read !== null) out.push(read);
    }
    return header + length;
  }

  /**
   * Whether permessage-deflate may be in use on the connection: the server's 101 says (a peer
   * that gets RSV1 without it fails the connection, RFC 6455 §5.2, and never reads the
   * message); before it is seen, a client's own offer; unknown when the capture began after
   * the handshake (the message is inflated: what does not inflate is reported).
   */
  private deflateInUse(): boolean {
    if (this.connection.deflateAccepted !== null) return this.connection.deflateAccepted;
    return this.role === 'client' ? this.offered : true;
  }

  /** A compressed message, inflated and read as SIP; or why it could not be; null for a keep-alive (inflated all the same: the window goes on through it). */
  private inflated(payload: Uint8Array, offset: number): SipParseResult | null {
    if (!this.deflateInUse()) {
      return { message: null, errors: [sipError('bad-websocket-frame', offset, 'compressed (RSV1) but no permessage-deflate agreed, dropped')] };
    }
    const inflated = this.directionInflater().inflate(payload, this.limits.maxMessageBytes);
    if (inflated.bytes === null) return { message: null, errors: [sipError(inflated.tooLarge ? 'oversized-message' : 'bad-websocket-frame', offset, inflated.error)] };
    if (keepAlive(inflated.bytes)) return null;
    return parseSipMessage(inflated.bytes, 0, inflated.bytes.length);
  }

  /**
   * The connection ended (`cause`: how, e.g. "RST"): a SIP message still waiting for the rest of
   * its frames is reported once as cut, never parsed nor kept for later bytes. Returns null when
   * nothing was waiting (after a close frame, during the handshake). The decoder is not fed again.
   */
  end(cause: string): SipParseResult | null {
    const b = this.held.subarray(this.start, this.stop);
    // fragments waiting for their last frame, or a text/binary frame begun (control frames carry no SIP)
    const waiting = !this.closed && !this.connection.notWebSocket && this.phase === 'frames' && (this.inMessage || (b.length > 0 && (b[0] & 0x0f) < OPCODE_CLOSE));
    const pending = this.fragmentBytes + b.length;
    this.resetMessage();
    this.held = NO_BYTES;
    this.start = this.stop = 0;
    this.shut();
    if (!waiting) return null;
    return { message: null, errors: [sipError('bad-websocket-frame', this.consumed, `${pending} bytes of a message cut by ${cause}, dropped`)] };
  }

  /** The direction is read no further: its window, if any, leaves the budget. */
  private shut(): void {
    this.closed = true;
    this.inflater?.close();
  }

  private directionInflater(): MessageInflater {
    return (this.inflater ??= new MessageInflater(this.limits.windows ?? null));
  }

  /** A message given up unread: when compressed, the sender's window holds it and the direction's no longer matches. */
  private dropMessage(): void {
    if (this.compressed && this.deflateInUse()) this.directionInflater().lose();
    this.resetMessage();
  }

  private resetMessage(): void {
    this.fragments = [];
    this.fragmentBytes = 0;
    this.inMessage = false;
    this.compressed = false;
  }

  /** The held bytes and the segment after them, in the decoder's buffer (grown by doubling, or its read bytes let go): a view of them, from the held bytes' start. */
  private append(chunk: Uint8Array): Uint8Array {
    if (this.stop + chunk.length > this.held.length) {
      this.held = roomFor(this.held, this.start, this.stop, chunk.length);
      this.stop -= this.start;
      this.start = 0;
    }
    this.held.set(chunk, this.stop);
    this.stop += chunk.length;
    return this.held.subarray(this.start, this.stop);
  }

  /** The bytes of `b` from pos are held for the next segment: in place when b is a view of the decoder's buffer (`own`), else copied to it (the segment is not the decoder's). */
  private keep(b: Uint8Array, own: boolean, pos: number): void {
    this.consumed += pos;
    const n = b.length - pos;
    if (n === 0) {
      // (payloads are copied out of the bytes: the buffer may go)
      this.held = NO_BYTES;
      this.start = this.stop = 0;
    } else if (own) {
      this.start += pos;
    } else {
      this.held = heldCopy(b.subarray(pos));
      this.start = 0;
      this.stop = n;
    }
  }
}

/**
 * A message of CR and LF only: the CRLF keep-alive ping (CRLFCRLF) or pong (CRLF) of RFC 5626
 * §4.4.1, which RFC 7118 §6 lets SIP over WebSocket use and JsSIP and SIP.js send in text frames.
 * No SIP message: dropped as SipStreamFramer drops CR/LF between messages (RFC 3261 §7.5). An
 * empty message is not one: it is read, and reported as empty.
 */
function keepAlive(b: Uint8Array): boolean {
  if (b.length === 0) return false;
  for (let i = 0; i < b.length; i++) if (b[i] !== 0x0d && b[i] !== 0x0a) return false;
  return true;
}

/**
 * Whether bytes[at, end) open an HTTP message of a WebSocket exchange: the client's Upgrade GET,
 * a CONNECT to its proxy first (RFC 6455 §4.1), or a response.
 */
export function opensHttpExchange(b: Uint8Array, at: number, end: number): boolean {
  return startsWithAscii(b, at, 'GET ', end) || startsWithAscii(b, at, 'CONNECT ', end) || startsWithAscii(b, at, 'HTTP/', end);
}

function startsWithAscii(b: Uint8Array, at: number, text: string, end = b.length): boolean {
  if (end - at < text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[at + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** HTTP header bytes as text, one character per byte (field values may hold obs-text, RFC 9110 §5.5). */
function decodeLatin1(b: Uint8Array, start: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + start, end - start).toString('latin1');
}

/** The values of a header field of an HTTP header section (`name` lower case), each line's in order. */
function headerValues(head: string, name: string): string[] {
  const values: string[] = [];
  for (const line of head.split(/\r?\n/).slice(1)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) values.push(line.slice(colon + 1).trim());
  }
  return values;
}

/** Whether an HTTP header section gives its body no length (neither Content-Length nor Transfer-Encoding). */
function noBodyLength(head: string): boolean {
  return headerValues(head, 'content-length').length === 0 && headerValues(head, 'transfer-encoding').length === 0;
}
