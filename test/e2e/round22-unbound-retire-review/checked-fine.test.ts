/**
 * Checked and fine (review of eede090, MediaCore.retireUnboundOf). Every capture is replayed with
 * workers 0, 1, 2 and with workers 0 / 2 in batches of 1, 2 and 3 records (harness.ts VARIANTS):
 * exports, reports, decisions, summary and bindings byte-identical in all of them.
 * Since the fix of one-end-named-pair-not-retired (a session is retired when the map routes a
 * datagram it saw): an unbound window is closed at the first scope that routes its datagrams —
 * the INVITE, whose offer names A's RTCP end, not the 200 OK naming the second end (the
 * offer-488 test: from the offer on, those packets are the early dialog's). Expectations of
 * 'open window' and 'two dialogs' changed so (end 1767225601, was …601.01); the re-INVITE check's
 * first SR goes to B:5101, an end the first call does not name, so that the re-INVITE is still
 * what routes it (to B:5001 the 200 OK of the first call already did).
 * - an unbound window (operator default apt-agg) open when the scope comes: closed at the INVITE
 *   (end = its ts), dialog null, stream {ssrc, mid null, kind null}, first line of exports.ndjson
 *   in every variant; the second stream of the pair (B's SR) closed alike; after the BYE a fresh
 *   window and, for a stream with no identifier, a fresh unbound-stream report;
 * - an unbound window already due (window 10 s) when the scope comes 15 s later: ends at its
 *   window end, whatever the batch cut;
 * - IPv6 media with the SDP address written non-canonically (2001:DB8:0:0::1); IPv4-mapped SDP
 *   addresses (::ffff:10.0.0.1 and ::ffff:a00:1 / ::FFFF:) with media over IPv4; a=rtcp on
 *   another port (4005); rtcp-mux with RTCP on the muxed port; SRTCP under a=crypto (plain RTCP
 *   before, SRTCP during and after: decrypted, reported unbound again after the BYE); early media
 *   (183 with SDP, then 200: rekey); two dialogs naming the same pair one after the other; a
 *   re-INVITE naming a pair seen unbound closes that window at the re-INVITE: unbound-stream
 *   reported again after the BYE in each;
 * - RTP before signaling (probation: the first packet held, counted once the second comes), and
 *   again after the BYE: reported at the second packet, rtp counted 5;
 * - six calls with RTP and RTCP across scope and BYE, mixed rtcp-mux: identical with 0–3 workers
 *   and batches of 1 and 7.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { Workspace } from '../e2e-helpers.js';
import { inline, newMaster, srtcp } from '../srtcp-helpers.js';
import { A, AGG_DEFAULT, B, bye, differences, type Pkt, POLICY, req, res, rtcpPkt, replayAll, rtp, sdesPriv, sdpAt, setup, sipA, sipB, srIn } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

type Runs = Awaited<ReturnType<typeof replayAll>>;
const unboundFrames = (runs: Runs) => runs[0]!.out.reports.filter((r) => r.type === 'unbound-stream').map((r) => r.frame);
const windows = (runs: Runs) =>
  runs[0]!.out.run.exports
    .map((l) => JSON.parse(l) as { type: string; ts: number; dialog: unknown; stream: unknown; window?: unknown; stats?: { items: number } })
    .filter((e) => e.type === 'aggregate')
    .map((e) => ({ ts: e.ts, dialog: e.dialog, stream: e.stream, window: e.window, items: e.stats!.items }));
const raw = ['a=aipref:mid apt-raw'];

/** before signaling, during the call, after its BYE: the same SR of 1111 on `from` → `to` */
const acrossCall = (x: string, y: string, xPort: number, yPort: number, offer: string, answer: string): Pkt[] => [
  rtcpPkt(0, x, xPort, y, yPort, [srIn(1111)]),
  ...setup('c1', 1, offer, answer),
  rtcpPkt(2, x, xPort, y, yPort, [srIn(1111)]),
  ...bye('c1', 3, 2),
  rtcpPkt(4, x, xPort, y, yPort, [srIn(1111)]),
];

