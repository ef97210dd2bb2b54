/**
 * Input: A 10.0.0.1:4001 → B 10.0.0.2:5001, before any signaling, SR(1111) + SDES{1111: CNAME,
 *   PRIV aipref=apt-none} (frame 1, t=0 s: unbound, noted); at t=200 s on the same transport a
 *   datagram that starts as SR(1111) but does not chain as RTCP (a 4-byte word of version 0 after
 *   it: frame 2); INVITE/200/ACK of call c1 at t=400 s (A:4000, B:5000, apt-raw, frames 3–5); A's
 *   plain SR(1111) on 4001 → 5001 at t=410 s (frame 6). THREE policy, 0 and 2 workers.
 * Was: off every negotiated transport a datagram is RTCP only if its packets chain (MediaCore.rtcp
 *   returns before reading frame 2 at all: "someone else's, not telemetry"), but the main thread's
 *   refresh() decodes it anyway (decodeRtcpCompound's partial packets: the SR) and keeps 1111's
 *   note alive at t=200: frame 6 gets the tag, '6 1111 drop export-none apt-none', c1's row
 *   [apt-raw, apt-none].
 * Correct: README Binding: carried only "if the SSRC's unbound packets, or reports about it, were
 *   seen within the last 300 s of capture time, as a shard keeps an idle unbound stream"; the shard
 *   never read frame 2 (no stream kept by it), so the last was frame 1, 410 s before frame 6 —
 *   as without frame 2: '6 1111 export raw-allowed apt-raw', c1's row [apt-raw].
 * Fix: replay-engine.ts media()/carryTags: refresh the notes only with a compound the core reads
 *   unbound (route undefined: payloadCut > 0 or chainsAsRtcp, as note() is gated), not every
 *   datagram classified as RTCP.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { A, B, type Pkt, rawCall, replay, rtcpPkt, sdesTag, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** SR(1111) then a word that is no RTCP header (version 0): does not chain */
function brokenSr(ts: number): Pkt {
  const sr = encodeRtcpCompound([srIn(1111)]);
  const payload = new Uint8Array(sr.length + 4);
  payload.set(sr, 0);
  return { ts, src: A, dst: B, sport: 4001, dport: 5001, payload };
}

describe('an unbound datagram that does not chain as RTCP', () => {
  it('keeps no note alive (the shard does not read it)', async () => {
    const o = await replay(ws, 'non-chaining', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
      brokenSr(200), // 2
      ...rawCall('c1', 400), // 3-5
      rtcpPkt(410, A, 4001, B, 5001, [srIn(1111)]), // 6
    ]);
    expect(o.d.filter((x) => x.startsWith('6 '))).toEqual(['6 1111 export raw-allowed apt-raw']);
    const row = o.bindings.find((b) => b.ssrc === 1111 && (b.dialog as { callId?: string } | null)?.callId === 'c1');
    expect(row?.apt).toEqual(['apt-raw']);
  });

  it('(control) without frame 2 the note is stale at frame 6', async () => {
    const o = await replay(ws, 'non-chaining-control', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]),
      ...rawCall('c1', 400),
      rtcpPkt(410, A, 4001, B, 5001, [srIn(1111)]), // 5
    ]);
    expect(o.d.filter((x) => x.startsWith('5 '))).toEqual(['5 1111 export raw-allowed apt-raw']);
  });
});
