/**
 * Review of 5c2ff42 (SRTCP keyring on the main thread), round 27 — fixed since (the commit after it).
 *
 * Input: a forked INVITE c1 from A (10.0.0.1:4000, key kA), RTP/SAVP, a=aipref:session apt-raw
 *   (frame 1, t=0); both forks answer through one relay address, B 10.0.0.2:5000: a 183 with
 *   To-tag f1 and key kB (frame 2, t=0.1: an early dialog that never confirms), the 200 with
 *   To-tag f2 and key kC (frame 3, t=1), ACK (frame 4); BYE/200 on f2 (frames 5–6, t=10); at
 *   t=11 the relay's SRTCP under the confirmed fork's key kC, SR(3333) + SDES{3333: PRIV
 *   aipref=apt-none}, 5001 → 4001 (frame 7); a transfer, call c2 on the same addresses, B with kC
 *   (frames 8–10, t=12); the relay's SRTCP SR(3333) under kC (frame 11, t=13). Oracle: the same
 *   capture plain. 0 and 2 workers.
 * Was: plain: frame 7 read unbound (apt-none honoured, twice), its tag carried: '11 3333 drop
 *   export-none apt-none'. SRTCP: frame 7 not read at all (no decision) and '11 3333 export
 *   raw-allowed apt-raw'. The BYE ends f2 and, after it, the losing fork's early state (f1 / the
 *   INVITE's early scope, "goes with its last dialog"); SrtcpKeyring.dialogEnded keeps each sender
 *   address's keys with EndedSrtcpKeys.keep, which replaces what the address held: that second end
 *   leaves 10.0.0.2:5001 with the losing fork's keys (kA, kB) only — a compound under kB at t=11
 *   is read, one under kC is not — so the confirmed call's own late SRTCP finds no key, in every
 *   core and on the main thread alike. (The same with two calls naming one address that end in turn: the first's late
 *   SRTCP is lost.) With the forks on different relay ports, frame 7 is read.
 * Correct: README (Secure RTP): "for 30 s of capture time after it, an SRTCP compound from one of
 *   its senders' addresses … is decrypted with that sender's keys and read as its plain copy would
 *   be"; then its tag is carried to the call reusing the addresses (README Binding, since 5c2ff42
 *   "as from plain RTCP"; SPEC §2.4: tags never relax signaling): frame 7 dropped apt-none, frame
 *   11 dropped, as in the plain capture.
 * Fix: ended-srtcp-keys.ts EndedSrtcpKeys.keep: merge the new keys with those the address still
 *   holds within their grace (each with its own `until`), bounded as now; MediaCore and the main
 *   thread share the class, so both change together.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { sip } from '../../e2e/hand-built-calls.js';
import { at, calls, kA, kB, kC, type P, run, sdesTag, srIn } from './flows.js';
import { head } from '../../e2e/port-reuse-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const A = '10.0.0.1';
const B = '10.0.0.2';

function flow(secure: boolean): P[] {
  const c = calls(secure);
  const m = (t: number, fromA: boolean, h: string[], sdp: string | null) => c.sipMsg(t, fromA, sip(h, sdp));
  return [
    m(0, true, head('c1', 'INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', 1, ''), c.sdp(A, 4000, kA)), // 1
    m(0.1, false, head('c1', 'SIP/2.0 183 Session Progress', 'INVITE', 1, ';tag=f1'), c.sdp(B, 5000, kB)), // 2: the losing fork
    m(1, false, head('c1', 'SIP/2.0 200 OK', 'INVITE', 1, ';tag=f2'), c.sdp(B, 5000, kC)), // 3: the winning fork
    m(1.01, true, head('c1', 'ACK sip:b@10.0.0.2 SIP/2.0', 'ACK', 1, ';tag=f2'), null), // 4
    m(10, true, head('c1', 'BYE sip:b@10.0.0.2 SIP/2.0', 'BYE', 2, ';tag=f2'), null), // 5
    m(10.01, false, head('c1', 'SIP/2.0 200 OK', 'BYE', 2, ';tag=f2'), null), // 6
    c.rtcp(11, B, 5001, A, 4001, kC, [srIn(3333), sdesTag(3333, 'apt-none')]), // 7: after the BYE, the call's own key
    ...c.setup('c2', 12, c.sdp(A, 4000, kA), c.sdp(B, 5000, kC)), // 8-10
    c.rtcp(13, B, 5001, A, 4001, kC, [srIn(3333)]), // 11
  ];
}

describe('SRTCP after the BYE of a call whose losing fork answered from the same relay address', () => {
  it("is decrypted with the confirmed call's keys and read, and its tag carried, as its plain copy is", async () => {
    const plain = await run(ws, 'fork-plain', flow(false));
    const secure = await run(ws, 'fork-srtcp', flow(true));
    expect(at(plain, 7)).toEqual(['7 3333 drop export-none apt-none', '7 3333 drop export-none apt-none']);
    expect(at(plain, 11)).toEqual(['11 3333 drop export-none apt-none']);
    expect(at(secure, 7)).toEqual(at(plain, 7));
    expect(at(secure, 11)).toEqual(at(plain, 11));
    expect(secure.exports.filter((e) => e.dialog?.callId === 'c2')).toEqual([]);
  });
});
