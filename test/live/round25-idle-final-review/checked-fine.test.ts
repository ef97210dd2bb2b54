/**
 * Checked and found fine (round 25, final review of 38c333f "live, dialogs idle out by the earlier
 * of the capture clock and the service's own time"; the engine in-process as `live` drives it —
 * ifr-helpers.ts — and DialogTracker as the engine drives it — ../round25-live-idle-review/lir-helpers.ts):
 * - NTP skew of seconds: agents 30 s ahead of the service idle a BYE-lost call out at the same
 *   sweep as clocks agreeing (T+4.5 h with OPTIONS every 30 min; in general the skew late), and
 *   a table whose oldest dialog is older than the skew is not walked past it (1 step);
 * - the service's clock AHEAD of its agents (6 h): the capture clock is the earlier, dialogs idle
 *   out as with the clocks agreeing;
 * - a capture recorded yesterday (its clock a day behind the service's) sent as `replay --to
 *   --speed 1` (paced) and `--speed 0` would feed it: the same idle-out report and decisions as the
 *   offline replay (README: "its clock behind the service's, idles out by its own time as offline");
 * - offline (serviceNow null): the media refresh, now dated max(ctx.ts, clock), keeps a call whose
 *   media flows and lets one whose media stopped go between 4 and 8 h after its last packet; a SIP
 *   record stamped hours behind the clock (merged capture), its call's media fresh, no longer
 *   loops the sweep (kept, table unchanged); live with the service's clock behind the stamps too;
 * - `lastSeen > now: continue`: a dialog refreshed by a lone record 1 h ahead (clocks agreeing) is
 *   passed over, and a dialog behind it in the Map still idles out on time;
 * - the INVITE transaction's 32 s timer (early forks of an answered INVITE ended as cancelled)
 *   runs on the records' own stamps whatever serviceNow is (6 h behind or ahead): not at +20 s,
 *   at +33 s;
 * - README's paragraph ("idle out by the earlier of the two") matches expireIdle's
 *   `now = min(this.now, serviceNow)` for the cases it names: an agent ahead (the existing
 *   clock-sources-review test) and a session "its clock behind the service's". Where it does not
 *   hold (an agent behind; the stamps ahead of the service's clock): the three failing files here.
 */
import { describe, expect, it } from 'vitest';
import { call, sip, sr, type TimedPkt } from '../clock-sources-review/cs-helpers.js';
import { H, LiveTracker } from '../round25-live-idle-review/lir-helpers.js';
import { audioSdp, callMessage } from '../../signaling/sip-fixtures.js';
import { idleEnds, runEngine } from './ifr-helpers.js';

const T = 1_800_000_000;
const opt = (ts: number, k: number, start: string): TimedPkt => ({ ts, src: '10.9.0.1', dst: '10.9.0.2', sport: 5060, dport: 5060, payload: sip(start, `opt-${k}`, `${k} OPTIONS`) });

/** call-c (no BYE, SRs at T+1, T+1.5), then an OPTIONS pair every 30 min for 14 h */
function byeLost(): TimedPkt[] {
  const c = call('call-c', T, { aiPref: 'u', n: 1 });
  const pkts: TimedPkt[] = [...c.sip, ...c.media];
  for (let k = 1; k <= 28; k++) pkts.push(opt(T + k * 1800, k, 'OPTIONS sip:x@10.9.0.2 SIP/2.0'), opt(T + k * 1800 + 0.01, k, 'SIP/2.0 200 OK'));
  return pkts;
}
const endHours = (r: Awaited<ReturnType<typeof runEngine>>) => idleEnds(r).map((x) => ((x.ts as number) - T) / H);

/** Counts the steps of the idle walk (DialogTracker.expireIdleOf over its source's dialogs: one source here, 0). */
function countWalks(t: LiveTracker): { n: number } {
  const m = (t.tracker as unknown as { bySource: Map<number, Map<string, unknown>> }).bySource.get(0)!;
  const values = m.values.bind(m);
  const box = { n: 0 };
  m.values = () => {
    const it = values();
    return {
      [Symbol.iterator]() {
        return this;
      },
      next() {
        box.n++;
        return it.next();
      },
    } as never;
  };
  return box;
}

