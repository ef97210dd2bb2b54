/**
 * Input: A 10.0.0.1:4001 → B 10.0.0.2:5001, before any signaling, SR(0) + SDES{0: CNAME, PRIV
 *   aipref=apt-none} (frame 1, t=0 s: unbound, SSRC 0 noted on the pair); B:5001 → A:4001 a PLI
 *   (PSFB fmt 1) from B's SSRC 2222 with media SSRC 0 (frame 2, t=200 s: unbound); then
 *   INVITE/200/ACK of call c1 at t=400 s (A:4000, B:5000, a=aipref:session apt-raw, frames 3–5);
 *   then A's plain SR(0) on 4001 → 5001 (frame 6, t=410 s). THREE policy, 0 and 2 workers.
 * Was: namedBy() counts every `mediaSsrc` field, so the PLI's media SSRC 0 "names" SSRC 0 and
 *   refresh() keeps its note alive at t=200; at frame 6 (210 s later) the note is carried into c1:
 *   '6 0 drop export-none apt-none', c1's row of SSRC 0 [apt-raw, apt-none].
 * Correct: in feedback a media SSRC of 0 means "none" (RFC 4585 §6.1/§6.3.3; the core's
 *   telemetry-items.ts onlyOther/distinctOthers zeroIsNone): the PLI is not about SSRC 0 and the
 *   shard's unbound stream 0 is not kept by it. README Binding: the tag is carried only "if the
 *   SSRC's unbound packets, or reports about it, were seen within the last 300 s"; SSRC 0's last
 *   were at t=0, 410 s before frame 6 — so, as without the PLI, '6 0 export raw-allowed apt-raw'
 *   and c1's row [apt-raw].
 * Fix: src/pipeline/unbound-tags.ts namedBy: read the SSRCs a compound names as the core does
 *   (splitTelemetry's senders and subjectSsrcs: feedback's media SSRC / FIR, REMB entries of 0 are
 *   none), not every field called mediaSsrc/ssrc/ssrcs.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const pli = { pt: 206, fmt: 1, senderSsrc: 2222, mediaSsrc: 0 } as never;

describe('a feedback packet whose media SSRC is 0 (none)', () => {
  // Since the main thread lets notes go as the shards let unbound sessions go (at their sweeps,
  // once every stream of the pair's session is idle: round26-carry-review-5), the PLI keeps the
  // pair's notes as it keeps the shard's session — B's stream 2222 is in it — and SSRC 0's tag
  // is carried at its SR, as the shard would still have honoured it (the first case below). What
  // is left of this finding: a routed PLI naming 0 as its media SSRC does not take SSRC 0's tag
  // into a call SSRC 0 never sends in (no stream 0 there, no row).
  it("the PLI keeps the pair's session, so SSRC 0's tag still stands at its SR", async () => {
    const o = await replay(ws, 'pli-media-0', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(0), sdesTag(0, 'apt-none')]), // 1
      rtcpPkt(200, B, 5001, A, 4001, [pli]), // 2
      ...rawCall('c1', 400), // 3-5
      rtcpPkt(410, A, 4001, B, 5001, [srIn(0)]), // 6
    ]);
    expect(o.d.filter((x) => x.startsWith('6 '))).toEqual(['6 0 drop export-none apt-none']);
  });

  it('a routed PLI about "none" takes no tag of SSRC 0 into the call', async () => {
    const o = await replay(ws, 'pli-media-0-routed', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(0), sdesTag(0, 'apt-none')]), // 1
      ...rawCall('c1', 10), // 2-4
      rtcpPkt(11, B, 5001, A, 4001, [pli]), // 5: the call's first packet on the pair
    ]);
    expect(o.bindings.filter((b) => b.ssrc === 0 && (b.dialog as { callId?: string } | null)?.callId === 'c1')).toEqual([]);
  });
});
