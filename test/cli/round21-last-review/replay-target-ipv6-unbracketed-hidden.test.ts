/**
 * Found by a review of round 21's last fixes, fixed since: a target whose host is an IPv6 address without its brackets is shown whole, with the target as it should be written: "(an IPv6 address goes in brackets: hep://[::1]:9060)" (src/sources/replay-sender.ts ReplayTargetError, unbracketedIPv6).
 * Input: `replay cap.pcap --to hep://::1:9060` (or hep://fe80::1:9060, udp://2001:db8::5:9060):
 *   an IPv6 target with its brackets forgotten — a common slip (SPEC §8's form is hep://[::1]:9060).
 * Was (observed, since 7b3f4d1): `replay target "hep://:…" is not udp://host:port or hep://host:port`
 *   — the address the operator typed is gone, and nothing hints at the brackets. Before 7b3f4d1
 *   the line showed "hep://::1:9060". ReplayTargetError's new pattern takes the host to end at the
 *   first ':' (here the host is empty) and hides all after it unless it is digits alone.
 * Correct: the target carries no '@' and what follows the scheme is an IPv6 address with a port —
 *   nothing there is a password's (`hep://u:my`, the case the pattern was made for, is no IPv6
 *   address: node:net isIPv6('u:my') is false). It is shown as before (better still with a hint to
 *   write it hep://[::1]:9060).
 * Fix: src/sources/replay-sender.ts ReplayTargetError: before hiding what follows the host's ':',
 *   show the target when what follows `scheme://` (less a trailing `:port`, or whole) is an IPv6
 *   address (isIPv6); optionally add "(an IPv6 address goes in brackets: hep://[::1]:9060)".
 */
import { expect, it } from 'vitest';
import { ReplayTargetError } from '../../../src/sources/replay-sender.js';
import { cli, SMALL_PCAP } from './helpers.js';

it.each([
  ['hep://::1:9060', '::1'],
  ['hep://fe80::1:9060', 'fe80::1'],
  ['udp://2001:db8::5:9060', '2001:db8::5'],
])('%s: the address is still shown', (target, address) => {
  expect(new ReplayTargetError(target).message).toContain(address);
});

it('CLI: replay --to hep://::1:9060 names the address (exit 2)', () => {
  const r = cli(['replay', SMALL_PCAP, '--to', 'hep://::1:9060']);
  expect(r.status).toBe(2);
  expect(r.stderr.split('\n')[0]).toContain('::1');
});

it.each([
  ['hep://::1:9060', 'hep://[::1]:9060'],
  ['udp://fe80::1:9060/', 'udp://[fe80::1]:9060'],
  ['hep://2001:db8:0:0:0:0:0:5', 'hep://[2001:db8:0:0:0:0:0:5]:<port>'],
])('%s: the hint writes it with brackets', (target, written) => {
  expect(new ReplayTargetError(target).message).toContain(`(an IPv6 address goes in brackets: ${written})`);
});

it.each([['hep://u:my'], ['hep://a:b@::1:9060'], ['hep://ab:cd']])('%s: no IPv6 address, still cut after the host', (target) => {
  const message = new ReplayTargetError(target).message;
  expect(message).not.toContain('brackets');
  expect(message).not.toMatch(/my|b@|cd/);
});
