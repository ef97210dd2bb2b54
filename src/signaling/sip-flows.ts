/**
 * SIP on TCP connections, one framer per direction: the first bytes of a direction tell
 * whether it carries plain SIP (RFC 3261 §18.3), SIP over WebSocket (RFC 7118: an HTTP
 * Upgrade, or frames when the capture began after it), or something else, which is then
 * ignored: someone else's traffic (TLS — a direction opening with a record header is given up
 * at once —, plain HTTP), not malformed SIP, as on UDP. A direction picked
 * up mid-message is searched for the next
 * SIP start line; CRLF keep-alives (RFC 5626 §4.4.1) before it are waited through. A direction
 * picked up mid-connection may open with a keep-alive probe's garbage octet (RFC 1122 §4.2.3.6,
 * delivered by the reassembler: it cannot tell it from a first byte sent alone), passed over;
 * with the rest of a WebSocket handshake's 101 (the capture began inside it), the frames after
 * it are found; a frame whose end has not come yet is waited for (each frame in several
 * segments, the capture begun after the handshake).
 * A direction ends with its connection (end()): a new connection on the same four-tuple starts over.
 * The number of directions followed is bounded; the least recently active is dropped.
 */
import { looksLikeSip } from './looks-like-sip.js';
import type { SipParseResult } from './sip-message.js';
import { sipError } from './sip-errors.js';
import { SipStreamFramer } from './sip-stream.js';
import { DEFAULT_WINDOW_BUDGET_BYTES, WindowBudget } from './websocket-deflate.js';
import { opensHttpExchange, WebSocketConnection, WebSocketFrameDecoder, type WebSocketLimits } from './websocket-frames.js';

export interface SipFlowLimits {
  maxFlows: number;
  /** permessage-deflate windows kept, every WebSocket direction together */
  maxWindowBytes: number;
  /** bytes (CR/LF aside) inspected without finding SIP before a direction is given up as not SIP */
  maxUndecidedBytes: number;
  maxMessageBytes: number;
}

/**
 * The undecided budget is in bytes, not segments: how a sender cuts its stream (1-byte segments,
 * a start line over several) says nothing of what it carries. 16 KiB holds the rest of a message
 * the capture began in the middle of — a start line, headers and an SDP body are a few KiB for
 * nearly all SIP — and the next start line, several times over; a direction that is not SIP
 * (TLS, HTTP) is given up after that much rather than searched to its end.
 */
export const DEFAULT_SIP_FLOW_LIMITS: SipFlowLimits = { maxFlows: 20_000, maxWindowBytes: DEFAULT_WINDOW_BUDGET_BYTES, maxUndecidedBytes: 16 * 1024, maxMessageBytes: 256 * 1024 };

export type SipFlowKind = 'undecided' | 'sip' | 'websocket' | 'other';

interface Flow {
  kind: SipFlowKind;
  /** while undecided: the bytes inspected so far without a start line or a frame, CR/LF aside */
  undecidedBytes: number;
  framer: SipStreamFramer | WebSocketFrameDecoder | ResyncingWebSocket | null;
  /**
   * while undecided: the unfinished last line, which may be the start of a start line, or from a
   * WebSocket frame begun whose end has not come — its first `carryLength` bytes; the buffer is
   * the direction's own and grows by doubling, so the next bytes are appended, not copied with it
   */
  carry: Uint8Array | null;
  carryLength: number;
  /** while undecided: where in `carry` a WebSocket frame begins whose end had not come (-1: none) */
  carryFrame: number;
  /**
   * while undecided: `carry` starts where a frame may start on its own word (its chunk's start, CR/LF
   * aside, or a frame begun), not at a line inside a chunk, where only evidence makes one a frame
   */
  carryOpen: boolean;
  /**
   * while undecided: the bytes classify() is given start at the direction's first byte (no byte
   * before them was let go), which may be a keep-alive probe's garbage octet — until its first
   * chunk has more than that byte: a probe's octet comes alone in its segment (RFC 1122 §4.2.3.6)
   */
  origin: boolean;
  /**
   * while undecided: where in `carry` its unfinished last line starts — the lines before it (a
   * frame begun's) were read already, start lines and empty lines: the next bytes are read from it
   */
  carryLine: number;
  /** while undecided: that line is longer than a start line is waited for (MAX_CARRY): not read again, only what follows its end */
  carryLineLong: boolean;
  /** while undecided: where in `carry` the first "websocket" (any case) lies whole, -1: nowhere */
  carryWs: number;
  /**
   * while undecided: a whole line of text (TEXT_LINE characters or more, after a LF and up to the
   * next) was seen — plain text picked up mid-message, not ciphertext, where one is about one
   * chance in 10^10 per byte: a later segment opening like a TLS record does not give it up
   */
  sawText: boolean;
}

/** The least a line of text has (Flow.sawText): a SIP header or multipart line, not a chance in ciphertext. */
const TEXT_LINE = 16;

/** A start line longer than this is not waited for across chunks. */
const MAX_CARRY = 2048;

/** The least a carry's buffer holds (a few lines' worth: the next small segments are appended in place). */
const MIN_CARRY_BUFFER = 256;

/** classify(): nothing found, the direction stays undecided or was given up as not SIP */
const NOT_FOUND = -1;

export interface SipFlowStats {
  flows: number;
  evicted: number;
  notSip: number;
}

export class SipFlowDemux {
  private readonly limits: SipFlowLimits;
  private readonly flows = new Map<string, Flow>();
  private readonly windows: WindowBudget;
  readonly stats: SipFlowStats = { flows: 0, evicted: 0, notSip: 0 };