describe('live clocks', () => {
  it('agents 30 s ahead of the service (NTP skew): the same idle-out as clocks agreeing', async () => {
    const pkts = byeLost();
    expect(endHours(await runEngine(pkts, (i) => pkts[i]!.ts + 0.001))).toEqual([4.5]);
    expect(endHours(await runEngine(pkts, (i) => pkts[i]!.ts - 30))).toEqual([4.5]);
  });

  it('agents 30 s ahead: one message walks no further than the first dialog older than the skew', () => {
    const t = new LiveTracker();
    for (let i = 0; i < 200; i++) t.call(`c${i}`, T + i * 5, T + i * 5 - 30);
    const box = countWalks(t);
    t.send('OPTIONS sip:x@b.example SIP/2.0', { callId: 'opt-x', cseq: '1 OPTIONS' }, T + 1001, T + 1001, T + 971);
    expect(box.n).toBe(1);
  });

  it("the service's clock 6 h ahead of its agents: idles out as with clocks agreeing", async () => {
    const pkts = byeLost();
    expect(endHours(await runEngine(pkts, (i) => pkts[i]!.ts + 6 * H))).toEqual([4.5]);
  });

  it('a capture recorded yesterday, fed paced (--speed 1) and at once (--speed 0): as offline', async () => {
    const S = T - 24 * H;
    const c = call('call-c', S, { aiPref: 'u', n: 1 });
    const d = call('call-d', S + 5 * H, { port: 4100, ssrcA: 0x2000, n: 0 });
    const late: TimedPkt = { ...c.media[0]!, ts: S + 5 * H + 1, payload: sr(0x1000, 2, 0x1001) };
    const pkts = [...c.sip, ...c.media, ...d.sip.map((p) => ({ ...p, src: '10.0.1.1', dst: '10.0.1.2' })), late];
    const off = await runEngine(pkts, null);
    expect(idleEnds(off).map((r) => r.frame)).toEqual([7]);
    for (const service of [(i: number) => pkts[i]!.ts + 24 * H + 0.001, (i: number) => T + i * 0.001]) {
      for (const workers of [0, 2]) {
        const got = await runEngine(pkts, service, { workers });
        expect(idleEnds(got)).toEqual(idleEnds(off));
        expect(got.decisions.map((x) => [x.frame, x.decision, x.reason])).toEqual(off.decisions.map((x) => [x.frame, x.decision, x.reason]));
      }
    }
  });
});

describe('the media refresh dated max(ctx.ts, now)', () => {
  /** offline tracker (serviceNow left null) with media last seen at `media()` */
  function offlineTracker(media: () => number) {
    const t = new LiveTracker();
    t.tracker.mediaActivity = media;
    const send = (start: string, o: { callId: string; cseq: string; toTag?: string; sdp?: string }, ts: number, clock = ts) => {
      t.frame++;
      t.events.push(...t.tracker.handle(callMessage(start, o), { frame: t.frame, ts, src: '192.0.2.1', dst: '192.0.2.2', sport: 5060, dport: 5060, transport: 'udp' }, clock));
    };
    return { t, send };
  }
  const setUp = (send: ReturnType<typeof offlineTracker>['send']) => {
    send('INVITE sip:bob@b.example SIP/2.0', { callId: 'call-c', cseq: '1 INVITE', sdp: audioSdp() }, T);
    send('SIP/2.0 200 OK', { callId: 'call-c', cseq: '1 INVITE', toTag: 'b1', sdp: audioSdp({ ip: '192.0.2.2' }) }, T + 0.01);
    send('ACK sip:bob@b.example SIP/2.0', { callId: 'call-c', cseq: '1 ACK', toTag: 'b1' }, T + 0.02);
  };

  it('offline: media still flowing keeps the call; media stopped at T+2 h: it goes between 4 and 8 h after', () => {
    let mediaAt = T;
    const { t, send } = offlineTracker(() => mediaAt);
    setUp(send);
    let endedAt: number | null = null;
    for (let k = 1; k <= 40 && endedAt === null; k++) {
      const at = T + k * 900;
      if (at <= T + 2 * H) mediaAt = at;
      send('OPTIONS sip:x@b.example SIP/2.0', { callId: `o${k}`, cseq: `${k} OPTIONS` }, at);
      if (t.ended('call-c').length > 0) endedAt = at;
    }
    expect(endedAt).not.toBeNull();
    expect((endedAt! - (T + 2 * H)) / H).toBeGreaterThan(4);
    expect((endedAt! - (T + 2 * H)) / H).toBeLessThanOrEqual(8);
  });

  it('offline: a SIP record 5 h behind the clock, the call\'s media fresh by the clock: kept, the sweep ends', () => {
    const B = T + 5 * H;
    const { t, send } = offlineTracker(() => B + 0.5);
    setUp(send);
    const held = t.tracker.size;
    send('OPTIONS sip:bob@b.example SIP/2.0', { callId: 'opt-a', cseq: '7 OPTIONS' }, T + 10, B + 0.5);
    expect(t.mediaAsks).toBeLessThan(10);
    expect(t.tracker.size).toBe(held);
  });

  it("live, the service's clock 6 h behind the stamps, media fresh: kept, the sweep ends", () => {
    const t = new LiveTracker({}, { guard: 1000 });
    t.call('call-c', T, T - 6 * H);
    t.tracker.mediaActivity = () => {
      if (++t.mediaAsks > 1000) throw new Error('loops');
      return T + 5 * H;
    };
    t.send('OPTIONS sip:x@b.example SIP/2.0', { callId: 'o1', cseq: '1 OPTIONS' }, T + 5 * H, T + 5 * H, T - H);
    t.send('SIP/2.0 200 OK', { callId: 'o1', cseq: '1 OPTIONS', toTag: 'x' }, T + 5 * H + 0.01, T + 5 * H + 0.01, T - H + 0.01);
    expect(t.ended('call-c')).toEqual([]);
  });
});

