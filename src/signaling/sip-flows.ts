/**
 * SIP on TCP connections, one framer per direction: the first bytes of a direction tell
 * whether it carries plain SIP (RFC 3261 §18.3), SIP over WebSocket (RFC 7118: an HTTP
 * Upgrade, or frames when the capture began after it), or something else, which is then
 * ignored. A direction picked up mid-message is searched for the next SIP start line.
 * A direction ends with its connection (end()): a new connection on the same four-tuple starts over.
 * The number of directions followed is bounded; the least recently active is dropped.
 */
import { looksLikeSip } from './looks-like-sip.js';
import type { SipParseResult } from './sip-message.js';
import { sipError } from './sip-errors.js';
import { SipStreamFramer } from './sip-stream.js';
import { WebSocketFrameDecoder } from './websocket-frames.js';

export interface SipFlowLimits {
  maxFlows: number;
  /** chunks inspected without finding SIP before a direction is given up as not SIP */
  maxUndecidedChunks: number;
  maxMessageBytes: number;
}

export const DEFAULT_SIP_FLOW_LIMITS: SipFlowLimits = { maxFlows: 20_000, maxUndecidedChunks: 8, maxMessageBytes: 256 * 1024 };

export type SipFlowKind = 'undecided' | 'sip' | 'websocket' | 'other';

interface Flow {
  kind: SipFlowKind;
  undecidedChunks: number;
  framer: SipStreamFramer | WebSocketFrameDecoder | ResyncingWebSocket | null;
  /** while undecided: the unfinished last line, which may be the start of a start line */
  carry: Uint8Array | null;
}

/** A start line longer than this is not waited for across chunks. */
const MAX_CARRY = 2048;

export interface SipFlowStats {
  flows: number;
  evicted: number;
  notSip: number;
}

export class SipFlowDemux {
  private readonly limits: SipFlowLimits;
  private readonly flows = new Map<string, Flow>();
  readonly stats: SipFlowStats = { flows: 0, evicted: 0, notSip: 0 };

  constructor(limits: Partial<SipFlowLimits> = {}) {
    this.limits = { ...DEFAULT_SIP_FLOW_LIMITS, ...limits };
  }

  /** What a direction was recognised as, or null when it is not followed. */
  kindOf(flowKey: string): SipFlowKind | null {
    return this.flows.get(flowKey)?.kind ?? null;
  }

  /** New in-order bytes of one direction; returns the SIP messages they completed. */
  push(flowKey: string, bytes: Uint8Array, off: number, len: number): SipParseResult[] {
    let flow = this.flows.get(flowKey);
    if (flow) {
      this.flows.delete(flowKey);
    } else {
      flow = { kind: 'undecided', undecidedChunks: 0, framer: null, carry: null };
      this.stats.flows++;
    }
    this.flows.set(flowKey, flow);
    if (this.flows.size > this.limits.maxFlows) {
      this.flows.delete(this.flows.keys().next().value!);
      this.stats.evicted++;
    }
    if (flow.kind === 'other') return [];
    if (flow.kind === 'undecided') {
      if (flow.carry !== null) {
        const joined = new Uint8Array(flow.carry.length + len);
        joined.set(flow.carry, 0);
        joined.set(bytes.subarray(off, off + len), flow.carry.length);
        flow.carry = null;
        bytes = joined;
        off = 0;
        len = joined.length;
      }
      const found = this.classify(flow, bytes, off, len);
      if (found < 0) return [];
      return flow.framer!.push(bytes.subarray(found, off + len));
    }
    return flow.framer!.push(bytes.subarray(off, off + len));
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
    if (flow === undefined) return null;
    if (flow.framer === null) {
      // still undecided: the line it carried does not go on into the bytes after the gap
      flow.carry = null;
      return null;
    }
    const lost = lostBytes >= 0 ? `${lostBytes} bytes` : 'bytes';
    const report = flow.framer.end(cause) ?? { message: null, errors: [sipError('bytes-lost', 0, `${lost} missing between messages (${cause}): a message wholly inside them is unknown`)] };
    if (flow.kind === 'sip') flow.framer = new SipStreamFramer({ maxMessageBytes: this.limits.maxMessageBytes });
    else flow.framer = new ResyncingWebSocket(this.limits.maxMessageBytes);
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

  /** Decides what the direction carries; returns where its first message starts, or -1. */
  private classify(flow: Flow, b: Uint8Array, off: number, len: number): number {
    const end = off + len;
    const first = b[off];
    if (startsWithAscii(b, off, end, 'GET ') || startsWithAscii(b, off, end, 'HTTP/') || (first !== undefined && finalDataFrame(first))) {
      // an Upgrade request or response, or a final text/binary frame (compressed or not): no SIP start line begins with these
      flow.kind = 'websocket';
      flow.framer = new WebSocketFrameDecoder({ maxMessageBytes: this.limits.maxMessageBytes });
      return off;
    }
    let at = off;
    while (at < end && (b[at] === 0x0d || b[at] === 0x0a)) at++;
    for (;;) {
      if (at < end && looksLikeSip(b, at, end - at)) {
        flow.kind = 'sip';
        flow.framer = new SipStreamFramer({ maxMessageBytes: this.limits.maxMessageBytes });
        return at;
      }
      const lf = b.indexOf(0x0a, at);
      if (lf < 0 || lf >= end) break;
      at = lf + 1;
    }
    if (++flow.undecidedChunks >= this.limits.maxUndecidedChunks) {
      flow.kind = 'other';
      this.stats.notSip++;
    } else if (end - at <= MAX_CARRY) {
      flow.carry = b.slice(at, end);
    }
    return -1;
  }
}

function startsWithAscii(b: Uint8Array, off: number, end: number, text: string): boolean {
  if (end - off < text.length) return false;
  for (let i = 0; i < text.length; i++) if (b[off + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** A WebSocket frame's first byte for a whole text or binary message: FIN, RSV1 when compressed (RFC 7692), the opcode. */
function finalDataFrame(byte: number): boolean {
  return byte === 0x81 || byte === 0x82 || byte === 0xc1 || byte === 0xc2;
}

/** A WebSocket frame's first byte where SIP travels: a whole text or binary message, or a close frame. */
function framesSip(byte: number): boolean {
  return finalDataFrame(byte) || byte === 0x88;
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

  constructor(private readonly maxMessageBytes: number) {}

  push(chunk: Uint8Array): SipParseResult[] {
    if (this.decoder !== null) return this.decoder.push(chunk);
    for (let at = 0; at < chunk.length; at++) {
      if (!framesSip(chunk[at]!)) continue;
      const next = frameEnd(chunk, at, chunk.length);
      if (next < 0 || next > chunk.length || (next < chunk.length && !framesSip(chunk[next]!))) continue;
      this.decoder = new WebSocketFrameDecoder({ maxMessageBytes: this.maxMessageBytes });
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
