/**
 * Export and decision lines in the SPEC §8 record contract. Field names are relied on by
 * other tools: add, never rename.
 *
 * requestId: a UUID-shaped (RFC 9562 version 8, "custom") SHA-256 digest of what identifies
 * the export — for a telemetry item the frame number, the item's index in the compound, its
 * capture time and the SSRC that sent it; for an aggregate the stream key (dialog, SSRC, APTs)
 * and the window bounds — plus an optional salt. It is identical whatever the worker count and
 * whether the capture comes from a file or a pipe, because it depends only on the capture's
 * content, never on scheduling or a clock; so the same capture replayed twice gives the same
 * ids (a JetStream consumer drops the second copy as duplicates). Frame and index alone made it
 * unique within one run only: every capture's and every live enforcer's first raw item had the
 * same id, and JetStream, which deduplicates by it, dropped the later one.
 */
import * as nodeCrypto from 'node:crypto';
import type { FeatureClass } from '../policy/vocabulary.js';
import type { Decision, DecisionKind, DecisionReason } from './decide.js';
import type { TelemetryItem } from './telemetry-items.js';
import type { ClosedWindow, WindowStats } from './windows.js';

/** `{callId, fromTag, toTag}` as in every SPEC §8 line. */
export interface DialogIdentity {
  callId: string;
  fromTag: string;
  toTag: string;
}

export interface StreamIdentity {
  ssrc: number;
  mid: string | null;
  kind: string | null;
}

interface ExportBase {
  requestId: string;
  ts: number;
  /** capture time + retention; null when no APT limits retention */
  expiresAt: number | null;
  dialog: DialogIdentity | null;
  stream: StreamIdentity;
  apt: string[];
  /** keys of the deciding APTs the vocabulary does not know, passed through (SPEC §3); only when there are some */
  extensions?: Readonly<Record<string, unknown>>;
}

export interface TelemetryExport extends ExportBase {
  type: 'telemetry';
  decision: 'export';
  item: Record<string, unknown>;
}

export interface AggregateExport extends ExportBase {
  type: 'aggregate';
  decision: 'aggregate';
  window: { start: number; end: number };
  stats: WindowStats;
}

/** One line of decisions.ndjson (`--explain`). */
export interface DecisionLine {
  frame: number;
  ts: number;
  ssrc: number;
  pt: number;
  fmt?: number;
  block?: number;
  feature: FeatureClass;
  decision: DecisionKind;
  reason: DecisionReason;
  apt: string[];
  rule: string;
}

/**
 * The one-shot digest (Node ≥ 20.12) gives the same SHA-256 as a Hash object at a fraction of
 * its set-up cost, which dominated per export; older Node 20 falls back to the Hash object.
 */
const sha256Hex: (text: string) => string =
  typeof nodeCrypto.hash === 'function'
    ? (text) => nodeCrypto.hash('sha256', text, 'hex')
    : (text) => nodeCrypto.createHash('sha256').update(text).digest('hex');

export function requestIdOf(fields: readonly (string | number)[]): string {
  return requestIdOfJson(JSON.stringify(fields));
}

/** RFC 9562 variant digits, by the digest's nibble: its top two bits forced to 10. */
const VARIANT = ['8', '9', 'a', 'b'];
/** A lowercase hex digit's value, by character code. */
const HEX_VALUE = new Uint8Array(128);
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

