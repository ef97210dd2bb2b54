/**
 * Checks of 5c2ff42 (the main thread's SrtcpKeyring; tags noted from the plaintext of SRTCP an
 * ended dialog's sender sends) that came out fine. Each capture is replayed with 0 and 2 workers
 * (flows.run compares decisions, reports, exports and the summary); the SRTCP capture is compared
 * with the same capture in plain RTP/AVP, where the late compound is read unbound and its tag is
 * carried to a call reusing the addresses:
 *  - re-INVITE re-keying: SRTCP after the BYE under A's key from before the re-INVITE (a former
 *    key) is read and its tag carried, as plain;
 *  - a pending offer's key: a re-INVITE offering a new key, unanswered at the BYE; SRTCP under
 *    that key after the BYE is read and carried, as plain;
 *  - an INVITE ended by CANCEL/487: SRTCP under its offer's key after it is read and carried;
 *  - the grace boundary: exactly 30 s after the BYE, read and carried; 30.01 s after, read by no
 *    core and noted by no main thread (the next call exports raw, nothing decided for it);
 *  - IPv6, the SDP spelling A's address non-canonically (2001:DB8:0:0::0001): read and carried;
 *  - an early dialog confirmed under another key (forks answering from different relay ports):
 *    SRTCP under the confirmed fork's key after the BYE is read and carried, as plain;
 *  - the refactor of media-core.ts (git show 5c2ff42 -- src/pipeline/media-core.ts) was read
 *    against 748649d: the same calls in the same order (keys kept before scopes/transports let go,
 *    former keys moved on rekey and deleted at the end); the main thread's track() feeds the same
 *    events (only a live policy reload's scope events bypass it, which carry the same keys).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { sip } from '../../e2e/hand-built-calls.js';
import { req } from '../../e2e/port-reuse-review/common.js';
import { at, calls, kA, kA2, kB, kC, type P, run, type Run, sdesTag, srIn } from './flows.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const A = '10.0.0.1';
const B = '10.0.0.2';

async function both(name: string, flow: (secure: boolean) => P[]): Promise<[Run, Run]> {
  return [await run(ws, `${name}-plain`, flow(false)), await run(ws, `${name}-srtcp`, flow(true))];
}

/** the late frame read unbound (apt-none, SR and SDES) and the transfer's frame dropped; SRTCP as plain */
function expectCarried(plain: Run, secure: Run, late: number, next: number, ssrc = 1111) {
  expect(at(plain, late)).toEqual([`${late} ${ssrc} drop export-none apt-none`, `${late} ${ssrc} drop export-none apt-none`]);
  expect(at(plain, next)).toEqual([`${next} ${ssrc} drop export-none apt-none`]);
  expect(at(secure, late)).toEqual(at(plain, late));
  expect(at(secure, next)).toEqual(at(plain, next));
}

