/**
 * Dialog lifecycles real PBXs and SBCs produce, checked end to end with 0 and 2 workers (found
 * correct by the dialog-lifecycle review; kept for coverage the e2e suite lacked): a 3xx redirect
 * retried on the same Call-ID and From-tag, a 407 challenge, a BYE crossing a re-INVITE, hold with
 * c=0.0.0.0, a call whose BYE was lost followed by one on the same ports (same SSRC), a B2BUA
 * reusing a Call-ID under two From-tags, an attended transfer (INVITE with Replaces, old BYE after),
 * and SIP messages split over IPv4 fragments.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../e2e-helpers.js';
import { A, B, C, decided, type Leg, req, res, run, sdpAudio, srPkt } from './lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const offerA = sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw']);
const answerB = sdpAudio(B.ip, 5000);

describe('dialog lifecycles', () => {
  it('302 after early media, then a new INVITE (same Call-ID, From-tag, CSeq 2) to another target', async () => {
    const leg: Leg = { callId: 'redirect@x', caller: A, callee: B, fromTag: 'f1' };
    const legC: Leg = { ...leg, callee: C };
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, offerA),
      res(leg, '183 Session Progress', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000, ['a=aipref:session apt-none'])),
      srPkt(B.ip, 5001, A.ip, 4001, 222), // 3
      res(leg, '302 Moved Temporarily', 1, 'INVITE', 't1'),
      req(leg, 'ACK', 1, 't1'),
      req(legC, 'INVITE', 2, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-agg'])),
      res(legC, '200 OK', 2, 'INVITE', 't3', sdpAudio(C.ip, 6000)),
      req(legC, 'ACK', 2, 't3'),
      srPkt(C.ip, 6001, A.ip, 4001, 333), // 9
      srPkt(A.ip, 4001, C.ip, 6001, 111), // 10
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['3 drop export-none [apt-none]', '9 aggregate aggregated-only [apt-agg]', '10 aggregate aggregated-only [apt-agg]']);
  });

  it('407 challenge, INVITE sent again with CSeq 2; BYE ends it', async () => {
    const leg: Leg = { callId: 'challenge@x', caller: A, callee: B, fromTag: 'f1' };
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, offerA),
      res(leg, '407 Proxy Authentication Required', 1, 'INVITE', 'px'),
      req(leg, 'ACK', 1, 'px'),
      req(leg, 'INVITE', 2, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-agg']), { headers: ['Proxy-Authorization: Digest x'] }),
      res(leg, '200 OK', 2, 'INVITE', 't1', answerB),
      req(leg, 'ACK', 2, 't1'),
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 7
      req(leg, 'BYE', 3, 't1'),
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 9
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['7 aggregate aggregated-only [apt-agg]', '9 drop no-preference []']);
  });

  it("a BYE crossing the callee's re-INVITE: the re-INVITE's 200 after the BYE revives nothing", async () => {
    const leg: Leg = { callId: 'cross@x', caller: A, callee: B, fromTag: 'f1' };
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, offerA),
      res(leg, '200 OK', 1, 'INVITE', 't1', answerB),
      req(leg, 'ACK', 1, 't1'),
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 4
      req(leg, 'INVITE', 1, 't1', sdpAudio(B.ip, 5000, ['a=aipref:session apt-agg']), { byCallee: true }),
      req(leg, 'BYE', 2, 't1'),
      res(leg, '200 OK', 1, 'INVITE', 't1', sdpAudio(A.ip, 4000), { byCallee: true }),
      res(leg, '200 OK', 2, 'BYE', 't1'),
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 9
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]', '9 drop no-preference []']);
  });

  it('hold by c=0.0.0.0 and a=sendonly (RFC 2543 style), then resume: RTCP stays bound (no a=ssrc)', async () => {
    const leg: Leg = { callId: 'hold@x', caller: A, callee: B, fromTag: 'f1' };
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, offerA),
      res(leg, '200 OK', 1, 'INVITE', 't1', answerB),
      req(leg, 'ACK', 1, 't1'),
      req(leg, 'INVITE', 2, 't1', sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw', 'a=sendonly'], '0.0.0.0')),
      res(leg, '200 OK', 2, 'INVITE', 't1', sdpAudio(B.ip, 5000, ['a=recvonly'])),
      req(leg, 'ACK', 2, 't1'),
      srPkt(B.ip, 5001, A.ip, 4001, 222), // 7
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 8
      req(leg, 'INVITE', 3, 't1', offerA),
      res(leg, '200 OK', 3, 'INVITE', 't1', answerB),
      req(leg, 'ACK', 3, 't1'),
      srPkt(B.ip, 5001, A.ip, 4001, 222), // 12
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['7 export raw-allowed [apt-raw]', '8 export raw-allowed [apt-raw]', '12 export raw-allowed [apt-raw]']);
  });

  it('BYE never captured: the next call on the same ports (even the same SSRC) is governed by its own dialog', async () => {
    const l1: Leg = { callId: 'lost-bye-1@x', caller: A, callee: B, fromTag: 'f1' };
    const l2: Leg = { callId: 'lost-bye-2@x', caller: A, callee: B, fromTag: 'f2' };
    const o = await run(ws, [
      req(l1, 'INVITE', 1, null, offerA),
      res(l1, '200 OK', 1, 'INVITE', 't1', answerB),
      req(l1, 'ACK', 1, 't1'),
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 4
      req(l2, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-none'])),
      res(l2, '200 OK', 1, 'INVITE', 't2', answerB),
      req(l2, 'ACK', 1, 't2'),
      srPkt(A.ip, 4001, B.ip, 5001, 1111), // 8
      srPkt(B.ip, 5001, A.ip, 4001, 2222), // 9
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 10: the phone kept its SSRC
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]', '8 drop export-none [apt-none]', '9 drop export-none [apt-none]', '10 drop export-none [apt-none]']);
  });

  it('a B2BUA reusing one Call-ID under two From-tags: each leg keeps its own preferences and end', async () => {
    const l1: Leg = { callId: 'b2bua@x', caller: A, callee: B, fromTag: 'f1' };
    const l2: Leg = { callId: 'b2bua@x', caller: A, callee: C, fromTag: 'f2' };
    const o = await run(ws, [
      req(l1, 'INVITE', 1, null, offerA),
      req(l2, 'INVITE', 1, null, sdpAudio(A.ip, 4100, ['a=aipref:session apt-none'])),
      res(l1, '200 OK', 1, 'INVITE', 't1', answerB),
      res(l2, '200 OK', 1, 'INVITE', 't2', sdpAudio(C.ip, 6000)),
      req(l1, 'ACK', 1, 't1'),
      req(l2, 'ACK', 1, 't2'),
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 7
      srPkt(A.ip, 4101, C.ip, 6001, 112), // 8
      req(l1, 'BYE', 2, 't1'),
      srPkt(A.ip, 4101, C.ip, 6001, 112), // 10
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 11
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['7 export raw-allowed [apt-raw]', '8 drop export-none [apt-none]', '10 drop export-none [apt-none]', '11 drop no-preference []']);
  });

  it("attended transfer: C's INVITE with Replaces reaches A on A's port; the old dialog's BYE after it", async () => {
    const old: Leg = { callId: 'old@x', caller: A, callee: B, fromTag: 'fa' };
    const nw: Leg = { callId: 'new@x', caller: C, callee: A, fromTag: 'fc' };
    const o = await run(ws, [
      req(old, 'INVITE', 1, null, offerA),
      res(old, '200 OK', 1, 'INVITE', 'tb', answerB),
      req(old, 'ACK', 1, 'tb'),
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 4
      req(nw, 'INVITE', 1, null, sdpAudio(C.ip, 6000, ['a=aipref:session apt-none']), { headers: ['Replaces: old@x;to-tag=tb;from-tag=fa'] }),
      res(nw, '200 OK', 1, 'INVITE', 'ta', sdpAudio(A.ip, 4000)),
      req(nw, 'ACK', 1, 'ta'),
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 8: A's last report to B: the old call still
      srPkt(B.ip, 5001, A.ip, 4001, 222), // 9: B's to A: the old call
      srPkt(C.ip, 6001, A.ip, 4001, 333), // 10: the new call
      req(old, 'BYE', 2, 'tb'),
      res(old, '200 OK', 2, 'BYE', 'tb'),
      srPkt(A.ip, 4001, C.ip, 6001, 111), // 13
      srPkt(C.ip, 6001, A.ip, 4001, 333), // 14
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual([
      '4 export raw-allowed [apt-raw]',
      '8 export raw-allowed [apt-raw]',
      '9 export raw-allowed [apt-raw]',
      '10 drop export-none [apt-none]',
      '13 drop export-none [apt-none]',
      '14 drop export-none [apt-none]',
    ]);
  });

  it('INVITE, 200 and BYE each split over IPv4 fragments', async () => {
    const leg: Leg = { callId: 'frag@x', caller: A, callee: B, fromTag: 'f1' };
    const pad = Array.from({ length: 30 }, (_, i) => `a=x-pad${i}:${'y'.repeat(40)}`);
    const o = await run(ws, [
      { ...req(leg, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-agg', ...pad])), fragment: 400 },
      { ...res(leg, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000, pad)), fragment: 400 },
      req(leg, 'ACK', 1, 't1'),
      srPkt(A.ip, 4001, B.ip, 5001, 111),
      { ...req(leg, 'BYE', 2, 't1', null, { headers: pad.map((p, i) => `X-Pad-${i}: ${p}`) }), fragment: 400 },
      srPkt(A.ip, 4001, B.ip, 5001, 111),
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(o.decisions.map((d) => `${d.decision} ${d.reason}`)).toEqual(['aggregate aggregated-only', 'drop no-preference']);
  });
});
