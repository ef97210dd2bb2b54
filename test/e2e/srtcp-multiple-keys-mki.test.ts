/**
 * Found by a review of the SRTCP work, fixed since: an a=crypto line with several keys (RFC 4568 §6.1: key-params separated by
 * ";", each with its MKI, e.g. `inline:K1|2^31|1:4;inline:K2|2^31|2:4`; the MKI in each packet
 * says which master key it is under, RFC 3711 §3.4/§8.1) keeps only its FIRST key
 * (sdp.ts: `config.split(';')[0]`). A sender that uses the second key (after the first's
 * lifetime, or by choice) has every compound refused ("no a=crypto key authenticates it").
 *
 * Now: every key of the line is a candidate (its MKI selects it), so SRTCP under K2 with MKI
 * 2 decrypts and the call replays as the plain call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { parseLines, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace, type ReportLine } from './e2e-helpers.js';
import { inline, isRtcp, isSip, newMaster, rewriteSample, rewriteSdp, srtcp, type Master } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('a=crypto with several keys (MKI)', () => {
  it('SRTCP under the second key of the line (MKI 2) is decrypted', async () => {
    const sides = new Map<string, { k1: Master; k2: Master; index: number }>();
    const side = (ip: string) => sides.get(ip) ?? (sides.set(ip, { k1: newMaster(), k2: newMaster(), index: 0 }), sides.get(ip)!);
    const capture = await rewriteSample(ws, 'mki.pcap', (_frame, u) => {
      const s = side(u.src);
      if (isSip(u)) {
        const out = rewriteSdp(Buffer.from(u.payload).toString('latin1'), (body) =>
          body
            .replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1')
            .replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${inline(s.k1)}|2^31|1:4;inline:${inline(s.k2)}|2^31|2:4`),
        );
        return out === null ? null : Buffer.from(out, 'latin1');
      }
      if (!isRtcp(u.payload)) return null;
      return srtcp(u.payload, s.k2, ++s.index, { mki: Buffer.from([0, 0, 0, 2]) });
    });
    const policy = await loadPolicyFile(SMALL_POLICY);
    const plain = await replayLines({ capture: SMALL_PCAP, policy });
    const run = await replayLines({ capture, policy });
    expect(parseLines<ReportLine>(run.reports).filter((r) => r.type === 'encrypted-rtcp').length).toBe(0);
    expect(run.exports).toEqual(plain.exports);
  });
});
