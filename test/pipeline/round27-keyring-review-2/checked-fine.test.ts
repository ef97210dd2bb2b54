/**
 * Checks of 7e09ab5 (SRTCP after a dialog's end: endings merged per address, a cut compound from
 * an ended secure-profile sender reported cut, routed SRTCP named by its plaintext, copies of late
 * SRTCP) that came out fine. Every capture is replayed with 0 and 2 workers (flows.run compares
 * decisions, reports, exports and the summary); where it says so, the SRTCP capture is compared
 * with the same capture plain (RTP/AVP, no a=crypto).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { sdpAt } from '../../e2e/port-reuse-review/common.js';
import { inline, type Master } from '../../e2e/srtcp-helpers.js';
import { at, calls, kA, kA2, kB, kC, type P, rrIn, run, type Run, sdesTag, srIn } from '../round27-keyring-review/flows.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const A = '10.0.0.1';
const B = '10.0.0.2';
const kX: Master = { key: Buffer.alloc(16, 0x99), salt: Buffer.alloc(14, 0xaa) };
const dropped = (frame: number, ssrc: number, n = 2) => Array.from({ length: n }, () => `${frame} ${ssrc} drop export-none apt-none`);
/** a=crypto on RTP/AVP (best-effort SRTP) */
const bestEffort = (ip: string, port: number, k: Master) => sdpAt(ip, port, null, ['a=aipref:session apt-raw'], [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${inline(k)}`]);
const plainSdp = (ip: string, port: number) => sdpAt(ip, port, null, ['a=aipref:session apt-raw']);
const withoutFrame = (o: Run) => o.r.map((r) => r.replace(/\bframe \d+\b|^\d+ /g, ''));

describe('7e09ab5: checked fine', () => {
  it('two endings on one address, different keys and grace: each key read in its own grace only; a key of no ending, or another sender address, is not read', async () => {
    const c = calls(true);
    const o = await run(ws, 'two-endings', [
      ...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 1-3
      ...c.bye('c1', 10, 2), // 4-5: kA, kB kept until 40
      ...c.setup('c2', 12, c.sdp(A, 4000, kA2), c.sdp(B, 5000, kC)), // 6-8
      ...c.bye('c2', 25, 2), // 9-10: kA2, kC kept until 55
      c.rtcp(35, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 11: c1's, in its grace
      c.rtcp(41, A, 4001, B, 5001, kA, [srIn(1112), sdesTag(1112, 'apt-none')]), // 12: c1's, past it
      c.rtcp(42, A, 4001, B, 5001, kA2, [srIn(1113), sdesTag(1113, 'apt-none')]), // 13: c2's
      c.rtcp(43, A, 4001, B, 5001, kX, [srIn(1114), sdesTag(1114, 'apt-none')]), // 14: no ending's key
      c.rtcp(44, '10.0.0.9', 4001, B, 5001, kA2, [srIn(1115), sdesTag(1115, 'apt-none')]), // 15: another address
      c.rtcp(45, A, 4003, B, 5001, kA2, [srIn(1116), sdesTag(1116, 'apt-none')]), // 16: another port
    ]);
    expect(o.d).toEqual([...dropped(11, 1111), ...dropped(13, 1113)]);
    expect(o.r).toEqual([]);
    expect(o.summary.rtcp).toBe(2);
  });

  it('IPv6: a late SRTCP compound cut by the snap length is reported cut, not read', async () => {
    const A6 = '2001:db8::1';
    const B6 = '2001:db8::2';
    const c = calls(true, { v6: true, sipA: A6, sipB: B6 });
    const late = c.rtcp(11, A6, 4001, B6, 5001, kA, [srIn(1111, 2222), sdesTag(1111, 'apt-none')]);
    const o = await run(ws, 'v6-cut', [...c.setup('c1', 0, c.sdp(A6, 4000, kA), c.sdp(B6, 5000, kB)), ...c.bye('c1', 10, 2), { ...late, cut: 6 }]);
    expect(o.d).toEqual([]);
    expect(o.r).toEqual(["6 malformed-input frame 6: rtcp snaplen-cut at byte 0: SRTCP of 102 bytes cut by the capture's snap length after 96: its tag not captured, not decrypted"]);
  });

  it("a cut late compound is told as on the call's own transport: RTP/SAVP and accepted best-effort reported cut, offer-only best-effort read as plain", async () => {
    const cases: [string, string, string][] = [
      ['savp', calls(true).sdp(A, 4000, kA), calls(true).sdp(B, 5000, kB)],
      ['accepted', bestEffort(A, 4000, kA), bestEffort(B, 5000, kB)],
      ['offer-only', bestEffort(A, 4000, kA), plainSdp(B, 5000)],
    ];
    for (const [name, a, b] of cases) {
      const c = calls(true);
      const inCall = { ...c.rtcp(5, A, 4001, B, 5001, kA, [srIn(1111, 2222), sdesTag(1111, 'apt-none')]), cut: 6 };
      const own = await run(ws, `own-${name}`, [...c.setup('c1', 0, a, b), inCall]);
      const c2 = calls(true);
      const after = { ...c2.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111, 2222), sdesTag(1111, 'apt-none')]), cut: 6 };
      const late = await run(ws, `late-${name}`, [...c2.setup('c1', 0, a, b), ...c2.bye('c1', 10, 2), after]);
      const cut = name !== 'offer-only';
      expect(late.r.some((r) => r.includes('SRTCP of 102 bytes cut')), name).toBe(cut);
      expect(own.r.some((r) => r.includes('SRTCP of 102 bytes cut')), name).toBe(cut);
      if (cut) expect(withoutFrame(late), name).toEqual(withoutFrame(own));
      else expect(late.r.some((r) => r.includes('bad-version')) && own.r.some((r) => r.includes('bad-version')), name).toBe(true);
    }
  });

  it("no change outside SRTCP: plain RTCP cut by the snap length from an ended RTP/SAVP sender's address is read as the plain capture reads it", async () => {
    const plainCall = calls(false);
    const late = { ...plainCall.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111, 2222), sdesTag(1111, 'apt-none')]), cut: 6 };
    const c = calls(true);
    const afterSavp = await run(ws, 'plain-cut-after-savp', [...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), ...c.bye('c1', 10, 2), late]);
    const oracle = await run(ws, 'plain-cut-after-plain', [...plainCall.setup('c1', 0, plainCall.sdp(A, 4000, kA), plainCall.sdp(B, 5000, kB)), ...plainCall.bye('c1', 10, 2), late]);
    expect(afterSavp.d).toEqual(['6 1111 drop no-preference ']);
    expect(afterSavp.d).toEqual(oracle.d);
    expect(afterSavp.r).toEqual(oracle.r);
    expect(afterSavp.summary).toEqual(oracle.summary);
  });

  const both = async (name: string, flow: (s: boolean) => P[]): Promise<[Run, Run]> => [await run(ws, `${name}-plain`, flow(false)), await run(ws, `${name}-srtcp`, flow(true))];

  it("a re-keyed call on a noted pair: a report about the tagged SSRC under its sender's former key takes the tag, as plain", async () => {
    const [plain, secure] = await both('rekeyed', (s) => {
      const c = calls(s);
      return [
        ...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 1-3
        ...c.bye('c1', 10, 2), // 4-5
        c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 6
        ...c.setup('c2', 12, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 7-9
        ...c.setup('c2', 13, c.sdp(A, 4000, kA), c.sdp(B, 5000, kC), 2, ';tag=bbb'), // 10-12: B re-keys
        c.rtcp(14, B, 5001, A, 4001, kB, [rrIn(2222, 1111)]), // 13: under B's former key
        c.rtcp(15, A, 4001, B, 5001, kA, [srIn(1111)]), // 14
      ];
    });
    expect(at(plain, 13)).toEqual(['13 2222 drop export-none apt-none']);
    expect(secure.d).toEqual(plain.d);
    expect(secure.r).toEqual(plain.r);
  });

  it("plaintextOn of a compound that chains (a relay's decrypted copy on the new call's RTP/SAVP transport): named by its own bytes, the tag taken, as plain", async () => {
    const [plain, secure] = await both('chains', (s) => {
      const c = calls(s);
      const p = calls(false);
      return [
        ...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), // 1-3
        ...c.bye('c1', 10, 2), // 4-5
        c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 6
        ...c.setup('c2', 12, c.sdp(A, 4000, kA2), c.sdp(B, 5000, kC)), // 7-9
        p.rtcp(13, B, 5001, A, 4001, kC, [rrIn(2222, 1111)]), // 10: plain, chains
        c.rtcp(14, A, 4001, B, 5001, kA2, [srIn(1111)]), // 11
      ];
    });
    expect(at(plain, 10)).toEqual(['10 2222 drop export-none apt-none']);
    expect(secure.d).toEqual(plain.d);
    expect(secure.r).toEqual(plain.r);
  });
});
