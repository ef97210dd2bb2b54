/**
 * SRTCP (RFC 3711 §3.4) decrypted with keys the signaling carries in the clear: SDES-SRTP,
 * `a=crypto:<tag> <suite> inline:<key||salt>[|<lifetime>][|<MKI>:<length>]` (RFC 4568), for
 * the AES counter-mode suites — AES_CM_128_HMAC_SHA1_80 and _32 (SRTCP's tag is 80 bits with
 * both, RFC 4568 §6.2), AES_256_CM_HMAC_SHA1_80 and _32 (RFC 6188) — and the AEAD ones,
 * AEAD_AES_128_GCM and AEAD_AES_256_GCM (RFC 7714).
 *
 *   AES-CM: header (8 bytes, clear) | encrypted portion | E | SRTCP index (4) | MKI (0–n) | tag (10)
 *   GCM:    header (8 bytes, clear) | encrypted portion | tag (16) | E | SRTCP index (4) | MKI (0–n)
 *
 * Session keys come from the master key and salt through the AES-CM PRF (§4.3): labels 3
 * (encryption key), 4 (authentication key), 5 (salt), with r = 0 — or, where the line sets a key
 * derivation rate (`KDR=n`, RFC 4568 §6.3.1), r = SRTCP index DIV 2ⁿ (§4.3.1–4.3.2): the index
 * is read from E|index before the tag is checked (it is authenticated, not secret), and each key
 * keeps the keys of the last r it was used with. The tag is HMAC-SHA1
 * over the header, the encrypted portion and the E|index word, cut to 80 bits; it is checked
 * before anything is decrypted, so a wrong key (or another side's) is told apart from noise.
 * The payload is AES-CTR with IV = salt·2¹⁶ ⊕ SSRC·2⁶⁴ ⊕ index·2¹⁶. GCM (RFC 7714 §9, §11): a
 * 96-bit master salt (zero-padded to 112 bits for the same PRF, as libsrtp and werift do), the
 * IV 0x0000‖SSRC‖0x0000‖index ⊕ the session salt's first 12 bytes, the header and E|index as
 * associated data, the 16-byte GCM tag checked. Stateless per packet: the index travels in it.
 * (werift's SrtcpSession, the tests' oracle, would take ~0.3 s to load in each thread for what
 * node:crypto does here directly.) F8 is not read.
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual } from 'node:crypto';

/** One `a=crypto` key as the signaling gave it: the suite, the inline key parameter and the line's session parameters. */
export interface SrtcpKey {
  suite: string;
  /** one inline key-param: `inline:<base64 key||salt>[|lifetime][|MKI:length]` */
  keyParams: string;
  /** the line's session parameters as written (RFC 4568 §6.3: `KDR=n`, `UNENCRYPTED_SRTCP`, …); absent: none */
  sessionParams?: readonly string[];
}

interface Suite {
  keyBytes: 16 | 32;
  aead: boolean;
}

const SUITES: Record<string, Suite> = {
  AES_CM_128_HMAC_SHA1_80: { keyBytes: 16, aead: false },
  AES_CM_128_HMAC_SHA1_32: { keyBytes: 16, aead: false },
  AES_256_CM_HMAC_SHA1_80: { keyBytes: 32, aead: false },
  AES_256_CM_HMAC_SHA1_32: { keyBytes: 32, aead: false },
  AEAD_AES_128_GCM: { keyBytes: 16, aead: true },
  AEAD_AES_256_GCM: { keyBytes: 32, aead: true },
};

const SALT_BYTES = 14;
const AEAD_SALT_BYTES = 12;
const TAG_BYTES = 10;
const AEAD_TAG_BYTES = 16;
const LABEL_ENCRYPTION = 3;
const LABEL_AUTH = 4;
const LABEL_SALT = 5;
/**
 * KDR=n's n (RFC 4568 §6.3.1: a decimal integer from 1 to 24, no leading zero). KDR=0 is taken
 * too, as a single derivation: RFC 3711's rate 0, what stacks that write it (sdes4j, Jitsi) mean.
 * In any case, as every literal of the session parameters: RFC 4568 §9.2 writes them as ABNF
 * quoted strings, which RFC 5234 §2.3 makes case-insensitive (`kdr=5` is KDR=5).
 */
const KDR_PARAM = /^KDR=(0|[1-9]\d*)$/i;
const MAX_KDR = 24;
/**
 * The SRTP session parameters RFC 4568 §6.3 defines other than KDR, and the form of their value
 * (null: none). None changes how SRTCP is read: UNENCRYPTED_SRTCP shows in each packet's E flag,
 * SRTCP is authenticated whatever UNAUTHENTICATED_SRTP says (§6.3.3), UNENCRYPTED_SRTP, FEC_ORDER
 * and FEC_KEY concern SRTP, WSH the receiver's replay window.
 */
