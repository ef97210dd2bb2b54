/**
 * Tags compare without regard to case. A tag is a token (RFC 3261 §25.1 `tag-param = "tag" EQUAL
 * token`), and tokens are always case-insensitive (§7.3.1); a Call-ID is compared byte by byte
 * (§8.1.1.4). A B2BUA or proxy that rewrites a tag's case (or a phone that prints its own tag in
 * upper case in the BYE) still names the same dialog.
 *
 * Was (0 and 2 workers): the callee's BYE whose From tag is `T1` for the dialog answered with
 * `t1` was ignored (no dialog `t1`/`T1`), so the call's later SR was still exported raw under
 * apt-raw after the call had ended; a policy file's `dialogs` entry with `toTag: "T1"` did not
 * govern the dialog answered `t1`. Now the BYE ends the dialog (SPEC §5: BYE ends the dialog and
 * its bindings: the late SR is dropped as no-preference), and the repository entry matches.
 * Exports keep the tag as the message that created the dialog wrote it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { A, B, decided, type Leg, req, res, run, sdpAudio, srPkt } from './lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('dialog tags in another case', () => {
  it("a BYE naming the dialog's tags in upper case ends it", async () => {
    const leg: Leg = { callId: 'Tag-Case@x', caller: A, callee: B, fromTag: 'f1a' };
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw'])), // 1
      res(leg, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000)), // 2
      req(leg, 'ACK', 1, 't1'), // 3
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 4: during the call
      req({ ...leg, fromTag: 'F1A' }, 'BYE', 1, 'T1', null, { byCallee: true }), // 5: the callee hangs up, both tags upper case
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 6: late RTCP of the ended call
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]', '6 drop no-preference []']);
    expect(o.exports.map((e) => e.dialog)).toEqual([{ callId: 'Tag-Case@x', fromTag: 'f1a', toTag: 't1' }]);
  });

  it('a Call-ID in another case is another call', async () => {
    const leg: Leg = { callId: 'Call-Case@x', caller: A, callee: B, fromTag: 'f1' };
    const o = await run(ws, [
      req(leg, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw'])), // 1
      res(leg, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000)), // 2
      req(leg, 'ACK', 1, 't1'), // 3
      req({ ...leg, callId: 'call-case@x' }, 'BYE', 2, 't1'), // 4: not this call's
      srPkt(A.ip, 4001, B.ip, 5001, 111), // 5: the call runs on
    ]);
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['5 export raw-allowed [apt-raw]']);
  });

  it("the policy file's dialogs entry matches tags in another case", async () => {
    const leg: Leg = { callId: 'repo-case@x', caller: A, callee: B, fromTag: 'abc' };
    const policy = policyOf({
      apts: { 'apt-raw': { type: 'domain', export: 'raw', retention: '1h' } },
      dialogs: [{ callId: 'repo-case@x', fromTag: 'ABC', toTag: 'T1', apt: ['apt-raw'] }],
    });
    const o = await run(
      ws,
      [
        req(leg, 'INVITE', 1, null, sdpAudio(A.ip, 4000)), // 1
        res(leg, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000)), // 2
        req(leg, 'ACK', 1, 't1'), // 3
        srPkt(A.ip, 4001, B.ip, 5001, 111), // 4
      ],
      policy,
    );
    expect(o.w2).toEqual(o.w0);
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]']);
  });
});
