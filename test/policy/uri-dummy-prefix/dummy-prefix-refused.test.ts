/**
 * Noted at stop 37 (a review of the uri= address check left it), fixed since: the dummy IPv6
 * prefix 100:0:0:1::/64 (RFC 9780; IANA's special-purpose registry: not globally reachable) is
 * not public (src/policy/uri-resolver.ts NOT_PUBLIC), as its neighbour, the discard-only
 * 100::/64 (RFC 6666), already was.
 * Input: a caller's `uri=<https://[100:0:0:1::1]/apt>`.
 * Was: nonPublicAddress() returned null: the resolver connected.
 * Correct: refused before any connection, saying why; the /64 after it stays public
 * (test/policy/uri-ssrf-review's list of public addresses named 100:0:0:1:: until now: 100:0:0:2:: since).
 */
import { describe, expect, it } from 'vitest';
import { nonPublicAddress, UriResolver } from '../../../src/policy/uri-resolver.js';

describe('the dummy IPv6 prefix 100:0:0:1::/64', () => {
  it.each(['100:0:0:1::1', '100:0:0:1:ffff:ffff:ffff:ffff'])('nonPublicAddress(%s) says why', (address) => {
    expect(nonPublicAddress(address)).toMatch(/dummy-prefix/);
  });

  it('https://[100:0:0:1::1]/apt is refused before any connection', async () => {
    const r = await new UriResolver({ timeoutMs: 300 }).resolve('https://[100:0:0:1::1]/apt', 'a');
    expect(r.status).toBe('unresolved');
    if (r.status === 'unresolved') expect(r.reason).toMatch(/dummy-prefix.*: not fetched \(--uri-allow .+ fetches from it\)$/);
  });

  it('the /64 after it is not blocked by it', () => {
    expect(nonPublicAddress('100:0:0:2::1')).toBeNull();
    expect(nonPublicAddress('100::1')).toMatch(/discard-only/);
  });
});
