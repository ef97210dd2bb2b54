/**
 * An independent recomputation of aggregate statistics (review of src/enforce/windows.ts):
 * RTCP read by tshark (packet list, XR blocks, feedback fmt) and werift's RtcpPacketConverter
 * (SR/RR report blocks, SR NTP), never by src/media/rtcp. Only WHICH items were aggregated, and
 * under which APTs, is taken from the project's decisions.ndjson (that is the policy part, not
 * the numbers under review).
 */
import { execFileSync } from 'node:child_process';
import { RtcpPacketConverter } from 'werift';
import type { DecisionLine } from '../e2e-helpers.js';

export interface Block {
  ssrc: number;
  fraction: number;
  cumulativeLost: number;
  jitter: number;
  lsr: number;
  dlsr: number;
}

export interface XrBlock {
  bt: number;
  mosLqRaw?: number;
  mosCqRaw?: number;
  rFactor?: number;
}

export interface OPacket {
  pt: number;
  sender: number;
  fmt?: number;
  remb?: boolean;
  blocks?: Block[];
  ntpMsw?: number;
  ntpLsw?: number;
  xr?: XrBlock[];
}

export interface OFrame {
  frame: number;
  ts: number;
  packets: OPacket[];
}

const num = (v: unknown): number => (typeof v === 'string' ? (v.startsWith('0x') ? parseInt(v, 16) : Number(v)) : NaN);
const arr = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * Every RTCP frame of a capture: the packet list by a walk of the RTCP headers (RFC 3550 §6.1:
 * V, count/FMT, PT, length), SR/RR by werift's RtcpPacketConverter, XR block contents by tshark
 * (werift has no XR). tshark stops at an AFB that is not REMB, so it does not give the list.
 */
export function readRtcp(file: string): OFrame[] {
  const out = execFileSync('tshark', ['-r', file, '-o', 'rtcp.heuristic_rtcp:TRUE', '-Y', 'rtcp', '-T', 'json', '--no-duplicate-keys', '-J', 'frame udp rtcp'], {
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  const docs = JSON.parse(out) as { _source: { layers: Record<string, any> } }[];
  return docs.map((d) => {
    const l = d._source.layers;
    const frame = Number(l.frame['frame.number']);
    // microseconds, as the capture holds them
    const ts = Math.round(Number(l.frame['frame.time_epoch']) * 1e6) / 1e6;
    const payload = Buffer.from((l.udp['udp.payload'] as string).replace(/:/g, ''), 'hex');
    const werift = (RtcpPacketConverter.deSerialize(payload) as any[]).filter((p) => p.type === 200 || p.type === 201);
    const tsharkXr = arr<any>(l.rtcp).filter((p) => num(p['rtcp.pt']) === 207);
    let r = 0;
    let x = 0;
    const packets: OPacket[] = [];
    for (let at = 0; at + 8 <= payload.length; ) {
      const count = payload[at]! & 0x1f;
      const pt = payload[at + 1]!;
      const len = (payload.readUInt16BE(at + 2) + 1) * 4;
      const pkt: OPacket = { pt, sender: payload.readUInt32BE(at + 4) };
      if (pt === 205 || pt === 206) pkt.fmt = count;
      // an AFB (PSFB fmt 15) is REMB only with the 'REMB' identifier after the media SSRC
      if (pt === 206 && count === 15) pkt.remb = payload.toString('latin1', at + 12, at + 16) === 'REMB';
      if (pt === 200 || pt === 201) {
        const w = werift[r++];
        if (w === undefined || w.type !== pt) throw new Error(`frame ${frame}: werift and the header walk disagree`);
        if (pt === 200) {
          pkt.ntpMsw = Number(BigInt(w.senderInfo.ntpTimestamp) >> 32n);
          pkt.ntpLsw = Number(BigInt(w.senderInfo.ntpTimestamp) & 0xffffffffn);
        }
        pkt.blocks = (w.reports as any[]).map((b) => ({
          ssrc: b.ssrc,
          fraction: b.fractionLost,
          // RFC 3550 §6.4.1: 24-bit two's complement (werift reads it unsigned)
          cumulativeLost: b.packetsLost & 0x800000 ? b.packetsLost - 0x1000000 : b.packetsLost,
          jitter: b.jitter,
          lsr: b.lsr,
          dlsr: b.dlsr,
        }));
        if (pkt.blocks.length !== count) throw new Error(`frame ${frame}: werift read ${pkt.blocks.length} of ${count} blocks`);
      }
      if (pt === 207) {
        // RFC 3611 §3 / §4.7: blocks walked by their own headers, VoIP metrics read by offset;
        // tshark's decode of the same packet checks the walk (it prints MOS 127 as "127", else value/10)
        const p = tsharkXr[x++];
        const tb = p === undefined ? [] : Object.keys(p).filter((k) => /^Block \d+$/.test(k)).map((k) => p[k]);
        pkt.xr = [];
        for (let b = at + 8; b + 4 <= at + len; ) {
          const bt = payload[b]!;
          const xb: XrBlock = { bt };
          if (bt === 7) {
            xb.rFactor = payload[b + 24]!;
            xb.mosLqRaw = payload[b + 26]!;
            xb.mosCqRaw = payload[b + 27]!;
            const t = tb[pkt.xr.length]?.Contents;
            if (t !== undefined && num(t['rtcp.xr.voipmetrics.rfactor']) !== xb.rFactor) throw new Error(`frame ${frame}: XR R factor differs from tshark's`);
          }
          pkt.xr.push(xb);
          b += (payload.readUInt16BE(b + 2) + 1) * 4;
        }
        if (tb.length !== pkt.xr.length) throw new Error(`frame ${frame}: ${pkt.xr.length} XR blocks, tshark ${tb.length}`);
      }
      packets.push(pkt);
      at += len;
    }
    return { frame, ts, packets };
  });
}

/** The last RTP payload type of each SSRC before each frame: [frame, ssrc, pt] in capture order. */
export function readRtp(file: string): { frame: number; ssrc: number; pt: number }[] {
  const out = execFileSync('tshark', ['-r', file, '-Y', 'rtp && !rtcp', '-T', 'fields', '-e', 'frame.number', '-e', 'rtp.ssrc', '-e', 'rtp.p_type'], {
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'pipe', 'ignore'],
  }).toString();
  return out
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [f, s, p] = l.split('\t');
      return { frame: Number(f), ssrc: parseInt(s!, 16), pt: Number(p) };
    });
}