describe('5c2ff42: checked fine', () => {
  it('re-INVITE re-keying: a former key after the BYE', async () => {
    const [plain, secure] = await both('former', (s) => {
      const c = calls(s);
      return [
        ...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 1-3
        ...c.setup('c1', 5, c.sdp(A, 4000, kA2), c.sdp(B, 5000, kB), 2, ';tag=bbb'), // 4-6: A re-keys
        ...c.bye('c1', 10, 3), // 7-8
        c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 9: under the former key
        ...c.setup('c2', 12, c.sdp(A, 4000, kA2), c.sdp(B, 5000, kB)), // 10-12
        c.rtcp(13, A, 4001, B, 5001, kA2, [srIn(1111)]), // 13
      ];
    });
    expectCarried(plain, secure, 9, 13);
  });

  it("a pending offer's key at the BYE", async () => {
    const [plain, secure] = await both('pending', (s) => {
      const c = calls(s);
      return [
        ...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 1-3
        c.sipMsg(9, true, req('c1', 'INVITE', 2, c.sdp(A, 4000, kA2))), // 4: unanswered
        ...c.bye('c1', 10, 3), // 5-6
        c.rtcp(11, A, 4001, B, 5001, kA2, [srIn(1111), sdesTag(1111, 'apt-none')]), // 7
        ...c.setup('c2', 12, c.sdp(A, 4000, kA2), c.sdp(B, 5000, kB)), // 8-10
        c.rtcp(13, A, 4001, B, 5001, kA2, [srIn(1111)]), // 11
      ];
    });
    expectCarried(plain, secure, 7, 11);
  });

  it('an INVITE ended by CANCEL', async () => {
    const [plain, secure] = await both('cancel', (s) => {
      const c = calls(s);
      return [
        c.sipMsg(0, true, req('c1', 'INVITE', 1, c.sdp(A, 4000, kA), '')), // 1
        c.sipMsg(1, true, req('c1', 'CANCEL', 1, null, '')), // 2
        c.sipMsg(1.01, false, sip(['SIP/2.0 487 Request Terminated', `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-c1-INVITE1`, 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>;tag=bbb', 'Call-ID: c1', 'CSeq: 1 INVITE'], null)), // 3
        c.rtcp(2, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 4
        ...c.setup('c2', 3, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 5-7
        c.rtcp(4, A, 4001, B, 5001, kA, [srIn(1111)]), // 8
      ];
    });
    expectCarried(plain, secure, 4, 8);
  });

  it('the 30 s grace: at its last instant read and carried, past it neither read nor noted', async () => {
    const flow = (dt: number) => {
      const c = calls(true);
      return [
        ...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 1-3
        ...c.bye('c1', 10, 2), // 4-5: the BYE at t=10 ends it
        c.rtcp(10 + dt, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 6
        ...c.setup('c2', 45, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 7-9
        c.rtcp(46, A, 4001, B, 5001, kA, [srIn(1111)]), // 10
      ];
    };
    const inside = await run(ws, 'grace-30', flow(30));
    expect(inside.d).toEqual(['6 1111 drop export-none apt-none', '6 1111 drop export-none apt-none', '10 1111 drop export-none apt-none']);
    const past = await run(ws, 'grace-30.01', flow(30.01));
    expect(past.d).toEqual(['10 1111 export raw-allowed apt-raw']);
  });

  it('IPv6, the SDP spelling the address otherwise than the packets', async () => {
    const A6 = '2001:db8::1';
    const B6 = '2001:db8::2';
    const [plain, secure] = await both('v6', (s) => {
      const c = calls(s, { v6: true, sipA: A6, sipB: B6 });
      return [
        ...c.setup('c1', 0, c.sdp('2001:DB8:0:0::0001', 4000, kA), c.sdp(B6, 5000, kB)), // 1-3
        c.rtcp(1, A6, 4001, B6, 5001, kA, [srIn(1111)]), // 4
        ...c.bye('c1', 10, 2), // 5-6
        c.rtcp(11, A6, 4001, B6, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 7
        ...c.setup('c2', 12, c.sdp(A6, 4000, kA), c.sdp(B6, 5000, kB)), // 8-10
        c.rtcp(13, A6, 4001, B6, 5001, kA, [srIn(1111)]), // 11
      ];
    });
    expect(at(secure, 4)).toEqual(['4 1111 export raw-allowed apt-raw']);
    expectCarried(plain, secure, 7, 11);
  });

  it('an early dialog confirmed under another key (forks on different relay ports)', async () => {
    const head = (start: string, method: string, cseq: number, toTag: string) => [
      start,
      `Via: SIP/2.0/UDP ${A}:5060;branch=z9hG4bK-c1-${method}${cseq}`,
      'From: <sip:a@10.0.0.1>;tag=aaa',
      `To: <sip:b@10.0.0.2>${toTag}`,
      'Call-ID: c1',
      `CSeq: ${cseq} ${method}`,
      'Contact: <sip:x@10.0.0.1:5060>',
    ];
    const [plain, secure] = await both('fork', (s) => {
      const c = calls(s);
      return [
        c.sipMsg(0, true, sip(head('INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, ''), c.sdp(A, 4000, kA))), // 1
        c.sipMsg(0.1, false, sip(head('SIP/2.0 183 Session Progress', 'INVITE', 1, ';tag=f1'), c.sdp(B, 6000, kB))), // 2
        c.sipMsg(1, false, sip(head('SIP/2.0 200 OK', 'INVITE', 1, ';tag=f2'), c.sdp(B, 5000, kC))), // 3
        c.sipMsg(1.01, true, sip(head('ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, ';tag=f2'), null)), // 4
        c.sipMsg(10, true, sip(head('BYE sip:b@10.0.0.2 SIP/2.0', 'BYE', 2, ';tag=f2'), null)), // 5
        c.sipMsg(10.01, false, sip(head('SIP/2.0 200 OK', 'BYE', 2, ';tag=f2'), null)), // 6
        c.rtcp(11, B, 5001, A, 4001, kC, [srIn(3333), sdesTag(3333, 'apt-none')]), // 7
        ...c.setup('c2', 12, c.sdp(A, 4000, kA), c.sdp(B, 5000, kC)), // 8-10
        c.rtcp(13, B, 5001, A, 4001, kC, [srIn(3333)]), // 11
      ];
    });
    expectCarried(plain, secure, 7, 11, 3333);
  });
});
