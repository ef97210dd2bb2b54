import { readCaptureBatches, type ReadCaptureOptions } from '../../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../../native-free/packet-decoder.js';
import { flowOfKey, reverseFlowKey, TcpBoundary, type TcpResumedRun } from '../../native-free/tcp-stream.js';
import type { PacketKind, PacketLayerStats, PacketView, RecordBatch } from '../../native-free/types.js';
import type { GivenUpFragments } from '../../native-free/fragments.js';
import { classifyRtpRtcp } from '../media/demux.js';
import { looksLikeSip } from '../signaling/looks-like-sip.js';
import type { SipContext } from '../signaling/dialog-events.js';
import type { SipParseResult } from '../signaling/sip-message.js';
import { parseSipDatagram } from '../signaling/sip-message.js';
import { SipFlowDemux, type SipFlowKind } from '../signaling/sip-flows.js';

export type PacketProto = 'sip' | 'rtp' | 'rtcp' | 'other';

/**
 * What the feed hands on for every capture record, in capture order. `view` is reused for
 * the next record: copy out what must outlive the call.
 */
export interface PacketVisitor {
  /**
   * RTP or RTCP in a UDP datagram (RFC 5761 demultiplexing). A promise (rare: the replay engine
   * asking a shard before it can hand the packet on) is waited for before the next record.
   */
  media(view: PacketView, proto: 'rtp' | 'rtcp', batch: RecordBatch, index: number): void | Promise<void>;
  /**
   * SIP messages completed by this record (one for UDP; none, one or several for TCP; `ctx`
   * names the record and its addresses) — or, at the end of the capture, the report of a
   * message a TCP or WebSocket connection still owed (on the last record's frame and time).
   */
  sip(messages: SipParseResult[], ctx: SipContext): void | Promise<void>;
  /** anything else: not IP, not UDP/TCP, UDP that is neither SIP nor RTP/RTCP, TCP bytes that are not SIP yet. */
  other(view: PacketView, kind: PacketKind, batch: RecordBatch, index: number): void;
  /** broken headers: `view.error` and `view.errorOffset` say what and where in the record. */
  malformed(view: PacketView, batch: RecordBatch, index: number): void;
  /** IP fragment sets given up before they completed (timeout, limit, end of capture): a fragment was lost. */
  /** `past`: how many more sets were given up than are listed (a bound on what is kept to be said) */
  lostFragments?(sets: readonly GivenUpFragments[], past: number): void;
  /** called once per batch of records, before its first record is handed on (every record's time is known by then). */
  beginBatch?(batch: RecordBatch): void;
  /** called once per batch, after its last record. */
  endBatch?(batch: RecordBatch): void | Promise<void>;
}

export interface FeedStats {
  packets: number;
  /**
   * How far into the capture file the records read so far reach (the last one's offset and
   * length: file header, record headers and framing included), for a share of the file's size.
   * Σ captured lengths left out the framing, so a whole file read showed 90–95 %.
   */
  bytes: number;
  lastFrame: number;
  lastTs: number;
  layers: PacketLayerStats;
}

/**
 * Walks a capture and classifies every record: the link and IP layers (native-free), then
 * SIP by its start line, RTP/RTCP by their headers. SIP over TCP (or WebSocket, when the stream
 * opens with an HTTP Upgrade) goes through the signaling stage's per-direction flow demultiplexer,
 * whose framers start and end with the TCP connection (SYN, FIN, RST).
 */
export class PacketFeed {
  /** TcpBoundary bits the TCP reassembler told of while decoding the current record */
  private tcpBoundaries = 0;
  /** with a GAP among them: the bytes it lost (-1: not known) */
  private tcpLostBytes = 0;
  private readonly decoder = new PacketDecoder({
    tcp: {
      onBoundary: (_key, boundaries, lostBytes) => {
        this.tcpBoundaries |= boundaries;
        if ((boundaries & TcpBoundary.GAP) !== 0) this.tcpLostBytes = lostBytes;
      },
    },
  });
  private readonly view = createPacketView();
  /** SIP over TCP or WebSocket, one framer per connection direction (bounded); a WebSocket's two directions share its handshake */
  private readonly tcpSip = new SipFlowDemux({}, reverseFlowKey);
  readonly stats: FeedStats;

  constructor(private readonly visitor: PacketVisitor) {
    this.stats = { packets: 0, bytes: 0, lastFrame: 0, lastTs: 0, layers: this.decoder.stats };
  }

  /** Reads the whole capture, or up to the batch where `signal` is aborted. */
  async run(path: string, signal?: AbortSignal, opts: ReadCaptureOptions = {}): Promise<void> {
    await this.runBatches(readCaptureBatches(path, opts), signal);
  }

