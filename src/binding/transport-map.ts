import type { DialogScope, TransportAddress } from './types.js';

/** A dialog's m-sections reachable at one transport address. */
export interface TransportEntry {
  dialogKey: string;
  /** m-section indexes sharing the address (several under BUNDLE). */
  sections: number[];
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** IPv4 text → unsigned 32-bit number, or -1 when it is not a dotted quad. */
export function ipv4ToNumber(address: string): number {
  const m = IPV4.exec(address);
  if (!m) return -1;
  return ((+m[1]! << 24) >>> 0) + (+m[2]! << 16) + (+m[3]! << 8) + +m[4]!;
}

/**
 * Transport address → the dialog m-sections that receive there. IPv4 keys are numbers
 * (address × 65536 + port, exact below 2^48) so the per-packet lookup allocates nothing;
 * IPv6 keys are strings.
 */
export class TransportMap {
  private readonly v4 = new Map<number, TransportEntry>();
  private readonly v6 = new Map<string, TransportEntry>();
  /** what each dialog registered, so a new scope replaces the old one exactly. */
  private readonly byDialog = new Map<string, { v4: number[]; v6: string[] }>();

  /** Registers every m-section address of the scope (and of its pending offer), replacing the dialog's previous ones. */
  set(scope: DialogScope): void {
    this.remove(scope.key);
    const owned = { v4: [] as number[], v6: [] as string[] };
    for (const s of [scope, scope.pending]) {
      for (const section of s?.sections ?? []) {
        // disabled sections are kept: their streams' last packets still belong to the dialog
        for (const addr of [...section.rtp, ...section.rtcp]) this.add(scope.key, section.index, addr, owned);
      }
    }
    this.byDialog.set(scope.key, owned);
  }

  remove(dialogKey: string): void {
    const owned = this.byDialog.get(dialogKey);
    if (!owned) return;
    for (const k of owned.v4) if (this.v4.get(k)?.dialogKey === dialogKey) this.v4.delete(k);
    for (const k of owned.v6) if (this.v6.get(k)?.dialogKey === dialogKey) this.v6.delete(k);
    this.byDialog.delete(dialogKey);
  }

  lookupV4(address: number, port: number): TransportEntry | undefined {
    return this.v4.get(address * 65536 + port);
  }

  lookupV6(address: string, port: number): TransportEntry | undefined {
    return this.v6.get(`[${address}]:${port}`);
  }

  get size(): number {
    return this.v4.size + this.v6.size;
  }

  private add(dialogKey: string, index: number, addr: TransportAddress, owned: { v4: number[]; v6: string[] }): void {
    if (addr.port <= 0) return;
    const n = ipv4ToNumber(addr.address);
    if (n >= 0) {
      const key = n * 65536 + addr.port;
      owned.v4.push(key);
      addSection(this.v4, key, dialogKey, index);
    } else {
      const key = `[${canonicalIpv6(addr.address)}]:${addr.port}`;
      owned.v6.push(key);
      addSection(this.v6, key, dialogKey, index);
    }
  }
}

/** RFC 5952 text form (what the packet layer prints), so SDP's spelling of an address matches. */
export function canonicalIpv6(address: string): string {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return address.toLowerCase();
  }
}

/** A later dialog claiming an address takes it over (a relay reuses ports across calls). */
function addSection<K>(map: Map<K, TransportEntry>, key: K, dialogKey: string, index: number): void {
  const entry = map.get(key);
  if (entry && entry.dialogKey === dialogKey) {
    if (!entry.sections.includes(index)) entry.sections.push(index);
  } else {
    map.set(key, { dialogKey, sections: [index] });
  }
}
