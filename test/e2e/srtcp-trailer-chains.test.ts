/**
 * An SRTCP packet of one RTCP packet (reduced-size RTCP, RFC 5506: WebRTC's feedback alone)
 * ends in E|index, the MKI and the tag; E set and a small index make E|index look like an RTCP
 * header (version 2, packet type 0), and its length field is the index: where that length is
 * just what follows (index 3 with a 2-byte MKI and a 10-byte tag, index 4 under AES-GCM's
 * 16-byte tag), the compound chains to the datagram's end like plain RTCP and was read as such
 * (the relay's-decrypted-copy rule) — its encrypted body decided as telemetry, on a DTLS-SRTP
 * call as on an SDES one. A packet type outside RTCP's 192–223 (RFC 5761 §4) is no plain RTCP:
 * such a compound is now tried as SRTCP, and not read without a key that authenticates it.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { parseLines, replayLines, SMALL_POLICY, Workspace, type ReportLine } from './e2e-helpers.js';
import { inline, isRtcp, isSip, newMaster, rewriteSample, rewriteSdp, savp, srtcp, withCrypto, type Master } from './srtcp-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** The RTCP compound's first packet alone (an SR or RR without its SDES). */
const firstPacket = (p: Uint8Array) => p.subarray(0, (((p[2]! << 8) | p[3]!) + 1) * 4);

/** The sample with every compound cut to its first packet: in clear, or as SRTCP (MKI 1, 2 bytes) with `sdp` rewriting the SDP given each side's key. */
function singlePackets(name: string, secure: ((body: string, key: string) => string) | null): Promise<string> {
  const sides = new Map<string, { m: Master; index: number }>();
  const side = (ip: string) => sides.get(ip) ?? (sides.set(ip, { m: newMaster(), index: 0 }), sides.get(ip)!);
  return rewriteSample(ws, name, (_frame, u) => {
    const s = side(u.src);
    if (isSip(u)) {
      if (secure === null) return null;
      const out = rewriteSdp(Buffer.from(u.payload).toString('latin1'), (body) => secure(body, inline(s.m)));
      return out === null ? null : Buffer.from(out, 'latin1');
    }
    if (!isRtcp(u.payload)) return null;
    const plain = firstPacket(u.payload);
    return secure === null ? plain : srtcp(plain, s.m, ++s.index, { mki: Buffer.from([0, 1]) });
  });
}

describe('SRTCP of one RTCP packet whose trailer chains like an RTCP packet', async () => {
  const policy = await loadPolicyFile(SMALL_POLICY);
  const plain = await replayLines({ capture: await singlePackets('plain.pcap', null), policy });

  it('with the SDES key (its MKI 2 bytes): every compound decrypted, the replay is the plain one', async () => {
    const capture = await singlePackets('sdes.pcap', (body, key) => withCrypto(savp(body), `1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31|1:2`));
    for (const workers of [0, 2]) {
      const run = await replayLines({ capture, policy, workers });
      // Was: each side's third compound (index 3) read as plain RTCP, its encrypted report blocks decided
      expect(run.decisions).toEqual(plain.decisions);
      expect(run.exports).toEqual(plain.exports);
      expect(run.result.summary.malformed).toBe(0);
    }
  });

  it('without a key (DTLS-SRTP): none read, each sending stream reported encrypted-rtcp', async () => {
    const capture = await singlePackets('dtls.pcap', savp);
    const run = await replayLines({ capture, policy });
    // Was: { export: 0, aggregate: 4, drop: 8 }: each side's index-3 compound read as plain
    expect(run.result.summary.telemetry).toEqual({ export: 0, aggregate: 0, drop: 0 });
    expect(parseLines<ReportLine>(run.reports).filter((r) => r.type === 'encrypted-rtcp').length).toBeGreaterThan(1);
  });
});