  /** Feeds batches from any source (a capture file, a live listener) until it ends or `signal` aborts. */
  async runBatches(batches: AsyncIterable<RecordBatch>, signal?: AbortSignal): Promise<void> {
    for await (const batch of batches) {
      if (signal?.aborted) break;
      await this.feedBatch(batch);
      if (this.visitor.endBatch) await this.visitor.endBatch(batch);
    }
    // bytes a stream held behind a lost segment go on as a skipped gap would have sent them
    for (const { key, bytes, lostBytes } of this.decoder.drainHeldTcp()) await this.resumeAfterGap(key, bytes, lostBytes);
    this.decoder.flush();
    this.stats.layers = this.decoder.stats;
    this.tellLostFragments();
    await this.endConnections();
  }

  /** At the end of the capture: a direction's held bytes after a gap, as tcpBoundary() takes them after a GAP. */
  private async resumeAfterGap(flowKey: string, bytes: Uint8Array, lostBytes: number): Promise<void> {
    const messages = this.gapThenBytes(flowKey, lostBytes, bytes, 0, bytes.length);
    if (messages.length > 0) await this.visitor.sip(messages, this.endContext(flowKey, this.tcpSip.kindOf(flowKey) ?? 'sip'));
  }

  /**
   * Other directions' bytes resumed past a gap by this record (its ACK passed their gap, or the
   * gap timed out): read at this record, before its own bytes, as tcpBoundary() reads a GAP.
   */
  private async resumeOthers(runs: TcpResumedRun[], view: PacketView): Promise<void> {
    for (const { key, bytes, lostBytes, ended } of runs) {
      const messages = this.gapThenBytes(key, lostBytes, bytes, 0, bytes.length);
      const kind = this.tcpSip.kindOf(key) ?? 'sip';
      if (ended) {
        const report = this.tcpSip.end(key, 'FIN');
        if (report !== null) messages.push(report);
      }
      if (messages.length > 0) await this.visitor.sip(messages, { ...this.flowContext(key, kind), frame: view.frame, ts: view.ts });
    }
  }

  /** A record's context for what the end of the capture brings on a connection (the last record's frame and time). */
  private endContext(flowKey: string, kind: SipFlowKind): SipContext {
    return { ...this.flowContext(flowKey, kind), frame: this.stats.lastFrame, ts: this.stats.lastTs };
  }

  /** The addresses and transport of a direction named by its key; frame and time left to the caller. */
  private flowContext(flowKey: string, kind: SipFlowKind): SipContext {
    const flow = flowOfKey(flowKey);
    return {
      frame: 0,
      ts: 0,
      src: flow?.src ?? '',
      dst: flow?.dst ?? '',
      sport: flow?.sport ?? 0,
      dport: flow?.dport ?? 0,
      transport: kind === 'websocket' ? 'ws' : 'tcp',
    };
  }

  /**
   * The capture ended with connections open: a SIP message one of them was still owed the rest
   * of (a Content-Length past the bytes sent, a last segment lost) is reported as cut, as at a
   * FIN, rather than lost without a word with everything after it in that direction.
   */
  private async endConnections(): Promise<void> {
    for (const { flowKey, kind, report } of this.tcpSip.endAll('the end of the capture')) await this.visitor.sip([report], this.endContext(flowKey, kind));
  }

  /** Feeds one batch; waits only where SIP handling is asynchronous (signature checks). */
  async feedBatch(batch: RecordBatch): Promise<void> {
    const view = this.view;
    const visitor = this.visitor;
    if (batch.count > 0) visitor.beginBatch?.(batch);
    for (let i = 0; i < batch.count; i++) {
      const kind = this.decoder.decode(batch, i, view);
      this.stats.packets++;
      if (kind === 'udp') {
        const bytes = view.bytes;
        const off = view.payloadOffset;
        const len = view.payloadLength;
        const cls = classifyRtpRtcp(bytes, off, len, view.payloadCut);
        if (cls !== 'other') {
          const pending = visitor.media(view, cls, batch, i);
          if (pending) await pending;
        } else if (looksLikeSip(bytes, off, len)) {
          const pending = visitor.sip([parseSipDatagram(bytes, off, len, view.payloadCut)], this.context(view, 'udp'));
          if (pending) await pending;
        } else visitor.other(view, kind, batch, i);
      } else if (kind === 'tcp') {
        const resumed = this.decoder.takeResumedTcp();
        if (resumed !== null) await this.resumeOthers(resumed, view);
        const pending = this.tcpBoundaries === 0 ? this.tcp(view, batch, i) : this.tcpBoundary(view, kind, batch, i);
        if (pending) await pending;
      } else if (kind === 'pending') {
        // a bare ACK may be past the other direction's gap: what that resumes is this record's
        const resumed = this.decoder.takeResumedTcp();
        if (resumed !== null) await this.resumeOthers(resumed, view);
        // a segment without new bytes that starts or ends its stream (a SYN, a FIN, an RST)
        if (this.tcpBoundaries !== 0) {
          const pending = this.tcpBoundary(view, kind, batch, i);
          if (pending) await pending;
        } else visitor.other(view, kind, batch, i);
      } else if (kind === 'malformed') {
        visitor.malformed(view, batch, i);
      } else {
        visitor.other(view, kind, batch, i);
      }
    }
    if (batch.count > 0) {
      const last = batch.count - 1;
      // (only the last record's own header is short of the offset reached: a few bytes)
      this.stats.bytes = Math.max(this.stats.bytes, batch.fileOffset[last]! + batch.capLen[last]!);
      this.stats.lastFrame = batch.firstFrame + batch.count - 1;
      this.stats.lastTs = batch.ts[batch.count - 1]!;
    }
    this.stats.layers = this.decoder.stats;
    this.tellLostFragments();
  }

