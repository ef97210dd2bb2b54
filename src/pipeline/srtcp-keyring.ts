/**
 * What the signaling says of SRTCP, kept event by event: which transports are secure and the
 * a=crypto session keys to try on a compound there (the dialog's scope in force, its pending
 * offer, the keys earlier scopes had), and the keys of ended dialogs' senders (EndedSrtcpKeys).
 *
 * Every shard's core keeps one (MediaCore), and so does the main thread (replay-engine.ts), fed
 * the same events in the same order: the main thread notes the SDES tags of unbound RTCP as the
 * core will read it (unbound-tags.ts), and an ended dialog's sender's SRTCP is read, off every
 * transport, as its plain copy would be — so the main thread decrypts it too.
 */
import type { TransportEntry, TransportMap } from '../binding/transport-map.js';
import type { DialogScope, SectionScope } from '../binding/types.js';
import { isRtcpPacketType } from '../media/demux.js';
import { decodeRtcpCompound, walkRtcpCompound } from '../media/rtcp/compound.js';
import type { RtcpCompound } from '../media/rtcp/types.js';
import { decryptSrtcp, maybeSrtcp, type SessionKeys, type SrtcpKey, SrtcpKeyCache, srtcpKeyId } from '../media/srtcp.js';
import { EndedSrtcpKeys } from './ended-srtcp-keys.js';

/** What a transport's signaling says of SRTCP: nothing, a=crypto keys on a plain profile (best-effort SRTP), a secure profile. */
export const Srtcp = { NO: 0, KEYS: 1, PROFILE: 2 } as const;
export type Srtcp = (typeof Srtcp)[keyof typeof Srtcp];

export class SrtcpKeyring {
  /** a=crypto keys' SRTCP session keys, derived once per key */
  private readonly cache = new SrtcpKeyCache();
  /** per dialog, keys its earlier scopes had and its scope has not (scopeChanged) */
  private readonly former = new Map<string, SrtcpKey[]>();
  /** the SRTCP keys of ended dialogs' senders, for a late compound (dialogEnded) */
  private readonly ended = new EndedSrtcpKeys();

  /** `scopeOf`: the scope in force per dialog key, as the holder keeps it. */
  constructor(private readonly scopeOf: (dialogKey: string) => DialogScope | undefined) {}

  /** The m-sections a transport entry names, in its dialog's scope and in the offer it awaits the answer to. */
  sectionsOf(entry: TransportEntry): SectionScope[] {
    const sections: SectionScope[] = [];
    const scope = this.scopeOf(entry.dialogKey);
    for (const s of [scope, scope?.pending]) {
      if (s === undefined || s === null) continue;
      for (let i = 0; i < entry.sections.length; i++) {
        const section = sectionAt(s, entry.sections[i]!);
        if (section !== undefined) sections.push(section);
      }
    }
    return sections;
  }

  /** Whether the transport's m-sections (`sections`: sectionsOf) are secure RTP (RTP/SAVP…), or carry a=crypto keys on a plain profile. */
  on(entry: TransportEntry, sections: readonly SectionScope[]): Srtcp {
    let found: Srtcp = this.former.has(entry.dialogKey) ? Srtcp.KEYS : Srtcp.NO;
    for (const section of sections) {
      if (section.srtp) return Srtcp.PROFILE;
      if (section.srtcpKeys.length > 0) found = Srtcp.KEYS;
    }
    return found;
  }

  /** The session keys of the a=crypto lines the transport's m-sections (`sections`) carry, then the dialog's former keys. */
  keysOf(entry: TransportEntry, sections: readonly SectionScope[]): SessionKeys[] {
    const keys: SessionKeys[] = [];
    const add = (key: SrtcpKey) => {
      const derived = this.cache.get(key);
      if (typeof derived !== 'string' && !keys.includes(derived)) keys.push(derived);
    };
    for (const section of sections) for (const key of section.srtcpKeys) add(key);
    for (const key of this.former.get(entry.dialogKey) ?? []) add(key);
    return keys;
  }

