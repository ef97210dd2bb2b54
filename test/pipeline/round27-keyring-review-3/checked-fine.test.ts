/**
 * Checks of a04a427 (a routed SRTCP compound the route's keys do not authenticate is tried with the
 * kept keys of its sender's ended dialogs: SrtcpKeyring.decrypt, in MediaCore.readRtcp and in the
 * main thread's plaintextOn) that came out fine. Every capture is replayed with 0 and 2 workers
 * (flows.run compares decisions, reports, exports and the summary); "as plain" means the same
 * capture with every call plain RTP/AVP (no a=crypto, plain compounds): the oracle.
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
const D = '10.0.0.4';
const kX: Master = { key: Buffer.alloc(16, 0x99), salt: Buffer.alloc(14, 0xaa) };
const kA3: Master = { key: Buffer.alloc(16, 0xbb), salt: Buffer.alloc(14, 0xcc) };
const plainSdp = (ip: string, port: number) => sdpAt(ip, port, null, ['a=aipref:session apt-raw']);
/** RTP/SAVP without a=crypto: DTLS-SRTP as the enforcer sees it (keysOf empty) */
const dtls = (ip: string, port: number) => plainSdp(ip, port).replace('RTP/AVP', 'RTP/SAVP');
const bestEffort = (ip: string, port: number, k: Master) => sdpAt(ip, port, null, ['a=aipref:session apt-raw'], [`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${inline(k)}`]);
const withoutFrame = (o: Run) => o.r.map((r) => r.replace(/\bframe \d+\b|^\d+ /g, ''));
const late9 = ['9 1111 drop export-none apt-none', '9 1111 drop export-none apt-none'];

/** c1 RTP/SAVP (A kA, B kB), BYE at 10 (frames 1–5) — left out when `c1` is false — then `rest` */
function after(secure: boolean, c1: boolean, rest: (c: ReturnType<typeof calls>) => P[]): P[] {
  const c = calls(secure);
  return [...(c1 ? [...c.setup('c1', 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)), ...c.bye('c1', 10, 2)] : []), ...rest(c)];
}