  /** `peerOf`: the key of the connection's other direction, so the two share what the WebSocket handshake agreed */
  constructor(
    limits: Partial<SipFlowLimits> = {},
    private readonly peerOf: ((flowKey: string) => string) | null = null,
  ) {
    this.limits = { ...DEFAULT_SIP_FLOW_LIMITS, ...limits };
    this.windows = new WindowBudget(this.limits.maxWindowBytes);
  }

  /** What a direction was recognised as, or null when it is not followed. */
  kindOf(flowKey: string): SipFlowKind | null {
    return this.flows.get(flowKey)?.kind ?? null;
  }

  /**
   * How many of a plain SIP direction's last bytes its framer holds for a message not complete
   * yet (0 when none); null when not known: a WebSocket direction (its decoder does not say),
   * one still undecided, or not followed.
   */
  pendingBytes(flowKey: string): number | null {
    const framer = this.flows.get(flowKey)?.framer;
    return framer instanceof SipStreamFramer ? framer.pendingBytes : null;
  }

  /** New in-order bytes of one direction; returns the SIP messages they completed. */
  push(flowKey: string, bytes: Uint8Array, off: number, len: number): SipParseResult[] {
    let flow = this.flows.get(flowKey);
    if (flow) {
      this.flows.delete(flowKey);
    } else {
      flow = { kind: 'undecided', undecidedBytes: 0, framer: null, carry: null, carryLength: 0, carryFrame: -1, carryOpen: false, origin: true, carryLine: 0, carryLineLong: false, carryWs: -1, sawText: false };
      this.stats.flows++;
    }
    this.flows.set(flowKey, flow);
    if (this.flows.size > this.limits.maxFlows) {
      const [oldest, dropped] = this.flows.entries().next().value!;
      this.flows.delete(oldest);
      this.stats.evicted++;
      // its window, if any, leaves the budget; a message it was waiting for the rest of is
      // reported cut (with the messages of the bytes that pushed it out)
      const cut = dropped.framer?.end(`eviction: more than ${this.limits.maxFlows} TCP directions followed`) ?? null;
      if (cut !== null) return [cut, ...this.read(flowKey, flow, bytes, off, len)];
    }
    return this.read(flowKey, flow, bytes, off, len);
  }

  private read(flowKey: string, flow: Flow, bytes: Uint8Array, off: number, len: number): SipParseResult[] {
    if (flow.kind === 'other') return [];
    if (flow.kind === 'undecided') {
      let carried = 0;
      if (flow.carry !== null) {
        // the bytes go on from the carried ones, in the carry's buffer (grown by doubling: a
        // direction sent byte by byte is not copied whole at every byte)
        carried = flow.carryLength;
        let joined = flow.carry;
        if (carried + len > joined.length) {
          joined = new Uint8Array(Math.max(carried + len, 2 * joined.length));
          joined.set(flow.carry.subarray(0, carried), 0);
        }
        joined.set(bytes.subarray(off, off + len), carried);
        flow.carry = null;
        bytes = joined;
        off = 0;
        len += carried;
      }
      const found = this.classify(flowKey, flow, bytes, off, len, carried);
      if (found < 0) return [];
      return this.framed(flow, bytes.subarray(found, off + len));
    }
    return this.framed(flow, bytes.subarray(off, off + len));
  }

  /** Bytes for the direction's framer; a WebSocket direction whose HTTP exchange (this direction's or its peer's) turned out no WebSocket becomes 'other'. */
  private framed(flow: Flow, bytes: Uint8Array): SipParseResult[] {
    const out = flow.framer!.push(bytes);
    if (connectionOf(flow)?.notWebSocket) {
      // the framer stays: the peer direction, classified later, finds the connection through it
      flow.kind = 'other';
      this.stats.notSip++;
    }
    return out;
  }

  /**
   * The direction's byte stream ended (`cause`: "FIN", "RST", "a new SYN"...): its state goes,
   * and the next bytes under the key are a new stream, classified afresh. Returns the report of
   * a message it was still waiting for the rest of (cut, never joined to later bytes), or null.
   */
  end(flowKey: string, cause: string): SipParseResult | null {
    const flow = this.flows.get(flowKey);
    if (flow === undefined) return null;
    this.flows.delete(flowKey);
    // an undecided direction's carried line is not known to be SIP: nothing to report
    return flow.framer === null ? null : flow.framer.end(cause);
  }

  /**
   * Bytes of the direction were lost (a gap the reassembler gave up on, `cause`; `lostBytes`
   * of them, -1 when not known): the message waiting for the rest is reported cut, never joined
   * to the bytes after the gap — or, when the gap fell between messages, the loss itself is
   * reported (a message wholly inside it cannot be known) — and the bytes after it are read
   * afresh in the direction's transport: SIP from its next start line (the framer reports what
   * it skips), WebSocket from the next frame header ResyncingWebSocket finds.
   */
  gap(flowKey: string, cause: string, lostBytes = -1): SipParseResult | null {
    const flow = this.flows.get(flowKey);
    if (flow === undefined || flow.kind === 'other') return null;
    if (flow.framer === null) {
      // still undecided: the line (or frame) it carried does not go on into the bytes after the gap
      flow.carry = null;
      flow.carryFrame = -1;
      flow.carryOpen = false;
      flow.origin = false;
      return null;
    }
    // (a report keeps 80 characters of a detail)
    const lost = lostBytes >= 0 ? `${lostBytes} bytes` : 'bytes';
    const lostError = sipError('bytes-lost', 0, `${lost} lost between messages: any message in them is unknown`);
    const cut = flow.framer.end(cause);
    // (a stretch of SIP passed over up to the gap, reported as it ends there, is no message cut)
    const report = cut === null ? { message: null, errors: [lostError] } : cut.errors.every((e) => e.reason === 'garbage-skipped') ? { message: null, errors: [...cut.errors, lostError] } : cut;
    if (flow.kind === 'sip') flow.framer = new SipStreamFramer({ maxMessageBytes: this.limits.maxMessageBytes });
    // what the connection's handshake agreed holds on after the gap
    else flow.framer = new ResyncingWebSocket({ maxMessageBytes: this.limits.maxMessageBytes, windows: this.windows }, connectionOf(flow) ?? new WebSocketConnection());
    return report;
  }

