/**
 * decryptSrtcp (src/media/srtcp.ts) against the SRTCP known answers of RFC 7714 §17 — the only
 * oracle for AEAD_AES_256_GCM here (werift, the other tests' oracle, has AES-128-GCM only).
 *
 *   §17.1  SRTCP AEAD_AES_128_GCM, encryption (E = 1)
 *   §17.2  SRTCP AEAD_AES_256_GCM, verification and decryption (E = 1)
 *   §17.3  SRTCP AEAD_AES_128_GCM, tagging only (E = 0: the whole packet and E|index are AAD)
 *   §17.4  SRTCP AEAD_AES_256_GCM, tag verification only (E = 0)
 *
 * The hex is RFC 7714's (§16 for the key and salt, §17.1–17.4 for the packets), as copied
 * byte for byte in pion/srtp's srtp_cipher_aead_aes_gcm_rfc_test.go (commit ff1601d9, "RFC 7714,
 * Sections 16 and 17"); other copies of the RFC's vectors in public SRTP test suites agree on
 * every packet below (the §17.4 tag 91db4afb feee5a97 8fab4393 ed2615fe included).
 * Note: §17's preamble prints a slightly different RTCP packet than the one §17.1–17.4 actually
 * protect; the subsections are self-consistent and are what is used here.
 *
 * RFC 7714 gives the *session* key and salt (no KDF), so SessionKeys — an exported interface
 * whose fields are the session key, the session salt and the trailer lengths — is built here
 * directly, bypassing deriveSrtcpKeys (its a=crypto inline route would run the PRF on them).
 */
import { describe, expect, it } from 'vitest';
import { decryptSrtcp, deriveSrtcpKeys, type SessionKeys } from '../../src/media/srtcp.js';

const hex = (h: string) => Buffer.from(h.replace(/\s+/g, ''), 'hex');

// RFC 7714 §16 (and used by §17): the AEAD keys and the 96-bit salt "Quid pro quo"
const KEY_128 = hex('00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f');
const KEY_256 = hex(`00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f
                     10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f`);
const SALT = hex('51 75 69 64 20 70 72 6f 20 71 75 6f');

// RFC 7714 §17.1–17.4: the RTCP packet (an SR, SSRC "Mars"), 52 bytes, SRTCP index 0x5d4
const RTCP_PLAIN = hex(`81c8000d 4d617273 4e545031 4e545032
                        52545020 0000042a 0000e930 4c756e61
                        deadbeef deadbeef deadbeef deadbeef
                        deadbeef`);

// RFC 7714 §17.1: AEAD_AES_128_GCM, header | ciphertext | tag (16) | E=1|index
const SRTCP_128_ENCRYPTED = hex(`81c8000d 4d617273 63e94885 dcdab67c
                                 a727d766 2f6b7e99 7ff5c0f7 6c06f32d
                                 c676a5f1 730d6fda 4ce09b46 86303ded
                                 0bb9275b c84aa458 96cf4d2f c5abf872
                                 45d9eade 800005d4`);

// RFC 7714 §17.2: AEAD_AES_256_GCM, same layout
const SRTCP_256_ENCRYPTED = hex(`81c8000d 4d617273 d50ae4d1 f5ce5d30
                                 4ba297e4 7d470c28 2c3ece5d bffe0a50
                                 a2eaa5c1 110555be 8415f658 c61de047
                                 6f1b6fad 1d1eb30c 4446839f 57ff6f6c
                                 b26ac3be 800005d4`);

// RFC 7714 §17.3: AEAD_AES_128_GCM, tagged only: RTCP in clear | tag | E=0|index
const SRTCP_128_TAGGED = hex(`81c8000d 4d617273 4e545031 4e545032
                              52545020 0000042a 0000e930 4c756e61
                              deadbeef deadbeef deadbeef deadbeef
                              deadbeef 841dd968 3dd78ec9 2ae58790
                              125f62b3 000005d4`);

// RFC 7714 §17.4: AEAD_AES_256_GCM, tagged only
const SRTCP_256_TAGGED = hex(`81c8000d 4d617273 4e545031 4e545032
                              52545020 0000042a 0000e930 4c756e61
                              deadbeef deadbeef deadbeef deadbeef
                              deadbeef 91db4afb feee5a97 8fab4393
                              ed2615fe 000005d4`);

/** SessionKeys straight from a session key and salt (what deriveSrtcpKeys returns after its PRF). */
function sessionKeys(key: Buffer): SessionKeys {
  return {
    cipher: key.length === 16 ? 'aes-128-ctr' : 'aes-256-ctr',
    aead: true,
    encryption: key,
    auth: Buffer.alloc(0),
    salt: SALT,
    mkiBytes: 0,
    tagBytes: 16,
  };
}

