/**
 * What a review of the SRTCP work checked and found right: the sender of srtcp-helpers.ts agrees with
 * werift, and src/media/srtcp.ts reads it for AES-128 and AES-256 (RFC 6188 §7.2's KDF vectors),
 * the _32 suites (80-bit SRTCP tag, RFC 4568 §6.2.2), MKI (RFC 3711 §3.4: not authenticated),
 * E=0 (UNENCRYPTED_SRTCP), inline keys without padding, lifetime only / MKI only.
 */
import { SrtcpSession } from 'werift';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicyFile } from '../../src/policy/policy-file.js';
import { decryptSrtcp, deriveSrtcpKeys, prf, type SessionKeys } from '../../src/media/srtcp.js';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { replayLines, SMALL_PCAP, SMALL_POLICY, Workspace } from './e2e-helpers.js';
import { inline, isRtcp, isSip, newMaster, rewriteSample, rewriteSdp, srtcp, type Master } from './srtcp-helpers.js';

const hex = (h: string) => Buffer.from(h, 'hex');
const compound = (ssrc: number) =>
  Buffer.from(
    encodeRtcpCompound([
      { pt: 200, ssrc, ntpSec: 3900000000, ntpFrac: 1234, rtpTs: 160000, packetCount: 500, octetCount: 80000, reports: [{ ssrc: 0x1234, fractionLost: 3, cumulativeLost: 7, highestSeq: 70000, jitter: 42, lsr: 0, dlsr: 0 }] },
      { pt: 202, ssrc, chunks: [{ ssrc, items: [{ type: 1, text: 'alice@example.com' }] }] },
    ]),
  );
const keys = (m: Master, suite: string, tail = '', b64 = inline(m)): SessionKeys => {
  const k = deriveSrtcpKeys({ suite, keyParams: `inline:${b64}${tail}` });
  if (typeof k === 'string') throw new Error(k);
  return k;
};

describe('checks (pass)', () => {
  it('RFC 6188 §7.2 AES_256_CM_PRF vectors', () => {
    const k = hex('f0f04914b513f2763a1b1fa130f10e2998f6f6e43e4309d1e622a0e332b9f1b6');
    const s = hex('3b04803de51ee7c96423ab5b78d2');
    expect(prf('aes-256-ctr', k, s, 0, 32).toString('hex')).toBe('5ba1064e30ec51613cad926c5a28ef731ec7fb397f70a960653caf06554cd8c4');
    expect(prf('aes-256-ctr', k, s, 2, 14).toString('hex')).toBe('fa31791685ca444a9e07c6c64e93');
    expect(prf('aes-256-ctr', k, s, 1, 20).toString('hex')).toBe('fd9c32d39ed5fbb5a9dc96b30818454d1313dc05');
  });

  it('the review sender is werift’s byte for byte (AES_CM_128_HMAC_SHA1_80, index 1)', () => {
    const m = newMaster();
    const w = new SrtcpSession({ keys: { localMasterKey: m.key, localMasterSalt: m.salt, remoteMasterKey: m.key, remoteMasterSalt: m.salt }, profile: 1 });
    const a = w.encrypt(compound(5));
    expect(a.subarray(a.length - 14, a.length - 10).readUInt32BE() & 0x7fffffff).toBe(1);
    expect(srtcp(compound(5), m, 1).equals(a)).toBe(true);
  });

  it('AES-256 (both tag lengths), MKI, E=0, unpadded base64, lifetime only, MKI only', () => {
    const m256 = newMaster(32);
    for (const suite of ['AES_256_CM_HMAC_SHA1_80', 'AES_256_CM_HMAC_SHA1_32']) {
      const p = srtcp(compound(6), m256, 77);
      expect(Buffer.from(decryptSrtcp(p, 0, p.length, [keys(m256, suite)]) as Uint8Array).equals(compound(6))).toBe(true);
      const unpadded = inline(m256).replace(/=+$/, '');
      expect(Buffer.from(decryptSrtcp(p, 0, p.length, [keys(m256, suite, '', unpadded)]) as Uint8Array).equals(compound(6))).toBe(true);
    }
    const m = newMaster();
    const withMki = srtcp(compound(7), m, 0x7ffffffe, { mki: Buffer.from([0, 0, 0, 9]) });
    expect(Buffer.from(decryptSrtcp(withMki, 0, withMki.length, [keys(m, 'AES_CM_128_HMAC_SHA1_80', '|9:4')]) as Uint8Array).equals(compound(7))).toBe(true);
    const clear = srtcp(compound(8), m, 3, { encrypt: false });
    expect(Buffer.from(decryptSrtcp(clear, 0, clear.length, [keys(m, 'AES_CM_128_HMAC_SHA1_32', '|2^20')]) as Uint8Array).equals(compound(8))).toBe(true);
    // a key the packet is not under never decrypts it into noise
    expect(decryptSrtcp(clear, 0, clear.length, [keys(newMaster(), 'AES_CM_128_HMAC_SHA1_80')])).toBe('no a=crypto key authenticates it');
  });
});


const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('checks (pass): SDES on RTP/SAVP(F), the answer choosing tag 2 of three, AES-256 with MKI', () => {
  it('decrypts, replays as the plain call, and no output holds key material', async () => {
    const sides = new Map<string, { m: Master; decoys: Master[]; index: number }>();
    const side = (ip: string) => sides.get(ip) ?? (sides.set(ip, { m: newMaster(32), decoys: [newMaster(32), newMaster(32)], index: 0 }), sides.get(ip)!);
    const capture = await rewriteSample(ws, 'check.pcap', (_f, u) => {
      const s = side(u.src);
      if (isSip(u)) {
        const out = rewriteSdp(Buffer.from(u.payload).toString('latin1'), (body, start) => {
          const lines = start.startsWith('INVITE')
            ? `a=crypto:1 AES_256_CM_HMAC_SHA1_80 inline:${inline(s.decoys[0]!)}|3:2\r\na=crypto:2 AES_256_CM_HMAC_SHA1_32 inline:${inline(s.m)}|2^20|3:2\r\na=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:${inline(newMaster())}`
            : `a=crypto:2 AES_256_CM_HMAC_SHA1_32 inline:${inline(s.m)}|3:2`;
          return body.replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1').replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\n${lines}`);
        });
        return out === null ? null : Buffer.from(out, 'latin1');
      }
      if (!isRtcp(u.payload)) return null;
      return srtcp(u.payload, s.m, ++s.index, { mki: Buffer.from([0, 3]) });
    });
    const policy = await loadPolicyFile(SMALL_POLICY);
    const plain = await replayLines({ capture: SMALL_PCAP, policy });
    const run = await replayLines({ capture, policy });
    expect(run.exports).toEqual(plain.exports);
    expect(run.decisions).toEqual(plain.decisions);
    expect(run.reports).toEqual(plain.reports);
    const all = JSON.stringify([run.exports, run.reports, run.decisions, run.result]);
    for (const s of sides.values()) for (const m of [s.m, ...s.decoys]) {
      expect(all.includes(inline(m).slice(0, 16))).toBe(false);
      expect(all.includes(m.key.toString('hex').slice(0, 16))).toBe(false);
    }
  });
});