describe('a04a427: checked fine', () => {
  it("DTLS-SRTP new call (no a=crypto): c1's late SRTCP is read as plain; the new call's own SRTCP is still reported encrypted-rtcp once per stream, the same text as without c1", async () => {
    const own = (c: ReturnType<typeof calls>, t: number) => [
      c.rtcp(t, A, 4001, B, 5001, kX, [srIn(1111)]),
      c.rtcp(t + 1, B, 5001, A, 4001, kX, [srIn(2222)]),
      c.rtcp(t + 2, A, 4001, B, 5001, kX, [srIn(1111)]),
      c.rtcp(t + 3, B, 5001, A, 4001, kX, [srIn(2222)]),
    ];
    const flow = (s: boolean, c1: boolean) =>
      after(s, c1, (c) => [
        ...c.setup('c2', 10.5, s ? dtls(A, 4000) : plainSdp(A, 4000), s ? dtls(B, 5000) : plainSdp(B, 5000)), // 6-8
        ...(c1 ? [c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')])] : []), // 9
        ...own(c, 13), // 10-13
      ]);
    const secure = await run(ws, 'dtls-c2', flow(true, true));
    const plain = await run(ws, 'dtls-c2-plain', flow(false, true));
    const alone = await run(ws, 'dtls-c2-alone', flow(true, false));
    expect(at(secure, 9)).toEqual(late9);
    expect(at(secure, 9)).toEqual(at(plain, 9));
    const enc = secure.r.filter((r) => r.includes('encrypted-rtcp'));
    expect(enc.map((r) => r.split(' ')[0])).toEqual(['10', '11']);
    expect(enc.map((r) => r.replace(/^\d+ /, ''))).toEqual(withoutFrame(alone).filter((r) => r.includes('encrypted-rtcp')));
    expect(enc[0]).toContain('no a=crypto key in the signaling (DTLS-SRTP keys are not seen)');
    expect(secure.exports).toEqual([]);
  });

  it('RTP/SAVP new call: its SRTCP under a key nobody signaled, and late SRTCP past the 30 s grace, reported encrypted-rtcp with the text they have without c1', async () => {
    const flow = (c1: boolean) =>
      after(true, c1, (c) => [
        ...c.setup('c2', 10.5, c.sdp(A, 4000, kA2), c.sdp(B, 5000, kC)),
        c.rtcp(11, A, 4001, B, 5001, kX, [srIn(1111), sdesTag(1111, 'apt-none')]),
        c.rtcp(12, B, 5001, A, 4001, kX, [srIn(2222)]),
        c.rtcp(41, A, 4001, B, 5001, kA, [srIn(3333)]), // c1's key, 31 s after its BYE
      ]);
    const withC1 = await run(ws, 'savp-c2', flow(true));
    const alone = await run(ws, 'savp-c2-alone', flow(false));
    expect(withC1.d).toEqual([]);
    expect(withoutFrame(withC1)).toEqual(withoutFrame(alone));
    expect(withC1.r).toHaveLength(3);
    expect(withC1.r[0]).toContain('not decrypted, no a=crypto key authenticates it: none of its telemetry');
  });

  it('best-effort new call (a=crypto on RTP/AVP, accepted): late SRTCP read as plain; its own under its keys read; one under no key told as without c1', async () => {
    const flow = (s: boolean, c1: boolean) =>
      after(s, c1, (c) => [
        ...c.setup('c2', 10.5, s ? bestEffort(A, 4000, kA2) : plainSdp(A, 4000), s ? bestEffort(B, 5000, kC) : plainSdp(B, 5000)),
        ...(c1 ? [c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')])] : []),
        c.rtcp(13, B, 5001, A, 4001, kC, [rrIn(2222, 1111)]),
        c.rtcp(14, A, 4001, B, 5001, kX, [srIn(4444)]),
      ]);
    const secure = await run(ws, 'be-c2', flow(true, true));
    const plain = await run(ws, 'be-c2-plain', flow(false, true));
    const alone = await run(ws, 'be-c2-alone', flow(true, false));
    expect(at(secure, 9)).toEqual(late9);
    expect(at(secure, 10)).toEqual(['10 2222 drop export-none apt-none']);
    expect(at(secure, 10)).toEqual(at(plain, 10));
    // the compound under no key (the last frame): read as plain, decided and reported as without c1
    const last = (o: Run, f: number) => [...at(o, f).map((d) => d.replace(/^\d+ /, '')), ...o.r.filter((r) => r.startsWith(`${f} `)).map((r) => r.replace(/\bframe \d+\b|^\d+ /g, ''))];
    expect(last(secure, 11)).toEqual(last(alone, 5));
    expect(last(secure, 11)).toEqual(['encrypted-rtcp SRTCP (secure RTP: RTP/SAVP, SAVPF, or SDES keys the answer accepted) not decrypted, no a=crypto key authenticates it: none of its telemetry is read, decided or exported']);
  });

  it('best-effort offered, not answered (Srtcp.KEYS): late SRTCP read as plain; one under no key read as malformed plain RTCP, as without c1', async () => {
    const flow = (s: boolean, c1: boolean) =>
      after(s, c1, (c) => [
        ...c.setup('c2', 10.5, s ? bestEffort(A, 4000, kA2) : plainSdp(A, 4000), plainSdp(B, 5000)),
        ...(c1 ? [c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')])] : []),
        c.rtcp(14, A, 4001, B, 5001, kX, [srIn(4444, 5555)]),
      ]);
    const secure = await run(ws, 'offer-c2', flow(true, true));
    const plain = await run(ws, 'offer-c2-plain', flow(false, true));
    const alone = await run(ws, 'offer-c2-alone', flow(true, false));
    expect(at(secure, 9)).toEqual(late9);
    expect(at(secure, 9)).toEqual(at(plain, 9));
    const tell = (o: Run, f: number) => [...at(o, f).map((d) => d.replace(/^\d+ /, '')), ...o.r.filter((r) => r.startsWith(`${f} `)).map((r) => r.replace(/\bframe \d+\b|^\d+ /g, ''))];
    expect(tell(secure, 10)).toEqual(tell(alone, 4));
    expect(tell(secure, 10).some((r) => r.startsWith('malformed-input'))).toBe(true);
    expect(secure.r.filter((r) => r.includes('encrypted-rtcp'))).toEqual([]);
  });

  it('the new call reuses the ended key (A keeps kA): both parties\' late SRTCP read, as plain', async () => {
    const flow = (s: boolean) =>
      after(s, true, (c) => [
        ...c.setup('c2', 10.5, c.sdp(A, 4000, kA), c.sdp(B, 5000, kC)), // 6-8
        c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 9: fits c2's keys
        c.rtcp(11.5, B, 5001, A, 4001, kB, [srIn(2222), sdesTag(2222, 'apt-none')]), // 10: the ended key only
        c.rtcp(13, A, 4001, B, 5001, kA, [srIn(1111, 2222)]), // 11
        c.rtcp(14, B, 5001, A, 4001, kC, [srIn(2222, 1111)]), // 12
      ]);
    const [plain, secure] = [await run(ws, 'reuse-plain', flow(false)), await run(ws, 'reuse-srtcp', flow(true))];
    expect(at(plain, 10)).toEqual(['10 2222 drop export-none apt-none', '10 2222 drop export-none apt-none']);
    expect(secure.d).toEqual(plain.d);
    expect(secure.r).toEqual(plain.r);
    expect(secure.exports).toEqual(plain.exports);
  });

  it('the new call re-keyed by re-INVITE (its former keys tried before the ended ones): c1\'s late SRTCP and c2\'s under its former key read, as plain', async () => {
    const flow = (s: boolean) =>
      after(s, true, (c) => [
        ...c.setup('c2', 10.5, c.sdp(A, 4000, kA2), c.sdp(B, 5000, kC)), // 6-8
        ...c.setup('c2', 10.8, c.sdp(A, 4000, kA3), c.sdp(B, 5000, kC), 2, ';tag=bbb'), // 9-11: A re-keys
        c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 12: c1's
        c.rtcp(12, A, 4001, B, 5001, kA2, [srIn(1111, 2222)]), // 13: c2's former
        c.rtcp(13, A, 4001, B, 5001, kA3, [srIn(1111)]), // 14
        c.rtcp(14, B, 5001, A, 4001, kB, [srIn(2222), sdesTag(2222, 'apt-none')]), // 15: B's c1 key
      ]);
    const [plain, secure] = [await run(ws, 'rekey-plain', flow(false)), await run(ws, 'rekey-srtcp', flow(true))];
    expect(at(plain, 12)).toEqual(['12 1111 drop export-none apt-none', '12 1111 drop export-none apt-none']);
    expect(secure.d).toEqual(plain.d);
    expect(secure.r).toEqual(plain.r);
    expect(secure.exports).toEqual(plain.exports);
  });

  it("the other party: B's late SRTCP, sent to A's address that a new call with D routes, read there as its plain copy (by B's kept keys, not A's)", async () => {
    const flow = (s: boolean) =>
      after(s, true, (c) => [
        ...c.setup('c2', 10.5, c.sdp(A, 4000, kA2), c.sdp(D, 6000, kC)), // 6-8
        c.rtcp(11, B, 5001, A, 4001, kB, [srIn(2222), sdesTag(2222, 'apt-none')]), // 9
        c.rtcp(12, A, 4001, D, 6001, kA2, [srIn(1111, 2222)]), // 10
        c.rtcp(13, D, 6001, A, 4001, kC, [rrIn(4444, 1111)]), // 11
        c.rtcp(14, D, 6001, A, 4001, kB, [srIn(4445)]), // 12: D under B's key: D's address has none kept
      ]);
    const [plain, secure] = [await run(ws, 'other-plain', flow(false)), await run(ws, 'other-srtcp', flow(true))];
    expect(at(secure, 9)).toEqual(['9 2222 drop export-none apt-none', '9 2222 drop export-none apt-none']);
    expect(at(secure, 9)).toEqual(at(plain, 9));
    expect(at(secure, 10)).toEqual(at(plain, 10));
    expect(at(secure, 11)).toEqual(at(plain, 11));
    expect(at(secure, 12)).toEqual([]);
    expect(secure.r.filter((r) => r.startsWith('12 '))).toEqual(['12 encrypted-rtcp SRTCP (secure RTP: RTP/SAVP, SAVPF, or SDES keys the answer accepted) not decrypted, no a=crypto key authenticates it: none of its telemetry is read, decided or exported']);
  });

  it("main thread: a tag noted from late SRTCP read unbound is carried by a routed compound under the sender's ended key (plaintextOn names its report subject), as plain", async () => {
    const flow = (s: boolean) =>
      after(s, true, (c) => [
        c.rtcp(10.2, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 6: unbound
        ...c.setup('c2', 10.5, c.sdp(A, 4000, kA2), c.sdp(B, 5000, kC)), // 7-9
        c.rtcp(11, B, 5001, A, 4001, kB, [rrIn(2222, 1111)]), // 10: B's late RR under c1's kB, about 1111
        c.rtcp(13, A, 4001, B, 5001, kA2, [srIn(1111)]), // 11
      ]);
    const [plain, secure] = [await run(ws, 'carry-plain', flow(false)), await run(ws, 'carry-srtcp', flow(true))];
    expect(at(plain, 10)).toEqual(['10 2222 drop export-none apt-none']);
    expect(secure.d).toEqual(plain.d);
    expect(secure.r).toEqual(plain.r);
    expect(secure.exports).toEqual(plain.exports);
  });

  it('IPv6: late SRTCP routed by a new call with fresh keys read as plain', async () => {
    const A6 = '2001:db8::1';
    const B6 = '2001:db8::2';
    const flow = (s: boolean) => {
      const c = calls(s, { v6: true, sipA: A6, sipB: B6 });
      return [
        ...c.setup('c1', 0, c.sdp(A6, 4000, kA), c.sdp(B6, 5000, kB)),
        ...c.bye('c1', 10, 2),
        ...c.setup('c2', 10.5, c.sdp(A6, 4000, kA2), c.sdp(B6, 5000, kC)),
        c.rtcp(11, A6, 4001, B6, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]),
        c.rtcp(13, A6, 4001, B6, 5001, kA2, [srIn(1111)]),
      ];
    };
    const [plain, secure] = [await run(ws, 'v6-plain', flow(false)), await run(ws, 'v6-srtcp', flow(true))];
    expect(at(secure, 9)).toEqual(late9);
    expect(secure.d).toEqual(plain.d);
    expect(secure.r).toEqual(plain.r);
    expect(secure.exports).toEqual([]);
  });

  it('rtcp-mux on both calls: late SRTCP on the RTP port, routed by the new call, read as plain', async () => {
    const mux = (sdp: string) => sdp.replace('a=mid:a', 'a=mid:a\r\na=rtcp-mux');
    const flow = (s: boolean) => {
      const c = calls(s);
      return [
        ...c.setup('c1', 0, mux(c.sdp(A, 4000, kA)), mux(c.sdp(B, 5000, kB))),
        ...c.bye('c1', 10, 2),
        ...c.setup('c2', 10.5, mux(c.sdp(A, 4000, kA2)), mux(c.sdp(B, 5000, kC))),
        c.rtcp(11, A, 4000, B, 5000, kA, [srIn(1111), sdesTag(1111, 'apt-none')]), // 9
        c.rtcp(13, A, 4000, B, 5000, kA2, [srIn(1111)]), // 10
      ];
    };
    const [plain, secure] = [await run(ws, 'mux-plain', flow(false)), await run(ws, 'mux-srtcp', flow(true))];
    expect(at(secure, 9)).toEqual(late9);
    expect(secure.d).toEqual(plain.d);
    expect(secure.r).toEqual(plain.r);
  });

  it('the ended call and the new one under four pairs of Call-IDs (spread over the shards with 2 workers): the same outputs as plain, 0 and 2 workers alike', async () => {
    for (const [first, second] of [['x1', 'x2'], ['y1', 'y2'], ['z1', 'z2'], ['q1', 'q9']] as const) {
      const flow = (s: boolean) => {
        const c = calls(s);
        return [
          ...c.setup(first, 0, c.sdp(A, 4000, kA), c.sdp(B, 5000, kB)),
          ...c.bye(first, 10, 2),
          ...c.setup(second, 10.5, c.sdp(A, 4000, kA2), c.sdp(B, 5000, kC)),
          c.rtcp(11, A, 4001, B, 5001, kA, [srIn(1111), sdesTag(1111, 'apt-none')]),
          c.rtcp(11.2, B, 5001, A, 4001, kB, [rrIn(2222, 1111)]),
          c.rtcp(13, A, 4001, B, 5001, kA2, [srIn(1111)]),
        ];
      };
      const [plain, secure] = [await run(ws, `shards-plain-${first}`, flow(false)), await run(ws, `shards-srtcp-${first}`, flow(true))];
      expect(secure.d, first).toEqual(plain.d);
      expect(secure.r, first).toEqual(plain.r);
      expect(secure.exports, first).toEqual(plain.exports);
      expect(secure.summary, first).toEqual(plain.summary);
    }
  });
});
