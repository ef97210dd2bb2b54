/**
 * Found by a review of 05f6d21 (live idleness by the service's time), fixed since: the service-time rule was withdrawn (it had more faults: test/live/round25-idle-final-review), and a dialog kept for its media is dated no earlier than the clock the sweep judges by, so the walk never revisits it idle (src/signaling/dialogs.ts expireIdle; the media-branch loop, the third test, was older and offline too).
 * Input: live, two HEP agents (05f6d21's case): agent A (clock right) carries call-c (INVITE/200/ACK at
 *   T, service time S); agent B, 5 h ahead (a media relay in a wrong time zone, e.g. rtpengine mirroring
 *   RTCP over HEP), sends two records that are not SIP (its RTCP), stamped B = T+5h and B+0.5: the second
 *   confirms the capture clock at B. Then A's next SIP message comes (here an OPTIONS of another
 *   Call-ID, stamped T+10, at service time S+10): a lone record far from the clock, which it does not
 *   move — the tracker handles it with ctx.ts T+10 and clock B+0.5. Driven here as the engine drives
 *   DialogTracker (handle's clock, serviceNow), with a guard on the sweep's media look-ups.
 * Was: the idle sweep never ends. call-c is idle by the capture clock (B+0.5 − T > 4 h), its media
 *   too, but the service had its last message 10 s ago: expireIdle keeps it with refresh(d, ctx, false),
 *   which dates lastSeen to ctx.ts = T+10 — still 5 h behind the clock — and moves it to the end of
 *   the Map being iterated; the for…of visits it again, finds it idle again, refreshes it again…
 *   (guard: "idle sweep loops: asked for media 100001 times"). In the real `live` process this is a
 *   synchronous loop on the main thread: the service stops reading, answering /metrics and SIGTERM.
 * Correct: the message is handled once and call-c is kept (05f6d21's rule: the service had a message
 *   of it within the bound); a sweep visits each dialog once. (The same loop is reachable through
 *   the older media branch when B's RTCP is call-c's own: lastMedia is B's stamp, fresh by the
 *   clock, and the refresh again dates lastSeen to A's record — older than 05f6d21, and offline too
 *   for a merged capture: third test.) The real-process test: without B's two RTCP records the same
 *   run answers /metrics and stops with 0.
 * Fix: src/signaling/dialogs.ts DialogTracker.expireIdle: a dialog kept (by its media or by the
 *   service's time) must come out of the sweep fresh by the clock it is judged at — date lastSeen to
 *   max(ctx.ts, this.now) in those refreshes — or walk a snapshot of the keys (no revisits). (See
 *   service-kept-dialog-dated-ahead-lingers.test.ts: the date the keep gives matters there too.)
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { call, ensureBuilt, hepFrame, kill, nowTs, sendDatagrams, sip, sleep, sr, startLive, tempDir, writeJson, type LiveChild, type TimedPkt } from '../clock-sources-review/cs-helpers.js';
import { H, LiveTracker } from './lir-helpers.js';

it("a SIP message of the agent behind, handled while the other agent's clock leads, does not loop the idle sweep", () => {
  const T = 1_700_000_000;
  const S = T; // the service's clock right, as agent A's (live, both are real time)
  const B = T + 5 * H;
  const t = new LiveTracker();
  t.call('call-c', T, S);
  const held = t.tracker.size; // the dialog and its INVITE's entry
  // (B's two RTCP records confirmed the clock at B+0.5: the tracker sees none of them)
  let thrown: unknown = null;
  try {
    t.send('OPTIONS sip:bob@b.example SIP/2.0', { callId: 'opt-a', cseq: '7 OPTIONS' }, T + 10, B + 0.5, S + 10);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeNull();
  // (since the service-time rule was withdrawn, call-c is idled out here by the clock B confirmed:
  // the known limit test/live/clock-sources-review/hep-agent-hours-ahead-ends-running-calls.limit.ts)
  expect(t.ended('call-c').map((e) => e.type === 'dialog-ended' && e.reason)).toEqual(['idle-timeout']);
  expect(t.tracker.size).toBeLessThan(held);
});

// The same through a real `live --hep` process: after the frames, /metrics must still answer and
// SIGTERM still stop it (observed: /metrics no longer answers; the child is SIGKILLed).
it('the live service keeps answering after that message (real process, HEP)', async () => {
  const { dir, cleanup } = await tempDir('r25-idle-loop-');
  let live: LiveChild | undefined;
  try {
    await ensureBuilt();
    const T = nowTs();
    const B = T + 5 * H;
    const c = call('call-c', T, { aiPref: 'u', n: 2 });
    const rtcpB = (ts: number, i: number): TimedPkt => ({ ts, src: '10.9.0.1', dst: '10.9.0.2', sport: 7001, dport: 7003, payload: sr(0x9000, i) });
    const optA: TimedPkt = { ts: T + 10, src: '10.0.0.1', dst: '10.0.0.9', sport: 5060, dport: 5060, payload: sip('OPTIONS sip:x@10.0.0.9 SIP/2.0', 'opt-a', '7 OPTIONS') };
    const frames = [...c.sip, ...c.media.slice(0, 2), rtcpB(B, 1), rtcpB(B + 0.5, 2), optA];
    const policy = await writeJson(path.join(dir, 'p.json'), { apts: { u: { type: 'user', export: 'raw', retention: '24h' } }, default: null });
    const out = path.join(dir, 'out');
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = s.live;
    await sendDatagrams(s.addresses.hep!.udp.port, frames.map(hepFrame), 60);
    await sleep(1000);
    const answered = await fetch(`http://127.0.0.1:${s.addresses.metrics!.port}/metrics`, { signal: AbortSignal.timeout(4000) }).then(
      (r) => r.ok,
      () => false,
    );
    expect(answered).toBe(true);
    expect(await live.terminate(4000)).toBe(0);
  } finally {
    kill(live);
    await cleanup();
  }
}, 30_000);

// The older media branch, same loop (before 05f6d21 too): B mirrors call-c's own RTCP, so call-c's
// last media is B's stamp — fresh by the clock — and the refresh again dates lastSeen to A's record.
it("the media branch: call-c's RTCP mirrored by the agent ahead, then a SIP message of the agent behind", () => {
  const T = 1_700_000_000;
  const S = T; // the service's clock right, as agent A's (live, both are real time)
  const B = T + 5 * H;
  const t = new LiveTracker();
  t.call('call-c', T, S);
  const held = t.tracker.size;
  let asks = 0;
  t.tracker.mediaActivity = () => {
    if (++asks > 100_000) throw new Error(`idle sweep loops: asked for media ${asks} times`);
    return B + 0.5;
  };
  let thrown: unknown = null;
  try {
    t.send('OPTIONS sip:bob@b.example SIP/2.0', { callId: 'opt-a', cseq: '7 OPTIONS' }, T + 10, B + 0.5, S + 10);
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeNull();
  expect(t.tracker.size).toBe(held);
});