  /** Why an SRTCP transport has no key to try: none signaled (DTLS-SRTP), or none of a suite read here. */
  noKeys(sections: readonly SectionScope[]): string {
    for (const section of sections) {
      const key = section.srtcpKeys[0];
      const derived = key === undefined ? undefined : this.cache.get(key);
      if (typeof derived === 'string') return `its a=crypto key cannot be used: ${derived}`;
    }
    return 'no a=crypto key in the signaling (DTLS-SRTP keys are not seen)';
  }

  /**
   * A dialog's new scope, `previous` the one it replaces: the keys the previous one had and this
   * one has not stay candidates (the last 8), for SRTCP a sender keyed before it saw the answer
   * that re-keyed the call. Called before the holder files `next`.
   */
  scopeChanged(key: string, previous: DialogScope, next: DialogScope): void {
    const now = new Set(keysOfScope(next).map(srtcpKeyId));
    // by key id, in the order first kept: the former ones, then the previous scope's new to them
    const former = new Map<string, SrtcpKey>();
    for (const k of [...(this.former.get(key) ?? []), ...keysOfScope(previous)]) {
      const id = srtcpKeyId(k);
      if (!now.has(id) && !former.has(id)) former.set(id, k);
    }
    if (former.size === 0) this.former.delete(key);
    else this.former.set(key, [...former.values()].slice(-8));
  }

  /** An early dialog confirmed under another key: its former keys go with it. */
  rekeyed(from: string, to: string): void {
    const former = this.former.get(from);
    this.former.delete(from);
    if (former !== undefined) this.former.set(to, former);
  }

  /**
   * The dialog ended: its senders' SRTCP keys are kept by their addresses (EndedSrtcpKeys), read
   * from `transports` and the holder's scope, both as they stood — called before either lets go.
   */
  dialogEnded(dialogKey: string, ts: number, transports: TransportMap): void {
    for (const [address, entry] of transports.ownedEntries(dialogKey)) {
      const sections = this.sectionsOf(entry);
      const srtcp = this.on(entry, sections);
      if (srtcp === Srtcp.NO) continue;
      const keys = this.keysOf(entry, sections);
      if (keys.length > 0) this.ended.keep(address, keys, ts, srtcp === Srtcp.PROFILE);
    }
    this.former.delete(dialogKey);
  }

  /** Whether any ended dialog's sender's keys are kept. */
  get endedSenders(): number {
    return this.ended.size;
  }

  /**
   * The plaintext of an SRTCP compound from an ended dialog's sender at `address`
   * (senderAddress), decrypted with its kept keys; null when none fits.
   */
  afterEnd(address: number | string, ts: number, bytes: Uint8Array, off: number, len: number): Uint8Array | null {
    const plain = this.decrypt(bytes, off, len, NO_KEYS, ts, address);
    return typeof plain === 'string' ? null : plain;
  }

  /**
   * Whether a compound the snap length cut (`cut` bytes not captured), from an ended dialog's
   * sender at `address` whose transport was a secure profile, is SRTCP that cannot be read: its
   * tag is not in the capture, and read as plain its encrypted rest is noise. So on the call's own
   * transport (MediaCore.readRtcp), where it is reported cut and not read: a compound that chains
   * as RTCP is read as plain, as there.
   */
  cutAfterEnd(address: number | string, ts: number, bytes: Uint8Array, off: number, len: number, cut: number): boolean {
    if (cut === 0 || this.ended.size === 0) return false;
    const keys = this.ended.of(address, ts, true);
    return keys !== undefined && !capturedChainsAsRtcp(bytes, off, len) && maybeSrtcp(len + cut, keys);
  }

  /**
   * The plaintext MediaCore.readRtcp reads of a compound a dialog routes on `entry`'s transport:
   * one that may be encrypted (mayBeEncrypted), on a transport with SRTCP keys, decrypted with a
   * key whose tag authenticates it (decrypt: the kept keys of its sender's ended dialogs too);
   * null where the compound is read as it is, or not at all.
   */
  plaintextOn(entry: TransportEntry, bytes: Uint8Array, off: number, len: number, cut: number, ts: number, address: number | string): Uint8Array | null {
    if (cut > 0 || !mayBeEncrypted(decodeRtcpCompound(bytes, off, len, 0), bytes, off, len, 0)) return null;
    const sections = this.sectionsOf(entry);
    // (on a plain transport, the kept keys of an ended dialog's sender alone: MediaCore.readRtcp)
    const srtcp = this.on(entry, sections);
    if (srtcp === Srtcp.NO && this.ended.size === 0) return null;
    const plain = this.decrypt(bytes, off, len, srtcp === Srtcp.NO ? NO_KEYS : this.keysOf(entry, sections), ts, address);
    return typeof plain === 'string' ? null : plain;
  }

