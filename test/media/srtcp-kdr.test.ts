/**
 * SRTCP with a key derivation rate (a=crypto `KDR=n`, RFC 4568 §6.3.1): session keys derived
 * again for r = SRTCP index DIV 2ⁿ (RFC 3711 §4.3.1–4.3.2). Checked against werift's
 * SrtcpSession, which derives with r = 0 only: x = (label ‖ r) ⊕ master salt, so werift given
 * the master salt ⊕ r (r at bytes 8–13) derives what the sender derives for that r — and its PRF
 * is werift's own (AES-ECB blocks), not this module's. The PRF with r is also checked against a
 * derivation written here from §4.3.1/§4.3.3 (AES-ECB of x·2¹⁶ + i, i = 0, 1, …).
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { SrtcpSession } from 'werift';
import { describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { decryptSrtcp, deriveSrtcpKeys, prf, SrtcpKeyCache, srtcpKeyId, type SessionKeys, type SrtcpKey } from '../../src/media/srtcp.js';
import { parseSdp } from '../../src/signaling/sdp.js';

const compound = (ssrc: number, n = 0) =>
  Buffer.from(
    encodeRtcpCompound([
      { pt: 200, ssrc, ntpSec: 3900000000 + n, ntpFrac: 1234, rtpTs: 160000 + n, packetCount: 500 + n, octetCount: 80000, reports: [] },
      { pt: 202, ssrc, chunks: [{ ssrc, items: [{ type: 1, text: 'alice@example.com' }] }] },
    ]),
  );

/** The master salt as the PRF takes it (14 bytes: a 96-bit GCM salt zero-padded) ⊕ r at bytes 8–13. */
function saltWithR(salt: Buffer, r: number): Buffer {
  const x = Buffer.concat([salt, Buffer.alloc(14 - salt.length)]);
  const rBytes = Buffer.alloc(6);
  rBytes.writeUIntBE(r, 0, 6);
  for (let i = 0; i < 6; i++) x[8 + i]! ^= rBytes[i]!;
  return x;
}

/** werift's SRTCP of `plain` at SRTCP index `index` under KDR=kdrLog2 (profile 1: AES_CM_128_HMAC_SHA1_80, 7: AEAD_AES_128_GCM). */
function weriftAt(plain: Buffer, key: Buffer, salt: Buffer, profile: 1 | 7, kdrLog2: number, index: number): Buffer {
  const s = saltWithR(salt, Math.floor(index / 2 ** kdrLog2));
  const session = new SrtcpSession({ keys: { localMasterKey: key, localMasterSalt: s, remoteMasterKey: key, remoteMasterSalt: s }, profile });
  // werift counts before it encrypts
  session.localContext.setIndex(plain.readUInt32BE(4), index - 1);
  const out = session.encrypt(plain);
  const word = profile === 1 ? out.readUInt32BE(out.length - 14) : out.readUInt32BE(out.length - 4);
  expect(word & 0x7fffffff).toBe(index);
  return out;
}

function keysOf(suite: string, key: Buffer, salt: Buffer, sessionParams?: string[]): SessionKeys {
  const derived = deriveSrtcpKeys({ suite, keyParams: `inline:${Buffer.concat([key, salt]).toString('base64')}`, ...(sessionParams ? { sessionParams } : {}) });
  if (typeof derived === 'string') throw new Error(derived);
  return derived;
}

/** RFC 3711 §4.3.1 and §4.3.3, written apart from srtcp.ts: AES-ECB of (x·2¹⁶ + i), x = (label ‖ r) ⊕ master salt. */
function independentPrf(masterKey: Buffer, masterSalt: Buffer, label: number, r: number, bytes: number): Buffer {
  const keyId = Buffer.alloc(7);
  keyId[0] = label;
  keyId.writeUIntBE(r, 1, 6);
  const x = Buffer.from(masterSalt);
  // right-aligned: key_id's last byte against the salt's last
  for (let i = 0; i < 7; i++) x[14 - 7 + i]! ^= keyId[i]!;
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 16 < bytes; i++) {
    const input = Buffer.concat([x, Buffer.from([i >> 8, i & 0xff])]);
    const ecb = createCipheriv(masterKey.length === 16 ? 'aes-128-ecb' : 'aes-256-ecb', masterKey, null);
    ecb.setAutoPadding(false);
    blocks.push(ecb.update(input));
  }
  return Buffer.concat(blocks).subarray(0, bytes);
}

