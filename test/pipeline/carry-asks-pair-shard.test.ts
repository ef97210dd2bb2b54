/**
 * SDES tags carried into a dialog are the ones the transport pair's shard holds when the dialog
 * routes the SSRC's first packet there (MediaCore.tagsHeld): the main thread's notes
 * (unbound-tags.ts, kept the fail-safe way) say only whether to carry. Where the dialog's shard is
 * the pair's own, the carry event asks its core as it is applied; where it is another, the engine
 * cuts the work at the packet and asks the pair's shard first (replay-engine.ts askPairShards) —
 * one more batch boundary, so the lines must come out the same as with no workers, whatever the
 * batch size. The Call-IDs vary so that both ways are taken (the dialog's shard is the Call-ID's
 * hash, the pair's the addresses'); ReplayResult.cuts shows a cut was made.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseLines, Workspace, type DecisionLine } from '../e2e/e2e-helpers.js';
import { A, B, bye, rawCall, rtcpPkt, sdesTag, sdpAt, setup, srIn, type Pkt } from '../e2e/port-reuse-review/common.js';
import { cutIn, expectSame, runs } from './round29-carry-asks-review/helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const CALLS = Array.from({ length: 8 }, (_, i) => `carry-ask-${i}`);

/** workers 0, then 2 and 3 with whole batches and batches of 1, 2 and 3 records */
const CONFIGS = [{ workers: 0 }, ...[2, 3].flatMap((workers) => [undefined, 1, 2, 3].map((maxBatchRecords) => ({ workers, ...(maxBatchRecords !== undefined ? { maxBatchRecords } : {}) })))];

/** Every run's lines equal the first's (workers 0). Returns its decisions ("frame ssrc decision reason apts") and whether a run cut its work for an ask. */
async function runAll(name: string, pkts: readonly Pkt[]): Promise<{ d: string[]; cut: boolean }> {
  const all = await runs(ws, name, pkts, CONFIGS);
  expectSame(all);
  const d = parseLines<DecisionLine>(all[0]!.decisions).map((x) => `${x.frame} ${x.ssrc} ${x.decision} ${x.reason} ${x.apt.join('+')}`);
  return { d, cut: cutIn(all) };
}

describe('a carried tag is what the pair\'s shard holds, asked across shards', () => {
  it('a tag sent before the call reaches the call that routes the SSRC, on the same shard or asked from another', async () => {
    const cuts: boolean[] = [];
    for (const call of CALLS) {
      const { d, cut } = await runAll(`held-${call}`, [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1: unbound, tagged
        ...rawCall(call, 10), // 2-4: apt-raw, retires the unbound session
        rtcpPkt(11, A, 4001, B, 5001, [srIn(1111)]), // 5: the call's first packet of 1111
        rtcpPkt(12, B, 5001, A, 4001, [srIn(2222)]), // 6: the other side, untagged
      ]);
      expect(d.filter((x) => x.startsWith('5 ')), call).toEqual(['5 1111 drop export-none apt-none']);
      expect(d.filter((x) => x.startsWith('6 ')), call).toEqual(['6 2222 export raw-allowed apt-raw']);
      cuts.push(cut);
    }
    // both ways were taken: the carry on the pair's own shard, and asked from another
    expect(cuts).toContain(true);
    expect(cuts).toContain(false);
  }, 120_000);

  it('a tag whose session a call retired goes with that call: the next call on the addresses gets none, asked or not', async () => {
    const cuts: boolean[] = [];
    for (const call of CALLS) {
      const { d, cut } = await runAll(`retired-${call}`, [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
        ...rawCall(`${call}-first`, 10), // 2-4: retires the tagged session
        rtcpPkt(11, B, 5001, A, 4001, [srIn(2222)]), // 5: 1111 sends nothing in it
        ...bye(`${call}-first`, 20, 2), // 6-7
        rtcpPkt(30, A, 4001, B, 5001, [srIn(1111)]), // 8: unbound again, untagged
        ...rawCall(call, 40), // 9-11
        rtcpPkt(41, A, 4001, B, 5001, [srIn(1111)]), // 12
      ]);
      expect(d.filter((x) => x.startsWith('12 ')), call).toEqual(['12 1111 export raw-allowed apt-raw']);
      cuts.push(cut);
    }
    expect(cuts).toContain(true);
  }, 120_000);

  it('a call that moved its media away and back still gets the tag of the session it retired (while it lives, within the sweep)', async () => {
    const at = (port: number, ip: string) => sdpAt(ip, port, null, ['a=aipref:session apt-raw']);
    for (const call of CALLS.slice(0, 4)) {
      const { d } = await runAll(`back-${call}`, [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
        ...rawCall(call, 10), // 2-4: retires the tagged session
        ...setup(call, 20, at(6000, A), at(7000, B), 2, ';tag=bbb'), // 5-7: re-INVITE: media moves away
        ...setup(call, 30, at(4000, A), at(5000, B), 3, ';tag=bbb'), // 8-10: and back
        rtcpPkt(31, A, 4001, B, 5001, [srIn(1111)]), // 11: the call's first packet of 1111
      ]);
      expect(d.filter((x) => x.startsWith('11 ')), call).toEqual(['11 1111 drop export-none apt-none']);
    }
  }, 120_000);

  it('a tag sent again after the session was swept is carried: the note that asks is the new one', async () => {
    for (const call of CALLS.slice(0, 4)) {
      const { d } = await runAll(`again-${call}`, [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 1
        ...rawCall(`${call}-other`, 350, ), // 2-4: on the same addresses: retires it (and sweeps at t=350)
        ...bye(`${call}-other`, 351, 2), // 5-6: ended, the retired tag with it
        rtcpPkt(360, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // 7: unbound and tagged again
        ...rawCall(call, 370), // 8-10
        rtcpPkt(371, A, 4001, B, 5001, [srIn(1111)]), // 11
      ]);
      expect(d.filter((x) => x.startsWith('11 ')), call).toEqual(['11 1111 drop export-none apt-none']);
    }
  }, 120_000);
});
