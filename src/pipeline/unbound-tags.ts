/**
 * SDES PRIV `aipref` tags sent on media no signaling routed yet, remembered on the main thread so
 * that the dialog which later names the transport gets them (SPEC §2.4: a tag binds its SSRC, and
 * tags never relax signaling). Before signaling, a stream lives in an unbound session on the shard
 * of its transport pair; once signaled its packets go to the dialog's shard (by Call-ID), which
 * never saw the tag. The main thread sees every packet in capture order whatever the worker count,
 * so it notes the tags of unbound RTCP here, and at the first packet of that SSRC a dialog routes
 * (replay-engine.ts) has the dialog's shard take, as a `carry` event, the tags the pair's shard
 * holds for it then (MediaCore.tagsHeld; asked first where they are two shards), the same with 0
 * or n workers. A note says only whether to ask: the shard's answer is what it still holds.
 *
 * Notes are kept at least as long as a shard keeps the unbound session that honours them: by
 * transport pair, let go at the same sweeps (MediaCore.sweepUnbound: at signaling events, at most
 * once a minute, a session whose every stream is idle UNBOUND_IDLE_SEC and whose windows are
 * closed), which the main thread runs at the same events with stamps never lower (sweep). One
 * let go before the shard's session would lose a tag; one kept longer costs an ask.
 *
 * Only unbound compounds are read here (rare: media before its signaling, a mirror's strays, SRTCP
 * an ended dialog's sender sent under its keys), and only those with an SDES PRIV item are decoded.
 */
import { decodeRtcpCompound } from '../media/rtcp/compound.js';
import { isAiprefItem, type RtcpCompound, SdesItemType } from '../media/rtcp/types.js';
import { splitTelemetry } from '../enforce/telemetry-items.js';
import { prefIdOfText } from '../signaling/ai-pref-header.js';
import type { PacketView } from '../../native-free/types.js';
import type { CoreEvent } from './media-core.js';
import { MAX_SDES_APTS, UNBOUND_IDLE_SEC, UNBOUND_SWEEP_SEC, unboundSessionKey, unroutedPairV4 } from './media-core.js';
import { readUint32 } from '../../native-free/big-endian.js';

/** A carried SSRC's identifiers (MediaCore.carryTags). */
export interface CarriedTags {
  ssrc: number;
  apts: string[];
}

interface PairNotes {
  /** by SSRC, up to MAX_SDES_APTS + 1 identifiers: one past the limit still reaches the core's (MediaCore.sdesLimit) */
  bySsrc: Map<number, string[]>;
  /** what `near` counts for it: an IPv4 pair's hash (unroutedPairV4), an IPv6 pair's two addresses */
  near: (number | string)[];
  /**
   * the latest the shard's session may have last seen one of its streams: the highest own stamp
   * of the packets that touched one since the note, and, for those before it, the highest the
   * capture clock or an unbound packet's stamp had been when it was noted. Never lowered: the
   * core assigns a stream's lastSeen from each packet (a record out of order takes it back), and
   * which streams a compound touches depends on more than the main thread mirrors (a subject
   * another call declares) — a note kept longer than the shard's session is the fail-safe way.
   */
  seen: number;
}

/**
 * SSRCs noted at most per shard, the least recently seen pair going first (never the one being
 * noted): a memory guard against a flood of tagged strays, as many as a shard's stream table
 * holds (MediaCore's maxStreams), so the notes are not the first to forget a tag.
 */
const MAX_NOTED_PER_SHARD = 200_000;