describe('the AES-CM PRF with r (RFC 3711 §4.3.1)', () => {
  it.each([16, 32])('agrees with a derivation written from the RFC, r from 0 to 2⁴⁷ (%i-byte master key)', (keyBytes) => {
    const key = randomBytes(keyBytes);
    const salt = randomBytes(14);
    const cipher = keyBytes === 16 ? 'aes-128-ctr' : 'aes-256-ctr';
    for (const r of [0, 1, 2, 255, 256, 0x12345, 2 ** 31 - 1, 2 ** 47 + 3]) {
      for (const [label, bytes] of [[3, keyBytes], [4, 20], [5, 14]] as const) {
        expect(prf(cipher, key, salt, label, bytes, r).toString('hex')).toBe(independentPrf(key, salt, label, r, bytes).toString('hex'));
      }
    }
  });
});

describe('decryptSrtcp with KDR=n', () => {
  const suites = [
    { suite: 'AES_CM_128_HMAC_SHA1_80', profile: 1, saltBytes: 14 },
    { suite: 'AEAD_AES_128_GCM', profile: 7, saltBytes: 12 },
  ] as const;

  for (const { suite, profile, saltBytes } of suites) {
    it.each([1, 4, 24])(`${suite}, KDR=%i: reads what werift protected with the keys of each r, indexes across several r`, (kdrLog2) => {
      const key = randomBytes(16);
      const salt = randomBytes(saltBytes);
      const keys = keysOf(suite, key, salt, [`KDR=${kdrLog2}`]);
      const once = keysOf(suite, key, salt);
      const indexes = [1, 2, 3, 5, 16, 17, 40, 2 ** 24 - 1, 2 ** 24, 2 ** 24 + 1, 2 ** 31 - 1];
      for (const [n, index] of indexes.entries()) {
        const plain = compound(0x5e000000 + n, n);
        const packet = weriftAt(plain, key, salt, profile, kdrLog2, index);
        expect(Buffer.from(decryptSrtcp(packet, 0, packet.length, [keys]) as Uint8Array).equals(plain)).toBe(true);
        // the same key without KDR reads r = 0 only
        const r = Math.floor(index / 2 ** kdrLog2);
        if (r === 0) expect(Buffer.from(decryptSrtcp(packet, 0, packet.length, [once]) as Uint8Array).equals(plain)).toBe(true);
        else expect(decryptSrtcp(packet, 0, packet.length, [once])).toBe('no a=crypto key authenticates it');
      }
    });
  }

  it("a packet protected without re-derivation past r = 0 is refused by the KDR key (its tag, not noise)", () => {
    const key = randomBytes(16);
    const salt = randomBytes(14);
    const packet = weriftAt(compound(9), key, salt, 1, 24, 4);
    const kdr1 = keysOf('AES_CM_128_HMAC_SHA1_80', key, salt, ['KDR=1']);
    expect(decryptSrtcp(packet, 0, packet.length, [kdr1])).toBe('no a=crypto key authenticates it');
  });

  it("keeps the last r's keys: derived again only when r changes", () => {
    const key = randomBytes(16);
    const salt = randomBytes(14);
    const keys = keysOf('AES_CM_128_HMAC_SHA1_80', key, salt, ['KDR=2']);
    const read = (index: number) => {
      const p = weriftAt(compound(3, index), key, salt, 1, 2, index);
      expect(decryptSrtcp(p, 0, p.length, [keys])).not.toBeTypeOf('string');
    };
    read(9); // r = 2
    const kept = keys.rederived?.keys;
    expect(keys.rederived?.r).toBe(2);
    read(10);
    read(11);
    expect(keys.rederived?.keys).toBe(kept);
    read(2); // r = 0: the keys derived at first, the last r's kept
    expect(keys.rederived?.keys).toBe(kept);
    read(12); // r = 3
    expect(keys.rederived?.r).toBe(3);
    expect(keys.rederived?.keys).not.toBe(kept);
  });

  it('a key without KDR is shaped as before (no re-derivation state)', () => {
    const keys = keysOf('AES_CM_128_HMAC_SHA1_80', randomBytes(16), randomBytes(14), ['UNENCRYPTED_SRTCP']);
    expect('rederived' in keys).toBe(false);
  });
});

