/**
 * Scratch helpers for the SRTCP review: SRTCP senders for every suite the enforcer reads —
 * werift's SrtcpSession (AES_CM_128_HMAC_SHA1_80 profile 1, AEAD_AES_128_GCM profile 7) as the
 * independent oracle, and an AES-GCM sender written here from RFC 7714 §9/§17 (AES-256-GCM and
 * E=0, which werift does not produce) checked against werift where both apply.
 */
import { createCipheriv, randomBytes } from 'node:crypto';
import { SrtcpSession } from 'werift';
import { parseLines, replayLines, type ReplayLines, type Workspace } from '../e2e-helpers.js';
import type { PolicyFile } from '../../../src/policy/policy-file.js';
import { isRtcp, isSip, rewriteSdp, srtcp as cmSrtcp, type Master } from '../srtcp-helpers.js';
import { editSample, type Udp } from '../sample-edits.js';

export type SuiteName = 'AES_CM_128_HMAC_SHA1_80' | 'AES_CM_128_HMAC_SHA1_32' | 'AES_256_CM_HMAC_SHA1_80' | 'AEAD_AES_128_GCM' | 'AEAD_AES_256_GCM';

export const isGcm = (s: SuiteName) => s.startsWith('AEAD');
export const keyLen = (s: SuiteName) => (s.includes('256') ? 32 : 16);

export const master = (s: SuiteName): Master => ({ key: randomBytes(keyLen(s)), salt: randomBytes(isGcm(s) ? 12 : 14) });
export const inlineOf = (m: Master) => Buffer.concat([m.key, m.salt]).toString('base64');

function prf(m: Master, label: number, bytes: number): Buffer {
  const iv = Buffer.alloc(16);
  m.salt.copy(iv, 0); // a 12-byte GCM salt zero-padded to 14 (libsrtp, werift)
  iv[7]! ^= label;
  const c = createCipheriv(m.key.length === 16 ? 'aes-128-ctr' : 'aes-256-ctr', m.key, iv);
  return c.update(Buffer.alloc(bytes));
}

/** RFC 7714 §9, §17: header | ciphertext | 16-byte tag | E|index | MKI. */
export function gcmSrtcp(plain: Uint8Array, m: Master, index: number, o: { encrypt?: boolean; mki?: Buffer } = {}): Buffer {
  const encrypt = o.encrypt ?? true;
  const ke = prf(m, 3, m.key.length);
  const ks = prf(m, 5, 12);
  const p = Buffer.from(plain);
  const word = Buffer.alloc(4);
  word.writeUInt32BE(((encrypt ? 0x80000000 : 0) | (index & 0x7fffffff)) >>> 0);
  const iv = Buffer.alloc(12);
  p.copy(iv, 2, 4, 8);
  iv.writeUInt32BE(index & 0x7fffffff, 8);
  for (let i = 0; i < 12; i++) iv[i]! ^= ks[i]!;
  const c = createCipheriv(m.key.length === 16 ? 'aes-128-gcm' : 'aes-256-gcm', ke, iv);
  let out: Buffer;
  if (encrypt) {
    c.setAAD(Buffer.concat([p.subarray(0, 8), word]));
    const enc = Buffer.concat([c.update(p.subarray(8)), c.final()]);
    out = Buffer.concat([p.subarray(0, 8), enc, c.getAuthTag()]);
  } else {
    c.setAAD(Buffer.concat([p, word]));
    c.final();
    out = Buffer.concat([p, c.getAuthTag()]);
  }
  return Buffer.concat([out, word, o.mki ?? Buffer.alloc(0)]);
}