describe('the walk and the INVITE timers', () => {
  it('a dialog refreshed by a lone record 1 h ahead is passed over; the one behind it idles out on time', () => {
    const t = new LiveTracker();
    t.call('call-x', T, T);
    t.call('call-y', T + 1, T + 1);
    // a lone record of call-x stamped 1 h ahead (the clock stays), service time right
    t.send('INFO sip:bob@b.example SIP/2.0', { callId: 'call-x', cseq: '2 INFO', toTag: 'b1' }, T + 2 + H, T + 1.02, T + 2);
    let endedAt: number | null = null;
    for (let k = 1; k <= 20 && endedAt === null; k++) {
      const at = T + k * 900;
      t.send('OPTIONS sip:x@b.example SIP/2.0', { callId: `o${k}`, cseq: `${k} OPTIONS` }, at, at, at);
      if (t.ended('call-y').length > 0) endedAt = at;
    }
    expect((endedAt! - T) / H).toBeGreaterThan(4);
    expect((endedAt! - T) / H).toBeLessThanOrEqual(4.25);
    expect(t.ended('call-x')).toEqual([]);
  });

  for (const service of [-6 * H, 6 * H]) {
    it(`the INVITE transaction's 32 s on the records' stamps (serviceNow ${service / H} h off)`, () => {
      const t = new LiveTracker();
      const s = (start: string, o: { callId: string; cseq: string; toTag?: string; sdp?: string }, ts: number) => t.send(start, o, ts, ts, ts + service);
      s('INVITE sip:bob@b.example SIP/2.0', { callId: 'f', cseq: '1 INVITE', sdp: audioSdp() }, T);
      s('SIP/2.0 180 Ringing', { callId: 'f', cseq: '1 INVITE', toTag: 'e1' }, T + 0.1);
      s('SIP/2.0 180 Ringing', { callId: 'f', cseq: '1 INVITE', toTag: 'e2' }, T + 0.2);
      s('SIP/2.0 200 OK', { callId: 'f', cseq: '1 INVITE', toTag: 'e2', sdp: audioSdp({ ip: '192.0.2.2' }) }, T + 0.3);
      s('ACK sip:bob@b.example SIP/2.0', { callId: 'f', cseq: '1 ACK', toTag: 'e2' }, T + 0.4);
      const cancelled = () => t.events.filter((e) => e.type === 'dialog-ended' && e.reason === 'cancelled').map((e) => e.dialog?.toTag);
      s('OPTIONS sip:x@b.example SIP/2.0', { callId: 'o1', cseq: '1 OPTIONS' }, T + 20);
      expect(cancelled()).toEqual([]);
      s('OPTIONS sip:x@b.example SIP/2.0', { callId: 'o2', cseq: '1 OPTIONS' }, T + 33);
      expect(cancelled()).toEqual(['e1']);
    });
  }
});