/** requestIdOf for fields already written as their JSON array text. */
function requestIdOfJson(text: string): string {
  const hex = sha256Hex(text);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${VARIANT[HEX_VALUE[hex.charCodeAt(16)]! & 0x3]!}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A number as JSON writes it (String's digits; null for NaN and ±Infinity). */
function jsonNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : 'null';
}

/** Capture times carry microsecond precision (SPEC §8). */
export function microseconds(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

export interface TelemetryExportInput {
  frame: number;
  ts: number;
  item: TelemetryItem;
  decision: Decision;
  dialog: DialogIdentity | null;
  stream: StreamIdentity;
  salt?: string;
}

export function buildTelemetryExport(input: TelemetryExportInput): TelemetryExport {
  const ts = microseconds(input.ts);
  return {
    type: 'telemetry',
    // requestIdOf([salt, 'telemetry', frame, index, ts, sender SSRC]), its JSON text written without the array
    requestId: requestIdOfJson(
      `[${input.salt === undefined ? '""' : JSON.stringify(input.salt)},"telemetry",${jsonNumber(input.frame)},${jsonNumber(input.item.index)},${jsonNumber(ts)},${jsonNumber(input.item.senderSsrc)}]`,
    ),
    ts,
    expiresAt: expiry(ts, input.decision.retentionSec),
    dialog: input.dialog,
    stream: input.stream,
    apt: input.decision.apt,
    ...extensionsOf(input.decision.extensions),
    decision: 'export',
    item: itemContent(input.item, input.decision.includeText),
  };
}

export interface AggregateExportInput {
  window: ClosedWindow;
  dialog: DialogIdentity | null;
  stream: StreamIdentity;
  salt?: string;
}

/**
 * An aggregate is made when its window closes: its time is the window's end. It expires when
 * the first of the items folded in does (capture time + retention, SPEC §3, §4), not a
 * retention after the window's end: that would keep the early items' data past theirs. A
 * window is closed at the latest when half that retention has run (windows.ts), so the
 * aggregate is made with half of it left: ts < expiresAt, never expired when made.
 */
export function buildAggregateExport(input: AggregateExportInput): AggregateExport {
  const { window } = input;
  const start = microseconds(window.start);
  const end = microseconds(window.end);
  return {
    type: 'aggregate',
    // a repeat of the key's previous window's bounds (ClosedWindow.repeat) is told apart by its ordinal
    requestId: requestIdOf(window.repeat > 0 ? [input.salt ?? '', 'aggregate', window.key, start, end, window.repeat] : [input.salt ?? '', 'aggregate', window.key, start, end]),
    ts: end,
    expiresAt: window.retentionSec === null ? null : microseconds(window.deadline),
    dialog: input.dialog,
    stream: input.stream,
    apt: window.apt,
    ...extensionsOf(window.extensions),
    decision: 'aggregate',
    window: { start, end },
    stats: window.stats,
  };
}

export function buildDecisionLine(frame: number, ts: number, item: TelemetryItem, decision: Decision): DecisionLine {
  const line: DecisionLine = {
    frame,
    ts: microseconds(ts),
    ssrc: item.senderSsrc,
    pt: item.pt,
    feature: item.feature,
    decision: decision.decision,
    reason: decision.reason,
    apt: decision.apt,
    rule: decision.rule,
  };
  if (item.kind === 'rtpfb' || item.kind === 'psfb') line.fmt = item.fmt;
  if (item.kind === 'xr') line.block = item.block;
  return line;
}

const NOTHING_TO_ADD = {};

/** `{extensions}` to spread into a line where the deciding APTs state unknown keys, else nothing (the line as before). */
function extensionsOf(extensions: Readonly<Record<string, unknown>>): { extensions?: Readonly<Record<string, unknown>> } {
  for (const _ in extensions) return { extensions };
  return NOTHING_TO_ADD;
}

function expiry(ts: number, retentionSec: number | null): number | null {
  return retentionSec === null ? null : microseconds(ts + retentionSec);
}

/**
 * The decoded item as exported raw: the §8 inspect fields, without wire offsets or binding
 * metadata. Report blocks, SDES chunks (already filtered by splitTelemetry) and XR blocks are
 * referenced, not copied: a decoded compound belongs to its items alone and the content is
 * serialised as it is made, so copies (per-block spreads, structuredClone) were pure cost.
 */
export function itemContent(item: TelemetryItem, includeText: boolean): Record<string, unknown> {
  switch (item.kind) {
    case 'sr': {
      const p = item.packet;
      return { pt: p.pt, ssrc: p.ssrc, ntpSec: p.ntpSec, ntpFrac: p.ntpFrac, rtpTs: p.rtpTs, packetCount: p.packetCount, octetCount: p.octetCount, reports: p.reports };
    }
    case 'rr':
      return { pt: item.packet.pt, ssrc: item.packet.ssrc, reports: item.packet.reports };
    case 'sdes':
      return { pt: item.pt, ssrc: item.senderSsrc, chunks: item.chunks };
    case 'bye': {
      const content: Record<string, unknown> = { pt: item.pt, ssrc: item.packet.ssrc, ssrcs: [...item.packet.ssrcs] };
      if (includeText && item.packet.reason !== undefined) content.reason = item.packet.reason;
      return content;
    }
    case 'app': {
      const p = item.packet;
      return 'subtype' in p ? { pt: p.pt, ssrc: p.ssrc, subtype: p.subtype, name: p.name, dataLength: p.dataLength } : { pt: p.pt, ssrc: p.ssrc, length: p.length };
    }
    case 'rtpfb': {
      const p = item.packet;
      const content: Record<string, unknown> = { pt: p.pt, fmt: p.fmt, senderSsrc: p.senderSsrc, mediaSsrc: p.mediaSsrc };
      if (p.nacks !== undefined) content.nacks = p.nacks.map((n) => ({ ...n }));
      if (p.twcc !== undefined) content.twcc = { ...p.twcc };
      if (p.tmmb !== undefined) content.tmmb = p.tmmb.map((t) => ({ ...t }));
      if (p.pauseResume !== undefined) content.pauseResume = p.pauseResume.map((e) => ({ ...e }));
      return content;
    }
    case 'psfb': {
      const p = item.packet;
      const content: Record<string, unknown> = { pt: p.pt, fmt: p.fmt, senderSsrc: p.senderSsrc, mediaSsrc: p.mediaSsrc };
      if (p.fir !== undefined) content.fir = p.fir.map((f) => ({ ...f }));
      if (p.remb !== undefined) content.remb = { bitrate: p.remb.bitrate, ssrcs: [...p.remb.ssrcs] };
      if (p.tst !== undefined) content.tst = p.tst.map((t) => ({ ...t }));
      if (p.vbcm !== undefined) content.vbcm = p.vbcm.map((v) => ({ ...v }));
      return content;
    }
    case 'xr':
      // The inspect form of an XR packet holding just this block (its own ssrc is the reported-on source).
      return { pt: item.pt, ssrc: item.packet.ssrc, block: item.block, blocks: [item.xrBlock] };
  }
}