/** A sender: werift where it has the suite (encrypting, no MKI: the MKI is spliced in), else the review's own. */
export class Sender {
  private w: SrtcpSession | null;
  index = 0;
  constructor(
    readonly suite: SuiteName,
    readonly m: Master,
    readonly o: { encrypt?: boolean; mki?: Buffer; useWerift?: boolean } = {},
  ) {
    const profile = suite === 'AEAD_AES_128_GCM' ? 7 : suite === 'AES_CM_128_HMAC_SHA1_80' || suite === 'AES_CM_128_HMAC_SHA1_32' ? 1 : 0;
    this.w = profile !== 0 && (o.encrypt ?? true) && (o.useWerift ?? true) ? new SrtcpSession({ keys: { localMasterKey: m.key, localMasterSalt: m.salt, remoteMasterKey: m.key, remoteMasterSalt: m.salt }, profile }) : null;
  }
  /** werift's index per SSRC starts at 1: the review's own senders count per sender (one SSRC per side in the sample's RTCP) */
  send(plain: Uint8Array): Buffer {
    this.index++;
    const mki = this.o.mki ?? Buffer.alloc(0);
    if (this.w !== null) {
      const enc = this.w.encrypt(Buffer.from(plain));
      if (mki.length === 0) return enc;
      // AES-CM: the MKI between E|index and the tag; GCM: after E|index
      if (isGcm(this.suite)) return Buffer.concat([enc, mki]);
      return Buffer.concat([enc.subarray(0, enc.length - 10), mki, enc.subarray(enc.length - 10)]);
    }
    return isGcm(this.suite) ? gcmSrtcp(plain, this.m, this.index, this.o) : cmSrtcp(plain, this.m, this.index, this.o);
  }
}

export interface Keyed {
  /** the a=crypto line's body after the tag (`<suite> <key-params>`), for this side */
  line: (side: SideKeys) => string;
  /** the sender a side encrypts with */
  sender: (side: SideKeys) => Sender;
  /** the SDP profile: RTP/SAVP(F) by default */
  profile?: 'savp' | 'avp';
  /** each SRTCP datagram (given frame) rewritten or duplicated */
  rtcp?: (frame: number, u: Udp, packet: Buffer) => Udp | null;
  after?: (frame: number) => Udp[];
}

export interface SideKeys {
  ip: string;
  keys: Master[];
  sender?: Sender;
}

/** The sample with each side's RTCP sent as SRTCP and each side's a=crypto line in its SDP. */
export async function keyedCapture(ws: Workspace, name: string, suite: SuiteName, k: Keyed, keysPerSide = 1): Promise<string> {
  const sides = new Map<string, SideKeys>();
  const side = (ip: string) => {
    let s = sides.get(ip);
    if (s === undefined) {
      s = { ip, keys: Array.from({ length: keysPerSide }, () => master(suite)) };
      s.sender = k.sender(s);
      sides.set(ip, s);
    }
    return s;
  };
  return editSample(ws, name, {
    map: (frame, u) => {
      const s = side(u.src);
      if (isSip(u)) {
        const text = rewriteSdp(Buffer.from(u.payload).toString('latin1'), (body) => {
          const b = k.profile === 'avp' ? body : body.replace(/RTP\/AVP(F?)/g, 'RTP/SAVP$1');
          return b.replace(/(^|\r\n)(m=[^\r\n]*)/g, `$1$2\r\na=crypto:1 ${k.line(s)}`);
        });
        return text === null ? undefined : { ...u, payload: Buffer.from(text, 'latin1') };
      }
      if (!isRtcp(u.payload)) return undefined;
      const packet = s.sender!.send(u.payload);
      return k.rtcp ? k.rtcp(frame, u, packet) : { ...u, payload: packet };
    },
    ...(k.after && { after: k.after }),
  });
}

export async function runBoth(capture: string, policy: PolicyFile): Promise<[ReplayLines, ReplayLines]> {
  return [await replayLines({ capture, policy, workers: 0 }), await replayLines({ capture, policy, workers: 2 })];
}

export const typesOf = (r: ReplayLines) => parseLines<{ type: string }>(r.reports).map((x) => x.type);
