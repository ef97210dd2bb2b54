/**
 * Fixed since: notes are seen at the highest own stamp of the packets that touched the pair, never
 * lowered, and a new note starts from the highest the capture clock or an unbound packet's stamp
 * had been (replay-engine.ts notedFrom).
 * Review of e44b418 (UnboundTags: per-SSRC stamps), round 27 (5): the danger direction — a stream
 * of the pair's session made BEFORE the note, by a record stamped hours ahead.
 *
 * Input: A's SR(3333) on 10.0.0.1:4001 → 10.0.0.2:5001 at t=0 (frame 1: no signaling, unbound,
 *   sets the capture clock); B's SR(2222) on 10.0.0.2:5001 → 10.0.0.1:4001 stamped t=10000
 *   (frame 2: a lone record hours ahead — the capture clock stays at 0 — no note yet on the pair);
 *   A's SR(1111) + SDES{1111: CNAME, PRIV aipref=apt-none} at t=1 (frame 3: noted); an unrelated
 *   call c9 (10.0.0.7 ↔ 10.0.0.8) at t=350 (frames 4–6: its 200 OK is a sweep); A's SR(1111) at
 *   t=355 (frame 7, unbound: the shard's own view of the tag); call c1 (a=aipref:session apt-raw,
 *   A:4000 / B:5000) at t=360 (frames 8–10); 1111's SR in c1 at t=361 (frame 11). THREE, 0 and 2 workers.
 * Was: the core's unbound session holds 2222 with lastSeen 10000 (StreamTable.stream stamps the
 *   record's own time), so the sweep at t=350.01 keeps the session and 1111's tag: frame 7 is
 *   '7 1111 drop export-none apt-none'. The main thread's note was made at frame 3 with
 *   seen = clockHigh = 1 and stamps {1111: 1} (it kept nothing for the pair before the note,
 *   and clockHigh ignores the lone hours-ahead record; not new in e44b418, which kept `seen`), so lastSeenOf = 1 and it lets the
 *   note go at that same sweep: c1 gets no carry and frame 11 is '11 1111 export raw-allowed
 *   apt-raw' — telemetry of a stream whose sender said apt-none, exported raw, while its shard still
 *   held the tag.
 * Correct: README (Binding): a note goes where the shard lets the unbound session go, never before
 *   (later only in the fail-safe cases it lists); SPEC §2.4 (a tag binds its SSRC; tags never relax
 *   signaling): '11 1111 drop export-none apt-none', no export.
 * Fix: replay-engine.ts media() / unbound-tags.ts add(): a new pair's `seen` must cover the own
 *   stamps of every unbound record read before the note (e.g. keep the highest own stamp of the
 *   unbound media records, not the capture clock's highest — or per pair hash in a small bounded
 *   map), so a stream made before the note by a record stamped ahead keeps it as long as the shard.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a stream of the pair made before the note by a record stamped hours ahead', () => {
  it('keeps the note as long as the shard keeps the session', async () => {
    const o = await replay(ws, 'before-note-ahead', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(3333)]), // 1: the clock at 0
      rtcpPkt(10000, B, 5001, A, 4001, [srIn(2222)]), // 2: hours ahead, no note yet
      rtcpPkt(1, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 3: noted
      ...setup('c9', 350, sdpAt('10.0.0.7', 8000, null), sdpAt('10.0.0.8', 9000, null)), // 4-6: a sweep
      rtcpPkt(355, A, 4001, B, 5001, [srIn(1111)]), // 7: the shard's view
      ...rawCall('c1', 360), // 8-10
      rtcpPkt(361, A, 4001, B, 5001, [srIn(1111)]), // 11
    ]);
    expect(o.d.filter((d) => d.startsWith('7 '))).toEqual(['7 1111 drop export-none apt-none']);
    expect(o.d.filter((d) => d.startsWith('11 '))).toEqual(['11 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });
});