  private tellLostFragments(): void {
    const lost = this.decoder.takeGivenUpFragments();
    const past = this.decoder.takeGivenUpFragmentsPast();
    if (lost.length > 0 || past > 0) this.visitor.lostFragments?.(lost, past);
  }

  private tcp(view: PacketView, batch: RecordBatch, i: number): void | Promise<void> {
    const messages = this.tcpSip.push(view.flowKey, view.bytes, view.payloadOffset, view.payloadLength);
    if (messages.length > 0) return this.visitor.sip(messages, this.context(view, this.tcpSip.kindOf(view.flowKey) === 'websocket' ? 'ws' : 'tcp'));
    this.visitor.other(view, 'tcp', batch, i);
  }

  /**
   * A segment at a boundary of its direction's stream, with the bytes it delivers, if any: a new
   * SYN cuts off what the old connection left (both directions for a SYN that opens a
   * connection), a skipped gap what came before it, then the bytes go to fresh framers; a FIN
   * reached ends the framer, an RST both directions' framers (it resets the connection). Each
   * message left unfinished is reported once, as cut, on this record.
   */
  private tcpBoundary(view: PacketView, kind: 'tcp' | 'pending', batch: RecordBatch, i: number): void | Promise<void> {
    const boundaries = this.tcpBoundaries;
    this.tcpBoundaries = 0;
    const key = view.flowKey;
    const demux = this.tcpSip;
    const before = demux.kindOf(key);
    // ending the other direction too (a new connection, an RST): what it carried names the
    // transport when this direction sent nothing yet (the peer's half-sent WebSocket frame)
    const peer = (boundaries & (TcpBoundary.CONNECT | TcpBoundary.RESET)) !== 0 ? reverseFlowKey(key) : null;
    const peerBefore = peer === null ? null : demux.kindOf(peer);
    const messages: SipParseResult[] = [];
    const cut = (flowKey: string, cause: string) => {
      const report = demux.end(flowKey, cause);
      if (report !== null) messages.push(report);
    };
    if ((boundaries & TcpBoundary.START) !== 0) {
      cut(key, 'a new SYN');
      if ((boundaries & TcpBoundary.CONNECT) !== 0) cut(peer!, 'a new SYN from the peer');
    }
    if ((boundaries & TcpBoundary.GAP) !== 0) messages.push(...this.gapThenBytes(key, this.tcpLostBytes, view.bytes, view.payloadOffset, kind === 'tcp' ? view.payloadLength : 0));
    else if (kind === 'tcp') messages.push(...demux.push(key, view.bytes, view.payloadOffset, view.payloadLength));
    const after = demux.kindOf(key);
    if ((boundaries & TcpBoundary.END) !== 0) cut(key, 'FIN');
    if ((boundaries & TcpBoundary.RESET) !== 0) {
      cut(key, 'RST');
      cut(peer!, 'RST');
    }
    if (messages.length === 0) {
      this.visitor.other(view, kind, batch, i);
      return;
    }
    return this.visitor.sip(messages, this.context(view, (after ?? before ?? peerBefore) === 'websocket' ? 'ws' : 'tcp'));
  }

  /**
   * Bytes after a lost segment: the message before it is cut there, never glued to them (or the
   * loss is reported when it fell between messages), and the direction is read on from the next
   * start line (or WebSocket frame) they hold.
   */
  private gapThenBytes(flowKey: string, lostBytes: number, bytes: Uint8Array, off: number, len: number): SipParseResult[] {
    const messages: SipParseResult[] = [];
    const report = this.tcpSip.gap(flowKey, 'a lost segment', lostBytes);
    if (report !== null) messages.push(report);
    if (len > 0) messages.push(...this.tcpSip.push(flowKey, bytes, off, len));
    return messages;
  }

  private context(view: PacketView, transport: 'udp' | 'tcp' | 'ws'): SipContext {
    return { frame: view.frame, ts: view.ts, src: view.src, dst: view.dst, sport: view.sport, dport: view.dport, transport };
  }
}