const OTHER_SESSION_PARAMS: ReadonlyMap<string, RegExp | null> = new Map([
  ['UNENCRYPTED_SRTCP', null],
  ['UNENCRYPTED_SRTP', null],
  ['UNAUTHENTICATED_SRTP', null],
  ['FEC_ORDER', /^(FEC_SRTP|SRTP_FEC)$/i],
  ['FEC_KEY', /^\S+$/],
  ['WSH', /^[1-9]\d*$/],
]);

/** The keys of one r (RFC 3711 §4.3.1). */
interface DerivedKeys {
  encryption: Buffer;
  /** AES-CM only */
  auth: Buffer;
  salt: Buffer;
}

export interface SessionKeys extends DerivedKeys {
  cipher: 'aes-128-ctr' | 'aes-256-ctr';
  /** GCM (RFC 7714) rather than AES-CM with HMAC-SHA1 */
  aead: boolean;
  mkiBytes: number;
  tagBytes: number;
  /** (the keys above are r = 0's) set where the line has KDR=n: the keys are derived again for each r */
  rederived?: Rederivation;
}

/** What the keys of any r are derived from, and the last r other than 0 a packet needed (most packets of a sender share it). */
interface Rederivation {
  /** n of KDR=n: r = SRTCP index DIV 2ⁿ */
  kdrLog2: number;
  masterKey: Buffer;
  masterSalt: Buffer;
  saltBytes: number;
  r: number;
  keys: DerivedKeys | null;
}

/** A key's session keys, or why it cannot be used. */
export function deriveSrtcpKeys(key: SrtcpKey): SessionKeys | string {
  const suite = SUITES[key.suite.toUpperCase()];
  if (suite === undefined) return `suite ${key.suite} is not read`;
  const kdrLog2 = keyDerivationRate(key.sessionParams ?? []);
  if (typeof kdrLog2 === 'string') return kdrLog2;
  const parts = key.keyParams.split('|');
  const inline = /^inline:([A-Za-z0-9+/=]+)$/i.exec(parts[0] ?? '');
  if (inline === null) return 'no inline key';
  const material = Buffer.from(inline[1]!, 'base64');
  const saltBytes = suite.aead ? AEAD_SALT_BYTES : SALT_BYTES;
  if (material.length !== suite.keyBytes + saltBytes) return `an inline key of ${material.length} bytes for ${key.suite}`;
  // [lifetime] then [MKI:length]: the one with a colon is the MKI
  const mki = parts.slice(1).find((p) => p.includes(':'));
  const mkiBytes = mki === undefined ? 0 : Number(mki.split(':')[1]);
  if (!Number.isInteger(mkiBytes) || mkiBytes < 0 || mkiBytes > 128) return 'a bad MKI length';
  const masterKey = material.subarray(0, suite.keyBytes);
  // a 96-bit AEAD salt is padded with zeros to the PRF's 112 bits
  const masterSalt = Buffer.concat([material.subarray(suite.keyBytes), Buffer.alloc(SALT_BYTES - saltBytes)]);
  const cipher = suite.keyBytes === 16 ? 'aes-128-ctr' : 'aes-256-ctr';
  const keys: SessionKeys = {
    cipher,
    aead: suite.aead,
    ...keysAt(cipher, suite.aead, masterKey, masterSalt, saltBytes, 0),
    mkiBytes,
    tagBytes: suite.aead ? AEAD_TAG_BYTES : TAG_BYTES,
  };
  // (a key without KDR has no other field: it is what it was before KDR was read)
  if (kdrLog2 !== null) keys.rederived = { kdrLog2, masterKey, masterSalt, saltBytes, r: 0, keys: null };
  return keys;
}

/**
 * The line's key derivation rate as n of 2ⁿ (null: not set, keys derived once), or why the line
 * cannot be used: RFC 4568 §6.3 — KDR=n with n from 1 to 24; an SRTP session parameter not
 * understood, or one whose value is not of its form, makes the line invalid (such an answer is
 * refused), except one whose name starts with "-" (§6.3.7: may be ignored).
 */
