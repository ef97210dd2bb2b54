/**
 * Found by a review of suspicions, fixed since: a hop-by-hop options header anywhere but right after the IPv6 header (after another extension header, or after a fragment header) makes the packet malformed, counted and reported, not read (native-free/ipv6.ts walkIpv6Extensions).
 */
/**
 * Input: the IPv6 review's call (test/e2e/ipv6-review/scenario.ts) as a raw-IP pcap, each packet
 *   carrying a Hop-by-Hop Options header (Next Header 0, 8 bytes of PadN) that is NOT the first
 *   header after the IPv6 header: IPv6 → Destination Options (60) → Hop-by-Hop (0) → UDP; then
 *   IPv6 → Routing (43) → Hop-by-Hop → UDP; then IPv6 → atomic Fragment (44) → Hop-by-Hop → UDP.
 * Was: native-free/ipv6.ts walkIpv6Extensions() walks 0 wherever it is, like 60 or 43: the call
 *   is read in full, as if the chain were well formed; nothing counted malformed, no report.
 * Correct: RFC 8200 §4.1 — the Hop-by-Hop Options header, when present, must immediately follow
 *   the IPv6 header; §4.3/§4 — a Next Header of 0 anywhere else makes a receiver discard the
 *   packet and send an ICMP Parameter Problem (code 1, unrecognized Next Header). The packet is
 *   malformed: counted in summary.malformed and reported (as an unassigned Next Header is), not read.
 *   A hop-by-hop header right after the IPv6 header stays read (control below).
 * Fix: native-free/ipv6.ts walkIpv6Extensions(): take 0 only as the first header of a walk that
 *   starts right after an IPv6 header (decodeIpv6Header); elsewhere fail with a hop-by-hop message.
 */
import { afterAll, expect, it } from 'vitest';
import { parseLines, replayLines, Workspace } from '../../e2e/e2e-helpers.js';
import { ipPacket, writeCapture } from '../../e2e/ipv6-review/lib.js';
import { POLICY, scenario, V6 } from '../../e2e/ipv6-review/scenario.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** `ip` with `exts` (type, bytes) inserted after its fixed header, each one's Next Header pointing at the following. */
function chain(ip: Uint8Array, exts: { type: number; bytes: Uint8Array }[]): Uint8Array {
  const parts = exts.map((e, k) => {
    const b = Uint8Array.from(e.bytes);
    b[0] = k + 1 < exts.length ? exts[k + 1]!.type : ip[6]!;
    return b;
  });
  const out = Buffer.concat([ip.subarray(0, 40), ...parts, ip.subarray(40)]);
  out[6] = exts[0]!.type;
  out.writeUInt16BE(out.length - 40, 4);
  return out;
}
/** an options header (hop-by-hop or destination) of 8 bytes: one PadN option */
const options = (): Uint8Array => Uint8Array.from([0, 0, 1, 4, 0, 0, 0, 0]);
const routing = (): Uint8Array => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0]); // type 0, segments left 0
const atomicFragment = (): Uint8Array => new Uint8Array(8);

async function replay(ips: Uint8Array[]) {
  const r = await replayLines({ capture: await writeCapture(ws, ips, 'raw'), policy: POLICY, workers: 0 });
  return { summary: r.result.summary as unknown as Record<string, unknown>, reports: parseLines<{ type: string; detail?: string }>(r.reports), decisions: r.decisions };
}

it('control: a hop-by-hop header right after the IPv6 header is read', async () => {
  const packets = scenario(V6).map(ipPacket);
  const plain = await replay(packets);
  const hbh = await replay(packets.map((ip) => chain(ip, [{ type: 0, bytes: options() }, { type: 60, bytes: options() }])));
  expect(hbh.summary).toEqual(plain.summary);
  expect(hbh.decisions).toEqual(plain.decisions);
});

it.each([
  ['destination options', 60, options],
  ['routing', 43, routing],
  ['an atomic fragment', 44, atomicFragment],
] as const)('a hop-by-hop header after %s is counted and reported malformed, not read', async (_name, type, bytes) => {
  const packets = scenario(V6).map(ipPacket);
  const got = await replay(packets.map((ip) => chain(ip, [{ type, bytes: bytes() }, { type: 0, bytes: options() }])));
  // Was: { packets: 27, sip: 7, rtp: 12, rtcp: 8, malformed: 0 } — the call read in full
  expect(got.summary).toMatchObject({ packets: packets.length, sip: 0, rtp: 0, rtcp: 0, malformed: packets.length });
  expect(got.reports.filter((r) => /hop-by-hop/i.test(r.detail ?? '')).length).toBe(packets.length);
  expect(got.decisions).toEqual([]);
});
