/**
 * Found by a review of suspicions, fixed since: a=crypto session parameters are read in any case (`kdr=1` is KDR=1, `unencrypted_srtcp` is UNENCRYPTED_SRTCP), as RFC 5234 §2.3 makes RFC 4568 §9.2's literals (src/media/srtcp.ts keyDerivationRate).
 */
/**
 * Input: SDES-SRTP a=crypto lines whose session parameters are written in lower or mixed case:
 *   `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:<key>|2^31 kdr=1`, and `unencrypted_srtcp`,
 *   `Fec_Order=srtp_fec`, `wsh=64`, … — at the parser level (deriveSrtcpKeys) and end to end (the
 *   sample call rewritten to SRTCP with KDR=1 keys, the lines saying `kdr=1`, replayed in process).
 * Was: src/media/srtcp.ts keyDerivationRate() matched KDR_PARAM (/^KDR=…$/) and the names of
 *   OTHER_SESSION_PARAMS by exact case: `kdr=1` is "an unknown session parameter kdr", the key is
 *   unusable, each compound is reported encrypted-rtcp and not read.
 * Correct: RFC 4568 §9.2 writes the session parameters as ABNF quoted strings (`"KDR=" 1*DIGIT`,
 *   `"UNENCRYPTED_SRTCP"`, `"FEC_ORDER=" fec-type`, `"SRTP_FEC"`, `"WSH=" …`), and RFC 5234 §2.3
 *   makes quoted strings case-insensitive: `kdr=1` is KDR=1 — same keys, same replay as the plain call.
 * Fix: src/media/srtcp.ts keyDerivationRate(): compare the names (and FEC_ORDER's literal values)
 *   without regard to case.
 */
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveSrtcpKeys, type SrtcpKey } from '../../../src/media/srtcp.js';
import { loadPolicyFile } from '../../../src/policy/policy-file.js';
import { parseLines, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace, type ReportLine } from '../../e2e/e2e-helpers.js';
import { inline, isRtcp, isSip, newMaster, rewriteSample, rewriteSdp, type Master } from '../../e2e/srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a=crypto session parameters are case-insensitive (RFC 4568 §9.2, RFC 5234 §2.3)', () => {
  const material = randomBytes(30).toString('base64');
  const derive = (sessionParams: string[]) => deriveSrtcpKeys({ suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: `inline:${material}`, sessionParams } satisfies SrtcpKey);

  it('kdr=5 is KDR=5: the same keys, derived again at the same rate', () => {
    const upper = derive(['KDR=5']);
    expect(upper).not.toBeTypeOf('string');
    for (const p of ['kdr=5', 'Kdr=5']) expect(derive([p])).toEqual(upper);
  });

  it('the other parameters in any case are usable; a bad kdr is refused as a bad KDR is', () => {
    for (const p of [['unencrypted_srtcp', 'Unencrypted_Srtp', 'unauthenticated_srtp'], ['fec_order=srtp_fec', 'FEC_ORDER=fec_srtp'], ['wsh=64', 'kdr=0'], ['fec_key=inline:AAAA|2^20|1:4']]) {
      expect(derive(p)).not.toBeTypeOf('string');
    }
    expect(derive(['kdr=25'])).toMatch(/^a bad session parameter kdr=25 /);
    expect(derive(['kdr=1', 'KDR=2'])).toMatch(/^a bad session parameter KDR=2 /);
    expect(derive(['unencrypted_srtcp=1'])).toMatch(/^a bad session parameter unencrypted_srtcp /);
  });
});

/** RFC 3711 §4.3.1 with r: x = (label ‖ r) ⊕ master salt, keystream at x·2^16. */
function derive(m: Master, label: number, r: number, bytes: number): Buffer {
  const iv = Buffer.alloc(16);
  m.salt.copy(iv, 0);
  iv[7]! ^= label;
  const rb = Buffer.alloc(6);
  rb.writeUIntBE(r, 0, 6);
  for (let i = 0; i < 6; i++) iv[8 + i]! ^= rb[i]!;
  return createCipheriv('aes-128-ctr', m.key, iv).update(Buffer.alloc(bytes));
}

/** AES_CM_128_HMAC_SHA1_80 SRTCP (RFC 3711 §3.4) with key derivation rate 2^kdrLog2. */
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

it('end to end: lines saying `kdr=1 unencrypted_srtcp` replay as the plain call (in process)', async () => {
  const sides = new Map<string, { m: Master; index: number }>();
  const side = (ip: string) => sides.get(ip) ?? (sides.set(ip, { m: newMaster(), index: 0 }), sides.get(ip)!);
  const capture = await rewriteSample(ws, 'kdr-lower.pcap', (_f, u) => {
    const s = side(u.src);
    if (isSip(u)) {
      const out = rewriteSdp(Buffer.from(u.payload).toString('latin1'), (body) =>
        body.replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1').replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${inline(s.m)}|2^31 kdr=1 unencrypted_srtcp`),
      );
      return out === null ? null : Buffer.from(out, 'latin1');
    }
    return isRtcp(u.payload) ? srtcpKdr(u.payload, s.m, ++s.index, 1) : null;
  });
  const policy = await loadPolicyFile(SMALL_POLICY);
  const plain = await replayLines({ capture: SMALL_PCAP, policy });
  const run = await replayLines({ capture, policy, workers: 0 });
  // Was: encrypted-rtcp "… an unknown session parameter kdr (RFC 4568 §6.3) …" for each sender
  expect(parseLines<ReportLine>(run.reports).filter((r) => r.type === 'encrypted-rtcp')).toEqual([]);
  expect(run.result.summary.telemetry).toEqual(plain.result.summary.telemetry);
  expect(run.decisions).toEqual(plain.decisions);
  expect(run.exports).toEqual(plain.exports);
});