function keyDerivationRate(params: readonly string[]): number | null | string {
  let kdrLog2: number | null = null;
  let kdrSeen = false;
  for (const param of params) {
    if (param.startsWith('-')) continue;
    const kdr = KDR_PARAM.exec(param);
    if (kdr !== null && Number(kdr[1]) <= MAX_KDR && !kdrSeen) {
      kdrSeen = true;
      if (kdr[1] !== '0') kdrLog2 = Number(kdr[1]);
      continue;
    }
    const eq = param.indexOf('=');
    const name = eq < 0 ? param : param.slice(0, eq);
    // (the name only: FEC_KEY's value is a key)
    const upperName = name.toUpperCase();
    if (upperName === 'KDR') return `a bad session parameter ${param.length <= 16 ? param : 'KDR'} (RFC 4568 §6.3.1: KDR=1 to KDR=24 — 0 read as none —, once)`;
    const form = OTHER_SESSION_PARAMS.get(upperName);
    if (form === undefined) return `an unknown session parameter ${name.length <= 32 ? name : `${name.slice(0, 32)}…`} (RFC 4568 §6.3)`;
    if (form === null ? eq >= 0 : eq < 0 || !form.test(param.slice(eq + 1))) return `a bad session parameter ${name} (RFC 4568 §6.3)`;
  }
  return kdrLog2;
}

/** The SRTCP keys of one r (RFC 3711 §4.3.1–4.3.2). */
function keysAt(cipher: 'aes-128-ctr' | 'aes-256-ctr', aead: boolean, masterKey: Buffer, masterSalt: Buffer, saltBytes: number, r: number): DerivedKeys {
  return {
    encryption: prf(cipher, masterKey, masterSalt, LABEL_ENCRYPTION, masterKey.length, r),
    auth: aead ? Buffer.alloc(0) : prf(cipher, masterKey, masterSalt, LABEL_AUTH, 20, r),
    salt: prf(cipher, masterKey, masterSalt, LABEL_SALT, saltBytes, r),
  };
}

/** The keys of the r the SRTCP index `index` falls in under `k`: derived where it is not r = 0 nor the last r. */
function keysFor(k: SessionKeys, index: number): DerivedKeys {
  const re = k.rederived;
  if (re === undefined) return k;
  const r = index >>> re.kdrLog2; // the index is 31 bits
  if (r === 0) return k;
  if (re.keys === null || re.r !== r) {
    re.keys = keysAt(k.cipher, k.aead, re.masterKey, re.masterSalt, re.saltBytes, r);
    re.r = r;
  }
  return re.keys;
}

/**
 * The AES-CM PRF of RFC 3711 §4.3.3: the keystream at IV x·2¹⁶, `bytes` long, where x = key_id ⊕
 * master salt and key_id = label ‖ r (r 48 bits: the label at byte 7, r at bytes 8–13).
 */
export function prf(cipher: 'aes-128-ctr' | 'aes-256-ctr', masterKey: Uint8Array, masterSalt: Uint8Array, label: number, bytes: number, r = 0): Buffer {
  const iv = Buffer.alloc(16);
  iv.set(masterSalt, 0);
  iv[7]! ^= label;
  if (r !== 0) {
    const rBytes = Buffer.alloc(6);
    rBytes.writeUIntBE(r, 0, 6);
    for (let i = 0; i < 6; i++) iv[8 + i]! ^= rBytes[i]!;
  }
  const c = createCipheriv(cipher, masterKey, iv);
  return c.update(Buffer.alloc(bytes));
}

/** The shortest SRTCP packet: a header and the sender's SSRC (8 bytes), E|index, an 80-bit tag (RFC 3711 §3.4; DTLS-SRTP's profiles, RFC 5764 §4.1.2, all tag SRTCP with 80 bits or more). */
const MIN_SRTCP_BYTES = 8 + 4 + 10;

/**
 * Whether a compound of `len` bytes that no key authenticated may be SRTCP all the same: with no
 * usable key (DTLS-SRTP), where it is long enough to be; with keys, only where one of them
 * would leave whole 32-bit words before its trailer (E|index, MKI, tag) — plain RTCP is whole
 * words (RFC 3550 §6.4.1), so a plain compound is not taken for SRTCP by its length alone.
 */
export function maybeSrtcp(len: number, keys: readonly SessionKeys[]): boolean {
  if (keys.length === 0) return len >= MIN_SRTCP_BYTES;
  for (const k of keys) {
    const compound = compoundLength(len, k);
    if (compound >= 8 && compound % 4 === 0) return true;
  }
  return false;
}

/** The RTCP compound's length in an SRTCP packet of `len` bytes under `k`: what precedes E|index, MKI and tag. */
function compoundLength(len: number, k: SessionKeys): number {
  return len - k.tagBytes - k.mkiBytes - 4;
}

/** A key's identity: its suite, its key-params and its line's session parameters, as the signaling gave them. */
export const srtcpKeyId = (key: SrtcpKey): string => (key.sessionParams === undefined || key.sessionParams.length === 0 ? `${key.suite} ${key.keyParams}` : `${key.suite} ${key.keyParams} ${key.sessionParams.join(' ')}`);

