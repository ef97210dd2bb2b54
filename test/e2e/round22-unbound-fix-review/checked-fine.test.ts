/**
 * Checked and fine (review of fa3cb23 on top of eede090: MediaCore.retireUnboundOf by the exact
 * datagram ends an unbound session saw, StreamTable.noteDatagram / unboundAt / forgetUnbound).
 * - Time per scope event vs unbound sessions elsewhere (counts, not time): 1 000 vs 20 000
 *   unbound sessions on pairs no scope names, then 50 scope events of new calls: 0
 *   lookupDatagramV4 calls by the retirement in both, the same number of unboundAt calls
 *   (4 per scope: the transports it makes live, all of its own here), StreamTable.unboundSessions (sweepUnbound) entered at
 *   most once (once per 60 s of capture time, not per event).
 * - sweepUnbound: a session idle 300 s is dropped and unfiled from the index (unboundAt of its
 *   ends undefined afterwards, unboundCount 0); a later scope naming its pair makes no second
 *   ended row; its next packets make a new session, filed again and retired by the next scope.
 * - A session emptied by eviction (not the one being extended) is unfiled; the same pair's
 *   next packets make a fresh session filed at its ends, and the scope retires that one (one
 *   ended no-dialog row for it, none for the evicted stream).
 * - Replays (harness of ../round22-unbound-retire-review), each under workers 0 / 1 / 2 / 2 in
 *   batches of 1 — exports, reports, decisions, summary and bindings byte-identical:
 *   IPv6 NAT (sender 2001:db8:ffff::7, SDP 2001:db8::1) and IPv4 NAT toward an IPv4-mapped
 *   SDP address (::ffff:10.0.0.2): RTP before the call, in it, after the BYE — reported unbound
 *   at frames 2 and 10 (probation), rows live-unbound / ended c1 / ended unbound;
 *   RTP answered by the flow cache (an unbound flow cached, then hit) on 4100/5100 while the
 *   call is on 4000/5000, a re-INVITE moving the call to 4100/5100: retired at the re-INVITE,
 *   reported again after the BYE (frames 2, 14); a call's transport released at BYE, the
 *   late RTP unbound (frame 8), a new call reusing the same ports retires it, reported again
 *   after that call's BYE (frame 16); a forked INVITE (two 183s with different To-tags, one
 *   naming C 10.0.0.3:6000, then the other fork's 200: rekey) with a NAT'd stray to C:6001
 *   before signaling: retired at the 183 naming C, identical in every variant.
 * - Eight calls mixing NAT'd IPv4, plain IPv4, IPv6 NAT, IPv4-mapped SDP, rtcp-mux, a=ssrc,
 *   re-INVITEs moving ports, BYE, late media, and new calls reusing the ports: identical with
 *   workers 0, 1, 2, 3, batches of 1, 2, 3 and 5.
 * - No crash in any of the above.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { StreamTable } from '../../../src/binding/stream-table.js';
import { TransportMap } from '../../../src/binding/transport-map.js';
import type { DialogScope } from '../../../src/binding/types.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { MediaCore, type PacketAddress } from '../../../src/pipeline/media-core.js';
import { Workspace } from '../e2e-helpers.js';
import { sip } from '../hand-built-calls.js';
import { A, AGG_DEFAULT, B, bye, differences, type Pkt, POLICY, req, rtcpPkt, replayAll, rtp, sdesPriv, sdpAt, setup, sipA, sipB, srIn, VARIANTS } from '../round22-unbound-retire-review/harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const n4 = (s: string) => s.split('.').reduce((a, b) => a * 256 + +b, 0);
const at = (src: string, sport: number, dst: string, dport: number): PacketAddress => ({ v6: false, src4: n4(src), dst4: n4(dst), src, dst, sport, dport });
const scopeOf = (key: string, a: string, ap: number, b: string, bp: number): DialogScope => ({
  key,
  dialog: { callId: key, fromTag: 'f', toTag: 't' },
  sections: [{ index: 0, mid: 'a', kind: 'audio', disabled: false, rtp: [{ address: a, port: ap }, { address: b, port: bp }], rtcp: [{ address: a, port: ap + 1 }, { address: b, port: bp + 1 }], ssrcs: [], midExtIds: [], clockRates: [], sharedClockRate: null, mediaClockRate: null, srtp: false, srtcpKeys: [], apts: [] }],
  dialogApts: [],
  repositoryApts: [],
  pending: null,
});
const tableOf = (core: MediaCore) => (core as unknown as { table: StreamTable }).table;
const sender = (core: MediaCore) => {
  let frame = 0;
  return {
    next: () => ++frame,
    send(ts: number, ssrc: number, a: PacketAddress, seqs = [1, 2]) {
      for (const seq of seqs) {
        const p = encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc, payload: new Uint8Array(20) });
        core.rtp(++frame, ts, p, 0, p.length, a);
      }
    },
  };
};
const rowsOf = (core: MediaCore) => [...core.streams()].map((r) => `${r.stream.ssrc} ${r.ended} ${r.stream.session.scope?.dialog.callId ?? null}`).sort();

describe('unbound retirement by exact ends (fa3cb23): checked fine', () => {
  it('scope events do not look at unbound sessions elsewhere (1k vs 20k)', () => {
    const count = (k: number) => {
      const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null });
      const s = sender(core);
      for (let i = 0; i < k; i++) s.send(100, 100000 + i, at(`10.40.${(i >> 8) & 255}.${i & 255}`, 20000, `10.50.${(i >> 8) & 255}.${i & 255}`, 30000));
      expect(tableOf(core).unboundCount).toBe(k);
      core.event({ kind: 'scope', frame: s.next(), ts: 100.5, scope: scopeOf('first', '10.1.0.1', 4000, '10.2.0.1', 5000) });
      const lookups = vi.spyOn(TransportMap.prototype, 'lookupDatagramV4');
      const sweeps = vi.spyOn(StreamTable.prototype, 'unboundSessions');
      const ats = vi.spyOn(StreamTable.prototype, 'unboundAt');
      try {
        for (let j = 0; j < 50; j++) core.event({ kind: 'scope', frame: s.next(), ts: 101 + j * 0.1, scope: scopeOf(`d${j}`, '10.1.0.1', 4002 + j * 2, '10.2.0.1', 5002 + j * 2) });
        return { lookups: lookups.mock.calls.length, sweeps: sweeps.mock.calls.length, ats: ats.mock.calls.length };
      } finally {
        lookups.mockRestore();
        sweeps.mockRestore();
        ats.mockRestore();
      }
    };
    const small = count(1000);
    const large = count(20000);
    expect(small).toEqual({ lookups: 0, sweeps: 1, ats: 200 });
    expect(large).toEqual(small);
  });

  it('sweepUnbound unfiles the session; a later scope makes no second ended row', () => {
    const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, bindings: true });
    const s = sender(core);
    const key = n4('10.0.0.1') * 65536 + 4000;
    s.send(100, 1111, at('10.0.0.1', 4000, '10.0.0.2', 5000));
    expect(tableOf(core).unboundAt(key)?.size).toBe(1);
    // an event 400 s later (another call's): the idle session is swept
    core.event({ kind: 'scope', frame: s.next(), ts: 200, scope: scopeOf('other', '10.7.0.1', 4000, '10.7.0.2', 5000) });
    core.event({ kind: 'scope', frame: s.next(), ts: 500, scope: scopeOf('other', '10.7.0.1', 4000, '10.7.0.2', 5000) });
    expect(tableOf(core).unboundAt(key)).toBeUndefined();
    expect(tableOf(core).unboundCount).toBe(0);
    expect(rowsOf(core)).toEqual(['1111 true null']);
    core.event({ kind: 'scope', frame: s.next(), ts: 501, scope: scopeOf('c1', '10.0.0.1', 4000, '10.0.0.2', 5000) });
    expect(rowsOf(core)).toEqual(['1111 true null']);
    core.event({ kind: 'dialog-ended', frame: s.next(), ts: 502, key: 'c1' });
    // late media after c1: a new session, filed, retired by the next scope naming the pair
    s.send(503, 1111, at('10.0.0.1', 4000, '10.0.0.2', 5000));
    expect(tableOf(core).unboundAt(key)?.size).toBe(1);
    core.event({ kind: 'scope', frame: s.next(), ts: 504, scope: scopeOf('c2', '10.0.0.1', 4000, '10.0.0.2', 5000) });
    expect(tableOf(core).unboundAt(key)).toBeUndefined();
    expect(rowsOf(core)).toEqual(['1111 true null', '1111 true null']);
  });

  it('a session emptied by eviction is unfiled; the recreated one is filed and retired', () => {
    const core = new MediaCore({ windowSec: 10, explain: false, defaultApt: null, maxStreams: 2, bindings: true });
    const s = sender(core);
    const key = n4('10.0.0.1') * 65536 + 4000;
    s.send(100, 1111, at('10.0.0.1', 4000, '10.0.0.2', 5000));
    s.send(100.5, 3333, at('10.9.0.1', 4000, '10.9.0.2', 5000));
    s.send(101, 4444, at('10.8.0.1', 4000, '10.8.0.2', 5000));
    expect(tableOf(core).unboundAt(key)).toBeUndefined();
    s.send(102, 2222, at('10.0.0.1', 4000, '10.0.0.2', 5000));
    expect(tableOf(core).unboundAt(key)?.size).toBe(1);
    core.event({ kind: 'scope', frame: s.next(), ts: 103, scope: scopeOf('c1', '10.0.0.1', 4000, '10.0.0.2', 5000) });
    expect(tableOf(core).unboundAt(key)).toBeUndefined();
    expect(rowsOf(core).filter((r) => r.startsWith('1111') || r.startsWith('2222'))).toEqual(['2222 true null']);
  });

  const unboundFrames = (o: { reports: { type: string; frame: number }[] }) => o.reports.filter((r) => r.type === 'unbound-stream').map((r) => r.frame);
  const V = VARIANTS.filter((v) => ['workers 0', 'workers 1', 'workers 2', 'workers 2, batches of 1'].includes(v.name));
  const raw = ['a=aipref:mid apt-raw'];
  const P = '192.0.2.7';

  for (const [name, pk, frames, rows] of [
    [
      'IPv6 NAT',
      (() => {
        const [a6, b6, p6] = ['2001:db8::1', '2001:db8::2', '2001:db8:ffff::7'];
        return [rtp(0, p6, 4000, b6, 5000, 1111, 1), rtp(0.02, p6, 4000, b6, 5000, 1111, 2), ...setup('c1', 1, sdpAt(a6, 4000, raw), sdpAt(b6, 5000)), rtp(2, p6, 4000, b6, 5000, 1111, 3), ...bye('c1', 3, 2), rtp(4, p6, 4000, b6, 5000, 1111, 4), rtp(4.02, p6, 4000, b6, 5000, 1111, 5)];
      })(),
      [2, 10],
      ['false null null', 'true c1 transport', 'true null null'],
    ],
    [
      'IPv4 NAT, IPv4-mapped SDP',
      [rtp(0, P, 4000, B, 5000, 1111, 1), rtp(0.02, P, 4000, B, 5000, 1111, 2), ...setup('c1', 1, sdpAt(A, 4000, raw), sdpAt('::ffff:10.0.0.2', 5000)), rtp(2, P, 4000, B, 5000, 1111, 3), ...bye('c1', 3, 2), rtp(4, P, 4000, B, 5000, 1111, 4), rtp(4.02, P, 4000, B, 5000, 1111, 5)],
      [2, 10],
      ['false null null', 'true c1 transport', 'true null null'],
    ],
    [
      'flow-cached RTP, re-INVITE onto its ports',
      [rtp(0, A, 4100, B, 5100, 1111, 1), rtp(0.02, A, 4100, B, 5100, 1111, 2), ...setup('c1', 1, sdpAt(A, 4000, raw), sdpAt(B, 5000)), rtp(1.5, A, 4100, B, 5100, 1111, 3), ...setup('c1', 2, sdpAt(A, 4100, raw), sdpAt(B, 5100), 2), rtp(2.5, A, 4100, B, 5100, 1111, 4), ...bye('c1', 3, 3), rtp(4, A, 4100, B, 5100, 1111, 5), rtp(4.02, A, 4100, B, 5100, 1111, 6)],
      [2, 14],
      ['false null null', 'true c1 transport', 'true null null'],
    ],
    [
      'transport released at BYE, re-used by a new call',
      [...setup('c1', 0, sdpAt(A, 4000, raw), sdpAt(B, 5000)), rtp(0.5, A, 4000, B, 5000, 1111, 1), ...bye('c1', 1, 2), rtp(1.5, A, 4000, B, 5000, 1111, 2), rtp(1.52, A, 4000, B, 5000, 1111, 3), ...setup('c2', 2, sdpAt(A, 4000, raw), sdpAt(B, 5000)), rtp(2.5, A, 4000, B, 5000, 1111, 4), ...bye('c2', 3, 2), rtp(4, A, 4000, B, 5000, 1111, 5), rtp(4.02, A, 4000, B, 5000, 1111, 6)],
      [8, 16],
      ['false null null', 'true c1 transport', 'true c2 transport', 'true null null'],
    ],
  ] as const) {
    it(`${name}: retired at the scope, identical across workers and batches`, async () => {
      const runs = await replayAll(ws, name.replace(/\W+/g, '-'), pk as unknown as Pkt[], POLICY, V);
      expect(differences(runs)).toEqual([]);
      expect(unboundFrames(runs[0]!.out)).toEqual(frames);
      expect(runs[0]!.out.rows(1111)).toEqual(rows);
    });
  }

  it('a forked INVITE (rekey): the stray to the second fork retired at its 183', async () => {
    const C = '10.0.0.3';
    const fork = (status: string, tag: string, body: string | null, cseq = 1, method = 'INVITE'): Pkt => ({
      ts: 0,
      src: B,
      dst: A,
      sport: 5060,
      dport: 5060,
      payload: sip(['SIP/2.0 ' + status, `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-f-${method}${cseq}`, 'From: <sip:a@a.example>;tag=aaa', `To: <sip:b@b.example>;tag=${tag}`, 'Call-ID: f1', `CSeq: ${cseq} ${method}`, `Contact: <sip:x@${B}:5060>`], body),
    });
    const t = (p: Pkt, ts: number): Pkt => ({ ...p, ts });
    const runs = await replayAll(
      ws,
      'fork',
      [
        rtcpPkt(0, P, 4001, C, 6001, [srIn(1111)]),
        sipA(1, req('f1', 'INVITE', 1, sdpAt(A, 4000, raw), '')),
        t(fork('183 Session Progress', 'x1', sdpAt(B, 5000)), 1.1),
        t(fork('183 Session Progress', 'y1', sdpAt(C, 6000)), 1.2),
        rtcpPkt(1.5, P, 4001, C, 6001, [srIn(1111)]),
        t(fork('200 OK', 'x1', sdpAt(B, 5000)), 2),
        rtcpPkt(2.5, P, 4001, C, 6001, [srIn(1111)]),
      ],
      POLICY,
      V,
    );
    expect(differences(runs)).toEqual([]);
    expect(unboundFrames(runs[0]!.out)[0]).toBe(1);
    expect(runs[0]!.out.d[1]).toBe('5 1111 export raw-allowed apt-raw');
    expect(runs[0]!.out.rows(1111)).toEqual(['false f1 transport', 'true null null']);
  });

  it('eight mixed calls: identical with 0 to 3 workers and small batches', async () => {
    const pk: Pkt[] = [];
    let t = 0;
    const [a6, b6, p6] = ['2001:db8::1', '2001:db8::2', '2001:db8:ffff::7'];
    const src = (c: number) => [P, A, p6, A][c % 4]!;
    const dst = (c: number) => (c % 4 === 2 ? b6 : B);
    const aAddr = (c: number) => [A, A, a6, '::ffff:10.0.0.1'][c % 4]!;
    const bAddr = (c: number) => (c % 4 === 2 ? b6 : B);
    const ports = (c: number) => [4000 + c * 10, 5000 + c * 10] as const;
    for (let c = 0; c < 8; c++) {
      const [a, b] = ports(c);
      pk.push(rtp((t += 0.01), src(c), a, dst(c), b, 1000 + c, 1), rtp((t += 0.01), src(c), a, dst(c), b, 1000 + c, 2), rtcpPkt((t += 0.01), src(c), a + 1, dst(c), b + 1, [srIn(1000 + c), sdesPriv(1000 + c, 'apt-agg')]), rtcpPkt((t += 0.01), dst(c), b + 1, src(c), a + 1, [srIn(2000 + c, 1000 + c)]));
    }
    for (let c = 0; c < 8; c++) {
      const [a, b] = ports(c);
      const mux = c % 3 === 0 ? ['a=rtcp-mux'] : [];
      const ss = c % 2 ? [`a=ssrc:${1000 + c} cname:x`] : [];
      pk.push(...setup(`c${c}`, (t += 0.05), sdpAt(aAddr(c), a, [c % 2 ? 'a=aipref:mid apt-raw' : 'a=aipref:mid apt-agg', ...mux, ...ss]), sdpAt(bAddr(c), b, mux)));
      pk.push(rtp((t += 0.01), src(c), a, dst(c), b, 1000 + c, 3), rtcpPkt((t += 0.01), src(c), a + 1, dst(c), b + 1, [srIn(1000 + c)]), rtcpPkt((t += 0.01), dst(c), b + 1, src(c), a + 1, [srIn(2000 + c, 1000 + c)]));
      if (c % 2 === 0) pk.push(...setup(`c${c}`, (t += 0.05), sdpAt(aAddr(c), a + 100, ['a=aipref:mid apt-raw', ...mux]), sdpAt(bAddr(c), b, mux), 2));
      pk.push(rtp((t += 0.01), src(c), a + 100, dst(c), b, 1000 + c, 4), rtcpPkt((t += 0.01), src(c), a + 101, dst(c), b + 1, [srIn(1000 + c)]));
    }
    for (let c = 0; c < 8; c++) pk.push(...bye(`c${c}`, (t += 0.05), 3));
    for (let c = 0; c < 8; c++) {
      const [a, b] = ports(c);
      pk.push(rtp((t += 0.01), src(c), a, dst(c), b, 1000 + c, 5), rtp((t += 0.01), src(c), a, dst(c), b, 1000 + c, 6), rtcpPkt((t += 0.01), src(c), a + 1, dst(c), b + 1, [srIn(1000 + c)]), rtcpPkt((t += 0.01), dst(c), b + 1, src(c), a + 1, [srIn(2000 + c, 1000 + c)]));
    }
    for (let c = 0; c < 8; c++) {
      const [a, b] = ports(c);
      pk.push(...setup(`n${c}`, (t += 0.05), sdpAt(aAddr(c), a, raw), sdpAt(bAddr(c), b)));
      pk.push(rtp((t += 0.01), src(c), a, dst(c), b, 1000 + c, 7), rtcpPkt((t += 0.01), src(c), a + 1, dst(c), b + 1, [srIn(1000 + c)]));
    }
    const runs = await replayAll(ws, 'mix', pk, AGG_DEFAULT, [...VARIANTS, { name: 'workers 3', workers: 3 }, { name: 'workers 3, batches of 5', workers: 3, maxBatchRecords: 5 }]);
    expect(differences(runs)).toEqual([]);
    expect(runs[0]!.out.reports.filter((r) => r.type === 'unbound-stream').length).toBeGreaterThan(8);
  });
});
