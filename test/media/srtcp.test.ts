/**
 * SRTCP decryption (src/media/srtcp.ts) against werift's SrtcpSession as the sender
 * (AES_CM_128_HMAC_SHA1_80), and the key derivation against RFC 3711 Appendix B.3.
 */
import { randomBytes } from 'node:crypto';
import { SrtcpSession } from 'werift';
import { describe, expect, it } from 'vitest';
import { decodeRtcpCompound } from '../../src/media/rtcp/compound.js';
import { decryptSrtcp, deriveSrtcpKeys, prf, SrtcpKeyCache, type SessionKeys } from '../../src/media/srtcp.js';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');

function sender(key: Buffer, salt: Buffer): SrtcpSession {
  return new SrtcpSession({ keys: { localMasterKey: key, localMasterSalt: salt, remoteMasterKey: key, remoteMasterSalt: salt }, profile: 1 });
}

function keysOf(key: Buffer, salt: Buffer, suite = 'AES_CM_128_HMAC_SHA1_80', tail = ''): SessionKeys {
  const derived = deriveSrtcpKeys({ suite, keyParams: `inline:${Buffer.concat([key, salt]).toString('base64')}${tail}` });
  if (typeof derived === 'string') throw new Error(derived);
  return derived;
}

const compound = (ssrc: number) =>
  Buffer.from(
    encodeRtcpCompound([
      { pt: 200, ssrc, ntpSec: 3900000000, ntpFrac: 1234, rtpTs: 160000, packetCount: 500, octetCount: 80000, reports: [{ ssrc: 0x1234, fractionLost: 3, cumulativeLost: 7, highestSeq: 70000, jitter: 42, lsr: 0, dlsr: 0 }] },
      { pt: 202, ssrc, chunks: [{ ssrc, items: [{ type: 1, text: 'alice@example.com' }] }] },
    ]),
  );

describe('the AES-CM PRF (RFC 3711 §4.3.3)', () => {
  it('derives RFC 3711 B.3 session keys (labels 0, 1, 2 of its master key and salt)', () => {
    const key = hex('E1F97A0D3E018BE0D64FA32C06DE4139');
    const salt = hex('0EC675AD498AFEEBB6960B3AABE6');
    expect(prf('aes-128-ctr', key, salt, 0, 16).toString('hex').toUpperCase()).toBe('C61E7A93744F39EE10734AFE3FF7A087');
    expect(prf('aes-128-ctr', key, salt, 2, 14).toString('hex').toUpperCase()).toBe('30CBBC08863D8C85D49DB34A9AE1');
    expect(prf('aes-128-ctr', key, salt, 1, 20).toString('hex').toUpperCase()).toBe('CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4');
  });
});