export class UnboundTags {
  /**
   * by the transport pair the tags were sent on, as a shard keys its unbound session
   * (unboundSessionKey: both ends' addresses and even ports, so RTP and its RTCP on port+1 are one);
   * least recently seen first
   */
  private readonly byPair = new Map<string, PairNotes>();
  /**
   * How many pairs with notes have each IPv4 pair hash (the shard's own, unroutedPairV4: a number,
   * no text), each IPv6 address: a packet builds its pair's key only where this says there may be
   * notes, so packets elsewhere — between the same hosts on other ports too — pay a Map lookup.
   */
  private readonly near = new Map<number | string, number>();
  private noted = 0;
  /** MediaCore.event's lastEventTs and lastUnboundSweep, as every core has them */
  private lastEventTs = Number.NEGATIVE_INFINITY;
  private lastSweep = Number.NEGATIVE_INFINITY;
  /**
   * The longest window the policy has set (a reload only lengthens it here): a session with a
   * window open is not swept, so a pair is surely gone from its shard only past the idle bound and
   * a window's length from its last packet, and — windows closing by the capture clock — only once
   * that clock too is a window's length past it (a sweep at an event stamped far ahead finds them open).
   */
  private windowSec: number;
  private readonly maxNoted: number;

  constructor(windowSec: number, shards = 1) {
    this.windowSec = windowSec;
    this.maxNoted = MAX_NOTED_PER_SHARD * Math.max(1, shards);
  }

  get size(): number {
    return this.noted;
  }

  /**
   * An event every core gets, in the order they get it: the sweep MediaCore.event runs there
   * (sweepUnbound), run here on the notes, with the same stamps; a reload's window length too.
   * `clock`: the capture clock at the event's record, by which the cores have closed their windows
   * there (omitted: the event's own time).
   */
  event(ev: CoreEvent, clock = 'ts' in ev ? ev.ts : Number.NaN): void {
    if (ev.kind === 'settings') this.windowSec = Math.max(this.windowSec, ev.windowSec);
    if (ev.kind === 'statements' || ev.kind === 'settings' || ev.kind === 'forget' || ev.kind === 'carry' || ev.kind === 'ask') return;
    const jump = ev.ts - this.lastEventTs;
    this.lastEventTs = ev.ts;
    if (jump > UNBOUND_IDLE_SEC || ev.ts - this.lastSweep < UNBOUND_SWEEP_SEC) return;
    this.lastSweep = ev.ts;
    if (this.noted === 0) return;
    // (a window an item opened ends windowSec after the item's stamp, at most `seen`; it is closed
    // once the capture clock has reached that: the SIP record the sweep runs at may be stamped ahead)
    const goneAfter = Math.max(UNBOUND_IDLE_SEC, this.windowSec);
    for (const [key, pair] of this.byPair) if (ev.ts - pair.seen >= goneAfter && clock - pair.seen >= this.windowSec) this.drop(key, pair);
  }

  /**
   * An RTCP compound no dialog routes, as a shard's unbound session reads it (MediaCore.rtcp: one
   * that chains as RTCP, or one the snap length cut): its chunks' PRIV aipref identifiers, by SSRC.
   */
  note(view: PacketView, notedFrom: number): void {
    this.noteIn(view, view.bytes, view.payloadOffset, view.payloadLength, view.payloadCut, notedFrom);
  }

