/**
 * Found by a review of IPv6 input, fixed since: inspect's text lines, live's malformed-datagram reports and HEP peers write an IPv6 endpoint as [address]:port, IPv4 unchanged (src/sources/source-packet.ts endpointText; src/cli/inspect.ts textLine, src/cli/live.ts, src/sources/hep-listener.ts).
 */
/**
 * `inspect` (text form) writes an IPv6 address and its port as `2001:db8::a:5060`, which reads as
 * another IPv6 address with no port at all.
 *
 * Input: a call entirely over IPv6 (A 2001:db8::a, B 2001:db8::b; SIP on 5060, RTP from A's port
 *   4000 to B's 5000, and from a relay 2001:db8::99 port 7000), as an Ethernet pcap;
 *   `aipref-enforcer inspect <file>` (no --json).
 * Was: lines such as
 *     `      1  1767225600.100000  2001:db8::a:5060 → 2001:db8::b:5060   SIP   udp INVITE …`
 *     `      5  1767225600.500000  2001:db8::99:7000 → 2001:db8::a:4000  RTP   ssrc=177 …`
 *   `2001:db8::a:5060` is itself a well-formed IPv6 address (2001:db8:0:0:0:0:a:5060), so the
 *   reader cannot tell where the address ends; `2001:db8::99:7000` likewise. (The IPv4 form
 *   `10.0.0.1:5060 → 10.0.0.2:5060` is unambiguous; `--json` keeps address and port apart.)
 * Correct: README "inspect — one line per packet: frame, time, addresses, ports" and SPEC §8's
 *   inspect: the addresses and ports must be readable. RFC 5952 §6: an IPv6 address with a port
 *   is written `[2001:db8::a]:5060` ("The [] style as expressed in [RFC3986] SHOULD be employed,
 *   and is the default unless otherwise specified"); the v4 form stays `10.0.0.1:5060`.
 * Fix: src/cli/inspect.ts textLine(): write each end as `[${addr}]:${port}` when the address
 *   contains ':' (IPv6), as native-free/packet-decoder.ts already keys its IPv6 TCP flows.
 *   (src/cli/live.ts reportMalformed's `${from.address}:${from.port}` has the same form for a
 *   datagram from an IPv6 sender.)
 */
import { afterAll, expect, it } from 'vitest';
import { cli, Workspace } from '../e2e-helpers.js';
import { ipPacket, writeCapture } from './lib.js';
import { scenario, V4, V6 } from './scenario.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

it('inspect text writes IPv6 endpoints as [address]:port', async () => {
  const v6 = await writeCapture(ws, scenario(V6).map(ipPacket));
  const v4 = await writeCapture(ws, scenario(V4).map(ipPacket));
  const lines6 = (await cli('inspect', v6)).stdout.split('\n');
  const lines4 = (await cli('inspect', v4)).stdout.split('\n');
  // the IPv4 form, unchanged
  expect(lines4[0]).toContain('10.0.0.1:5060 → 10.0.0.2:5060');
  expect(lines6[0]).toContain('[2001:db8::a]:5060 → [2001:db8::b]:5060');
  expect(lines6[4]).toContain('[2001:db8::99]:7000 → [2001:db8::a]:4000');
});