  /**
   * Every direction still open ends (`cause`: the end of the capture): the report of each
   * message one was still waiting for the rest of, with the direction and what it carried.
   */
  endAll(cause: string): { flowKey: string; kind: SipFlowKind; report: SipParseResult }[] {
    const cut: { flowKey: string; kind: SipFlowKind; report: SipParseResult }[] = [];
    for (const [flowKey, flow] of [...this.flows]) {
      const report = this.end(flowKey, cause);
      if (report !== null) cut.push({ flowKey, kind: flow.kind, report });
    }
    return cut;
  }

  /**
   * Decides what the direction carries; returns where its first message starts, or NOT_FOUND
   * (given up as not SIP once its bytes without a start line or frame, CR/LF aside, pass the budget).
   * `carried`: how many of the bytes are the line (or frame) carried from the direction's chunk
   * before (then `b` is the carry's buffer, the direction's own). What the carried bytes were
   * found to hold is not looked for again (their lines, "websocket"), so a direction sent in many
   * small segments costs in proportion to its bytes.
   */
  private classify(flowKey: string, flow: Flow, b: Uint8Array, off: number, len: number, carried: number): number {
    const end = off + len;
    const carryFrame = carried > 0 ? flow.carryFrame : -1;
    const carryLine = carried > 0 ? flow.carryLine : 0;
    const carryLineLong = carried > 0 && flow.carryLineLong;
    const carryWs = carried > 0 ? flow.carryWs : -1;
    // (the direction's first chunk: one byte alone may be a probe's, one byte glued to more is not)
    const origin = flow.origin && (carried > 0 || len === 1);
    // where the bytes start, a frame may start on its own word (not a line inside a chunk)
    const offOpen = carried === 0 || flow.carryOpen;
    flow.carryFrame = -1;
    flow.carryOpen = false;
    flow.origin = false;
    // The direction's first byte may be a keep-alive probe's garbage octet (SND.NXT − 1, RFC 1122
    // §4.2.3.6), which the reassembler delivers, not knowing it from a first byte sent alone
    // (tcp-stream.ts): what opens the direction is looked for after it too, unless SIP starts at
    // it — a method no RFC names glued before one that is aside ('x' + 'INVITE').
    const stray = origin && len > 1 && b[off] !== 0x0d && b[off] !== 0x0a && (!looksLikeSip(b, off, len) || (!namesMethod(b, off, end) && namesMethod(b, off + 1, end))) ? off + 1 : -1;
    // encrypted (wss, HTTPS, SIP over TLS): never read, nor searched for what its ciphertext may
    // look like — a direction picked up inside a record opens with ciphertext, and a later chunk
    // with the next record's header (a sender writes a record at a time: its segments begin one).
    // Not a direction that showed a line of text (no ciphertext does), nor one whose bytes hold a
    // SIP start line: five header-shaped bytes at a segment's start are a binary body's now and
    // then (about 1 segment in 4 million), and a wrong guess there would lose the call's signaling
    const tlsOpens = (flow.undecidedBytes === 0 && carried === 0 && opensWithTlsRecord(b, off, end)) || (stray >= 0 && opensWithTlsRecord(b, stray, end));
    if (tlsOpens || (!flow.sawText && tlsRecords(b, off + carried, end))) {
      const sip = tlsOpens ? -1 : knownStartLineIn(b, off, end);
      if (sip >= 0) return this.sip(flow, sip);
      flow.kind = 'other';
      this.stats.notSip++;
      return NOT_FOUND;
    }
    let openAt = off;
    while (openAt < end && (b[openAt] === 0x0d || b[openAt] === 0x0a)) openAt++;
    // an Upgrade request (or a proxy's CONNECT) or response, or a frame that chains, at the carried
    // line's start or the chunk's own, where a frame carried from before begins, after a stray first
    // octet or after CR/LF: one byte of a binary stream (TLS picked up mid-connection) says little
    // (CONNECT: a client behind an HTTP proxy opens its tunnel first, RFC 6455 §4.1). A frame whose
    // end has not come yet is one when its payload opens with a SIP start line; else, the first
    // one that may be is carried until it has (`begun`, frameBegun: a first byte no text has),
    // and then taken only when it ends where the bytes do or where a frame starts whose first byte
    // is no text either (in text, the LF its end may fall on would pass for a Pong's first byte).
    // Frames are taken when they chain to where the bytes end, or FIRM_FRAMES of them whole: a
    // frame ending on a byte a frame may start with is one chance in a few hundred in ciphertext
    // (TLS picked up inside a record); whole frames chaining into one whose end has not come are
    // carried with it, and followed into the next bytes.
    let begun = -1;
    const frames = (p: number, next: (byte: number) => boolean = frameStart): boolean => {
      if (framesStartLine(b, p, end)) return true;
      const chain = opensWithFrames(b, p, end, next) ? chainedFrames(b, p, end, next, this.limits.maxUndecidedBytes) : NO_CHAIN;
      if (chain === CHAINS_TO_END || chain >= FIRM_FRAMES) return true;
      if (begun < 0 && (chain > 0 || frameBegun(b, p, end, this.limits.maxUndecidedBytes))) begun = p;
      return false;
    };
    // After a stray first octet first: a probe's garbage octet may itself look like a frame's first
    // byte (0x81, 0x88: a masked payload's last byte is any byte), and joined to the real first
    // byte after it read as a frame that chains, or as one whose payload is the start line
    // without its first letter (0x81 'I' 'NVITE …'). A first byte sent alone is no such worry:
    // after it comes no frame nor a request line naming a method — but for a small masked frame
    // (a Ping, a Pong, a CRLF keep-alive: its second byte, 0x80 | its length, may look like a
    // frame's first), taken at the octet when it ends where the bytes do and what follows the
    // octet is no more: a frame that ends there too, one that carries a start line or has the
    // header of one that will (a text or binary message of 126 bytes or more), or text. While a
    // frame begun after the octet has not ended, the octet is not tried as a frame's first byte
    // (its "frame", a few bytes long, would end inside the other's header, at a mask key's byte).
    if (stray >= 0) {
      if (opensHttpExchange(b, stray, end)) return this.webSocket(flowKey, flow, stray);
      if (offOpen && keepAliveFrame(b, off, end) && frameEnd(b, stray, end) !== end && !framesStartLine(b, stray, end) && !sipFrameHeader(b, stray, end) && !textLine(b, stray, end)) return this.webSocket(flowKey, flow, off);
      if (frames(stray)) return this.webSocket(flowKey, flow, stray);
      if (opensKnownStartLine(b, stray, end)) return this.sip(flow, stray);
    }
    const fromOff = !(stray >= 0 && begun === stray);
    const carriedFrame = carryFrame >= 0 ? off + carryFrame : -1;
    let ws = opensHttpExchange(b, off, end) || (fromOff && offOpen && off !== carriedFrame && frames(off)) ? off : -1;
    if (ws < 0 && carriedFrame >= 0 && carriedFrame !== stray && (fromOff || carriedFrame !== off) && frames(carriedFrame, realFrameStart)) ws = carriedFrame;
    // inside a frame carried as begun (its header not all in, or its end past the new bytes'
    // start) the new bytes are its own — a mask key's or payload's bytes — not a frame's start
    // (the last of the whole frames carried before it, when they were)
    let carriedEnd = carriedFrame >= 0 ? frameEnd(b, carriedFrame, end) : -2;
    while (carriedEnd >= 0 && carriedEnd < off + carried) carriedEnd = frameEnd(b, carriedEnd, end);
    const insideCarried = carriedEnd === -1 || carriedEnd > off + carried;
    // (a frame there whose payload opens with a start line still is one: the "frame" carried may
    // have been a masked payload's bytes that looked like a header)
    if (ws < 0 && carried > 0 && (insideCarried ? framesStartLine(b, off + carried, end) : frames(off + carried))) ws = off + carried;
    if (ws < 0 && offOpen && openAt > off && openAt < end && (insideCarried ? framesStartLine(b, openAt, end) : frames(openAt))) ws = openAt;
    if (ws >= 0) return this.webSocket(flowKey, flow, ws);
    // bytes shaped like a frame with a SIP start line right after (frameChains refuses that chain):
    // a binary body's tail on plain SIP joined mid-message, the next message glued to it (a body
    // ends where its Content-Length says, no CRLF after it) — on WebSocket a frame header follows
    // (not text: a header line's 'A' of "Allow" passes frameStart, and its made-up end may fall
    // inside the next start line's method; the start line must name a method or be a status line,
    // and no line may end before it)
    const tailEnd = offOpen && carried === 0 && frameStart(b[off]!) && !textLine(b, off, end) ? frameEnd(b, off, end) : -1;
    if (tailEnd > off && tailEnd < end && opensKnownStartLine(b, tailEnd, end)) {
      const lf = b.indexOf(0x0a, off);
      if (lf < 0 || lf >= tailEnd) return this.sip(flow, tailEnd);
    }
    let own = off + carried;
    while (own < end && (b[own] === 0x0d || b[own] === 0x0a)) own++;
    // the lines: from the carried bytes' unfinished last line (those before it were read with
    // their own chunk), or from the first that is not CR/LF
    let at = carryLine > 0 ? off + carryLine : openAt;
    let test = !carryLineLong;
    // where "websocket" first lies whole, looked for once (the carried bytes' is known): -2 not yet
    let named = -2;
    const namesWebSocketBefore = (to: number): boolean => {
      if (named === -2) named = carryWs >= 0 ? off + carryWs : findWebSocket(b, Math.max(off, off + carried - WEBSOCKET.length + 1), end);
      return named >= 0 && named + WEBSOCKET.length <= to;
    };
    for (;;) {
      if (test) {
        if (at === off && stray >= 0 && looksLikeSip(b, stray, end - stray)) return this.sip(flow, stray);
        if (at < end && looksLikeSip(b, at, end - at)) return this.sip(flow, at);
      }
      test = true;
      // (the carried bytes hold no LF after their last line's start)
      const lf = b.indexOf(0x0a, Math.max(at, off + carried));
      // a whole line of text, after a LF (each line looked at once: the carried ones were with their chunk)
      if (!flow.sawText && lf >= at + TEXT_LINE && lf < end && at > off && b[at - 1] === 0x0a && textLine(b, at, lf + 1)) flow.sawText = true;
      // the chunk's own start, inside the line: a segment may open with a message after a carried body ending in no CRLF
      if (at < own && (lf < 0 || lf >= own) && own < end && looksLikeSip(b, own, end - own)) return this.sip(flow, own);
      if (lf < 0 || lf >= end) break;
      at = lf + 1;
      // After an empty line, the end of an HTTP header section: the rest of a WebSocket
      // handshake's 101 when the capture began inside it, frames after it (RFC 6455 §4.2.2). So
      // taken when a frame's payload opens with a SIP start line, or the header lines before
      // name WebSocket (Upgrade, Sec-WebSocket-*): the rest of a SIP message picked up
      // mid-message may have a body there that opens like a frame (an ISUP body's 0x01).
      if (at < end && endsHeaderSection(b, off, at)) {
        if (framesStartLine(b, at, end)) return this.webSocket(flowKey, flow, at);
        if (namesWebSocketBefore(at)) {
          if (opensWithFrames(b, at, end)) return this.webSocket(flowKey, flow, at);
          if (begun < 0 && frameBegun(b, at, end, this.limits.maxUndecidedBytes)) begun = at;
        }
      }
    }
    // only the chunk's own bytes count (the carried line was counted with its chunk), and not its
    // CR/LF: keep-alive pings and pongs (RFC 5626 §4.4.1) may come for as long as the flow is idle
    for (let i = off + carried; i < end; i++) if (b[i] !== 0x0d && b[i] !== 0x0a) flow.undecidedBytes++;
    if (flow.undecidedBytes > this.limits.maxUndecidedBytes) {
      flow.kind = 'other';
      this.stats.notSip++;
      return NOT_FOUND;
    }
    // the unfinished last line, and from where a frame may have begun (bounded by frameBegun);
    // with the octet before it when that is the stray one (either may turn out the frame's first)
    const line = at < end && end - at <= MAX_CARRY ? at : -1;
    const from = begun >= 0 && begun === stray ? off : begun >= 0 && (line < 0 || begun < line) ? begun : line;
    if (from >= 0) {
      flow.carryFrame = begun >= 0 ? begun - from : -1;
      flow.carryOpen = from === begun || from === own || (offOpen && from === openAt);
      flow.origin = origin && from === off;
      flow.carryLine = at > from ? at - from : 0;
      flow.carryLineLong = line < 0 && at < end && at >= from;
      let w = named === -2 ? (carryWs >= 0 ? off + carryWs : findWebSocket(b, Math.max(off, off + carried - WEBSOCKET.length + 1), end)) : named;
      if (w >= 0 && w < from) w = findWebSocket(b, from, end);
      flow.carryWs = w >= 0 ? w - from : -1;
      const n = end - from;
      if (carried > 0 && b.length <= Math.max(2 * n, MIN_CARRY_BUFFER)) {
        // the direction's own buffer (a bound on what it holds beyond the carry)
        if (from > 0) b.copyWithin(0, from, end);
        flow.carry = b;
      } else {
        flow.carry = new Uint8Array(Math.max(n, MIN_CARRY_BUFFER));
        flow.carry.set(b.subarray(from, end), 0);
      }
      flow.carryLength = n;
    }
    return NOT_FOUND;
  }

