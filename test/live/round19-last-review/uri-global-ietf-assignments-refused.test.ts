/**
 * Found by a review of the round's last fixes, fixed since: what IANA lists as globally reachable inside the refused special-purpose blocks is public (src/policy/uri-resolver.ts GLOBAL_EXCEPTIONS).
 */
/**
 * Input: nonPublicAddress (the uri= address check) of addresses inside 2001::/23 that IANA's
 *   IPv6 Special-Purpose Address Registry marks "Globally Reachable: True": 2001:1::1 (PCP
 *   anycast, RFC 7723), 2001:1::2 (TURN anycast, RFC 8155), 2001:1::3 (DNS-SD SRP anycast,
 *   RFC 9665), 2001:3::/32 (AMT, RFC 7450), 2001:4:112::/48 (AS112-v6, RFC 7535),
 *   2001:20::/28 (ORCHIDv2, RFC 7343), 2001:30::/28 (DRIP DETs, RFC 9374).
 * Was (observed, since 2d8d48e): each is "an IETF protocol assignment address": a name resolving
 *   there is refused (unresolved-apt) unless --uri-allow names it. The commit comment says the
 *   blocks added are "IANA's special-purpose IPv6 blocks that are not globally reachable"; 2001::/23
 *   as a whole is "N/A" in the registry, with these sub-blocks global.
 * Correct: judged as the registry says — global sub-blocks public (Python's ipaddress.is_global,
 *   3.12.4+/3.13, excepts exactly these), while the non-global ones stay refused: 2001::/32
 *   Teredo, 2001:2::/48 benchmarking, 2001:10::/28 ORCHID (deprecated), 2001:1ff::1.
 *   The IPv4 counterpart has the same two exceptions: 192.0.0.9 (PCP anycast) and 192.0.0.10
 *   (TURN anycast) are global inside 192.0.0.0/24 (refused whole since d195e24).
 *   (Minor: no repository is likely to sit there; the check refuses more than its comment says.)
 * Fix: src/policy/uri-resolver.ts: a list of the registry's global exceptions inside 2001::/23
 *   (the seven above) and 192.0.0.9/32, 192.0.0.10/32, checked before NOT_PUBLIC (return null for them).
 */
import { expect, it } from 'vitest';
import { nonPublicAddress } from '../../../src/policy/uri-resolver.js';

it.each(['2001:1::1', '2001:1::2', '2001:1::3', '2001:3::1', '2001:4:112::1', '2001:20::1', '2001:30::1', '192.0.0.9', '192.0.0.10'])('%s (globally reachable per IANA) is public', (a) => {
  expect(nonPublicAddress(a)).toBeNull();
});

it.each(['2001::1', '2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:2::1', '2001:10::1', '2001:1::4', '2001:1ff::1', '192.0.0.8', '192.0.0.1'])('%s (not global) stays refused', (a) => {
  expect(nonPublicAddress(a)).not.toBeNull();
});
