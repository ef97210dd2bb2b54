/**
 * A call without SIP for longer than the 4 h idle bound (no session timers, no re-INVITE) whose
 * media still flows is running: it does not idle out; once its media stops too, it does.
 *
 * Was (a limit the README listed): the tracker counted SIP alone, so the call's state went at
 * the first SIP message 4 h after its ACK while its RTP and RTCP flowed — and its later SRs
 * were judged unbound (`drop no-preference`, or exported under a permissive default APT: a
 * caller's `apt-none` lost). Now the replay engine notes each media packet's time on the route
 * it takes (main thread, capture order, whatever the worker count) and the tracker asks it
 * before idling a dialog out; the report says "no SIP message, no media".
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { A, B, C, type Datagram, decided, type Leg, req, res, run, sdpAudio, srPkt } from './lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const H = 4 * 3600;
const leg: Leg = { callId: 'long@x', caller: A, callee: B, fromTag: 'f1' };
const other: Leg = { callId: 'other@x', caller: C, callee: B, fromTag: 'g1' };
const setUp = (apt: string) => [
  { at: 0, d: req(leg, 'INVITE', 1, null, sdpAudio(A.ip, 4000, [`a=aipref:session ${apt}`])) }, // 1
  { at: 0.1, d: res(leg, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000)) }, // 2
  { at: 0.2, d: req(leg, 'ACK', 1, 't1') }, // 3
];
const rtp = (seq: number): Datagram => ({ src: A.ip, sport: 4000, dst: B.ip, dport: 5000, payload: encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc: 111, payload: new Uint8Array(160) }) });
/** RTP every 20 min from `from` up to `to` (seconds) */
const rtpEvery20Min = (from: number, to: number) => {
  const out: { at: number; d: Datagram }[] = [];
  for (let t = from, seq = 1; t <= to; t += 1200, seq++) out.push({ at: t, d: rtp(seq) });
  return out;
};
const stateLimits = (o: Awaited<ReturnType<typeof run>>) => o.reports.filter((r) => r.type === 'state-limit').map((r) => ({ frame: r.frame, callId: r.dialog?.callId }));

describe('a long call without SIP', () => {
  it('is kept while its RTP flows, and its SRs are judged by its preferences after 4 h', async () => {
    const media = rtpEvery20Min(60, H + 3000); // frames 4–17
    const o = await run(ws, [
      ...setUp('apt-raw'),
      { at: 5, d: srPkt(A.ip, 4001, B.ip, 5001, 111) }, // 4 (sorted below by time)
      ...media,
      { at: H + 3600, d: req(other, 'INVITE', 1, null, sdpAudio(C.ip, 6000)) }, // more than 4 h after the last SIP message: expires nothing (a single jump)
      { at: H + 3600.5, d: res(other, '100 Trying', 1, 'INVITE', null) }, // looks: the long call's media is 20 min old
      { at: H + 3601, d: srPkt(A.ip, 4001, B.ip, 5001, 111) },
    ].sort((a, b) => a.at - b.at));
    expect(o.w2).toEqual(o.w0);
    expect(stateLimits(o)).toEqual([]);
    // both SRs exported under the caller's APT (was: the second `drop no-preference`)
    expect(decided(o).map((d) => d.replace(/^\d+ /, ''))).toEqual(['export raw-allowed [apt-raw]', 'export raw-allowed [apt-raw]']);
  });

  it('keeps a caller’s apt-none through a permissive default while only RTCP flows', async () => {
    const policy = policyOf({
      apts: {
        'apt-raw': { type: 'domain', export: 'raw', retention: '1h' },
        'apt-none': { type: 'user', export: 'none', retention: '1h' },
      },
      default: 'apt-raw',
    });
    const srs: { at: number; d: Datagram }[] = [];
    for (let t = 5; t <= H + 3601; t += 1800) srs.push({ at: t, d: srPkt(A.ip, 4001, B.ip, 5001, 111) });
    const o = await run(
      ws,
      [
        ...setUp('apt-none'),
        ...srs,
        { at: H + 3590, d: req(other, 'INVITE', 1, null, sdpAudio(C.ip, 6000)) },
        { at: H + 3590.5, d: res(other, '100 Trying', 1, 'INVITE', null) },
      ].sort((a, b) => a.at - b.at),
      policy,
    );
    expect(o.w2).toEqual(o.w0);
    expect(stateLimits(o)).toEqual([]);
    const byReason = decided(o).map((d) => d.replace(/^\d+ /, ''));
    expect(byReason.length).toBe(srs.length);
    expect(new Set(byReason)).toEqual(new Set(['drop export-none [apt-none]']));
    expect(o.exports).toEqual([]);
  });

  it('idles out once its media has stopped too, under its own dialog', async () => {
    const media = rtpEvery20Min(60, 3660); // the last RTP at 3660 s
    const o = await run(ws, [
      ...setUp('apt-raw'),
      ...media,
      { at: H + 3000, d: req(other, 'INVITE', 1, null, sdpAudio(C.ip, 6000)) }, // a single jump past the bound: nothing looked at
      { at: H + 3000.5, d: res(other, '100 Trying', 1, 'INVITE', null) }, // idle by SIP, media 3 h 50 min old: kept (refreshed now)
      { at: H + 3700, d: res(other, '180 Ringing', 1, 'INVITE', 'u1') }, // media 4 h 1 min old, but refreshed 700 s ago
      // 4 h on from the 180 in one step: the capture clock (by which dialogs idle out since stop 38)
      // takes a record that far only once the next confirms it — the ACK, which finds the call
      // idle, its media too; the 200 OK alone found nothing idle
      { at: 2 * H + 3600, d: res(other, '200 OK', 1, 'INVITE', 'u1', sdpAudio(B.ip, 7000)) },
      { at: 2 * H + 3601, d: req(other, 'ACK', 1, 'u1') }, // idles out
      { at: 2 * H + 3602, d: srPkt(A.ip, 4001, B.ip, 5001, 111) },
    ].sort((a, b) => a.at - b.at));
    expect(o.w2).toEqual(o.w0);
    const idleFrame = 3 + media.length + 5;
    expect(stateLimits(o)).toEqual([{ frame: idleFrame, callId: 'long@x' }]);
    expect(o.reports.find((r) => r.type === 'state-limit')?.detail).toMatch(/no SIP message, no media/);
    expect(decided(o)).toEqual([`${idleFrame + 1} drop no-preference []`]);
  });
});
