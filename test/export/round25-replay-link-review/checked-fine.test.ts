/**
 * Checked and fine (round-25 review of replay --to's link-layer corners; `replay --to` onto a real
 * `live` child compared with the offline `replay --json --explain` of the same capture — summary
 * (packets aside) and reports, their "frame N" and "at byte N of the record" aside):
 * 1. ip-packet, link headers whose word on the IP version disagrees with the packet: PPPoE 0x0021
 *    holding IPv6 and 0x0057 holding IPv4, 802.1Q 0x86DD holding IPv4, QinQ 0x0800 holding IPv6,
 *    NULL family 2 holding IPv6, LOOP family 24 holding IPv4: not sent; the first said in the
 *    offline report's words ("IPv4 header with version 6"), with byte and frame; their count at
 *    the end; live sip = offline sip, live malformed = offline's less the ones said.
 * 2. MPLS (no type field: offline reads the version nibble after the bottom-of-stack label, as
 *    tshark guesses): one and two labels, IPv4 and IPv6 after them — ip-packet and HEP: live =
 *    offline, stderr empty, nothing skipped.
 * 3. LINKTYPE_IPV6 (229) holding IPv4: not sent, said ("IPv6 header with version 4"); 228 and 229
 *    holding version 5, and LINKTYPE_RAW (101) with versions 4, 6 and 5: sent as captured, live
 *    counts the version-5 ones malformed as offline does (in its own words, "not an IP packet").
 * 4. NULL (0): family 2 in little- and big-endian order, 24, 28 and 30 in both orders, an unknown
 *    family (99: offline 'other', not sent, nothing said on either side); LOOP (108): families 2,
 *    24, 28, 30 in network order, family 2 in little-endian order (other on both sides): live =
 *    offline, sent = the IP records.
 * 5. ip-packet, tunnels the snap length cut (GRE/TEB and VXLAN cut inside their inner Ethernet
 *    header, GRE cut inside its header): not sent, said as snap cuts, their count at the end;
 *    the whole tunnelled packets after them read live as offline.
 * 6. ip-packet, genuinely short IP packets (caplen == origlen): IPv6 payload lengths past the
 *    record in Ethernet, 802.1Q and 229 records (UDP and TCP), an IPv4 header of 10 bytes: sent,
 *    live's reports = offline's word for word; an Ethernet frame typed IPv4 with nothing after its
 *    header: sent as an empty datagram, malformed on both sides (summaries equal).
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { liveOf, offlineOf, reading, setup } from '../round24-replay-to-review/harness.js';
import { C6, gre, ipv4, ipv6, S6, udp } from '../round24-replay-to-review/pkt.js';
import { cat, link, offsetOf, writeLinkCap, type LinkRec } from '../round24-replay-to-final-review/linkcap.js';
import { fam, plain, pppoeAs, qinqAs, sip4, sip6, toSocket, vlanAs } from './local.js';

const t = setup('r25-fine-');
const recsOf = (...datas: Uint8Array[]): LinkRec[] => datas.map((data, k) => ({ ts: 1 + k / 10, data }));
async function both(name: string, lt: number, recs: LinkRec[], mode: 'ip-packet' | 'hep' = 'ip-packet') {
  const cap = await writeLinkCap(path.join(t.dir(), `${name}.pcap`), lt, recs);
  const off = await offlineOf(t.dir(), cap, `${name}-${mode}`, t.policy());
  const got = await liveOf(t.dir(), cap, name, t.policy(), mode);
  return { off, got };
}

it('1. ip-packet: PPPoE, VLAN, QinQ, NULL, LOOP headers naming the other IP version: not sent, said', async () => {
  for (const [name, lt, recs] of [
    ['mis-eth', 1, recsOf(link.ethernet(sip4(1)), pppoeAs(sip6(2), 0x0021), pppoeAs(sip4(3), 0x0057), vlanAs(sip4(4), 0x86dd), qinqAs(sip6(5), 0x0800), link.ethernet(sip4(6)))],
    ['mis-null', 0, recsOf(fam([2, 0, 0, 0], sip4(1)), fam([2, 0, 0, 0], sip6(2)))],
    ['mis-loop', 108, recsOf(fam([0, 0, 0, 2], sip4(1)), fam([0, 0, 0, 24], sip4(2)))],
  ] as const) {
    const { off, got } = await both(name, lt, recs as LinkRec[]);
    const said = Number(off.summary.malformed);
    expect(said).toBe(recs.length - (name === 'mis-eth' ? 2 : 1));
    expect({ sent: got.sent, skipped: got.skipped }).toEqual({ sent: recs.length - said, skipped: said });
    const err = got.stderr.trim().split('\n');
    expect(err[0]).toContain(`${name}.pcap: at byte ${offsetOf(recs as LinkRec[], 1)}: frame 2: ${plain(off.reports)[0]!.replace('malformed-input ', '')}: not sent`);
    if (said > 1) expect(err.at(-1)).toMatch(new RegExp(`${name}\\.pcap: ${said} IP packets of another version than their link layer says were not sent \\(counted in skipped\\)$`));
    expect(got.summary.sip).toBe(off.summary.sip);
    expect(got.summary.malformed).toBe(0);
  }
}, 60_000);

for (const mode of ['ip-packet', 'hep'] as const) {
  it(`2. ${mode}: MPLS, one and two labels, IPv4 and IPv6 after the bottom label`, async () => {
    const one = (ip: Uint8Array) => cat(link.ethernet(new Uint8Array(0), 0x8847), [0x00, 0x01, 0x01, 0x40], ip);
    const { off, got } = await both(`mpls-${mode}`, 1, recsOf(link.mpls(sip4(1)), link.mpls(sip6(2)), one(sip6(3)), one(sip4(4))), mode);
    expect(off.summary).toMatchObject({ sip: 4, malformed: 0 });
    expect({ sent: got.sent, skipped: got.skipped, stderr: got.stderr }).toEqual({ sent: 4, skipped: 0, stderr: '' });
    expect(reading(got)).toEqual(reading(off));
  }, 60_000);
}

it('3. ip-packet: 229 holding IPv4 said; 228/229/101 holding version 5 sent; 101 with 4 and 6', async () => {
  const v5 = sip4(9);
  v5[0] = 0x55;
  const r229 = recsOf(sip6(1), sip4(2), v5);
  const a = await both('lt229', 229, r229);
  expect(a.off.summary).toMatchObject({ sip: 1, malformed: 2 });
  expect({ sent: a.got.sent, skipped: a.got.skipped }).toEqual({ sent: 2, skipped: 1 });
  expect(a.got.stderr).toContain(`lt229.pcap: at byte ${offsetOf(r229, 1)}: frame 2: IPv6 header with version 4: not sent`);
  expect(a.got.summary).toMatchObject({ sip: 1, malformed: 1 });
  for (const [name, lt, recs] of [['lt228', 228, recsOf(sip4(1), v5)], ['lt101', 101, recsOf(sip4(1), sip6(2), v5)]] as const) {
    const b = await both(name, lt, recs as LinkRec[]);
    expect({ sent: b.got.sent, skipped: b.got.skipped, stderr: b.got.stderr }).toEqual({ sent: recs.length, skipped: 0, stderr: '' });
    expect(reading(b.got).summary).toEqual(reading(b.off).summary);
    expect(b.got.reports).toHaveLength(1);
  }
}, 60_000);

it('4. ip-packet: NULL and LOOP families, both byte orders, unknown families', async () => {
  const n = await both('null', 0, recsOf(
    fam([2, 0, 0, 0], sip4(1)), fam([0, 0, 0, 2], sip4(2)), fam([24, 0, 0, 0], sip6(3)), fam([0, 0, 0, 24], sip6(4)),
    fam([28, 0, 0, 0], sip6(5)), fam([0, 0, 0, 28], sip6(6)), fam([30, 0, 0, 0], sip6(7)), fam([0, 0, 0, 30], sip6(8)), fam([99, 0, 0, 0], sip4(9)),
  ));
  expect(n.off.summary).toMatchObject({ sip: 8, malformed: 0 });
  expect({ sent: n.got.sent, skipped: n.got.skipped, stderr: n.got.stderr }).toEqual({ sent: 8, skipped: 1, stderr: '' });
  expect(reading(n.got)).toEqual(reading(n.off));
  const l = await both('loop', 108, recsOf(fam([0, 0, 0, 2], sip4(1)), fam([0, 0, 0, 24], sip6(2)), fam([0, 0, 0, 28], sip6(3)), fam([0, 0, 0, 30], sip6(4)), fam([2, 0, 0, 0], sip4(5))));
  expect(l.off.summary).toMatchObject({ sip: 4, malformed: 0 });
  expect({ sent: l.got.sent, skipped: l.got.skipped, stderr: l.got.stderr }).toEqual({ sent: 4, skipped: 1, stderr: '' });
  expect(reading(l.got)).toEqual(reading(l.off));
}, 60_000);

it('5. ip-packet: tunnels the snap length cut are said as snap cuts', async () => {
  const O1 = [192, 168, 0, 1], O2 = [192, 168, 0, 2];
  const teb = link.ethernet(ipv4(O1, O2, 47, gre(link.ethernet(sip4(2)), 0x6558)));
  const vxlan = link.ethernet(ipv4(O1, O2, 17, udp(50000, 4789, cat([0x08, 0, 0, 0, 0, 0, 1, 0], link.ethernet(sip4(3))))));
  const greIp = link.ethernet(ipv4(O1, O2, 47, gre(sip4(4), 0x0800)));
  const recs: LinkRec[] = [
    { ts: 1.0, data: link.ethernet(sip4(1)) },
    { ts: 1.1, data: teb.subarray(0, 46), origLen: teb.length },
    { ts: 1.2, data: vxlan.subarray(0, 58), origLen: vxlan.length },
    { ts: 1.3, data: greIp.subarray(0, 36), origLen: greIp.length },
    { ts: 1.4, data: teb },
    { ts: 1.5, data: vxlan },
  ];
  const { off, got } = await both('tuncut', 1, recs);
  expect(off.summary).toMatchObject({ sip: 3, malformed: 3 });
  expect({ sent: got.sent, skipped: got.skipped }).toEqual({ sent: 3, skipped: 3 });
  const err = got.stderr.trim().split('\n');
  expect(err[0]).toContain(`tuncut.pcap: at byte ${offsetOf(recs, 1)}: frame 2: IP packet cut by the capture's snap length: 32 of its 276 bytes captured: not sent, nor any other record the snap length cut`);
  expect(err.at(-1)).toMatch(/tuncut\.pcap: 3 records cut by the capture's snap length were not sent \(counted in skipped\)$/);
  expect(got.summary).toMatchObject({ sip: 3, malformed: 0 });
}, 60_000);

it('6. ip-packet: genuinely short IP packets (nothing cut) are sent and read live as offline', async () => {
  const lie6 = sip6(2);
  new DataView(lie6.buffer).setUint16(4, lie6.length + 50);
  const lie6tcp = ipv6(C6, S6, [], 6, new Uint8Array(40));
  new DataView(lie6tcp.buffer).setUint16(4, 400);
  const a = await both('shortip', 1, recsOf(link.ethernet(sip4(1)), link.ethernet(lie6), link.ethernet(lie6tcp), link.vlan(lie6), link.ethernet(sip4(4).subarray(0, 10)), link.ethernet(sip4(5))));
  expect(a.off.summary).toMatchObject({ sip: 2, malformed: 4 });
  expect({ sent: a.got.sent, skipped: a.got.skipped, stderr: a.got.stderr }).toEqual({ sent: 6, skipped: 0, stderr: '' });
  expect(reading(a.got).summary).toEqual(reading(a.off).summary);
  expect(plain(a.got.reports)).toEqual(plain(a.off.reports));
  const b = await both('shortip229', 229, recsOf(sip6(1), lie6, sip6(3).subarray(0, 16)));
  expect({ sent: b.got.sent, skipped: b.got.skipped, stderr: b.got.stderr }).toEqual({ sent: 3, skipped: 0, stderr: '' });
  expect(plain(b.got.reports)).toEqual(plain(b.off.reports));
  const c = await both('emptyip', 1, recsOf(link.ethernet(sip4(1)), link.ethernet(new Uint8Array(0), 0x0800)));
  expect({ sent: c.got.sent, skipped: c.got.skipped }).toEqual({ sent: 2, skipped: 0 });
  expect(reading(c.got).summary).toEqual(reading(c.off).summary);
  expect(c.off.summary.malformed).toBe(1);
}, 60_000);

it('(the payload-mode socket helper agrees with the live runs: a plain capture goes whole)', async () => {
  const cap = await writeLinkCap(path.join(t.dir(), 'plain.pcap'), 1, recsOf(link.ethernet(sip4(1)), link.vlan(sip6(2))));
  const r = await toSocket(cap, 'payload', 2);
  expect(r.result).toEqual({ sent: 2, skipped: 0 });
  expect(r.stderr).toBe('');
}, 60_000);
