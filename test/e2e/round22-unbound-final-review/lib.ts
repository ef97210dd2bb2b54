/**
 * Review helpers (round 22, unbound-session retirement as of b785f4a): a MediaCore driven in
 * process, hand-built scopes, and a count of every index the unbound retirement keeps. Not a test file.
 */
import type { DialogScope, SectionScope } from '../../../src/binding/types.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../../src/pipeline/media-core.js';

export const n4 = (s: string): number => s.split('.').reduce((a, b) => a * 256 + +b, 0);
export const ip4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
export const at = (src: string, sport: number, dst: string, dport: number): PacketAddress =>
  src.includes(':') ? { v6: true, src4: 0, dst4: 0, src, dst, sport, dport } : { v6: false, src4: n4(src), dst4: n4(dst), src, dst, sport, dport };

export const section = (addrs: [string, number][], ssrcs: number[] = []): SectionScope => ({
  index: 0,
  mid: 'a',
  kind: 'audio',
  disabled: false,
  rtp: addrs.map(([address, port]) => ({ address, port })),
  rtcp: [],
  ssrcs,
  midExtIds: [],
  clockRates: [],
  sharedClockRate: null,
  mediaClockRate: null,
  srtp: false,
  srtcpKeys: [],
  apts: [],
});
export const scopeOf = (call: string, s: SectionScope): DialogScope => ({ key: `${call}\nf\nt`, dialog: { callId: call, fromTag: 'f', toTag: 't' }, sections: [s], dialogApts: [], repositoryApts: [], pending: null });

export class Driver {
  readonly core: MediaCore;
  f = 0;
  private seqs = new Map<string, number>();
  constructor(opts: { bindings?: boolean; maxStreams?: number } = {}) {
    this.core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, bindings: opts.bindings ?? false, ...(opts.maxStreams !== undefined ? { maxStreams: opts.maxStreams } : {}) });
  }
  /** `n` RTP packets in sequence of `ssrc` on these ends. */
  rtp(ts: number, addr: PacketAddress, ssrc: number, n = 2): void {
    const k = `${ssrc}`;
    for (let i = 0; i < n; i++) {
      const seq = (this.seqs.get(k) ?? 0) + 1;
      this.seqs.set(k, seq);
      const p = encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc, payload: new Uint8Array(20) });
      this.core.rtp(++this.f, ts, p, 0, p.length, addr);
    }
  }
  rtcp(ts: number, addr: PacketAddress, packets: RtcpPacketInput[]): void {
    const c = encodeRtcpCompound(packets);
    this.core.rtcp(++this.f, ts, c, 0, c.length, addr);
  }
  rr(ts: number, addr: PacketAddress, ssrc: number): void {
    this.rtcp(ts, addr, [{ pt: 201, ssrc, reports: [] } as unknown as RtcpPacketInput]);
  }
  scope(ts: number, scope: DialogScope): void {
    this.core.event({ kind: 'scope', frame: ++this.f, ts, scope });
  }
  end(ts: number, call: string): void {
    this.core.event({ kind: 'dialog-ended', frame: ++this.f, ts, key: `${call}\nf\nt` });
  }
  rows(ssrc?: number): string[] {
    return [...this.core.streams()]
      .filter((r) => ssrc === undefined || r.stream.ssrc === ssrc)
      .map((r) => `${r.stream.ssrc} ${r.ended} ${r.stream.session.scope?.dialog.callId ?? null}`)
      .sort();
  }
}

/* eslint-disable @typescript-eslint/no-explicit-any */
/** Every index the unbound retirement (and the state it touches) keeps, by size. */
export function sizes(core: MediaCore): Record<string, number> {
  const c = core as any;
  const t = c.table;
  let senders = 0;
  let datagrams = 0;
  let filedByEnd = 0;
  let filedBySsrc = 0;
  for (const s of t.unbound.values()) {
    senders += s.seen.senders.size;
    datagrams += s.seen.datagrams.length;
  }
  for (const set of t.unboundByEnd.values()) filedByEnd += set.size;
  for (const set of t.unboundBySsrc.values()) filedBySsrc += set.size;
  return {
    sessions: t.sessions.size,
    unbound: t.unbound.size,
    streams: t.size,
    byEndKeys: t.unboundByEnd.size,
    filedByEnd,
    bySsrcKeys: t.unboundBySsrc.size,
    filedBySsrc,
    senders,
    datagrams,
    probation: c.probation.size,
    sessionWindows: c.sessionWindows.size,
    windowStreams: c.windowStreams.size,
    scopes: c.scopes.size,
    endedSessions: c.endedSessions.length,
  };
}

/**
 * Every session filed in an index is a live unbound session of the table, filed under each end
 * of each datagram it keeps and each sender it keeps — and nothing else: problems, as text.
 */
export function indexProblems(core: MediaCore): string[] {
  const t = (core as any).table;
  const out: string[] = [];
  const live = new Set<any>(t.unbound.values());
  for (const s of live) if (t.sessions.get(s.key) !== s) out.push(`unbound ${s.key} not in sessions`);
  const check = (name: string, index: Map<unknown, Set<any>>, expected: (s: any) => unknown[]) => {
    let filed = 0;
    for (const [k, set] of index) {
      if (set.size === 0) out.push(`${name} ${String(k)}: empty set kept`);
      for (const s of set) {
        filed++;
        if (!live.has(s)) out.push(`${name} ${String(k)}: ${s.key} is not a live unbound session`);
        else if (!expected(s).includes(k)) out.push(`${name} ${String(k)}: ${s.key} filed there but has no such key`);
      }
    }
    let want = 0;
    for (const s of live) for (const k of new Set(expected(s))) (want++, index.get(k)?.has(s) || out.push(`${name} ${String(k)}: ${s.key} not filed`));
    if (filed !== want) out.push(`${name}: ${filed} filed, ${want} expected`);
  };
  // (one index for both families: IPv4 ends are numbers, IPv6 ends `[address]:port` strings)
  check('byEnd', t.unboundByEnd, (s) => s.seen.datagrams.flatMap((d: any) => (d.v6 ? [`[${d.src}]:${d.sport}`, `[${d.dst}]:${d.dport}`] : [d.src4 * 65536 + d.sport, d.dst4 * 65536 + d.dport])));
  check('bySsrc', t.unboundBySsrc, (s) => [...s.seen.senders]);
  return out;
}
