/**
 * Round 27, seventh review (497756b + 32d329a, UnboundTags' seen/clock rule): checks of the danger
 * direction that came out fine — the main thread keeps a note at least as long as the shard keeps
 * the tagged unbound session.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, rawCall, replay, rtcpPkt, rtp, sdesTag, sdpAt, setup, srIn } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** an unrelated call's INVITE/200/ACK at t (media at 10.0.0.7/10.0.0.8): signaling events, so sweeps */
const other = (n: number, t: number) => setup(`o${n}`, t, sdpAt('10.0.0.7', 8000 + 2 * n, null), sdpAt('10.0.0.8', 9000 + 2 * n, null));

describe('UnboundTags against the shard, danger direction', () => {
  it('RTP alone on the even port keeps the note as long as it keeps the shard session (sweeps at 150..450)', async () => {
    const o = await replay(ws, 'rtp-keeps-note', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-agg')]), // 1: noted
      rtp(100, A, 4000, B, 5000, 1111, 1),
      ...other(1, 150),
      rtp(200, A, 4000, B, 5000, 1111, 2),
      ...other(2, 250),
      rtp(300, A, 4000, B, 5000, 1111, 3),
      ...other(3, 350), // 350 − 0 ≥ 300: only RTP's refresh keeps the note here
      rtp(400, A, 4000, B, 5000, 1111, 4),
      ...other(4, 450),
      ...rawCall('c1', 460),
      rtcpPkt(461, A, 4001, B, 5001, [srIn(1111)]),
    ]);
    const last = o.d[o.d.length - 1]!;
    expect(last).toContain('apt-agg');
    expect(last).not.toContain('export raw');
    expect(o.exports.filter((e) => (e as { type: string }).type !== 'aggregate')).toEqual([]);
  });

  it('a later SR of the tagged stream keeps the note past 300 s from the tag (idle bound from the last stamp)', async () => {
    // default 10 s window: the idle bound alone; the SR at 50 keeps shard session and note until 350
    const o = await replay(ws, 'sr-keeps-note', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-agg')]),
      rtcpPkt(50, A, 4001, B, 5001, [srIn(1111)]),
      ...other(1, 100),
      ...other(2, 200),
      ...other(3, 310), // 310 − 0 ≥ 300 but 310 − 50 < 300: kept
      ...rawCall('c1', 320),
      rtcpPkt(321, A, 4001, B, 5001, [srIn(1111)]),
    ]);
    const last = o.d[o.d.length - 1]!;
    expect(last).toContain('apt-agg');
    expect(o.exports.filter((e) => (e as { type: string }).type !== 'aggregate')).toEqual([]);
  });
});