const K128 = sessionKeys(KEY_128);
const K256 = sessionKeys(KEY_256);

const decrypt = (packet: Uint8Array, keys: readonly SessionKeys[]) => decryptSrtcp(packet, 0, packet.length, keys);
const asHex = (out: Uint8Array | string) => (typeof out === 'string' ? out : Buffer.from(out).toString('hex'));

const CASES = [
  { name: '§17.1 AEAD_AES_128_GCM, encrypted (E = 1)', packet: SRTCP_128_ENCRYPTED, keys: K128, other: K256 },
  { name: '§17.2 AEAD_AES_256_GCM, encrypted (E = 1)', packet: SRTCP_256_ENCRYPTED, keys: K256, other: K128 },
  { name: '§17.3 AEAD_AES_128_GCM, tagged only (E = 0)', packet: SRTCP_128_TAGGED, keys: K128, other: K256 },
  { name: '§17.4 AEAD_AES_256_GCM, tagged only (E = 0)', packet: SRTCP_256_TAGGED, keys: K256, other: K128 },
] as const;

describe('the hand-built SessionKeys are shaped as deriveSrtcpKeys shapes AEAD ones', () => {
  it.each([
    ['AEAD_AES_128_GCM', K128, 16],
    ['AEAD_AES_256_GCM', K256, 32],
  ] as const)('%s', (suite, built, keyBytes) => {
    const derived = deriveSrtcpKeys({ suite, keyParams: `inline:${Buffer.concat([Buffer.alloc(keyBytes, 7), Buffer.alloc(12, 9)]).toString('base64')}` });
    if (typeof derived === 'string') throw new Error(derived);
    expect(Object.keys(built).sort()).toEqual(Object.keys(derived).sort());
    expect({ cipher: built.cipher, aead: built.aead, mkiBytes: built.mkiBytes, tagBytes: built.tagBytes }).toEqual({
      cipher: derived.cipher,
      aead: derived.aead,
      mkiBytes: derived.mkiBytes,
      tagBytes: derived.tagBytes,
    });
    expect(built.encryption.length).toBe(derived.encryption.length);
    expect(built.salt.length).toBe(derived.salt.length);
    expect(built.auth.length).toBe(derived.auth.length);
  });
});

describe('decryptSrtcp on the RFC 7714 §17 SRTCP vectors', () => {
  it('the vectors are what they say: 52-byte RTCP + 16-byte tag + E|index 0x5d4', () => {
    for (const { packet } of CASES) expect(packet.length).toBe(RTCP_PLAIN.length + 16 + 4);
    expect(SRTCP_128_TAGGED.subarray(0, RTCP_PLAIN.length).equals(RTCP_PLAIN)).toBe(true);
    expect(SRTCP_256_TAGGED.subarray(0, RTCP_PLAIN.length).equals(RTCP_PLAIN)).toBe(true);
  });

  // encrypted, or authenticated only: the compound is returned once the tag verifies
  it.each(CASES)('$name: gives exactly the RFC plain RTCP', ({ packet, keys }) => {
    expect(asHex(decrypt(packet, [keys]))).toBe(RTCP_PLAIN.toString('hex'));
  });

  it.each(CASES)('$name: found after the other key length, and at an offset in a larger buffer', ({ packet, keys, other }) => {
    const framed = Buffer.concat([Buffer.alloc(13, 0xee), packet, Buffer.alloc(5, 0x11)]);
    expect(asHex(decryptSrtcp(framed, 13, packet.length, [other, keys]))).toBe(RTCP_PLAIN.toString('hex'));
  });

  it.each(CASES)('$name: the other key length does not authenticate it', ({ packet, other }) => {
    expect(decrypt(packet, [other])).toBe('no a=crypto key authenticates it');
  });

  // a flipped bit anywhere — header, payload (ciphertext or clear), tag, E flag, index — is refused
  it.each(CASES)('$name: any single flipped bit is refused (a string)', ({ packet, keys }) => {
    const refusedAt: number[] = [];
    for (let i = 0; i < packet.length; i++) {
      for (const bit of [0x01, 0x80]) {
        const flipped = Buffer.from(packet);
        flipped[i]! ^= bit;
        const out = decrypt(flipped, [keys]);
        if (typeof out === 'string') {
          expect(out).toBe('no a=crypto key authenticates it');
          refusedAt.push(i);
        }
      }
    }
    expect(refusedAt.length).toBe(packet.length * 2);
  });

  it('flipping the E flag alone (encrypted ↔ tagged-only reading) is refused for each vector', () => {
    for (const { packet, keys } of CASES) {
      const flipped = Buffer.from(packet);
      flipped[packet.length - 4]! ^= 0x80;
      expect(decrypt(flipped, [keys])).toBe('no a=crypto key authenticates it');
    }
  });
});
