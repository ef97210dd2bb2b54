/**
 * Found by a review of the SRTCP work, fixed since: re-keying by re-INVITE (RFC 4568 §7.1.4: a new offer/answer with new a=crypto
 * keys) drops the old keys at the very frame the answer is seen. The sample's second call
 * (10.1.0.2 ↔ 10.2.0.2) re-INVITEs at frame 237, answered at 246; here each side signals a new
 * key in each SDP it sends. The offerer can only switch to its new sending key once it has the
 * answer (RFC 4568 §7.1.4 with RFC 3264 §8: the new parameters take effect with the answer), so
 * its compound of frame 247 — sent 5 ms after the capture saw the 200 OK, i.e. before that 200
 * reached it — is still under its OLD key, as any compound in flight at the switch is. The replay
 * refuses it ("no a=crypto key authenticates it") and its SR's telemetry is lost (and its stream
 * is flagged ENCRYPTED, silencing later reports).
 *
 * Now: the keys a dialog's earlier scopes had stay candidates (its last 8; the tag check tells
 * which key a packet is under, RFC 3711 §3.4 — trying one more key can never misread a packet),
 * so the call replays as the plain call.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { parseLines, replayLines, SMALL_PCAP, SMALL_POLICY, Workspace, type ReportLine } from './e2e-helpers.js';
import { inline, isRtcp, isSip, newMaster, rewriteSample, rewriteSdp, srtcp, type Master } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const REKEYING = new Set(['10.1.0.2', '10.2.0.2']);
const IN_FLIGHT = 247;

describe('re-INVITE re-keying', () => {
  it("a compound under the offerer's old key, in flight when the answer is captured, is still decrypted", async () => {
    const sides = new Map<string, { keys: Master[]; index: number }>();
    const side = (ip: string) => sides.get(ip) ?? (sides.set(ip, { keys: [newMaster()], index: 0 }), sides.get(ip)!);
    const capture = await rewriteSample(ws, 'rekey.pcap', (frame, u) => {
      const s = side(u.src);
      if (isSip(u)) {
        const text = Buffer.from(u.payload).toString('latin1');
        const out = rewriteSdp(text, (body) => {
          // every SDP after the first gives this side a new key (on the re-keying call only)
          if (REKEYING.has(u.src) && (s as { sent?: boolean }).sent) s.keys.push(newMaster());
          (s as { sent?: boolean }).sent = true;
          const key = inline(s.keys[s.keys.length - 1]!);
          return body.replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1').replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`);
        });
        return out === null ? null : Buffer.from(out, 'latin1');
      }
      if (!isRtcp(u.payload)) return null;
      const key = frame === IN_FLIGHT ? s.keys[s.keys.length - 2]! : s.keys[s.keys.length - 1]!;
      return srtcp(u.payload, key, ++s.index);
    });
    const policy = await loadPolicyFile(SMALL_POLICY);
    const plain = await replayLines({ capture: SMALL_PCAP, policy });
    const run = await replayLines({ capture, policy });
    expect(parseLines<ReportLine>(run.reports).filter((r) => r.type === 'encrypted-rtcp').map((r) => [r.frame, r.detail])).toEqual([]);
    expect(run.decisions.filter((l) => l.startsWith(`{"frame":${IN_FLIGHT},`))).toEqual(plain.decisions.filter((l) => l.startsWith(`{"frame":${IN_FLIGHT},`)));
    expect(run.exports).toEqual(plain.exports);
  });
});