  /**
   * A routed compound decrypted with its transport's `keys`, else with the kept keys of its
   * sender's ended dialogs at `address` (senderAddress; ignored while none are kept): a new call
   * routing the address within their grace gets the RTCP BYE its sender sent for the call before,
   * read as its plain copy would be. The plaintext, or why the transport's keys do not fit.
   */
  decrypt(bytes: Uint8Array, off: number, len: number, keys: readonly SessionKeys[], ts: number, address: number | string): Uint8Array | string {
    const plain = decryptSrtcp(bytes, off, len, keys);
    if (typeof plain !== 'string' || this.ended.size === 0) return plain;
    const kept = this.ended.of(address, ts)?.filter((k) => !keys.includes(k));
    if (kept === undefined || kept.length === 0) return plain;
    const late = decryptSrtcp(bytes, off, len, kept);
    return typeof late === 'string' ? plain : late;
  }
}

/** A sender's transport address as EndedSrtcpKeys keys it: IPv4 address × 65536 + port, IPv6 `[address]:port`. */
export function senderAddress(v6: boolean, src: string, src4: number, sport: number): number | string {
  return v6 ? `[${src}]:${sport}` : src4 * 65536 + sport;
}

/**
 * Whether a decoded compound may be SRTCP rather than plain RTCP: its packets do not chain to the
 * datagram's end, or one of them has a type outside RTCP's 192–223 (RFC 5761 §4: the E|index word
 * after a one-packet SRTCP compound reads as a header of type 0, and where its length field spans
 * just the MKI and the tag, the whole chains). MediaCore.readRtcp's test, shared with the main thread.
 */
export function mayBeEncrypted(compound: RtcpCompound, bytes: Uint8Array, off: number, len: number, cut: number): boolean {
  const chains = compound.errors.length === 0 || (cut === 0 && walkRtcpCompound(bytes, off, len, ignorePacket) >= 0);
  if (!chains) return true;
  const packets = compound.packets;
  for (let i = 0; i < packets.length; i++) if (!isRtcpPacketType(packets[i]!.pt)) return true;
  return false;
}

const ignorePacket = (): void => {};

/** No SRTCP key: a transport the signaling keys none on (the kept keys of ended dialogs alone are tried). */
export const NO_KEYS: readonly SessionKeys[] = [];

/**
 * Whether the captured bytes of a compound the snap length cut read as plain RTCP: every packet
 * header they hold is RTCP's (version 2, a type in 192–223), each packet's length leading to the
 * next, the last running past the cut. No key can tell a cut compound (its tag is not captured):
 * from an ended dialog's sender, one that reads so is plain RTCP — a relay's decrypted copy, or a
 * plain call's on the same addresses — and is read as such; SRTCP's second header is ciphertext.
 */
function capturedChainsAsRtcp(bytes: Uint8Array, off: number, len: number): boolean {
  const end = off + Math.min(len, bytes.length - off);
  let pos = off;
  while (pos + 4 <= end) {
    if (bytes[pos]! >> 6 !== 2 || !isRtcpPacketType(bytes[pos + 1]!)) return false;
    pos += (((bytes[pos + 2]! << 8) | bytes[pos + 3]!) + 1) * 4;
  }
  // a header itself cut (under 4 bytes of it captured) says nothing either way
  return true;
}

/** Every a=crypto key of a scope's sections (its pending offer's too). */
function keysOfScope(scope: DialogScope): SrtcpKey[] {
  const keys: SrtcpKey[] = [];
  for (const s of [scope, scope.pending]) for (const section of s?.sections ?? []) keys.push(...section.srtcpKeys);
  return keys;
}

export function sectionAt(scope: DialogScope, index: number): SectionScope | undefined {
  const sections = scope.sections;
  for (let i = 0; i < sections.length; i++) if (sections[i]!.index === index) return sections[i];
  return undefined;
}