  /**
   * note() of the compound the core reads in `bytes` (`off`, `len`, `cut` as a view's payload):
   * where that is not the datagram's payload — the plaintext of an ended dialog's sender's SRTCP
   * (MediaCore.rtcp decrypts it with the keys it kept, and reads it unbound).
   */
  noteIn(view: PacketView, bytes: Uint8Array, off: number, len: number, cut: number, notedFrom: number): void {
    if (!hasPrivItem(bytes, off, len)) return;
    const packets = decodeRtcpCompound(bytes, off, len, cut).packets;
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      if (p.pt !== 202 || !('chunks' in p)) continue;
      for (const chunk of p.chunks) {
        for (const item of chunk.items) {
          if (!isAiprefItem(item)) continue;
          const id = prefIdOfText(item.value);
          if (id !== null) this.add(view, chunk.ssrc, id, notedFrom);
        }
      }
    }
  }

  /**
   * A packet no dialog routes that a core reads (RTP; RTCP that chains or was cut; `rtcp`, the
   * compound the core reads — the datagram's payload, or the plaintext of an ended dialog's
   * sender's SRTCP): its pair's session lives on in its shard, and the pair's notes with it —
   * where the core touches one of its streams with it: an RTCP compound with no telemetry item
   * and no binding SDES item (an SDES header with no chunk, an SR cut to its header) moves no
   * stream's last packet, and the shard lets the session go as if it had not come. The pair is
   * seen at the packet's own time if that is later (PairNotes.seen: a record stamped hours ahead
   * keeps the note for hours — the shard's session too, unless its stream sends again).
   */
  refresh(view: PacketView, rtcp?: Uint8Array | null): void {
    const found = this.pairAt(view);
    if (found === undefined) return;
    if (rtcp !== undefined) {
      // (an RTP packet: its source's stream — one on probation the core has not made yet too, the fail-safe way)
      const compound = rtcp === null ? decodeRtcpCompound(view.bytes, view.payloadOffset, view.payloadLength, view.payloadCut) : decodeRtcpCompound(rtcp, 0, rtcp.length, 0);
      if (!touchesAStream(compound)) return;
    }
    this.touch(found[0], found[1], view.ts);
  }

  /** The pair was seen at `at` (its latest stays): last in Map order, the least recently seen first. */
  private touch(key: string, pair: PairNotes, at: number): void {
    pair.seen = Math.max(pair.seen, at);
    this.byPair.delete(key);
    this.byPair.set(key, pair);
  }

  /**
   * A packet a dialog routes: the identifiers noted on its transport pair for each SSRC it names
   * (an RTP packet its own; an RTCP compound its SSRC fields: senders, report subjects, SDES
   * chunks, BYE, feedback and XR targets — so a stream the dialog first meets as the subject of
   * another sender's report has its tags already; SRTCP's in the plaintext the core reads, asked
   * of `plaintext` only where there are notes), taken. Another call between the same two
   * hosts, on other ports, takes none of them. Undefined if none.
   */
  take(view: PacketView, rtcp: boolean, plaintext?: () => Uint8Array | null): CarriedTags[] | undefined {
    const found = this.pairAt(view);
    if (found === undefined) return undefined;
    const [key, pair] = found;
    let out: CarriedTags[] | undefined;
    for (const ssrc of namedBy(view, rtcp, plaintext?.() ?? null)) {
      const ids = pair.bySsrc.get(ssrc);
      if (ids === undefined) continue;
      this.forget(key, pair, ssrc);
      (out ??= []).push({ ssrc, apts: ids });
    }
    return out;
  }

  /** The notes of the packet's transport pair, if any. */
  private pairAt(view: PacketView): [string, PairNotes] | undefined {
    if (!this.mayHaveNotes(view)) return undefined;
    const key = unboundSessionKey(view);
    const pair = this.byPair.get(key);
    return pair === undefined ? undefined : [key, pair];
  }

  private forget(key: string, pair: PairNotes, ssrc: number): void {
    pair.bySsrc.delete(ssrc);
    this.noted--;
    if (pair.bySsrc.size === 0) this.drop(key, pair);
  }

  /**
   * `notedFrom`: where a note's pair is seen from — the highest the capture clock has been, or an
   * unbound packet was stamped (replay-engine.ts notedFrom): the shard's session may hold packets
   * read before the note but stamped after it (records out of order, a record hours ahead), which
   * the main thread did not keep for a pair with no notes.
   */
  private add(view: PacketView, ssrc: number, id: string, notedFrom: number): void {
    const key = unboundSessionKey(view);
    let pair = this.byPair.get(key);
    if (pair === undefined) {
      pair = { bySsrc: new Map(), near: view.ipVersion === 4 ? [unroutedPairV4(view.src4, view.sport, view.dst4, view.dport)] : [view.src, view.dst], seen: notedFrom };
      this.byPair.set(key, pair);
      for (const e of pair.near) this.near.set(e, (this.near.get(e) ?? 0) + 1);
    }
    let ids = pair.bySsrc.get(ssrc);
    if (ids === undefined) {
      ids = [];
      pair.bySsrc.set(ssrc, ids);
      this.noted++;
    }
    this.touch(key, pair, notedFrom);
    if (!ids.includes(id) && ids.length <= MAX_SDES_APTS) ids.push(id);
    while (this.noted > this.maxNoted) {
      const [oldest, first] = this.byPair.entries().next().value!;
      if (oldest === key) break;
      this.drop(oldest, first);
    }
  }

  private drop(key: string, pair: PairNotes): void {
    this.byPair.delete(key);
    this.noted -= pair.bySsrc.size;
    for (const e of pair.near) {
      const n = this.near.get(e)! - 1;
      if (n > 0) this.near.set(e, n);
      else this.near.delete(e);
    }
  }

  private mayHaveNotes(view: PacketView): boolean {
    const near = this.near;
    if (near.size === 0) return false;
    return view.ipVersion === 4 ? near.has(unroutedPairV4(view.src4, view.sport, view.dst4, view.dport)) : near.has(view.src) && near.has(view.dst);
  }
}

