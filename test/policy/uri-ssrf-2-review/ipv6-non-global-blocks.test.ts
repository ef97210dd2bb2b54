/**
 * Found by a review of the uri= address check, fixed since: 2001:2::/48, 2001::/23, 3fff::/20, 5f00::/16 and fec0::/10 are not public (src/policy/uri-resolver.ts NOT_PUBLIC).
 */
/**
 * Input: a caller's `uri=<https://[2001:2::1]/apt>` (or a name whose AAAA record is such an address): the IPv6
 *   special-purpose blocks whose IPv4 counterparts the change refuses — benchmarking 2001:2::/48 (RFC 5180; IPv4
 *   198.18.0.0/15 refused), documentation 3fff::/20 (RFC 9637; 2001:db8::/32 is refused, 3fff::/20 is not), IETF
 *   protocol assignments 2001::/23 incl. Teredo 2001::/32 (RFC 2928/4380; IPv4 192.0.0.0/24 refused), SRv6 SIDs
 *   5f00::/16 (RFC 9602).
 * Was: nonPublicAddress() returns null for them: the resolver connects (here `timeout after 300 ms`). Benchmarking
 *   space is what lab networks are numbered from — the case 198.18.0.0/15 is refused for.
 * Correct: not public, refused before any connection: IANA's IPv6 special-purpose registry marks each "globally
 *   reachable: false" (2001::/32 "N/A"), as it does the IPv4 blocks NOT_PUBLIC already lists; the two families
 *   should be judged alike (an operator reading "benchmarking/documentation addresses are refused" expects both).
 * Fix: src/policy/uri-resolver.ts NOT_PUBLIC: add 2001:2::/48 to 'a benchmarking address', 3fff::/20 to 'a
 *   documentation address', 2001::/23 to 'an IETF protocol assignment address' (as 192.0.0.0/24 is refused whole),
 *   and 5f00::/16 (SRv6 segment identifiers) to a 'reserved' entry.
 */
import { describe, expect, it } from 'vitest';
import { nonPublicAddress, UriResolver } from '../../../src/policy/uri-resolver.js';

const BLOCKS = [
  ['2001:2::1', /benchmarking/],
  ['2001:2:0:ffff::1', /benchmarking/],
  ['3fff::1', /documentation/],
  ['3fff:fff:ffff::1', /documentation/],
  ['2001::1', /IETF protocol assignment/],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', /IETF protocol assignment/],
  ['5f00::1', /reserved|SRv6|segment/],
] as const;

describe('IPv6 special-purpose blocks that are not globally reachable', () => {
  it.each(BLOCKS)('nonPublicAddress(%s) says why', (address, why) => {
    expect(nonPublicAddress(address)).toMatch(why);
  });

  it.each(BLOCKS)('https://[%s]/apt is refused before any connection', async (address) => {
    const r = await new UriResolver({ timeoutMs: 300 }).resolve(`https://[${address}]/apt`, 'a');
    expect(r.status).toBe('unresolved');
    if (r.status === 'unresolved') expect(r.reason).toMatch(/: not fetched \(--uri-allow .+ fetches from it\)$/);
  });

  it('neighbours outside the blocks stay public', () => {
    for (const a of ['2001:200::1', '3ffe:ffff::1', '4000::1', '2001:4860:4860::8888']) expect(nonPublicAddress(a), a).toBeNull();
  });
});
