/**
 * Found by a review of the uri= address check, fixed since: 6to4, IPv4-compatible and SIIT addresses are judged by the IPv4 address inside, NAT64 local use 64:ff9b:1::/48 refused (src/policy/uri-resolver.ts EMBEDDING_V4, embeddedIpv4, NOT_PUBLIC).
 */
/**
 * Input: a caller's `uri=<https://[64:ff9b:1::a00:1]/apt>` (or a name whose AAAA record is that address), likewise the
 *   other IPv6 forms that carry an IPv4 address to a translator or tunnel: NAT64 local-use 64:ff9b:1::/48 (RFC 8215),
 *   6to4 2002:WWXX:YYZZ::/48 (RFC 3056, the IPv4 address in bits 16–47), IPv4-compatible ::a.b.c.d (RFC 4291
 *   §2.5.5.1, deprecated; routed through sit0 where that module is loaded) and IPv4-translated ::ffff:0:a.b.c.d
 *   (RFC 2765/6145 SIIT) — each embedding 10.0.0.1 or 127.0.0.1.
 * Was: nonPublicAddress() returns null for all of them (only ::ffff:0:0/96 and 64:ff9b::/96 are judged by the IPv4
 *   address inside), so the resolver connects: here `timeout after 300 ms` / EHOSTUNREACH (the packets went to the
 *   IPv6 default route, fd00::1); in a network with a local-use NAT64 (what RFC 8215 is for: it may translate to
 *   non-global IPv4) or a 6to4/SIIT gateway, they reach 10.0.0.1 — the internal host the change means to protect.
 * Correct: refused before any connection like ::ffff:10.0.0.1 and 64:ff9b::10.0.0.1 are, the reason naming the
 *   address and `--uri-allow`: IANA's IPv6 special-purpose registry gives 64:ff9b:1::/48 "globally reachable: false",
 *   2002::/16 "N/A" (reachability is that of the embedded IPv4 address); ::/96 lies in the reserved ::/8. The
 *   module's own rule (an address carrying an IPv4 address is judged by it) should cover every such prefix.
 * Fix: src/policy/uri-resolver.ts nonPublicAddress / EMBEDDING_V4: refuse 64:ff9b:1::/48 outright (its IPv4 address
 *   sits where the operator's prefix length puts it); judge 2002::/16 by bits 16–47, ::ffff:0:0:0/96 and ::/96
 *   (after ::/128 and ::1/128) by the last 32 bits. (The existing expectation "::2 is public" then changes: ::2 is
 *   IPv4-compatible 0.0.0.2 in the reserved ::/8, never a public address.)
 */
import type { LookupAddress } from 'node:dns';
import { describe, expect, it } from 'vitest';
import { nonPublicAddress, UriResolver, type UriResolverOptions } from '../../../src/policy/uri-resolver.js';

const EMBEDDING = [
  ['64:ff9b:1::a00:1', 'NAT64 local-use prefix (RFC 8215) of 10.0.0.1'],
  ['64:ff9b:1:0:7f:0:100:0', 'NAT64 local-use, a /64 translation prefix (RFC 6052 §2.2: IPv4 in bits 72–103) of 127.0.0.1'],
  ['2002:a00:1::1', '6to4 of 10.0.0.1'],
  ['2002:7f00:1::', '6to4 of 127.0.0.1'],
  ['::a00:1', 'IPv4-compatible 10.0.0.1'],
  ['::7f00:1', 'IPv4-compatible 127.0.0.1'],
  ['::ffff:0:7f00:1', 'IPv4-translated (SIIT) 127.0.0.1'],
] as const;

describe('IPv6 addresses carrying a non-public IPv4 address', () => {
  it.each(EMBEDDING)('nonPublicAddress(%s) is not null (%s)', (address) => {
    expect(nonPublicAddress(address)).not.toBeNull();
  });

  it.each(EMBEDDING)('https://[%s]/apt is refused before any connection (%s)', async (address) => {
    const uri = `https://[${address}]/apt`;
    const r = await new UriResolver({ timeoutMs: 300 }).resolve(uri, 'a');
    expect(r.status).toBe('unresolved');
    if (r.status === 'unresolved') expect(r.reason).toMatch(/: not fetched \(--uri-allow .+ fetches from it\)$/);
  });

  it.each(EMBEDDING)('a name whose only address is %s is refused by the checking lookup (%s)', async (address) => {
    const lookup = ((_h: string, options: { all?: boolean }, callback: (e: Error | null, a: LookupAddress[] | string, f?: number) => void) => {
      if (options.all) callback(null, [{ address, family: 6 }]);
      else callback(null, address, 6);
    }) as unknown as UriResolverOptions['lookup'];
    const r = await new UriResolver({ timeoutMs: 300, lookup }).resolve('https://aaaa.example/apt', 'a');
    expect(r.status).toBe('unresolved');
    if (r.status === 'unresolved') expect(r.reason).toMatch(new RegExp(`^aaaa\\.example resolves to ${address.replace(/[.]/g, '\\.')}, .+: not fetched \\(--uri-allow aaaa\\.example fetches from it\\)$`));
  });

  it('the same prefixes with a public IPv4 address inside stay public (6to4 of 8.8.8.8)', () => {
    expect(nonPublicAddress('2002:808:808::1')).toBeNull();
  });
});