  /** The direction carries SIP over WebSocket, from `at`. */
  private webSocket(flowKey: string, flow: Flow, at: number): number {
    flow.kind = 'websocket';
    flow.framer = new WebSocketFrameDecoder({ maxMessageBytes: this.limits.maxMessageBytes, windows: this.windows }, this.connectionFor(flowKey));
    return at;
  }

  /** The direction carries plain SIP, from `at`. */
  private sip(flow: Flow, at: number): number {
    flow.kind = 'sip';
    flow.framer = new SipStreamFramer({ maxMessageBytes: this.limits.maxMessageBytes });
    return at;
  }

  /** The WebSocket connection a newly classified direction belongs to: its peer direction's (resyncing after a gap or not), when that is followed. */
  private connectionFor(flowKey: string): WebSocketConnection {
    const peer = this.peerOf === null ? undefined : this.flows.get(this.peerOf(flowKey));
    return (peer && connectionOf(peer)) ?? new WebSocketConnection();
  }
}

/** The WebSocket connection a direction reads under, or null when it is not (yet) WebSocket. */
function connectionOf(flow: Flow): WebSocketConnection | null {
  return flow.framer === null || flow.framer instanceof SipStreamFramer ? null : flow.framer.connection;
}

/** A WebSocket frame's first byte where SIP travels: a whole text or binary message (FIN, RSV1 when compressed, RFC 7692), or a close frame. */
function framesSip(byte: number): boolean {
  return byte === 0x81 || byte === 0x82 || byte === 0xc1 || byte === 0xc2 || byte === 0x88;
}