/** A decision line, as the oracle pairs it with its item. */
export type Decision = DecisionLine;

/** One telemetry item as the oracle reads it (SPEC §4: a packet, or one XR block). */
export interface OItem {
  frame: number;
  ts: number;
  pt: number;
  sender: number;
  packet: OPacket;
  xr?: XrBlock;
  decision: Decision;
}

/**
 * The items of each frame, paired with the decision lines of that frame (in order). SDES items
 * are matched by type only (a chunk-less SDES may have none).
 */
export function itemsOf(frames: OFrame[], decisions: Decision[]): OItem[] {
  const byFrame = new Map<number, Decision[]>();
  for (const d of decisions) {
    let l = byFrame.get(d.frame);
    if (!l) byFrame.set(d.frame, (l = []));
    l.push(d);
  }
  const items: OItem[] = [];
  for (const f of frames) {
    const ds = byFrame.get(f.frame) ?? [];
    let k = 0;
    for (const p of f.packets) {
      const parts: (XrBlock | undefined)[] = p.pt === 207 ? (p.xr ?? []) : [undefined];
      for (const xr of parts) {
        const d = ds[k];
        if (d === undefined || d.pt !== p.pt) {
          if (p.pt === 202) continue; // an SDES of binding metadata only is no item
          throw new Error(`frame ${f.frame}: item ${k} pt ${p.pt} has decision ${JSON.stringify(d)}`);
        }
        k++;
        items.push({ frame: f.frame, ts: f.ts, pt: p.pt, sender: p.pt === 207 || p.pt === 205 || p.pt === 206 ? p.sender : p.sender, packet: p, ...(xr ? { xr } : {}), decision: d });
      }
    }
    if (k !== ds.length) throw new Error(`frame ${f.frame}: ${ds.length - k} decisions unmatched`);
  }
  return items;
}

export const aptKey = (apt: readonly string[]) => [...new Set(apt)].sort().join(',');

export interface ExpectedStats {
  items: number;
  packets: Record<string, number>;
  reportBlocks: number;
  lossFraction: { mean: number } | null;
  cumulativeLost: { max: number } | null;
  jitter: { min: number; mean: number; max: number; p95: number } | null;
  jitterMs: { min: number; mean: number; max: number; p95: number; count: number } | null;
  rttMs: { min: number; mean: number; max: number; count: number } | null;
  voip: { blocks: number; mosLq: number | null; mosCq: number | null; rFactor: number | null } | null;
  feedback: Record<string, number>;
}

/** Nearest-rank p95 (the definition windows.ts states: always one of the samples). */
export function p95NearestRank(samples: number[]): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.ceil(0.95 * s.length) - 1]!;
}

function spread(samples: number[]) {
  if (samples.length === 0) return null;
  const sum = samples.reduce((a, b) => a + b, 0);
  return { min: Math.min(...samples), mean: sum / samples.length, max: Math.max(...samples), p95: p95NearestRank(samples) };
}