describe('unbound sessions retired at a scope: checked fine', () => {
  it('an open unbound window at the scope: its line, whatever the workers and batches', async () => {
    const runs = await replayAll(
      ws,
      'open-window',
      [
        rtcpPkt(0, A, 4001, B, 5001, [srIn(1111), sdesPriv(1111, 'apt-agg')]),
        rtcpPkt(0.5, B, 5001, A, 4001, [srIn(2222, 1111)]),
        ...setup('c1', 1, sdpAt(A, 4000, raw), sdpAt(B, 5000)),
        rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]),
        ...bye('c1', 3, 2),
        rtcpPkt(4, A, 4001, B, 5001, [srIn(1111), sdesPriv(1111, 'apt-agg')]),
        rtcpPkt(4.5, B, 5001, A, 4001, [srIn(2222, 1111)]),
      ],
      AGG_DEFAULT,
    );
    expect(differences(runs)).toEqual([]);
    const w = windows(runs);
    expect(w.slice(0, 2)).toEqual([
      { ts: 1767225601, dialog: null, stream: { ssrc: 1111, mid: null, kind: null }, window: { start: 1767225600, end: 1767225601 }, items: 2 },
      { ts: 1767225601, dialog: null, stream: { ssrc: 2222, mid: null, kind: null }, window: { start: 1767225600.5, end: 1767225601 }, items: 1 },
    ]);
    expect(JSON.parse(runs[0]!.out.run.exports[0]!).stream.ssrc).toBe(1111);
    // 1111's apt-agg tag, sent before signaling, is carried into c1 (since 03cc489: SPEC §2.4, the
    // stricter tag wins over the m-section's apt-raw): its SR in the call is aggregated there, not exported raw
    expect(w.slice(2).map((x) => [x.dialog === null ? null : 'c1', x.window])).toEqual([
      ['c1', { start: 1767225602, end: 1767225603 }],
      [null, { start: 1767225604, end: 1767225604.5 }],
      [null, { start: 1767225604.5, end: 1767225604.5 }],
    ]);
    expect(w.slice(3).map((x) => x.window)).toEqual([
      { start: 1767225604, end: 1767225604.5 },
      { start: 1767225604.5, end: 1767225604.5 },
    ]);
    expect(unboundFrames(runs)).toEqual([2, 10]);
  });

  it('an unbound window due before the scope comes ends at its window end', async () => {
    const runs = await replayAll(
      ws,
      'due-window',
      [rtcpPkt(0, A, 4001, B, 5001, [srIn(1111)]), rtcpPkt(1, A, 4001, B, 5001, [srIn(1111)]), ...setup('c1', 15, sdpAt(A, 4000, raw), sdpAt(B, 5000)), rtcpPkt(16, A, 4001, B, 5001, [srIn(1111)]), ...bye('c1', 17, 2), rtcpPkt(18, A, 4001, B, 5001, [srIn(1111)])],
      AGG_DEFAULT,
    );
    expect(differences(runs)).toEqual([]);
    expect(windows(runs).map((x) => [x.window, x.items])).toEqual([
      [{ start: 1767225600, end: 1767225610 }, 2],
      [{ start: 1767225618, end: 1767225618 }, 1],
    ]);
    expect(unboundFrames(runs)).toEqual([1, 9]);
  });

  for (const [name, pkts, frames] of [
    ['IPv6, SDP address not canonical', acrossCall('2001:db8::1', '2001:db8::2', 4001, 5001, sdpAt('2001:DB8:0:0::1', 4000, raw), sdpAt('2001:db8::2', 5000)), [1, 8]],
    ['IPv4-mapped SDP addresses, media over IPv4', acrossCall(A, B, 4001, 5001, sdpAt('::ffff:10.0.0.1', 4000, raw), sdpAt('::ffff:10.0.0.2', 5000)), [1, 8]],
    ['IPv4-mapped in hex and upper case', acrossCall(A, B, 4001, 5001, sdpAt('::ffff:a00:1', 4000, raw), sdpAt('::FFFF:10.0.0.2', 5000)), [1, 8]],
    ['a=rtcp on another port', acrossCall(A, B, 4005, 5001, sdpAt(A, 4000, [...raw, 'a=rtcp:4005']), sdpAt(B, 5000)), [1, 8]],
    ['rtcp-mux, RTCP on the muxed port', acrossCall(A, B, 4000, 5000, sdpAt(A, 4000, [...raw, 'a=rtcp-mux']), sdpAt(B, 5000, ['a=rtcp-mux'])), [1, 8]],
  ] as const) {
    it(`${name}: retired at the scope, reported again after the BYE`, async () => {
      const runs = await replayAll(ws, name.replace(/\W+/g, '-'), pkts, POLICY);
      expect(differences(runs)).toEqual([]);
      expect(runs[0]!.out.d).toEqual(['1 1111 drop no-preference ', '5 1111 export raw-allowed apt-raw', '8 1111 drop no-preference ']);
      expect(unboundFrames(runs)).toEqual(frames);
      expect(runs[0]!.out.rows(1111)).toEqual(['false null null', 'true c1 transport', 'true null null']);
    });
  }

  it('RTP before signaling and after the BYE (probation)', async () => {
    const runs = await replayAll(ws, 'rtp-probation', [
      rtp(0, A, 4000, B, 5000, 1111, 1),
      rtp(0.02, A, 4000, B, 5000, 1111, 2),
      ...setup('c1', 1, sdpAt(A, 4000, raw), sdpAt(B, 5000)),
      rtp(2, A, 4000, B, 5000, 1111, 3),
      rtcpPkt(2.1, A, 4001, B, 5001, [srIn(1111)]),
      ...bye('c1', 3, 2),
      rtp(4, A, 4000, B, 5000, 1111, 4),
      rtp(4.02, A, 4000, B, 5000, 1111, 5),
    ]);
    expect(differences(runs)).toEqual([]);
    expect(unboundFrames(runs)).toEqual([2, 11]);
    expect(runs[0]!.out.run.result.summary.rtp).toBe(5);
  });

  it('SRTCP under a=crypto on the pair', async () => {
    const ma = newMaster();
    const mb = newMaster();
    let index = 0;
    const enc = (ts: number): Pkt => ({ ts, src: A, dst: B, sport: 4001, dport: 5001, payload: srtcp(encodeRtcpCompound([srIn(1111)]), ma, ++index) });
    const crypto = (m: typeof ma) => `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${inline(m)}`;
    const runs = await replayAll(
      ws,
      'srtcp',
      [rtcpPkt(0, A, 4001, B, 5001, [srIn(1111)]), ...setup('c1', 1, sdpAt(A, 4000, [...raw, crypto(ma)], [], 'RTP/SAVP'), sdpAt(B, 5000, [crypto(mb)], [], 'RTP/SAVP')), enc(2), ...bye('c1', 3, 2), enc(4)],
      POLICY,
    );
    expect(differences(runs)).toEqual([]);
    expect(runs[0]!.out.d).toEqual(['1 1111 drop no-preference ', '5 1111 export raw-allowed apt-raw', '8 1111 drop no-preference ']);
    expect(unboundFrames(runs)).toEqual([1, 8]);
  });

  it('early media (183 with SDP), then the 200 (rekey)', async () => {
    const runs = await replayAll(ws, 'early', [
      rtcpPkt(0, A, 4001, B, 5001, [srIn(1111)]),
      sipA(1, req('c1', 'INVITE', 1, sdpAt(A, 4000, raw), '')),
      sipB(1.1, res('c1', '183 Session Progress', 'INVITE', 1, sdpAt(B, 5000))),
      rtcpPkt(1.5, A, 4001, B, 5001, [srIn(1111)]),
      sipB(2, res('c1', '200 OK', 'INVITE', 1, sdpAt(B, 5000))),
      sipA(2.01, req('c1', 'ACK', 1, null)),
      rtcpPkt(2.5, A, 4001, B, 5001, [srIn(1111)]),
      ...bye('c1', 3, 2),
      rtcpPkt(4, A, 4001, B, 5001, [srIn(1111)]),
    ]);
    expect(differences(runs)).toEqual([]);
    expect(runs[0]!.out.d).toEqual(['1 1111 drop no-preference ', '4 1111 export raw-allowed apt-raw', '7 1111 export raw-allowed apt-raw', '10 1111 drop no-preference ']);
    expect(unboundFrames(runs)).toEqual([1, 10]);
  });

  it('two dialogs naming the same pair one after the other', async () => {
    const runs = await replayAll(
      ws,
      'two-dialogs',
      [
        ...acrossCall(A, B, 4001, 5001, sdpAt(A, 4000, raw), sdpAt(B, 5000)),
        ...setup('c2', 5, sdpAt(A, 4000, ['a=aipref:mid apt-none']), sdpAt(B, 5000)),
        rtcpPkt(6, A, 4001, B, 5001, [srIn(1111)]),
        ...bye('c2', 7, 2),
        rtcpPkt(8, A, 4001, B, 5001, [srIn(1111)]),
      ],
      AGG_DEFAULT,
    );
    expect(differences(runs)).toEqual([]);
    expect(unboundFrames(runs)).toEqual([1, 8, 15]);
    expect(windows(runs).map((x) => x.window)).toEqual([
      { start: 1767225600, end: 1767225601 },
      // (c2's INVITE alone does not route it: B:5001 is c1's ended address until c2's 200 names it)
      { start: 1767225604, end: 1767225605.01 },
      { start: 1767225608, end: 1767225608 },
    ]);
  });

  it('a re-INVITE naming a pair seen unbound retires it at the offer', async () => {
    const runs = await replayAll(
      ws,
      'reinvite',
      [
        rtcpPkt(0, A, 4101, B, 5101, [srIn(1111)]),
        ...setup('c1', 1, sdpAt(A, 4000, raw), sdpAt(B, 5000)),
        rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]),
        ...setup('c1', 3, sdpAt(A, 4100, raw), sdpAt(B, 5000), 2),
        rtcpPkt(4, A, 4101, B, 5001, [srIn(1111)]),
        ...bye('c1', 5, 3),
        rtcpPkt(6, A, 4101, B, 5001, [srIn(1111)]),
      ],
      AGG_DEFAULT,
    );
    expect(differences(runs)).toEqual([]);
    expect(windows(runs).map((x) => x.window)).toEqual([
      { start: 1767225600, end: 1767225603 },
      { start: 1767225606, end: 1767225606 },
    ]);
  });

  it('six calls, RTP and RTCP across scope and BYE: identical with 0 to 3 workers and small batches', async () => {
    const pk: Pkt[] = [];
    let t = 0;
    const port = (c: number) => [4000 + c * 10, 5000 + c * 10] as const;
    for (let c = 0; c < 6; c++) {
      const [a, b] = port(c);
      pk.push(rtp((t += 0.01), A, a, B, b, 1000 + c, 1), rtp((t += 0.01), A, a, B, b, 1000 + c, 2), rtcpPkt((t += 0.01), A, a + 1, B, b + 1, [srIn(1000 + c), sdesPriv(1000 + c, 'apt-agg')]), rtcpPkt((t += 0.01), B, b + 1, A, a + 1, [srIn(2000 + c, 1000 + c)]));
    }
    for (let c = 0; c < 6; c++) {
      const [a, b] = port(c);
      pk.push(...setup(`c${c}`, (t += 0.05), sdpAt(A, a, [c % 2 ? 'a=aipref:mid apt-raw' : 'a=aipref:mid apt-agg', 'a=rtcp-mux']), sdpAt(B, b, c % 3 ? [] : ['a=rtcp-mux'])));
      t += 0.1;
      pk.push(rtp((t += 0.01), A, a, B, b, 1000 + c, 3), rtcpPkt((t += 0.01), A, a + 1, B, b + 1, [srIn(1000 + c)]), rtcpPkt((t += 0.01), A, a, B, b, [srIn(1000 + c)]), rtcpPkt((t += 0.01), B, b + 1, A, a + 1, [srIn(2000 + c, 1000 + c)]));
    }
    for (let c = 0; c < 6; c++) pk.push(...bye(`c${c}`, (t += 0.05), 2));
    for (let c = 0; c < 6; c++) {
      const [a, b] = port(c);
      pk.push(rtp((t += 0.01), A, a, B, b, 1000 + c, 4), rtp((t += 0.01), A, a, B, b, 1000 + c, 5), rtcpPkt((t += 0.01), A, a + 1, B, b + 1, [srIn(1000 + c)]), rtcpPkt((t += 0.01), B, b + 1, A, a + 1, [srIn(2000 + c, 1000 + c)]));
    }
    const runs = await replayAll(ws, 'six-calls', pk, AGG_DEFAULT, [
      { name: 'w0', workers: 0 },
      { name: 'w1', workers: 1 },
      { name: 'w2', workers: 2 },
      { name: 'w3', workers: 3 },
      { name: 'w3 b1', workers: 3, maxBatchRecords: 1 },
    ]);
    expect(differences(runs)).toEqual([]);
    const b7 = await replayAll(ws, 'six-calls', pk, AGG_DEFAULT, [
      { name: 'w0 b7', workers: 0, maxBatchRecords: 7 },
      { name: 'w2 b7', workers: 2, maxBatchRecords: 7 },
    ]);
    expect(differences(b7)).toEqual([]);
  });
});
