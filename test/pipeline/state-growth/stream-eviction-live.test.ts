/**
 * Found by a review of state that outlives calls, fixed since: a full stream table evicts a
 * stream of media no dialog routes first, the least recently seen of a sample taken where the
 * last one ended (StreamTable.evictOne).
 *
 * Input (one MediaCore, maxStreams 100 — the option test/pipeline/stream-limit.test.ts uses
 * too; the default is 200 000): 35 running calls, each one m-section (mid a, identifier
 * apt-raw: export raw) with the caller 10.0.k.1:30000 and the callee 10.0.k.2:40000, both
 * streams bound by transport. At t=100 each caller sends an SR with SDES CNAME and SDES PRIV
 * `aipref` = apt-none (export none): the media plane's own, stricter tag (SPEC §2: both apply,
 * the most restrictive wins — a binding-conflict). Then 200 RTP packets from 200 addresses no
 * signaling names (two in sequence each, a valid source by RFC 3550 A.1: an ended call's last
 * packets, say), the running calls' RTP
 * every fifth of them, so the running streams are always the most recently seen. At t=104 each
 * caller sends an SR with SDES CNAME only (PRIV need not be in every compound).
 *
 * Was: the table, full, evicts running calls' streams rather than the stale unbound ones:
 * StreamTable.evictOne "samples" the first 64 streams in insertion order, which are the oldest
 * sessions — the running calls — and takes the least recently seen of those. The first
 * state-limit reports (1st, 10th, 100th eviction) all name running calls (dialog
 * {callId: "live-0", …}, then live-7, …; expected [null, null, null]), and the evicted callers'
 * streams come back without the SDES PRIV identifier they had learned: their SRs at t=104 are
 * exported raw under apt-raw alone — 32 export lines (the SR and the SDES CNAME item of 16
 * callers) where none may leave ("expected 32 to be +0").
 * Correct: the stream table evicts "the least recently seen" (README "Limits", the code's own
 * comment and state-limit text); a stream of a running call seen a moment ago is not that while
 * streams seen once, long ago, are there. And a media-plane tag never relaxes (SPEC §2): the
 * callers' SRs stay dropped by apt-none. With the default 200 000 this bites a relay whose
 * table has filled (see late-media-after-bye.test.ts) and that runs 32 calls or more from
 * before the stale streams came (long conference legs, monitoring lines).
 * Fix: src/binding/stream-table.ts evictOne: sample streams from where stale ones are (e.g. keep
 * the sessions Map in recency order — move a session to the back when one of its streams is
 * seen, at most once a second — or keep unbound sessions in their own recency-ordered map and
 * evict from it first), not always the first 64 of insertion order.
 */