const mean = (v: number[]) => (v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length);

export interface SeenSr {
  ssrc: number;
  compact: number;
  ts: number;
}

/**
 * RTT per RFC 3550 §6.4.1 on the capture clock (README): A − capture time of the SR whose compact
 * NTP the LSR echoes − DLSR/65536 s. null when no SR matches, LSR 0, or the result is outside [0, 60 s].
 */
export function rttOf(block: Block, ts: number, srs: readonly SeenSr[]): number | null {
  if (block.lsr === 0) return null;
  const sr = [...srs].reverse().find((s) => s.ssrc === block.ssrc && s.compact === block.lsr && s.ts <= ts && ts < s.ts + 60);
  if (!sr) return null;
  // in integer microseconds first: a double holds a 1.7e9 s epoch time to ~0.24 µs only
  const ms = (Math.round(ts * 1e6) - Math.round(sr.ts * 1e6) - (block.dlsr * 1e6) / 65536) / 1000;
  return ms < 0 || ms > 60000 ? null : ms;
}

export const compact = (msw: number, lsw: number) => (((msw & 0xffff) << 16) | (lsw >>> 16)) >>> 0;

export function expectedStats(items: OItem[], clockRate: (item: OItem, block: Block) => number, srs: readonly SeenSr[]): ExpectedStats {
  const packets: Record<string, number> = { sr: 0, rr: 0, sdes: 0, bye: 0, app: 0, rtpfb: 0, psfb: 0, xr: 0 };
  const feedback: Record<string, number> = { nack: 0, pli: 0, fir: 0, remb: 0, twcc: 0, other: 0 };
  const loss: number[] = [];
  const cum: number[] = [];
  const jitter: number[] = [];
  const jitterMs: number[] = [];
  const rtt: number[] = [];
  let voipBlocks = 0;
  const mosLq: number[] = [];
  const mosCq: number[] = [];
  const rf: number[] = [];
  const NAMES: Record<number, string> = { 200: 'sr', 201: 'rr', 202: 'sdes', 203: 'bye', 204: 'app', 205: 'rtpfb', 206: 'psfb', 207: 'xr' };
  const xrPackets = new Set<OPacket>();
  for (const it of items) {
    // per packet: an XR packet of N blocks is N items and one packet
    if (it.pt !== 207) packets[NAMES[it.pt] ?? 'app']!++;
    else if (!xrPackets.has(it.packet)) {
      xrPackets.add(it.packet);
      packets['xr']!++;
    }
    for (const b of it.packet.blocks ?? []) {
      loss.push(b.fraction / 256);
      cum.push(b.cumulativeLost);
      jitter.push(b.jitter);
      const rate = clockRate(it, b);
      if (rate > 0) jitterMs.push((b.jitter * 1000) / rate);
      const r = rttOf(b, it.ts, srs);
      if (r !== null) rtt.push(r);
    }
    if (it.pt === 205) feedback[it.packet.fmt === 1 ? 'nack' : it.packet.fmt === 15 ? 'twcc' : 'other']!++;
    if (it.pt === 206) feedback[it.packet.fmt === 1 ? 'pli' : it.packet.fmt === 4 ? 'fir' : it.packet.remb ? 'remb' : 'other']!++;
    if (it.xr?.bt === 7) {
      voipBlocks++;
      // RFC 3611 §4.7.5: MOS in tenths, 10..50, R factor 0..100; 127 (unavailable) and anything else out of range left out
      if (it.xr.mosLqRaw! >= 10 && it.xr.mosLqRaw! <= 50) mosLq.push(it.xr.mosLqRaw! / 10);
      if (it.xr.mosCqRaw! >= 10 && it.xr.mosCqRaw! <= 50) mosCq.push(it.xr.mosCqRaw! / 10);
      if (it.xr.rFactor! >= 0 && it.xr.rFactor! <= 100) rf.push(it.xr.rFactor!);
    }
  }
  const jm = spread(jitterMs);
  return {
    items: items.length,
    packets,
    reportBlocks: loss.length,
    lossFraction: loss.length ? { mean: mean(loss)! } : null,
    cumulativeLost: cum.length ? { max: Math.max(...cum) } : null,
    jitter: spread(jitter),
    jitterMs: jm ? { ...jm, count: jitterMs.length } : null,
    rttMs: rtt.length ? { min: Math.min(...rtt), mean: mean(rtt)!, max: Math.max(...rtt), count: rtt.length } : null,
    voip: voipBlocks ? { blocks: voipBlocks, mosLq: mean(mosLq), mosCq: mean(mosCq), rFactor: mean(rf) } : null,
    feedback,
  };
}
