/**
 * Fixed since (SrtcpKeyring.cutAfterEnd: a cut compound whose captured headers chain as RTCP is plain).
 * Review of 11fa661 (on a plain RTP/AVP transport, a compound that may be encrypted is tried with
 * the kept keys of its sender's ended dialogs; a cut one reported cut via cutAfterEnd), round 27 (4).
 *
 * Input: call c1, RTP/SAVP, A (10.0.0.1:4000) with a=crypto AES_CM_128_HMAC_SHA1_80 whose key
 *   has a 2-byte MKI (`inline:…|1:2`), or AEAD_AES_128_GCM; B (10.0.0.2:5000, kB);
 *   a=aipref:session apt-raw (frames 1–3, t=0); SIP BYE/200 (frames 4–5, t=10); at t=10.5 a new
 *   call c2 on the same addresses, plain RTP/AVP, no a=crypto, a=aipref:session apt-raw
 *   (frames 6–8); at t=11 A's PLAIN RTCP compound in c2, SR(1111) + SDES{1111: CNAME, PRIV
 *   aipref=apt-none} + BYE(1111, a 60-character reason), 4001 → 5001, its record cut by the
 *   capture's snap length inside the BYE (frame 9: nothing in it is SRTCP; A sent no SRTCP after
 *   c1's BYE at all); at t=13 A's plain SR(1111) in c2 (frame 10). Oracle: the same capture with
 *   c1 plain (RTP/AVP, no a=crypto): what 11fa661 left this capture as before it. 0 and 2 workers
 *   (flows.run).
 * Was: oracle: frame 9 read by its whole packets (SR and SDES decided drop apt-none, the cut
 *   reported 'rtcp snaplen-cut'), frame 10 '10 1111 drop export-none apt-none'. With c1 SRTP:
 *   MediaCore.readRtcp now enters the SRTCP branch on c2's plain transport (endedSenders > 0), and
 *   keyring.cutAfterEnd(A:4001) is true for any cut compound from A (mayBeEncrypted is true for
 *   every cut compound: its snaplen-cut error; maybeSrtcp(len + cut, kept keys) is true for every
 *   plain length 4k under a 2-byte MKI or a GCM key: 4k − 16, 4k − 20 are whole words): frame 9
 *   is reported "rtcp snaplen-cut at byte 0: SRTCP of 136 bytes cut by the capture's snap length
 *   after 96: its tag not captured, not decrypted" and not read
 *   — the apt-none tag A stated in plain RTCP of the plain call is lost, and frame 10 is exported,
 *   '10 1111 export raw-allowed apt-raw' (privacy). No kept key authenticated anything: a cut
 *   compound cannot be authenticated.
 * Correct: README (Secure RTP): a compound that is not SRTCP is "malformed plain RTCP, reported as
 *   such", and "an RTCP compound cut inside is judged by its whole packets and the cut is reported";
 *   the kept keys apply to "an SRTCP compound from one of its senders' addresses" — on a plain
 *   call, plain RTCP must be read and reported exactly as before 11fa661 unless a kept key
 *   authenticates it. SPEC §2.4 (a PRIV tag binds its SSRC; tags never relax signaling): frames 9
 *   and 10 as in the oracle; nothing of 1111 exported.
 * Fix: MediaCore.readRtcp (and the unbound cutAfterEnd in MediaCore.rtcp / replay-engine media()
 *   alike): on a transport the signaling keys no SRTCP for, take a cut compound for SRTCP only
 *   where its captured bytes past the first 8 do not read as plain RTCP (the first packet's
 *   successor header is not V=2 with an RTCP type, or the whole packets do not chain up to the
 *   cut) — SrtcpKeyring.cutAfterEnd given that test; else read it as plain, as before.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { sdpAt } from '../../e2e/port-reuse-review/common.js';
import { inline } from '../../e2e/srtcp-helpers.js';
import { at, calls, kA, kA2, kB, type P, run, sdesTag, srIn } from '../round27-keyring-review/flows.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const A = '10.0.0.1';
const B = '10.0.0.2';
const plainSdp = (ip: string, port: number) => sdpAt(ip, port, null, ['a=aipref:session apt-raw']);
const savp = (ip: string, port: number, crypto: string) => sdpAt(ip, port, null, ['a=aipref:session apt-raw'], [`a=crypto:1 ${crypto}`]).replace('RTP/AVP', 'RTP/SAVP');

const lines = {
  'a 2-byte MKI': `AES_CM_128_HMAC_SHA1_80 inline:${inline(kA)}|1:2`,
  'AEAD_AES_128_GCM': `AEAD_AES_128_GCM inline:${Buffer.concat([kA.key, kA.salt.subarray(0, 12)]).toString('base64')}`,
};

function flow(secureC1: boolean, cryptoA: string): P[] {
  const p = calls(false);
  const c1 = secureC1
    ? p.setup('c1', 0, savp(A, 4000, cryptoA), savp(B, 5000, `AES_CM_128_HMAC_SHA1_80 inline:${inline(kB)}`))
    : p.setup('c1', 0, plainSdp(A, 4000), plainSdp(B, 5000));
  const compound = encodeRtcpCompound([srIn(1111), sdesTag(1111, 'apt-none'), { pt: 203, ssrcs: [1111], reason: 'x'.repeat(60) } as never]);
  return [
    ...c1, // 1-3
    ...p.bye('c1', 10, 2), // 4-5
    ...p.setup('c2', 10.5, plainSdp(A, 4000), plainSdp(B, 5000)), // 6-8: plain RTP/AVP
    { ts: 11, src: A, dst: B, sport: 4001, dport: 5001, payload: compound, cut: 40 }, // 9: plain, cut inside the BYE
    p.rtcp(13, A, 4001, B, 5001, kA2, [srIn(1111)]), // 10: plain SR
  ];
}

describe('plain RTCP cut by the snap length in a plain call, after an SRTP call on the same addresses ended', () => {
  for (const [name, cryptoA] of Object.entries(lines)) {
    it(`is read as plain by its whole packets, as without the SRTP call (${name})`, async () => {
      const oracle = await run(ws, `cut-plain-oracle-${name.replace(/\W+/g, '-')}`, flow(false, cryptoA));
      expect(at(oracle, 9)).toEqual(['9 1111 drop export-none apt-none', '9 1111 drop export-none apt-none']);
      expect(at(oracle, 10)).toEqual(['10 1111 drop export-none apt-none']);
      const o = await run(ws, `cut-plain-after-srtp-${name.replace(/\W+/g, '-')}`, flow(true, cryptoA));
      expect(o.r.filter((r) => r.includes('SRTCP of'))).toEqual([]);
      expect(at(o, 9)).toEqual(at(oracle, 9));
      expect(at(o, 10)).toEqual(at(oracle, 10));
      expect(o.exports.filter((e) => e.dialog?.callId === 'c2')).toEqual([]);
    });
  }
});