describe('decryptSrtcp', () => {
  const key = randomBytes(16);
  const salt = randomBytes(14);

  it("reads what werift's SrtcpSession encrypted, packet after packet (the index each carries)", () => {
    const s = sender(key, salt);
    for (let i = 0; i < 5; i++) {
      const plain = compound(0xabc00000 + i);
      const srtcp = s.encrypt(plain);
      expect(srtcp.length).toBe(plain.length + 4 + 10);
      expect(decodeRtcpCompound(srtcp, 0, srtcp.length).errors.length).toBeGreaterThan(0);
      const out = decryptSrtcp(srtcp, 0, srtcp.length, [keysOf(key, salt)]);
      expect(Buffer.from(out as Uint8Array).equals(plain)).toBe(true);
    }
  });

  it('AES_CM_128_HMAC_SHA1_32: the same, SRTCP keeping its 80-bit tag (RFC 4568 §6.2)', () => {
    const srtcp = sender(key, salt).encrypt(compound(7));
    expect(Buffer.from(decryptSrtcp(srtcp, 0, srtcp.length, [keysOf(key, salt, 'AES_CM_128_HMAC_SHA1_32')]) as Uint8Array).equals(compound(7))).toBe(true);
  });

  it('finds the key that authenticates it among several (the other side first), and inside a larger buffer', () => {
    const srtcp = sender(key, salt).encrypt(compound(8));
    const framed = Buffer.concat([Buffer.alloc(42, 0xee), srtcp, Buffer.alloc(3)]);
    const other = keysOf(randomBytes(16), randomBytes(14));
    expect(Buffer.from(decryptSrtcp(framed, 42, srtcp.length, [other, keysOf(key, salt)]) as Uint8Array).equals(compound(8))).toBe(true);
  });

  it('an MKI between the index and the tag (a=crypto inline:…|2^20|1:4): skipped, not authenticated (RFC 3711 §3.4)', () => {
    const srtcp = sender(key, salt).encrypt(compound(9));
    const withMki = Buffer.concat([srtcp.subarray(0, srtcp.length - 10), Buffer.from([0, 0, 0, 1]), srtcp.subarray(srtcp.length - 10)]);
    expect(Buffer.from(decryptSrtcp(withMki, 0, withMki.length, [keysOf(key, salt, undefined, '|2^20|1:4')]) as Uint8Array).equals(compound(9))).toBe(true);
  });

  it('no key that authenticates it, a flipped bit, too short: refused, never decrypted into noise', () => {
    const srtcp = sender(key, salt).encrypt(compound(10));
    expect(decryptSrtcp(srtcp, 0, srtcp.length, [keysOf(randomBytes(16), salt)])).toBe('no a=crypto key authenticates it');
    const flipped = Buffer.from(srtcp);
    flipped[12]! ^= 1;
    expect(decryptSrtcp(flipped, 0, flipped.length, [keysOf(key, salt)])).toBe('no a=crypto key authenticates it');
    expect(decryptSrtcp(srtcp, 0, 20, [keysOf(key, salt)])).toBe('no a=crypto key authenticates it');
    expect(decryptSrtcp(srtcp, 0, srtcp.length, [])).toBe('no usable key');
  });

  it("AEAD_AES_128_GCM (RFC 7714): reads what werift's SrtcpSession (profile 7, a 96-bit salt) encrypted; another key's packet is refused", () => {
    const gcmKey = randomBytes(16);
    const gcmSalt = randomBytes(12);
    const s = new SrtcpSession({ keys: { localMasterKey: gcmKey, localMasterSalt: gcmSalt, remoteMasterKey: gcmKey, remoteMasterSalt: gcmSalt }, profile: 7 });
    const keys = keysOf(gcmKey, gcmSalt, 'AEAD_AES_128_GCM');
    for (let i = 0; i < 3; i++) {
      const plain = compound(0x51000000 + i);
      const packet = s.encrypt(plain);
      expect(packet.length).toBe(plain.length + 16 + 4);
      expect(Buffer.from(decryptSrtcp(packet, 0, packet.length, [keysOf(key, salt), keys]) as Uint8Array).equals(plain)).toBe(true);
    }
    const other = keysOf(randomBytes(16), gcmSalt, 'AEAD_AES_128_GCM');
    const packet = s.encrypt(compound(1));
    expect(decryptSrtcp(packet, 0, packet.length, [other])).toBe('no a=crypto key authenticates it');
    const flipped = Buffer.from(packet);
    flipped[9]! ^= 1;
    expect(decryptSrtcp(flipped, 0, flipped.length, [keys])).toBe('no a=crypto key authenticates it');
  });

  it('keys that cannot be used say why', () => {
    expect(deriveSrtcpKeys({ suite: 'F8_128_HMAC_SHA1_80', keyParams: 'inline:AAAA' })).toBe('suite F8_128_HMAC_SHA1_80 is not read');
    expect(deriveSrtcpKeys({ suite: 'AEAD_AES_128_GCM', keyParams: `inline:${Buffer.alloc(30).toString('base64')}` })).toBe('an inline key of 30 bytes for AEAD_AES_128_GCM');
    expect(deriveSrtcpKeys({ suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: 'inline:AAAA' })).toBe('an inline key of 3 bytes for AES_CM_128_HMAC_SHA1_80');
    expect(deriveSrtcpKeys({ suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: 'uri:https://x' })).toBe('no inline key');
    const cache = new SrtcpKeyCache(2);
    const k = { suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: `inline:${Buffer.concat([key, salt]).toString('base64')}` };
    expect(cache.get(k)).toBe(cache.get({ ...k }));
    // bounded by count (the oldest goes) and by a key's text (a longer one is derived, not kept)
    const other = (n: number) => ({ ...k, keyParams: `${k.keyParams}|2^${n}` });
    const first = cache.get(k);
    cache.get(other(20));
    cache.get(other(21));
    expect(cache.get(k)).not.toBe(first);
    const long = { ...k, keyParams: `${k.keyParams}|${'9'.repeat(300)}` };
    expect(cache.get(long)).not.toBe(cache.get(long));
  });
});
