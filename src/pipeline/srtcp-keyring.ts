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
import { decryptSrtcp, type SessionKeys, type SrtcpKey, SrtcpKeyCache, srtcpKeyId } from '../media/srtcp.js';
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
      if (this.on(entry, sections) === Srtcp.NO) continue;
      const keys = this.keysOf(entry, sections);
      if (keys.length > 0) this.ended.keep(address, keys, ts);
    }
    this.former.delete(dialogKey);
  }

  /** Whether any ended dialog's sender's keys are kept. */
  get endedSenders(): number {
    return this.ended.size;
  }

  /**
   * The plaintext of an SRTCP compound from an ended dialog's sender at `address` (IPv4: address
   * × 65536 + port; IPv6: `[address]:port`), decrypted with its kept keys; null when none fits.
   */
  afterEnd(address: number | string, ts: number, bytes: Uint8Array, off: number, len: number): Uint8Array | null {
    const keys = this.ended.of(address, ts);
    if (keys === undefined) return null;
    const plain = decryptSrtcp(bytes, off, len, keys);
    return typeof plain === 'string' ? null : plain;
  }
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
