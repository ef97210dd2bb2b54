/**
 * An expectation of every decision, built from the generator's truth and the RTCP packets it
 * wrote, not from the enforcer's binding or decision code: which APT identifiers govern each
 * stream at each frame (what signaling says, what the enforcer can know by then, the
 * renegotiation's offer and answer), the policy file's statements resolved with
 * `resolvePreferences`, and SPEC §4's feature classes and decision rules.
 */
import type { CallTruth, GenerationTruth, StreamTruth } from '../../samples/generator/truth.js';
import type { RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import type { PolicyFile } from '../../src/policy/policy-file.js';
import { resolvePreferences } from '../../src/policy/precedence.js';
import { type AptStatement, buildStatement, mostRestrictiveStatement } from '../../src/policy/statement.js';

export type Feature = 'media-metrics' | 'rtcp-xr' | 'feedback' | 'sdes' | 'app';

/** The three keys a decision depends on, plus the identifiers that decided them. */
export interface Pref {
  export: 'none' | 'aggregated-only' | 'raw';
  features: Feature[] | null;
  retentionSec: number | null;
  apt: string[];
  /** per key, the identifiers whose value it is (none: no statement states the key) */
  by: { export: string[]; features: string[]; retention: string[] };
}

export interface ExpectedItem {
  frame: number;
  ts: number;
  ssrc: number;
  pt: number;
  fmt?: number;
  block?: number;
  feature: Feature;
  subjects: number[];
  decision: 'export' | 'aggregate' | 'drop';
  reason: string;
  /** other reasons as good as `reason` (an item about a stopped stream: drop, whatever the wording) */
  alsoAccepted?: string[];
  /** for export/aggregate: the identifiers that decided (union over governing streams) */
  apt: string[] | null;
  /** every identifier applying to a governing stream (a drop's deciders are among them) */
  applying: string[];
  retentionSec: number | null;
  call: CallTruth;
  stream: StreamTruth;
  /** the packet the generator wrote (for XR, with `block` the index of the block) */
  packet: RtcpPacketInput;
}

const EXPORT_RANK = { none: 0, 'aggregated-only': 1, raw: 2 } as const;

/**
 * The stricter of two streams' preferences (an item governed by both), and the identifiers that
 * decided it (SPEC §4): per key, those of the side whose value it is (both sides' where both
 * give it, or neither alone does); named are the identifiers that decided some key.
 */
export function stricter(a: Pref, b: Pref): Pref {
  const exportLevel = EXPORT_RANK[a.export] <= EXPORT_RANK[b.export] ? a.export : b.export;
  const features = a.features === null ? b.features : b.features === null ? a.features : a.features.filter((f) => b.features!.includes(f));
  const retentionSec = a.retentionSec === null ? b.retentionSec : b.retentionSec === null ? a.retentionSec : Math.min(a.retentionSec, b.retentionSec);
  const side = (av: unknown, bv: unknown, result: unknown, aBy: string[], bBy: string[]): string[] => {
    const aDecides = JSON.stringify(av) === JSON.stringify(result);
    const bDecides = JSON.stringify(bv) === JSON.stringify(result);
    return aDecides && !bDecides ? aBy : bDecides && !aDecides ? bBy : union(aBy, bBy);
  };
  const by = {
    export: side(a.export, b.export, exportLevel, a.by.export, b.by.export),
    features: side(a.features, b.features, features, a.by.features, b.by.features),
    retention: side(a.retentionSec, b.retentionSec, retentionSec, a.by.retention, b.by.retention),
  };
  const deciding = new Set([...by.export, ...by.features, ...by.retention]);
  const ids = union(a.apt, b.apt);
  return { export: exportLevel, features, retentionSec, apt: deciding.size === 0 ? ids : ids.filter((id) => deciding.has(id)), by };
}

const union = (...lists: readonly string[][]): string[] => [...new Set(lists.flat())];

/**
 * The SSRCs whose SDES PRIV tag conflicts with signaling in a generated capture (SPEC §2): a
 * stream bound by its tag alone (via sdes-priv) in a call whose dialog-level AI-Pref values,
 * which still apply to it, do not name the tag.
 */
/** The session-level identifiers that cover every m-section: session scope, and group lines in BUNDLE calls (all grouped). */
function everySectionApts(call: CallTruth): string[] {
  return call.sdp.session.filter((d) => d.scope === 'session' || (d.scope === 'group' && call.flavour === 'bundle')).map((d) => d.id);
}

export function privConflicts(truth: GenerationTruth): number[] {
  const out: number[] = [];
  for (const c of truth.calls) {
    for (const s of c.streams) if (s.via === 'sdes-priv' && c.dialogApt.length > 0 && !c.dialogApt.includes(s.sdesPriv!)) out.push(s.ssrc);
  }
  return out;
}

export class DecisionModel {
  private readonly statements = new Map<string, AptStatement>();
  private readonly firstRtcpFrame = new Map<number, number>();
  private readonly streamOf = new Map<number, { call: CallTruth; stream: StreamTruth }>();

  constructor(
    private readonly truth: GenerationTruth,
    private readonly policy: PolicyFile,
  ) {
    for (const c of truth.rtcp) if (!this.firstRtcpFrame.has(c.ssrc)) this.firstRtcpFrame.set(c.ssrc, c.frame);
    for (const call of truth.calls) for (const stream of call.streams) this.streamOf.set(stream.ssrc, { call, stream });
  }

  private statement(id: string): AptStatement {
    let st = this.statements.get(id);
    if (!st) {
      const part = this.policy.statementPart(id);
      st = part ? buildStatement(id, [part]).statement : mostRestrictiveStatement(id, 'unresolved', 'not in the policy file');
      this.statements.set(id, st);
    }
    return st;
  }

  resolve(ids: readonly string[]): Pref | null {
    const r = resolvePreferences(ids.map((id) => this.statement(id)));
    return r === null
      ? null
      : { export: r.export, features: r.features as Feature[] | null, retentionSec: r.retentionSec, apt: r.apt, by: { export: r.decidedBy.export.apt, features: r.decidedBy.features.apt, retention: r.decidedBy.retention.apt } };
  }

  repository(call: CallTruth): string[] {
    return this.policy.findDialogApts(call.callId, call.fromTag, call.toTag);
  }

  /**
   * Whether the enforcer can know the stream's m-section at this frame. Plain calls give every
   * m-section its own address, so the packet's transport binds it at once; in a BUNDLE call a
   * stream needs its a=ssrc line, its first RTP packet (mid extension) or its first RTCP
   * compound (SDES MID / PRIV) — until then only the dialog-level values can apply.
   */
  known(call: CallTruth, s: StreamTruth, frame: number): boolean {
    if (call.flavour === 'plain' || s.via === 'a=ssrc' || s.via === 'dialog') return true;
    if (s.via === 'rtp-mid') return frame >= s.firstFrame;
    return frame >= (this.firstRtcpFrame.get(s.ssrc) ?? Infinity);
  }

  /** The stream's preference at a frame, or 'stopped' for a disabled m-section's stream. */
  streamPref(ssrc: number, frame: number): Pref | null | 'stopped' {
    const found = this.streamOf.get(ssrc);
    if (!found) return null;
    const { call, stream } = found;
    const repo = this.repository(call);
    // a regulatory dialog-level value is a floor beside an m-section's own identifiers too (SPEC §3)
    const floor = call.dialogApt.filter((id) => this.statement(id).type === 'regulatory');
    const withFloor = (ids: string[]): string[] => (ids.length > 0 ? union(ids, floor) : ids);
    // not yet tied to an m-section: what governs every m-section applies, else the dialog-level values
    if (!this.known(call, stream, frame)) {
      const every = everySectionApts(call);
      return this.resolve(union(every.length > 0 ? withFloor(every) : call.dialogApt, repo));
    }
    const current = union(withFloor(stream.apt), repo);
    const r = call.renegotiations[0];
    if (!r || !r.affectedSsrcs.includes(ssrc) || frame < r.offerFrame) return this.resolveWithTag(call, stream, current);
    // Restrictions take effect from the offer, relaxations from the answer (SPEC §5).
    if (r.kind === 'disable-video') return 'stopped';
    const proposed = r.kind === 'remove-aipref' ? union(withFloor(r.fallback), repo) : union(withFloor(this.withoutRemoved(call, r.removed.mid)), repo);
    if (frame < r.answerFrame) {
      const a = this.resolve(current);
      const b = this.resolve(proposed);
      // no APT on one side is absence of preference, which is not consent (SPEC §3): a drop
      return a && b ? stricter(a, b) : null;
    }
    return this.resolve(r.kind === 'remove-aipref' ? proposed : current);
  }

  /**
   * SPEC §2: a stream's SDES PRIV tag that the dialog-level values it falls back to do not name
   * is a binding conflict — resolved on its own, it only adds restrictions to what they resolve
   * to. With no dialog-level value the tag governs the stream, with the repository's ids.
   */
  private resolveWithTag(call: CallTruth, stream: StreamTruth, ids: string[]): Pref | null {
    const tag = stream.via === 'sdes-priv' ? stream.sdesPriv : null;
    if (tag === null || call.dialogApt.length === 0 || call.dialogApt.includes(tag)) return this.resolve(ids);
    const signaled = this.resolve(ids.filter((id) => id !== tag));
    const own = this.resolve([tag]);
    return signaled && own ? stricter(signaled, own) : (signaled ?? own);
  }

  /** What an m-section would have without its own a=aipref line: session level, else the dialog's. */
  private withoutRemoved(call: CallTruth, _mid: string): string[] {
    const ids = call.sdp.session.filter((d) => d.scope === 'session' || (d.scope === 'group' && call.flavour === 'bundle')).map((d) => d.id);
    return ids.length > 0 ? ids : call.dialogApt;
  }

  /** Every telemetry item of the capture with its expected decision, in capture order. */
  expectAll(rtcp: ReadonlyMap<number, RtcpPacketInput[]>): ExpectedItem[] {
    const out: ExpectedItem[] = [];
    for (const compound of this.truth.rtcp) {
      const packets = rtcp.get(compound.frame);
      if (!packets) throw new Error(`no packets recorded for RTCP frame ${compound.frame}`);
      for (const item of itemsOf(packets)) out.push(this.expect(compound.frame, compound.ts, item));
    }
    return out;
  }

  private expect(frame: number, ts: number, item: RawItem): ExpectedItem {
    const { call, stream } = this.streamOf.get(item.ssrc)!;
    const base = { frame, ts, ssrc: item.ssrc, pt: item.pt, feature: item.feature, subjects: item.subjects, call, stream, packet: item.packet } as const;
    const extra = { ...(item.fmt !== undefined ? { fmt: item.fmt } : {}), ...(item.block !== undefined ? { block: item.block } : {}) };
    const sender = this.streamPref(item.ssrc, frame);
    const applying: string[] = [];
    if (sender === 'stopped') return { ...base, ...extra, decision: 'drop', reason: 'stream-disabled', apt: null, applying, retentionSec: 0 };
    let governing: Pref | null = sender;
    for (const subject of item.subjects) {
      const p = this.streamPref(subject, frame);
      // a stopped stream is the most restrictive of all: an item about it is dropped (SPEC §4, §5)
      if (p === 'stopped') return { ...base, ...extra, decision: 'drop', reason: 'stream-disabled', alsoAccepted: ['no-preference'], apt: null, applying, retentionSec: 0 };
      governing = governing && p ? stricter(governing, p) : null;
    }
    for (const ssrc of [item.ssrc, ...item.subjects]) {
      const p = this.streamPref(ssrc, frame);
      if (p && p !== 'stopped') applying.push(...p.apt);
    }
    const drop = (reason: string): ExpectedItem => ({ ...base, ...extra, decision: 'drop', reason, apt: null, applying, retentionSec: governing?.retentionSec ?? null });
    if (governing === null) return drop('no-preference');
    if (governing.export === 'none') return drop('export-none');
    if (governing.features !== null && !governing.features.includes(item.feature)) return drop('feature-not-allowed');
    if (governing.retentionSec === 0) return drop('retention-zero');
    const aggregate = governing.export === 'aggregated-only';
    return {
      ...base,
      ...extra,
      decision: aggregate ? 'aggregate' : 'export',
      reason: aggregate ? 'aggregated-only' : 'raw-allowed',
      apt: governing.apt,
      applying,
      retentionSec: governing.retentionSec,
    };
  }
}

interface RawItem {
  packet: RtcpPacketInput;
  ssrc: number;
  pt: number;
  fmt?: number;
  block?: number;
  feature: Feature;
  subjects: number[];
}

const BINDING_SDES = new Set([12, 13, 14]);

/** SPEC §4: one item per packet, one per XR block; SDES only when text items remain. */
export function itemsOf(packets: readonly RtcpPacketInput[]): RawItem[] {
  const items: RawItem[] = [];
  const others = (sender: number, ssrcs: number[]) => [...new Set(ssrcs.filter((s) => s !== sender && s !== 0))];
  for (const p of packets) {
    switch (p.pt) {
      case 200:
      case 201:
        if ('reports' in p) items.push({ packet: p, ssrc: p.ssrc, pt: p.pt, feature: 'media-metrics', subjects: others(p.ssrc, p.reports.map((r) => r.ssrc)) });
        break;
      case 202:
        if ('chunks' in p) {
          const text = p.chunks.filter((c) => c.items.some((i) => !BINDING_SDES.has(i.type) && !(i.type === 8 && 'prefix' in i && i.prefix === 'aipref')));
          if (text.length > 0) items.push({ packet: p, ssrc: p.ssrc, pt: 202, feature: 'sdes', subjects: others(p.ssrc, text.map((c) => c.ssrc)) });
        }
        break;
      case 203:
        if ('ssrcs' in p) items.push({ packet: p, ssrc: p.ssrc, pt: 203, feature: 'media-metrics', subjects: others(p.ssrc, p.ssrcs) });
        break;
      case 204:
        items.push({ packet: p, ssrc: p.ssrc, pt: 204, feature: 'app', subjects: [] });
        break;
      case 205:
      case 206:
        if ('mediaSsrc' in p) items.push({ packet: p, ssrc: p.senderSsrc, pt: p.pt, fmt: p.fmt, feature: 'feedback', subjects: others(p.senderSsrc, [p.mediaSsrc]) });
        break;
      case 207:
        if ('blocks' in p) {
          p.blocks.forEach((b, block) => {
            const subjects = 'subBlocks' in b ? b.subBlocks.map((s) => s.ssrc) : 'ssrc' in b && b.ssrc !== undefined ? [b.ssrc] : [];
            items.push({ packet: p, ssrc: p.ssrc, pt: 207, block, feature: 'rtcp-xr', subjects: others(p.ssrc, subjects) });
          });
        }
        break;
    }
  }
  return items;
}

/** Microsecond rounding as SPEC §8 times are written. */
export const us = (t: number): number => Math.round(t * 1e6) / 1e6;

/**
 * SPEC §4's aggregate statistics recomputed from the generator's packets: counts, loss
 * fraction, cumulative loss, jitter (min/mean/max/p95 nearest rank; in milliseconds by the
 * reported source's clock rate too), XR VoIP-metrics means and
 * feedback counts (RTT needs the SRs the enforcer remembered: checked for plausibility only).
 */
export function expectedStats(items: readonly ExpectedItem[]): Record<string, unknown> {
  const packets = { sr: 0, rr: 0, sdes: 0, bye: 0, app: 0, rtpfb: 0, psfb: 0, xr: 0 };
  const kinds: Record<number, keyof typeof packets> = { 200: 'sr', 201: 'rr', 202: 'sdes', 203: 'bye', 204: 'app', 205: 'rtpfb', 206: 'psfb', 207: 'xr' };
  const feedback = { nack: 0, pli: 0, fir: 0, remb: 0, twcc: 0, other: 0 };
  const loss: number[] = [];
  const cumulative: number[] = [];
  const jitter: number[] = [];
  const jitterMs: number[] = [];
  const mosLq: number[] = [];
  const mosCq: number[] = [];
  const rFactor: number[] = [];
  let voipBlocks = 0;
  // an XR packet's blocks are items of their own; the packet counts once
  const xrPackets = new Set<unknown>();
  for (const e of items) {
    if (e.pt !== 207) packets[kinds[e.pt]!]++;
    else if (!xrPackets.has(e.packet)) {
      xrPackets.add(e.packet);
      packets.xr++;
    }
    const p = e.packet;
    if ((e.pt === 200 || e.pt === 201) && 'reports' in p) {
      for (const r of p.reports) {
        loss.push(r.fractionLost / 256);
        cumulative.push(r.cumulativeLost);
        jitter.push(r.jitter);
        // in milliseconds by the clock of the source the block is about (the generator's truth)
        const source = e.call.streams.find((st) => st.ssrc === r.ssrc);
        if (source) jitterMs.push((r.jitter * 1000) / source.clockRate);
      }
    }
    if (e.pt === 205) feedback[e.fmt === 1 ? 'nack' : e.fmt === 15 ? 'twcc' : 'other']++;
    if (e.pt === 206) feedback[e.fmt === 1 ? 'pli' : e.fmt === 4 ? 'fir' : 'other']++;
    if (e.pt === 207 && 'blocks' in p) {
      const b = p.blocks[e.block!]!;
      if (b.bt === 7 && 'mosLq' in b) {
        voipBlocks++;
        // RFC 3611 §4.7.5: MOS 10–50 in tenths, R factor 0–100 (127: unavailable)
        if (b.mosLq >= 10 && b.mosLq <= 50) mosLq.push(b.mosLq / 10);
        if (b.mosCq >= 10 && b.mosCq <= 50) mosCq.push(b.mosCq / 10);
        if (b.rFactor >= 0 && b.rFactor <= 100) rFactor.push(b.rFactor);
      }
    }
  }
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
  const spread = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return xs.length === 0 ? null : { min: sorted[0], mean: mean(xs), max: sorted.at(-1), p95: sorted[Math.ceil(0.95 * sorted.length) - 1] };
  };
  const ms = spread(jitterMs);
  return {
    items: items.length,
    packets,
    reportBlocks: loss.length,
    lossFraction: loss.length === 0 ? null : { mean: mean(loss) },
    cumulativeLost: cumulative.length === 0 ? null : { max: Math.max(...cumulative) },
    jitter: spread(jitter),
    jitterMs: ms === null ? null : { ...ms, count: jitterMs.length },
    voip: voipBlocks === 0 ? null : { blocks: voipBlocks, mosLq: mean(mosLq), mosCq: mean(mosCq), rFactor: mean(rFactor) },
    feedback,
  };
}