describe('session parameters (RFC 4568 §6.3)', () => {
  const key = (sessionParams: string[]): SrtcpKey => ({ suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: `inline:${randomBytes(30).toString('base64')}`, sessionParams });
  const why = (sessionParams: string[]) => {
    const derived = deriveSrtcpKeys(key(sessionParams));
    return typeof derived === 'string' ? derived : 'usable';
  };

  it('KDR=1 to KDR=24, and the parameters that do not change SRTCP, are usable', () => {
    for (const p of [['KDR=1'], ['KDR=24'], ['UNENCRYPTED_SRTCP', 'UNENCRYPTED_SRTP', 'UNAUTHENTICATED_SRTP'], ['FEC_ORDER=FEC_SRTP', 'FEC_ORDER=SRTP_FEC'], ['WSH=64', 'KDR=3'], ['FEC_KEY=inline:AAAA|2^20|1:4']]) {
      expect(why(p)).toBe('usable');
    }
  });

  it('a parameter named with "-" first may be ignored (§6.3.7)', () => {
    expect(why(['-FUTURE_PARAM=7', 'KDR=2'])).toBe('usable');
  });

  it('a KDR out of 0..24, with a leading zero, not a number, or twice: the line cannot be used, and says why', () => {
    const text = (p: string) => `a bad session parameter ${p} (RFC 4568 §6.3.1: KDR=1 to KDR=24 — 0 read as none —, once)`;
    for (const p of ['KDR=25', 'KDR=01', 'KDR=x', 'KDR=', 'KDR']) expect(why([p])).toBe(text(p));
    expect(why(['KDR=1', 'KDR=2'])).toBe(text('KDR=2'));
    expect(why(['KDR=0', 'KDR=0'])).toBe(text('KDR=0'));
  });

  it('KDR=0 (written by sdes4j and Jitsi) is a single derivation, as no KDR is', () => {
    expect(why(['KDR=0'])).toBe('usable');
    const material = randomBytes(30).toString('base64');
    const derive = (sessionParams: string[]) => deriveSrtcpKeys({ suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: `inline:${material}`, sessionParams });
    expect(derive(['KDR=0'])).toEqual(derive([]));
  });

  it('an unknown parameter, or a known one not of its form: the line cannot be used (its value never echoed)', () => {
    expect(why(['FOO=bar'])).toBe('an unknown session parameter FOO (RFC 4568 §6.3)');
    expect(why(['FEC_ORDER=BOTH'])).toBe('a bad session parameter FEC_ORDER (RFC 4568 §6.3)');
    expect(why(['WSH=many'])).toBe('a bad session parameter WSH (RFC 4568 §6.3)');
    expect(why(['UNENCRYPTED_SRTCP=1'])).toBe('a bad session parameter UNENCRYPTED_SRTCP (RFC 4568 §6.3)');
  });

  it("a key's identity holds its session parameters: the same key with another KDR is another key", () => {
    const k = key([]);
    const withKdr = { ...k, sessionParams: ['KDR=4'] };
    expect(srtcpKeyId(k)).not.toBe(srtcpKeyId(withKdr));
    const cache = new SrtcpKeyCache();
    const a = cache.get(k);
    const b = cache.get(withKdr);
    expect(a).not.toBe(b);
    expect(cache.get(withKdr)).toBe(b);
  });

  it('the SDP parser keeps every session parameter of an a=crypto line (sdp-transform keeps the first)', () => {
    const sdp = [
      'v=0',
      'o=- 1 1 IN IP4 10.0.0.1',
      's=-',
      'c=IN IP4 10.0.0.1',
      't=0 0',
      'm=audio 4000 RTP/SAVP 0',
      'a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4 KDR=3  UNENCRYPTED_SRTCP',
      'a=crypto:2 AES_CM_128_HMAC_SHA1_32 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz',
      '',
    ].join('\r\n');
    const crypto = parseSdp(sdp).sdp.media[0]?.crypto;
    expect(crypto).toEqual([
      { tag: 1, suite: 'AES_CM_128_HMAC_SHA1_80', keyParams: 'inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz|2^20|1:4', sessionParams: ['KDR=3', 'UNENCRYPTED_SRTCP'] },
      { tag: 2, suite: 'AES_CM_128_HMAC_SHA1_32', keyParams: 'inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz' },
    ]);
    expect('sessionParams' in crypto![1]!).toBe(false);
  });
});
