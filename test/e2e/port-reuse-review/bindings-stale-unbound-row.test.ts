/**
 * Found by a review of transport addresses reused across calls, fixed since: a scope naming a transport pair retires the unbound session of that pair, its open windows closed (src/pipeline/media-core.ts applyEvent, retireUnboundOf).
 */
// Input: SR of SSRC 1111 on A:4001 → B:5001 before any signaling (unbound, reported unbound-stream), then
//   INVITE/200/ACK of call c1 naming A:4000 / B:5000 (apt-raw, no a=ssrc), then SRs of 1111 on that
//   transport until the end of the capture.
// Was: the binding table at the end of the capture lists SSRC 1111 twice: under c1 (via transport) and
//   a second, live (ended: false) row with dialog null, via null, apt [] — the stream seen before signaling
//   is never folded into the dialog nor retired, so an operator reading `bindings --json` sees the same
//   stream both bound to c1 and bound to nothing.
// Correct: SPEC §8 `bindings --json` prints "the binding table at the end of the capture": at that point the
//   stream on c1's transport is c1's (§2 transport binding); no live row may say it has no dialog.
// Fix: src/pipeline/media-core.ts applyEvent('scope'): the unbound session of each transport pair the new
//   scope names is retired (its windows closed), so the stream seen before signaling is an ended row.
//   Checked with 0 and 2 workers (the unbound session and the dialog may sit in different shards).
import { afterAll, describe, expect, it } from 'vitest';
import type { BindingRow } from '../../../src/binding/types.js';
import { replayLines, Workspace } from '../e2e-helpers.js';
import { A, B, replay, rtcpPkt, sdpAt, setup, srIn, THREE } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('bindings of a stream seen before its address was signaled', () => {
  it('show it under its dialog only at the end of the capture', async () => {
    const o = await replay(ws, 'stale-unbound-row', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111)]),
      ...setup('c1', 1, sdpAt(A, 4000, null, ['a=aipref:session apt-raw']), sdpAt(B, 5000, null, ['a=aipref:session apt-raw'])),
      rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]),
      rtcpPkt(7, A, 4001, B, 5001, [srIn(1111)]),
    ]);
    expect(o.d).toEqual(['1 1111 drop no-preference ', '5 1111 export raw-allowed apt-raw', '6 1111 export raw-allowed apt-raw']);
    const live = o.bindings.filter((b) => b.ssrc === 1111 && b.ended !== true).map((b) => `${b.dialog?.callId ?? null} ${b.via} ${b.apt.join('+')}`);
    expect(live).toEqual(['c1 transport apt-raw']);
    // the row seen before signaling is history: ended, no dialog
    const ended = o.bindings.filter((b) => b.ssrc === 1111 && b.ended === true).map((b) => `${b.dialog?.callId ?? null} ${b.via}`);
    expect(ended).toEqual(['null null']);
    // the same table with 2 workers (the unbound session lives on its transport pair's shard)
    const two = await replayLines({ capture: await ws.file('stale-unbound-row.pcap'), policy: THREE, workers: 2, explain: true });
    const rows = (two.result.bindings as (BindingRow & { ended?: boolean })[]).filter((b) => b.ssrc === 1111).map((b) => `${b.ended === true} ${b.dialog?.callId ?? null} ${b.via}`);
    expect(rows.sort()).toEqual(['false c1 transport', 'true null null']);
  });
});