/** `plain`: the plaintext the core reads of an SRTCP compound (SrtcpKeyring.plaintextOn), else null. */
function namedBy(view: PacketView, rtcp: boolean, plain: Uint8Array | null): Iterable<number> {
  if (!rtcp) return view.payloadLength >= 12 ? [readUint32(view.bytes, view.payloadOffset + 8)] : [];
  const out = new Set<number>();
  let zeroIsNone = false;
  const visit = (value: unknown, key: string): void => {
    if (typeof value === 'number') {
      if ((key === 'ssrc' || key === 'senderSsrc' || key === 'mediaSsrc' || key === 'ssrcs') && (value !== 0 || !zeroIsNone || key === 'senderSsrc')) out.add(value);
    } else if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) visit(value[i], key);
    } else if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
      for (const k in value) visit((value as Record<string, unknown>)[k], k);
    }
  };
  const compound = plain === null ? decodeRtcpCompound(view.bytes, view.payloadOffset, view.payloadLength, view.payloadCut) : decodeRtcpCompound(plain, 0, plain.length, 0);
  for (const p of compound.packets) {
    zeroIsNone = p.pt === 205 || p.pt === 206;
    visit(p, '');
  }
  return out;
}

/**
 * Whether a core reading the compound unbound makes or touches a stream of its session
 * (MediaCore.readRtcp): every telemetry item's sender (splitTelemetry), every SDES chunk's source
 * with a MID item or a PRIV aipref item whose value is a pref-id (MediaCore.learnFromChunk).
 */
export function touchesAStream(compound: RtcpCompound): boolean {
  if (splitTelemetry(compound).length > 0) return true;
  for (const p of compound.packets) {
    if (p.pt !== 202 || !('chunks' in p)) continue;
    for (const chunk of p.chunks) {
      for (const item of chunk.items) {
        if (item.type === SdesItemType.MID && 'text' in item) return true;
        if (isAiprefItem(item) && prefIdOfText(item.value) !== null) return true;
      }
    }
  }
  return false;
}

/**
 * Whether any SDES packet of the compound holds a PRIV item (type 8), walking its headers, chunks
 * and items without decoding them; false where the walk leaves the datagram (the decoder reports that).
 */
export function hasPrivItem(bytes: Uint8Array, off: number, len: number): boolean {
  const end = off + len;
  let p = off;
  while (p + 4 <= end) {
    const count = bytes[p]! & 0x1f;
    const pt = bytes[p + 1]!;
    const next = p + 4 + ((bytes[p + 2]! << 8) | bytes[p + 3]!) * 4;
    if (pt === 202) {
      let c = p + 4;
      const stop = Math.min(next, end);
      for (let n = 0; n < count && c + 4 <= stop; n++) {
        c += 4;
        while (c < stop && bytes[c] !== 0) {
          if (bytes[c] === SdesItemType.PRIV) return true;
          if (c + 1 >= stop) break;
          c += 2 + bytes[c + 1]!;
        }
        // the null item, then padding to the next 32-bit boundary
        c = off + (((c - off) >> 2) + 1) * 4;
      }
    }
    p = next;
  }
  return false;
}