/** The first byte of any frame header: RSV2 and RSV3 clear, a defined opcode (continuation, text, binary, close, ping, pong). */
function frameStart(byte: number): boolean {
  const opcode = byte & 0x0f;
  return (byte & 0x30) === 0 && (opcode <= 2 || (opcode >= 8 && opcode <= 10));
}

/**
 * A frame's first byte as SIP over WebSocket sends them, and no text's: a whole message's frame
 * (FIN set; RSV1 when compressed, RFC 7692) or its last fragment (continuation), a Close, Ping or
 * Pong, or the first fragment of a message not compressed (0x01, 0x02). What frameStart accepts
 * besides is text ('A', 'B', '@', 'H'–'J', HT, LF: the first fragment of a compressed message,
 * or bytes no sender sends: RSV1 on a continuation or control frame, RFC 7692 §6.1; a control
 * frame fragmented, RFC 6455 §5.5).
 */
function realFrameStart(byte: number): boolean {
  return byte === 0x00 || byte === 0x01 || byte === 0x02 || byte === 0x80 || byte === 0x81 || byte === 0x82 || byte === 0xc1 || byte === 0xc2 || byte === 0x88 || byte === 0x89 || byte === 0x8a;
}

/**
 * Whether a text or binary message's first frame starts at `at`, whole (FIN) or a first
 * fragment, compressed or not, or a Close, Ping or Pong (the keep-alives a connection picked up
 * after its handshake may open with, RFC 7118 §6: FIN set, RSV clear, at most 125 payload bytes,
 * RFC 6455 §5.5) — and looks like framing: the frame ends where the bytes end or where another
 * frame starts (one whose first byte `next` accepts). Such a first byte never starts a SIP start
 * line, except 'A' and 'B' (0x41, 0x42: RSV1 and a first fragment), which must not look like SIP
 * nor open a line of text either ("Allow: …", a MESSAGE body's "Are you …": textLine).
 */
