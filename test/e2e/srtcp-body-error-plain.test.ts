/**
 * Found by a review of the SRTCP rules, fixed since. RTP/SAVPF with no a=crypto (DTLS-SRTP), the
 * RTCP in clear (a relay's decrypted copy, which is read), one compound (frame 54: SR+SDES+XR,
 * 156 bytes) whose SR claims 2 report blocks where its length holds 1: every header chains to
 * the datagram's end, only the SR's body is bad. Was: any decode error counted as "does not
 * chain", the compound went the SRTCP way and, with no key, was swallowed as encrypted-rtcp
 * (its SDES and XR items, 4 decisions, gone; no malformed-input naming the bad SR). Whether a
 * compound chains is now read from its headers (RFC 3550 §6.4.1, A.2), so it is plain RTCP with a
 * bad SR, reported and read as on RTP/AVP. (The same happened with SDES keys whose trailer is
 * whole words: AEAD_AES_*_GCM, AES-CM with a 2-byte MKI.)
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { replayLines, SMALL_POLICY, Workspace } from './e2e-helpers.js';
import { reportsOf, rewrite, savp } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const BROKEN = 54;

describe('plain RTCP whose headers chain but whose SR body is bad, on a DTLS-SRTP m-section', () => {
  it('is read as malformed plain RTCP, as on RTP/AVP (not swallowed as encrypted-rtcp)', async () => {
    const capture = (secure: boolean) =>
      rewrite(ws, `body-${secure}.pcap`, {
        sdp: secure ? (body) => savp(body) : undefined,
        rtcp: (f, u) => {
          if (f !== BROKEN) return undefined;
          const b = Buffer.from(u.payload);
          b[0] = (b[0]! & 0xe0) | 2; // SR: 2 report blocks claimed, room for 1
          return { ...u, payload: b };
        },
      });
    const policy = await loadPolicyFile(SMALL_POLICY);
    const avp = await replayLines({ capture: await capture(false), policy });
    const dtls = await replayLines({ capture: await capture(true), policy });
    const at = (r: typeof avp, type: string) => reportsOf(r, type).filter((x) => x.frame === BROKEN).map((x) => x.detail);
    expect(at(avp, 'malformed-input')).toEqual(['frame 54: rtcp report-count-overflow at byte 0: SR claims 2 report blocks, 52 bytes hold 1']);
    // Was: [] (and one encrypted-rtcp report for SSRC 1078747615 instead)
    expect(at(dtls, 'malformed-input')).toEqual(at(avp, 'malformed-input'));
    expect(at(dtls, 'encrypted-rtcp')).toEqual([]);
    const decided = (r: typeof avp) => r.decisions.filter((l) => l.startsWith(`{"frame":${BROKEN},`));
    expect(decided(avp).length).toBe(4);
    // Was: 0
    expect(decided(dtls)).toEqual(decided(avp));
  });
});