import { describe, expect, it } from 'vitest';
import type { DialogScope } from '../../../src/binding/types.js';
import { encodeRtcpCompound, type RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../../src/pipeline/media-core.js';
import { AptRegistry } from '../../../src/policy/apt-registry.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';

const CALLS = 35;
const ip = (a: number, b: number, c: number, d: number) => ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
const addr = (src: [number, number, number, number], sport: number, dst: [number, number, number, number], dport: number): PacketAddress => ({
  v6: false,
  src4: ip(...src),
  dst4: ip(...dst),
  src: src.join('.'),
  dst: dst.join('.'),
  sport,
  dport,
});

function scopeOf(k: number): DialogScope {
  const a = `10.0.${k}.1`;
  const b = `10.0.${k}.2`;
  return {
    key: `live-${k}\nf\nt`,
    dialog: { callId: `live-${k}`, fromTag: 'f', toTag: 't' },
    sections: [
      {
        index: 0,
        mid: 'a',
        kind: 'audio',
        disabled: false,
        rtp: [{ address: a, port: 30000 }, { address: b, port: 40000 }],
        rtcp: [{ address: a, port: 30001 }, { address: b, port: 40001 }],
        ssrcs: [],
        midExtIds: [],
        clockRates: [],
        sharedClockRate: null,
        mediaClockRate: null,
        srtp: false,
        srtcpKeys: [],
        apts: [{ id: 'apt-raw', origin: 'mid' }],
      },
    ],
    dialogApts: [],
    repositoryApts: [],
    pending: null,
  };
}

const sr = (ssrc: number, priv: boolean): Uint8Array =>
  encodeRtcpCompound([
    { pt: 200, ssrc, ntpSec: 3976214400, ntpFrac: 0, rtpTs: 0, packetCount: 10, octetCount: 100, reports: [] },
    { pt: 202, chunks: [{ ssrc, items: [{ type: 1, text: 'c@x' }, ...(priv ? [{ type: 8, prefix: 'aipref', value: 'apt-none' }] : [])] }] } as unknown as RtcpPacketInput,
  ]);

describe('the stream table, full', () => {
  it("evicts the stale streams, not a running call's", () => {
    const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, maxStreams: 100 });
    const policy = parsePolicy(JSON.stringify({ apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' }, 'apt-none': { type: 'user', export: 'none', retention: '1h' } } }), 'p.json');
    const registry = AptRegistry.withParts(policy.statementParts());
    core.event({ kind: 'statements', frame: 0, statements: ['apt-raw', 'apt-none'].map((id) => registry.get(id)) });
    let frame = 0;
    for (let k = 0; k < CALLS; k++) core.event({ kind: 'scope', frame: ++frame, ts: 99, scope: scopeOf(k) });
    const talk = (ts: number) => {
      for (let k = 0; k < CALLS; k++) {
        const a = encodeRtpPacket({ pt: 0, seq: 1, ts: 1, ssrc: 1000 + 2 * k, payload: new Uint8Array(20) });
        core.rtp(++frame, ts, a, 0, a.length, addr([10, 0, k, 1], 30000, [10, 0, k, 2], 40000));
        const b = encodeRtpPacket({ pt: 0, seq: 1, ts: 1, ssrc: 1001 + 2 * k, payload: new Uint8Array(20) });
        core.rtp(++frame, ts, b, 0, b.length, addr([10, 0, k, 2], 40000, [10, 0, k, 1], 30000));
      }
    };
    talk(100);
    for (let k = 0; k < CALLS; k++) {
      const p = sr(1000 + 2 * k, true);
      core.rtcp(++frame, 100.5, p, 0, p.length, addr([10, 0, k, 1], 30001, [10, 0, k, 2], 40001));
    }
    // the media plane's tag applies: nothing leaves
    expect(core.drain().exports).toEqual([]);
    for (let j = 0; j < 200; j++) {
      const ts = 101 + j * 0.01;
      if (j % 5 === 0) talk(ts);
      // two packets in sequence: a valid source from addresses no signaling routes (RFC 3550 A.1)
      for (const seq of [1, 2]) {
        const p = encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc: 5000 + j, payload: new Uint8Array(20) });
        core.rtp(++frame, ts, p, 0, p.length, addr([10, 9, j >> 8, j & 255], 5000, [10, 8, 0, 1], 6000));
      }
    }
    const limits = core
      .drain()
      .reports.map((l) => JSON.parse(l.text) as { type: string; dialog: unknown })
      .filter((r) => r.type === 'state-limit');
    // 270 streams in a table of 100: 170 evictions, reported at the 1st, 10th and 100th; each
    // takes a stream seen once, long ago, no running call's
    expect.soft(limits.map((r) => r.dialog)).toEqual([null, null, null]);
    for (let k = 0; k < CALLS; k++) {
      const p = sr(1000 + 2 * k, false);
      core.rtcp(++frame, 104, p, 0, p.length, addr([10, 0, k, 1], 30001, [10, 0, k, 2], 40001));
    }
    expect(core.drain().exports.length).toBe(0);
  });
});