function opensWithFrames(b: Uint8Array, at: number, end: number, next: (byte: number) => boolean = frameStart): boolean {
  const first = b[at];
  if (first === 0x88 || first === 0x89 || first === 0x8a) {
    const second = b[at + 1];
    return second !== undefined && (second & 0x7f) <= 125 && frameChains(b, at, end, next);
  }
  if (first === undefined || (first & 0x30) !== 0 || ((first & 0x0f) !== 1 && (first & 0x0f) !== 2)) return false;
  if ((first === 0x41 || first === 0x42) && (looksLikeSip(b, at, end - at) || textLine(b, at, end))) return false;
  return frameChains(b, at, end, next);
}

/**
 * Whether the bytes from `at` read as a line of text of two characters or more: up to its LF
 * (CRLF) or the end of the bytes, printable ASCII, HT or UTF-8 sequences (one cut by the end
 * counts). A frame header's are not, but for its first byte: its second is a masked frame's
 * (≥ 0x80, no character after ASCII) or a length, whose 16-bit or 64-bit extension (a NUL for
 * most SIP) or payload (compressed, or masked: any bytes) follows.
 */
function textLine(b: Uint8Array, at: number, end: number): boolean {
  let i = at;
  while (i < end) {
    const c = b[i]!;
    if (c === 0x0a || (c === 0x0d && (i + 1 === end || b[i + 1] === 0x0a))) break;
    if (c < 0x80) {
      if (c < 0x20 ? c !== 0x09 : c === 0x7f) return false;
      i++;
      continue;
    }
    // a UTF-8 sequence: its lead byte, then as many continuation bytes (0x80-0xbf) as it says
    const more = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (more < 0) return false;
    for (let k = 1; k <= more && i + k < end; k++) if ((b[i + k]! & 0xc0) !== 0x80) return false;
    i += more + 1;
  }
  return Math.min(i, end) - at >= 2;
}

/**
 * Whether a text or binary message's first frame, not compressed, starts at `at` whose payload
 * (unmasked) opens with a SIP start line — a frame carrying SIP (RFC 7118 §5.1), whether or not
 * its end is in the bytes yet.
 */
function framesStartLine(b: Uint8Array, at: number, end: number): boolean {
  const first = b[at];
  if (first === undefined || (first & 0x70) !== 0 || ((first & 0x0f) !== 1 && (first & 0x0f) !== 2) || at + 2 > end) return false;
  const masked = (b[at + 1]! & 0x80) !== 0;
  let length = b[at + 1]! & 0x7f;
  let header = 2;
  if (length === 126) {
    if (at + 4 > end) return false;
    length = (b[at + 2]! << 8) | b[at + 3]!;
    header = 4;
  } else if (length === 127) return false;
  const payload = at + header + (masked ? 4 : 0);
  const n = Math.min(length, end - payload, MAX_CARRY);
  if (n <= 0) return false;
  if (!masked) return b[payload] !== 0x0d && b[payload] !== 0x0a && looksLikeSip(b, payload, n);
  // unmasked up to the payload's first LF, the start line's end (all looksLikeSip reads)
  const key = at + header;
  let k = 0;
  while (k < n && (b[payload + k]! ^ b[key + (k & 3)]!) !== 0x0a) k++;
  const text = new Uint8Array(k < n ? k + 1 : n);
  for (let i = 0; i < text.length; i++) text[i] = b[payload + i]! ^ b[key + (i & 3)]!;
  return text[0] !== 0x0d && text[0] !== 0x0a && looksLikeSip(text, 0, text.length);
}

/**
 * Whether a frame starts at `at` that ends where the bytes do and is a keep-alive: a Ping, a Pong
 * or a Close (at most 125 payload bytes, RFC 6455 §5.5), or a text or binary message of CR/LF
 * only (RFC 7118 does not forbid them; JsSIP and SIP.js send them, RFC 5626 §4.4.1).
 */
