/**
 * Found by a review of the SRTCP work, fixed since: on an RTP/SAVP(F) m-section, a PLAIN RTCP compound that is malformed
 * (here: the sample's SR+… compound of frame 54, 156 bytes, its second packet's length field
 * broken) is taken for SRTCP, fails every key's tag and is swallowed as `encrypted-rtcp` ("no
 * a=crypto key authenticates it"): its whole SR is no longer decided (on RTP/AVP it is, with a
 * malformed-input report naming the broken packet), and since encrypted-rtcp is reported once
 * per stream, every later malformed compound of that stream vanishes without any report.
 *
 * This compound cannot be SRTCP: an RTCP compound is a whole number of 32-bit words (RFC 3550
 * §6.4.1, length in words), and SRTCP appends E‖index (4) + MKI + a 10-byte tag (RFC 3711 §3.4,
 * 80-bit tag for every SDES suite read here, RFC 4568 §6.2), so with the signaled keys (no MKI)
 * an SRTCP packet's length is ≡ 2 (mod 4); 156 ≡ 0. Now it is read as the plain RTCP it is —
 * the same decisions and the same malformed-input report as on RTP/AVP.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { parseLines, replayLines, SMALL_POLICY, Workspace, type ReportLine } from './e2e-helpers.js';
import { inline, isRtcp, isSip, newMaster, rewriteSample, rewriteSdp } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const BROKEN = 54;
function breakIt(p: Uint8Array): Uint8Array {
  const b = Buffer.from(p);
  const first = (b.readUInt16BE(2) + 1) * 4;
  b.writeUInt16BE(0xfff0, first + 2); // the second packet now runs past the datagram
  return b;
}

describe('malformed plain RTCP on a secure profile', () => {
  it('is reported malformed and its whole packets are judged, as on RTP/AVP (not swallowed as encrypted-rtcp)', async () => {
    const master = new Map<string, string>();
    const key = (ip: string) => master.get(ip) ?? (master.set(ip, inline(newMaster())), master.get(ip)!);
    const capture = (secure: boolean) =>
      rewriteSample(ws, `malformed-${secure}.pcap`, (frame, u) => {
        if (isSip(u)) {
          if (!secure) return null;
          const out = rewriteSdp(Buffer.from(u.payload).toString('latin1'), (body) =>
            body.replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1').replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key(u.src)}|2^31`),
          );
          return out === null ? null : Buffer.from(out, 'latin1');
        }
        return frame === BROKEN && isRtcp(u.payload) ? breakIt(u.payload) : null;
      });
    const policy = await loadPolicyFile(SMALL_POLICY);
    const avp = await replayLines({ capture: await capture(false), policy });
    const savp = await replayLines({ capture: await capture(true), policy });
    const at = (lines: string[]) => parseLines<ReportLine>(lines).filter((r) => r.frame === BROKEN).map((r) => r.type);
    expect(at(avp.reports)).toEqual(['malformed-input']);
    expect(at(savp.reports)).toEqual(['malformed-input']);
    const decided = (lines: string[]) => lines.filter((l) => l.startsWith(`{"frame":${BROKEN},`));
    expect(decided(avp.decisions).length).toBeGreaterThan(0);
    expect(decided(savp.decisions)).toEqual(decided(avp.decisions));
  });
});