/**
 * The plain compound of an SRTCP packet, or why not (no key whose tag authenticates it, too
 * short for any being told so too). `keys`: the candidates (both sides' a=crypto keys, the
 * dialog's former ones: the sender's is the one that authenticates).
 */
export function decryptSrtcp(bytes: Uint8Array, off: number, len: number, keys: readonly SessionKeys[]): Uint8Array | string {
  for (const k of keys) {
    const compound = compoundLength(len, k);
    if (compound < 8) continue;
    // E|index: after the compound (AES-CM), after the GCM tag (RFC 7714 §9.1)
    const wordAt = off + compound + (k.aead ? k.tagBytes : 0);
    const word = ((bytes[wordAt]! << 24) | (bytes[wordAt + 1]! << 16) | (bytes[wordAt + 2]! << 8) | bytes[wordAt + 3]!) >>> 0;
    const keys = keysFor(k, word & 0x7fffffff);
    if (k.aead) {
      const plain = openGcm(bytes, off, compound, k, keys);
      if (plain !== null) return plain;
      continue;
    }
    const authenticated = bytes.subarray(off, off + compound + 4);
    const tag = bytes.subarray(off + len - TAG_BYTES, off + len);
    const expected = createHmac('sha1', keys.auth).update(authenticated).digest().subarray(0, TAG_BYTES);
    if (!timingSafeEqual(expected, tag)) continue;
    const out = new Uint8Array(compound);
    out.set(bytes.subarray(off, off + 8), 0);
    const body = bytes.subarray(off + 8, off + compound);
    if (word >>> 31 === 0) {
      // E clear: authenticated only (UNENCRYPTED_SRTCP)
      out.set(body, 8);
      return out;
    }
    const iv = Buffer.alloc(16);
    iv.set(keys.salt, 0);
    for (let i = 0; i < 4; i++) {
      iv[4 + i]! ^= bytes[off + 4 + i]!; // SSRC·2⁶⁴
      iv[10 + i]! ^= i === 0 ? (word >>> 24) & 0x7f : (word >>> (24 - 8 * i)) & 0xff; // index·2¹⁶
    }
    out.set(createCipheriv(k.cipher, keys.encryption, iv).update(body), 8);
    return out;
  }
  return keys.length === 0 ? 'no usable key' : 'no a=crypto key authenticates it';
}

/** An AEAD SRTCP packet whose compound is `compound` bytes (RFC 7714 §9.1–9.3), or null when its tag does not verify. */
function openGcm(bytes: Uint8Array, off: number, compound: number, k: SessionKeys, keys: DerivedKeys): Uint8Array | null {
  const wordAt = off + compound + k.tagBytes;
  const word = bytes.subarray(wordAt, wordAt + 4);
  const encrypted = (word[0]! & 0x80) !== 0;
  const iv = Buffer.alloc(AEAD_SALT_BYTES);
  iv.set(bytes.subarray(off + 4, off + 8), 2); // SSRC
  iv.set(word, 8);
  iv[8]! &= 0x7f; // the index, without E
  for (let i = 0; i < AEAD_SALT_BYTES; i++) iv[i]! ^= keys.salt[i]!;
  const decipher = createDecipheriv(k.cipher === 'aes-128-ctr' ? 'aes-128-gcm' : 'aes-256-gcm', keys.encryption, iv);
  // E set: the header and E|index are authenticated, the rest encrypted; E clear: all of it authenticated only
  decipher.setAAD(Buffer.concat([bytes.subarray(off, off + (encrypted ? 8 : compound)), word]));
  decipher.setAuthTag(bytes.subarray(off + compound, off + compound + k.tagBytes));
  const out = new Uint8Array(compound);
  out.set(bytes.subarray(off, off + (encrypted ? 8 : compound)), 0);
  try {
    if (encrypted) out.set(Buffer.concat([decipher.update(bytes.subarray(off + 8, off + compound)), decipher.final()]), 8);
    else decipher.final();
  } catch {
    return null;
  }
  return out;
}

/** Session keys by key text, derived once per key (bounded: keys come and go with calls; a KDR key's last r's keys kept with it). */
export class SrtcpKeyCache {
  private readonly keys = new Map<string, SessionKeys | string>();

  constructor(private readonly max = 4096) {}

  get(key: SrtcpKey): SessionKeys | string {
    const id = srtcpKeyId(key);
    // no key's text is this long (AES-256 inline, lifetime, MKI, session parameters): not kept, whatever it is
    if (id.length > 256) return deriveSrtcpKeys(key);
    let derived = this.keys.get(id);
    if (derived === undefined) {
      derived = deriveSrtcpKeys(key);
      if (this.keys.size >= this.max) this.keys.delete(this.keys.keys().next().value!);
      this.keys.set(id, derived);
    }
    return derived;
  }
}