function keepAliveFrame(b: Uint8Array, at: number, end: number): boolean {
  const first = b[at];
  if (frameEnd(b, at, end) !== end || !opensWithFrames(b, at, end)) return false;
  if (first === 0x88 || first === 0x89 || first === 0x8a) return true;
  if (first !== 0x81 && first !== 0x82) return false;
  const masked = (b[at + 1]! & 0x80) !== 0;
  const length = b[at + 1]! & 0x7f;
  if (length === 0 || length > 4) return false;
  const payload = at + 2 + (masked ? 4 : 0);
  for (let i = 0; i < length; i++) {
    const c = masked ? b[payload + i]! ^ b[at + 2 + (i & 3)]! : b[payload + i]!;
    if (c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
}

/** Whether a text or binary message's frame header starts at `at` with a 16-bit length (126 bytes or more: a SIP message's, not a keep-alive's). */
function sipFrameHeader(b: Uint8Array, at: number, end: number): boolean {
  const first = b[at];
  return (first === 0x81 || first === 0x82 || first === 0xc1 || first === 0xc2) && at + 1 < end && (b[at + 1]! & 0x7f) === 126;
}

/**
 * Whether a frame may begin at `at` whose end is not in the bytes yet — its header cut short, or
 * its payload — of at most `max` bytes, one to wait for the rest of. Waiting on a frame holds
 * the direction's bytes back from the search for start lines, so it takes more than a first
 * byte frameStart accepts (header text begins with 'A', 'B'): a frame header as SIP over
 * WebSocket sends it — a whole text or binary message (FIN set, RSV1 when compressed: 0x81,
 * 0x82, 0xc1, 0xc2; RFC 7118 §5.1, RFC 7692) or a Close, Ping or Pong, each a first byte no
 * ASCII text has, not where the bytes read as a line of text (0xc2, a UTF-8 lead: textLine); a
 * control frame's length at most 125, a 16-bit length at least 126 (the minimal encoding, RFC
 * 6455 §5.2, §5.5).
 */
function frameBegun(b: Uint8Array, at: number, end: number, max: number): boolean {
  const first = b[at];
  if (first === undefined) return false;
  const control = first === 0x88 || first === 0x89 || first === 0x8a;
  if (!control && first !== 0x81 && first !== 0x82 && first !== 0xc1 && first !== 0xc2) return false;
  if (textLine(b, at, end)) return false;
  if (at + 2 > end) return true;
  const length = b[at + 1]! & 0x7f;
  if (control && length > 125) return false;
  if (length === 126 && at + 4 <= end && ((b[at + 2]! << 8) | b[at + 3]!) < 126) return false;
  const next = frameEnd(b, at, end);
  // (-1: a 16-bit length not all in yet; a 64-bit one no SIP message needs)
  if (next < 0) return length === 126;
  return next > end && next - at <= max;
}

/** The methods RFC 3261 and its extensions name (RFC 3262, 3311, 3428, 3515, 3903, 6086, 6665). */
const METHODS = ['INVITE', 'ACK', 'BYE', 'CANCEL', 'OPTIONS', 'REGISTER', 'PRACK', 'UPDATE', 'MESSAGE', 'REFER', 'PUBLISH', 'INFO', 'SUBSCRIBE', 'NOTIFY'];

/** Whether a request line naming one of METHODS starts at `at`. */
function namesMethod(b: Uint8Array, at: number, end: number): boolean {
  return METHODS.some((m) => end - at > m.length && b[at + m.length] === 0x20 && Buffer.from(b.buffer, b.byteOffset + at, m.length).toString('latin1') === m);
}

/** Whether a SIP start line starts right at `at` that names one of METHODS, or a status line ("SIP/2.0", any case, a code). */
function opensKnownStartLine(b: Uint8Array, at: number, end: number): boolean {
  if (b[at] === 0x0d || b[at] === 0x0a || !looksLikeSip(b, at, end - at)) return false;
  return namesMethod(b, at, end) || ((b[at]! & 0xdf) === 0x53 && (b[at + 1]! & 0xdf) === 0x49 && (b[at + 2]! & 0xdf) === 0x50 && b[at + 3] === 0x2f);
}

/** Where a start line opensKnownStartLine takes begins in bytes[from, end), at `from` or after a LF; -1: nowhere. */
function knownStartLineIn(b: Uint8Array, from: number, end: number): number {
  for (let at = from; at < end; ) {
    if (opensKnownStartLine(b, at, end)) return at;
    const lf = b.indexOf(0x0a, at);
    if (lf < 0 || lf >= end) return -1;
    at = lf + 1;
  }
  return -1;
}

/** Whether the line ending just before `at` is empty (CRLF or LF alone after a line), within bytes from `from`. */
function endsHeaderSection(b: Uint8Array, from: number, at: number): boolean {
  if (at - 2 < from || b[at - 1] !== 0x0a) return false;
  return b[at - 2] === 0x0a || (at - 3 >= from && b[at - 2] === 0x0d && b[at - 3] === 0x0a);
}

/** "websocket", as the handshake's fields name it (Upgrade, Sec-WebSocket-*), lower case. */
const WEBSOCKET = Uint8Array.from(Buffer.from('websocket', 'latin1'));

/** Where "websocket" (any case) first lies whole in bytes[from, end), or -1: one pass, nothing copied. */
function findWebSocket(b: Uint8Array, from: number, end: number): number {
  // (c | 0x20 equals a lower-case letter only for it and its capital)
  next: for (let i = from; i + WEBSOCKET.length <= end; i++) {
    for (let j = 0; j < WEBSOCKET.length; j++) if ((b[i + j]! | 0x20) !== WEBSOCKET[j]) continue next;
    return i;
  }
  return -1;
}

/** A TLS record header (RFC 8446 §5.1): content type change_cipher_spec, alert, handshake or application_data (20-23), version 3.x. */
function opensWithTlsRecord(b: Uint8Array, at: number, end: number): boolean {
  return end - at >= 3 && b[at]! >= 0x14 && b[at]! <= 0x17 && b[at + 1] === 0x03 && b[at + 2]! <= 0x04;
}

/**
 * Whether TLS records start at `at` (RFC 8446 §5.1, RFC 5246 §6.2): a record header whose version
 * is TLS's (3.1 to 3.4), with a length a record may have (1 to 2^14 + 2048), followed where the
 * record ends, when that is in the bytes, by the next record's header (its type and major version).
 */
function tlsRecords(b: Uint8Array, at: number, end: number): boolean {
  if (end - at < 5 || b[at]! < 0x14 || b[at]! > 0x17 || b[at + 1] !== 0x03 || b[at + 2]! < 0x01 || b[at + 2]! > 0x04) return false;
  const length = (b[at + 3]! << 8) | b[at + 4]!;
  if (length === 0 || length > 16384 + 2048) return false;
  const next = at + 5 + length;
  return next >= end || (b[next]! >= 0x14 && b[next]! <= 0x17 && b[next + 1] !== undefined && (next + 1 === end || b[next + 1] === 0x03));
}

/** chainedFrames(): the frames chain to where the bytes end */
const CHAINS_TO_END = Number.POSITIVE_INFINITY;
/** chainedFrames(): no frame that chains */
const NO_CHAIN = 0;
/** Whole frames chaining one into the next that make a direction WebSocket without more. */
const FIRM_FRAMES = 3;

/**
 * How frames chain from the one whose header starts at `at` (its first byte checked by the
 * caller): CHAINS_TO_END when each ends where the next starts up to where the bytes end; else
 * the count of whole frames chaining into one whose end has not come (its header cut short, or
 * its end within `max` bytes of `at`), at most FIRM_FRAMES — FIRM_FRAMES too at a frame after
 * the first whose payload opens with a SIP start line (framesStartLine; the first is the
 * caller's to test); NO_CHAIN when a frame ends on a byte no frame starts with (one `starts`
 * rejects, or a SIP start line's), or on a frame no sender sends after the ones before it:
 * masked otherwise than they are (a direction's frames are all masked or none, RFC 6455 §5.1), a
 * continuation with no fragmented message begun or a message's first frame inside one, a control
 * frame fragmented or of more than 125 bytes (§5.4, §5.5).
 */
function chainedFrames(b: Uint8Array, at: number, end: number, starts: (byte: number) => boolean, max: number): number {
  let whole = 0;
  const masked = b[at + 1] === undefined ? -1 : b[at + 1]! & 0x80;
  // a fragmented message begun, whose last fragment has not come
  let inMessage = false;
  for (let p = at; ; ) {
    const next = frameEnd(b, p, end);
    if (next === end) return CHAINS_TO_END;
    if (next < 0 || next > end) return next - at <= max ? whole : NO_CHAIN;
    const opcode = b[p]! & 0x0f;
    if (opcode === 1 || opcode === 2) inMessage = (b[p]! & 0x80) === 0;
    else if (opcode === 0 && (b[p]! & 0x80) !== 0) inMessage = false;
    if (!starts(b[next]!) || looksLikeSip(b, next, end - next)) return NO_CHAIN;
    const first = b[next]!;
    const second = b[next + 1];
    if (second !== undefined && (second & 0x80) !== masked) return NO_CHAIN;
    const op = first & 0x0f;
    if (op >= 8 ? (first & 0x80) === 0 || (second !== undefined && (second & 0x7f) > 125) : (op === 0) !== inMessage) return NO_CHAIN;
    // a frame of the chain whose payload opens with a SIP start line is firm evidence, wherever
    // it lies (after a keep-alive, its own end not come yet): as the chain's first frame is
    if (framesStartLine(b, next, end)) return FIRM_FRAMES;
    if (++whole >= FIRM_FRAMES) return whole;
    p = next;
  }
}

/** Whether the frame whose header starts at `at` ends where the bytes end, or where a frame whose first byte `starts` accepts begins. */
function frameChains(b: Uint8Array, at: number, end: number, starts: (byte: number) => boolean): boolean {
  const next = frameEnd(b, at, end);
  // a start line after it is SIP, whatever its first letter would be as a frame's first byte
  // ('I' of INVITE: a Ping with RSV1): a binary body's tail shaped like a frame before a request
  // on plain SIP joined mid-message does not make the direction WebSocket
  return next === end || (next >= 0 && next < end && starts(b[next]!) && !looksLikeSip(b, next, end - next));
}

/** Where the frame whose header starts at `at` ends, or -1 when its header is not all in `end`. */
function frameEnd(b: Uint8Array, at: number, end: number): number {
  if (at + 2 > end) return -1;
  const masked = (b[at + 1]! & 0x80) !== 0;
  let length = b[at + 1]! & 0x7f;
  let header = 2;
  if (length === 126) {
    if (at + 4 > end) return -1;
    length = (b[at + 2]! << 8) | b[at + 3]!;
    header = 4;
  } else if (length === 127) return -1; // 64-bit lengths: no SIP message needs them
  return at + header + (masked ? 4 : 0) + length;
}

/**
 * A WebSocket direction after lost bytes: the bytes are passed over up to a frame header whose
 * frame ends where the bytes end or where another frame starts (a lone header-like byte in a
 * masked payload rarely chains so), then framing goes on from it. What is passed over is
 * reported once per stretch, so nothing after a lost segment disappears without a word.
 */
class ResyncingWebSocket {
  private decoder: WebSocketFrameDecoder | null = null;
  private skipped = 0;

  constructor(
    private readonly limits: WebSocketLimits,
    readonly connection: WebSocketConnection,
  ) {}

  push(chunk: Uint8Array): SipParseResult[] {
    if (this.decoder !== null) return this.decoder.push(chunk);
    if (this.connection.notWebSocket) return [];
    for (let at = 0; at < chunk.length; at++) {
      if (!framesSip(chunk[at]!) || !frameChains(chunk, at, chunk.length, framesSip)) continue;
      this.decoder = new WebSocketFrameDecoder(this.limits, this.connection);
      const out = this.skippedReport(at);
      return out.concat(this.decoder.push(chunk.subarray(at)));
    }
    this.skipped += chunk.length;
    return [];
  }

  end(cause: string): SipParseResult | null {
    if (this.decoder !== null) return this.decoder.end(cause);
    return this.skippedReport(0)[0] ?? null;
  }

  private skippedReport(more: number): SipParseResult[] {
    const n = this.skipped + more;
    this.skipped = 0;
    return n === 0 ? [] : [{ message: null, errors: [sipError('bad-websocket-frame', 0, `${n} bytes after a lost segment passed over to the next frame`)] }];
  }
}
