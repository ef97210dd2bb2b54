/**
 * SDES PRIV `aipref` tags sent on media no signaling routed yet, remembered on the main thread so
 * that the dialog which later names the transport gets them (SPEC §2.4: a tag binds its SSRC, and
 * tags never relax signaling). Before signaling, a stream lives in an unbound session on the shard
 * of its transport pair; once signaled its packets go to the dialog's shard (by Call-ID), which
 * never saw the tag. The main thread sees every packet in capture order whatever the worker count,
 * so it notes the tags of unbound RTCP here and hands them to the dialog's shard as a `carry` event
 * at the first packet of that SSRC a dialog routes (replay-engine.ts), the same with 0 or n workers.
 *
 * Only unbound compounds are read here (rare: media before its signaling, a mirror's strays), and
 * only those with an SDES PRIV item are decoded.
 */
import { decodeRtcpCompound } from '../media/rtcp/compound.js';
import { SdesItemType } from '../media/rtcp/types.js';
import { prefIdOfText } from '../signaling/ai-pref-header.js';
import type { PacketView } from '../../native-free/types.js';
import { MAX_SDES_APTS, UNBOUND_IDLE_SEC } from './media-core.js';

interface Noted {
  /** the unordered pair of IP addresses the tag was sent between (ports aside: RTP and RTCP ports differ) */
  pair: string;
  ids: string[];
  /** capture clock when a tag was last seen */
  seen: number;
}

/** Tags held at most, the oldest going first: a memory guard (a flood of tagged strays). */
const MAX_NOTED = 65_536;

export class UnboundTags {
  private readonly bySsrc = new Map<number, Noted>();

  get size(): number {
    return this.bySsrc.size;
  }

  /**
   * An RTCP compound no dialog routes, as a shard's unbound session reads it (MediaCore.rtcp: one
   * that chains as RTCP, or one the snap length cut): its chunks' PRIV aipref identifiers, by SSRC.
   */
  note(view: PacketView, clock: number): void {
    const bytes = view.bytes;
    const off = view.payloadOffset;
    const len = view.payloadLength;
    if (!hasPrivItem(bytes, off, len)) return;
    const packets = decodeRtcpCompound(bytes, off, len, view.payloadCut).packets;
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i]!;
      if (p.pt !== 202 || !('chunks' in p)) continue;
      for (const chunk of p.chunks) {
        for (const item of chunk.items) {
          if (item.type !== SdesItemType.PRIV || !('prefix' in item) || item.prefix.toLowerCase() !== 'aipref') continue;
          const id = prefIdOfText(item.value);
          if (id !== null) this.add(chunk.ssrc, pairOf(view), id, clock);
        }
      }
    }
  }

  /**
   * The identifiers noted for `ssrc` between the packet's two addresses within the last
   * UNBOUND_IDLE_SEC of capture time (as long as a shard keeps an idle unbound stream), taken:
   * the dialog that routes the packet has them from now on. Undefined if none.
   */
  take(view: PacketView, ssrc: number, clock: number): string[] | undefined {
    const noted = this.bySsrc.get(ssrc);
    if (noted === undefined || noted.pair !== pairOf(view)) return undefined;
    this.bySsrc.delete(ssrc);
    return clock - noted.seen <= UNBOUND_IDLE_SEC ? noted.ids : undefined;
  }

  private add(ssrc: number, pair: string, id: string, clock: number): void {
    // the least recently noted first (Map order): those past the idle bound go, a few per note
    for (let i = 0; i < 4 && this.bySsrc.size > 0; i++) {
      const [oldest, first] = this.bySsrc.entries().next().value!;
      if (clock - first.seen <= UNBOUND_IDLE_SEC) break;
      this.bySsrc.delete(oldest);
    }
    let noted = this.bySsrc.get(ssrc);
    if (noted === undefined || noted.pair !== pair || clock - noted.seen > UNBOUND_IDLE_SEC) {
      // another pair's (or a stale) note of the SSRC is another stream's: the latest stands
      noted = { pair, ids: [], seen: clock };
    }
    this.bySsrc.delete(ssrc);
    if (this.bySsrc.size >= MAX_NOTED) this.bySsrc.delete(this.bySsrc.keys().next().value!);
    this.bySsrc.set(ssrc, noted);
    noted.seen = clock;
    if (!noted.ids.includes(id) && noted.ids.length < MAX_SDES_APTS) noted.ids.push(id);
  }
}

function pairOf(view: PacketView): string {
  if (view.ipVersion === 4) return view.src4 < view.dst4 ? `${view.src4} ${view.dst4}` : `${view.dst4} ${view.src4}`;
  return view.src < view.dst ? `${view.src} ${view.dst}` : `${view.dst} ${view.src}`;
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
