/**
 * Found by a review of SRTCP against werift, fixed since: a line's key derivation rate (KDR=n) is read and each compound is decrypted with the keys of r = SRTCP index DIV 2^n, read from E|index before the tag check; an invalid or unknown session parameter makes the key unusable, named in the report (src/signaling/sdp.ts readSection, negotiated-scope.ts keysOf, src/media/srtcp.ts deriveSrtcpKeys / decryptSrtcp).
 *
 * Input: the sample call with SDES-SRTP whose a=crypto lines carry the KDR session parameter
 * (RFC 4568 §6.3.1): `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<key>|2^31 KDR=1` on RTP/SAVP(F),
 * every RTCP compound protected as RFC 3711 §4.3.1–4.3.2 says for a key derivation rate of
 * 2^1 = 2: session keys derived with r = SRTCP index DIV 2 (key_id = label ‖ r, r 48 bits,
 * right-aligned against the master salt). The sender written below (node:crypto AES-ECB as the
 * block function) agrees with src/media/srtcp.ts's derivation where r = 0, as every sender in
 * these tests does; each side numbers its compounds 1, 2, 3, … (index 1 has r = 0).
 *
 * Correct: RFC 4568 §6.3.1 — KDR=n sets the SRTP/SRTCP key derivation rate to 2^n; RFC 3711
 * §4.3.1 — session keys are re-derived at each multiple of it (r = index DIV kdr), §4.3.2 for
 * SRTCP with the SRTCP index. The keys are in the signaling, so the call replays exactly as the
 * plain call (as with every other a=crypto form the README lists), or at the very least the
 * unsupported parameter is named in the report instead of "no a=crypto key authenticates it".
 */
import { createCipheriv, createHmac } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../../src/policy/policy-file.js';
import { parseLines, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace, type ReportLine } from '../e2e-helpers.js';
import { inline, isRtcp, isSip, newMaster, rewriteSample, rewriteSdp, type Master } from '../srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** RFC 3711 §4.3.1 with r: x = (label ‖ r) ⊕ master salt (label at byte 7, r in bytes 8–13), keystream at x·2^16. */
function derive(m: Master, label: number, r: number, bytes: number): Buffer {
  const iv = Buffer.alloc(16);
  m.salt.copy(iv, 0);
  iv[7]! ^= label;
  const rb = Buffer.alloc(6);
  rb.writeUIntBE(r, 0, 6);
  for (let i = 0; i < 6; i++) iv[8 + i]! ^= rb[i]!;
  return createCipheriv('aes-128-ctr', m.key, iv).update(Buffer.alloc(bytes));
}

/** AES_CM_128_HMAC_SHA1_80 SRTCP (RFC 3711 §3.4, §4.1.1) with key derivation rate 2^kdrLog2. */
function srtcpKdr(plain: Uint8Array, m: Master, index: number, kdrLog2: number): Buffer {
  const r = Math.floor(index / 2 ** kdrLog2);
  const ke = derive(m, 3, r, 16);
  const ka = derive(m, 4, r, 20);
  const ks = derive(m, 5, r, 14);
  const p = Buffer.from(plain);
  const iv = Buffer.alloc(16);
  ks.copy(iv, 0);
  for (let i = 0; i < 4; i++) iv[4 + i]! ^= p[4 + i]!;
  const idx = Buffer.alloc(4);
  idx.writeUInt32BE(index);
  for (let i = 0; i < 4; i++) iv[10 + i]! ^= idx[i]!;
  const body = createCipheriv('aes-128-ctr', ke, iv).update(p.subarray(8));
  const word = Buffer.alloc(4);
  word.writeUInt32BE((0x80000000 | index) >>> 0);
  const authenticated = Buffer.concat([p.subarray(0, 8), body, word]);
  return Buffer.concat([authenticated, createHmac('sha1', ka).update(authenticated).digest().subarray(0, 10)]);
}

describe('a=crypto with KDR (key derivation rate, RFC 4568 §6.3.1)', () => {
  it('KDR=1: every compound decrypted, the replay is the plain call (workers 0 and 2)', async () => {
    const sides = new Map<string, { m: Master; index: number }>();
    const side = (ip: string) => sides.get(ip) ?? (sides.set(ip, { m: newMaster(), index: 0 }), sides.get(ip)!);
    const capture = await rewriteSample(ws, 'kdr.pcap', (_f, u) => {
      const s = side(u.src);
      if (isSip(u)) {
        const out = rewriteSdp(Buffer.from(u.payload).toString('latin1'), (body) =>
          body.replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1').replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${inline(s.m)}|2^31 KDR=1`),
        );
        return out === null ? null : Buffer.from(out, 'latin1');
      }
      return isRtcp(u.payload) ? srtcpKdr(u.payload, s.m, ++s.index, 1) : null;
    });
    const policy = await loadPolicyFile(SMALL_POLICY);
    const plain = await replayLines({ capture: SMALL_PCAP, policy });
    for (const workers of [0, 2]) {
      const run = await replayLines({ capture, policy, workers });
      // Was: encrypted-rtcp "… no a=crypto key authenticates it …" for the senders, their compounds from index 2 on not read
      expect(parseLines<ReportLine>(run.reports).filter((r) => r.type === 'encrypted-rtcp')).toEqual([]);
      expect(run.result.summary.telemetry).toEqual(plain.result.summary.telemetry);
      expect(run.decisions).toEqual(plain.decisions);
      expect(run.exports).toEqual(plain.exports);
    }
  });
});
