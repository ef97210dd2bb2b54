/**
 * Checked and fine (final review of 448282a, replay --to: ip-packet mode sends every record's IP
 * packet as captured; HepTcpFraming moved out of replayCapture; real `live` children compared
 * with the offline `replay` — summary and reports, packets, frame numbers and "at byte N of the
 * record" aside):
 * 1. ip-packet, link types: Ethernet, 802.1Q, QinQ (88a8+8100), MPLS (two labels), PPPoE session,
 *    802.3 LLC/SNAP, Linux SLL, SLL2, BSD loopback (NULL, host order), OpenBSD LOOP, raw IP (101
 *    and DLT 12), LINKTYPE_IPV4 (228): each record's IP packet arrives byte for byte, in order,
 *    IPv4 and IPv6, UDP and TCP; {sent = records, skipped 0}.
 * 2. ip-packet, Ethernet padding/FCS past the IP total length (a bare ACK, CRLF keep-alives, a
 *    small RTP datagram padded to 60 bytes + 4): sent with the padding; live reads it as offline
 *    (the decoder cuts at the total length on both sides, the Ethernet UDP shortcut included).
 * 3. ip-packet, IPv4 total length past the captured bytes with nothing cut (a lie, UDP and TCP):
 *    sent, live counts and reports both as offline does ("IPv4 total length … exceeds …").
 * 4. ip-packet, segmentation-offload packets (IPv4 total length 0, IPv6 payload length 0) carrying
 *    a 30 KB SIP message over TCP: sent, live = offline (sip 3).
 * 5. ip-packet at --speed 1: an ARP frame, a too-big IP packet and a snap-cut record long before
 *    the first one sent set no pace, nor does a too-big one between sent ones, nor a trailing ARP
 *    900 s later: the three sent go 0 / ~400 / ~800 ms apart; sent + skipped = records + the
 *    record cut short at the file's end; stderr: the first too-big, the first snap cut, the cut
 *    record, the too-big count (no snap-cut count for one).
 * 6. HEP, HepTcpFraming at the end of the capture: a direction holding a probe octet and a first
 *    message's start (undecided chunks), a direction whose bytes behind a gap never resumed
 *    (drained), two directions cut by FIN: live reports only the end-of-capture cut, as offline;
 *    live sip = offline's less the 4 reports said instead; stderr exactly: the first cut (FIN,
 *    its frame), the first passed-over stretch, the count of 3 cuts — as before the move.
 * 7. HEP, two directions whose messages are unfinished at the end, held in the other order than
 *    they were first seen: live's end-of-capture reports come in offline's order.
 * 8. Payload mode (udp://, plain): UDP payloads byte for byte (a fragmented datagram once,
 *    reassembled), TCP and ARP not sent; to udp://[::1] a 65 515-byte IPv6 payload goes whole.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { cli } from '../../live/live-vs-replay-review/lvr-helpers.js';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { liveOf, lines, offlineOf, reading, setup } from '../round24-replay-to-review/harness.js';
import { ACK, C4, C6, FIN, ipv4, ipv4Fragments, ipv6, S4, S6, tcp, tcp4, udp, writeRecs, type Rec } from '../round24-replay-to-review/pkt.js';
import { receiver, until } from '../round24-replay-to-review/frames.js';
import { cat, link, offsetOf, writeLinkCap, type LinkRec } from './linkcap.js';
import { appendFile } from 'node:fs/promises';
import { createSocket } from 'node:dgram';

const t = setup('bu-fine-');

const same = async (name: string, cap: string, mode: 'hep' | 'ip-packet') => {
  const off = await offlineOf(t.dir(), cap, `${name}-${mode}`, t.policy());
  const got = await liveOf(t.dir(), cap, name, t.policy(), mode);
  return { off, got };
};
/** reports without "at byte N of the record" (offline counts the link header) */
const noByte = (r: ReturnType<typeof reading>) => ({ ...r, reports: r.reports.map((l) => l.replace(/ at byte \d+ of the record$/, '')) });

const linkCases: [string, number, (ip: Uint8Array) => Uint8Array, boolean][] = [
  ['ethernet', 1, link.ethernet, true], ['vlan', 1, link.vlan, true], ['qinq', 1, link.qinq, true], ['mpls', 1, link.mpls, true],
  ['pppoe', 1, link.pppoe, true], ['llc', 1, link.llcSnap, true], ['sll', 113, link.sll, true], ['sll2', 276, link.sll2, true],
  ['null', 0, link.null, true], ['loop', 108, link.loop, true], ['raw', 101, link.raw, true], ['raw12', 12, link.raw, true], ['ipv4', 228, link.raw, false],
];
for (const [name, lt, wrap, v6] of linkCases) {
  it(`1. ip-packet, link type ${name}: each IP packet byte for byte`, async () => {
    const ips = [ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(1))), tcp4({ from: 'client', seq: 1000, ack: 1, payload: sipMsg(2) }), ...(v6 ? [ipv6(C6, S6, [], 17, udp(5060, 5060, sipMsg(3)))] : [])];
    const cap = await writeLinkCap(path.join(t.dir(), `lt-${name}.pcap`), lt, ips.map((ip, k) => ({ ts: 1 + k / 10, data: wrap(ip) })));
    const r = await receiver();
    try {
      const res = await cli(['replay', cap, '--to', `udp://127.0.0.1:${r.port}`, '--speed', '0', '--udp-mode', 'ip-packet']);
      await until(r.got, ips.length);
      expect(JSON.parse(res.stdout)).toEqual({ sent: ips.length, skipped: 0 });
      expect(res.stderr).toBe('');
      expect(r.got.map((b) => b.toString('hex'))).toEqual(ips.map((b) => Buffer.from(b).toString('hex')));
    } finally {
      r.close();
    }
  }, 60_000);
}

it('2. ip-packet, Ethernet padding past the IP packet: sent with it, read live as offline', async () => {
  const m1 = sipMsg(1);
  const pad = (ip: Uint8Array) => cat(link.ethernet(ip), new Uint8Array(Math.max(0, 60 - 14 - ip.length) + 4).fill(0xee));
  const ips = [
    tcp4({ from: 'client', seq: 1000, ack: 9000, payload: '\r\n\r\n' }),
    tcp4({ from: 'client', seq: 1004, ack: 9000, payload: m1 }),
    tcp4({ from: 'server', seq: 9000, ack: 1004 + m1.length, flags: ACK }),
    tcp4({ from: 'client', seq: 1004 + m1.length, ack: 9000, payload: '\r\n' }),
    ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(2))),
    ipv4(C4, S4, 17, udp(7000, 7002, Uint8Array.from([0x80, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9]))),
  ];
  const cap = await writeLinkCap(path.join(t.dir(), 'pad.pcap'), 1, ips.map((ip, k) => ({ ts: 1 + k / 10, data: pad(ip) })));
  const { off, got } = await same('pad', cap, 'ip-packet');
  expect(off.summary.sip).toBe(2);
  expect({ sent: got.sent, skipped: got.skipped, stderr: got.stderr }).toEqual({ sent: 6, skipped: 0, stderr: '' });
  expect(reading(got)).toEqual(reading(off));
}, 60_000);

it('3. ip-packet, an IPv4 total length past the captured bytes (nothing cut): read live as offline', async () => {
  const lie = ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(2)));
  new DataView(lie.buffer).setUint16(2, lie.length + 100);
  const lieTcp = tcp4({ from: 'client', seq: 1000, ack: 9000, payload: sipMsg(4) });
  new DataView(lieTcp.buffer).setUint16(2, lieTcp.length + 100);
  const recs: LinkRec[] = [lie, lieTcp, ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(3)))].map((ip, k) => ({ ts: 1 + k / 10, data: link.ethernet(ip) }));
  const cap = await writeLinkCap(path.join(t.dir(), 'lie.pcap'), 1, recs);
  const { off, got } = await same('lie', cap, 'ip-packet');
  expect(off.summary).toMatchObject({ sip: 1, malformed: 2 });
  expect(got.sent).toBe(3);
  expect(noByte(reading(got))).toEqual(noByte(reading(off)));
}, 60_000);

it('4. ip-packet, segmentation-offload packets (length fields 0): read live as offline', async () => {
  const big = sipMsg('big').replace('Content-Length: 0\r\n\r\n', `Content-Type: text/plain\r\nContent-Length: 30000\r\n\r\n${'a'.repeat(30000)}`);
  const a = tcp4({ from: 'client', seq: 1000, ack: 9000, payload: big });
  new DataView(a.buffer).setUint16(2, 0);
  const b = ipv6(C6, S6, [], 6, tcp({ from: 'client', seq: 1000, ack: 9000, payload: big, sport: 41000 }));
  new DataView(b.buffer).setUint16(4, 0);
  const recs: LinkRec[] = [a, tcp4({ from: 'client', seq: 1000 + big.length, ack: 9000, payload: sipMsg(2) }), b].map((ip, k) => ({ ts: 1 + k / 10, data: link.ethernet(ip) }));
  const cap = await writeLinkCap(path.join(t.dir(), 'tso.pcap'), 1, recs);
  const { off, got } = await same('tso', cap, 'ip-packet');
  expect(off.summary.sip).toBe(3);
  expect(got.sent).toBe(3);
  expect(reading(got)).toEqual(reading(off));
}, 60_000);

it('5. ip-packet at --speed 1: records not sent set no pace', async () => {
  const p = (n: number) => link.ethernet(ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(n))));
  const big = link.ethernet(ipv4(C4, S4, 17, udp(4000, 4000, new Uint8Array(65_100 - 28))));
  const cut = p(9);
  const arp = link.ethernet(new Uint8Array(28).fill(1), 0x0806);
  const recs: LinkRec[] = [
    { ts: 100, data: arp },
    { ts: 101, data: big },
    { ts: 102, data: cut.subarray(0, 60), origLen: cut.length },
    { ts: 1000, data: p(1) },
    { ts: 1000.4, data: p(2) },
    { ts: 1000.5, data: big },
    { ts: 1000.8, data: p(3) },
    { ts: 1900, data: arp },
  ];
  const cap = await writeLinkCap(path.join(t.dir(), 'pace.pcap'), 1, recs);
  // a last record cut short by the file's end (100 bytes said, 3 there)
  await appendFile(cap, Buffer.from([1, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 100, 0, 0, 0, 1, 2, 3]));
  const r = await receiver();
  const at: number[] = [];
  r.socket.on('message', () => at.push(performance.now()));
  try {
    const t0 = performance.now();
    const res = await cli(['replay', cap, '--to', `udp://127.0.0.1:${r.port}`, '--speed', '1', '--udp-mode', 'ip-packet']);
    const took = performance.now() - t0;
    await until(r.got, 3);
    expect(JSON.parse(res.stdout)).toEqual({ sent: 3, skipped: 6 });
    expect(took).toBeLessThan(10_000);
    const gaps = [at[1]! - at[0]!, at[2]! - at[0]!];
    expect(gaps[0]).toBeGreaterThan(350);
    expect(gaps[0]).toBeLessThan(700);
    expect(gaps[1]).toBeGreaterThan(750);
    expect(gaps[1]).toBeLessThan(1200);
    const err = res.stderr.trim().split('\n');
    expect(err).toHaveLength(4);
    expect(err[0]).toContain(`pace.pcap: at byte ${offsetOf(recs, 1)}: frame 2: an IP packet of 65100 bytes (more than 65000): not sent`);
    expect(err[1]).toContain(`pace.pcap: at byte ${offsetOf(recs, 2)}: frame 3: 18 of its 210 payload bytes captured (the capture's snap length): not sent`);
    expect(err[2]).toMatch(/pace\.pcap: at byte \d+: record cut short: 3 of 100 data bytes$/);
    expect(err[3]).toMatch(/pace\.pcap: 2 IP packets too big for one datagram were not sent \(counted in skipped\)$/);
  } finally {
    r.close();
  }
}, 60_000);

const c = (ts: number, seq: number, payload: string, sport = 40000, flags?: number): Rec => ({ ts, ip: tcp4({ from: 'client', seq, ack: 9000, payload, sport, ...(flags !== undefined && { flags }) }) });

it('6. HEP, the end of the capture: held undecided chunks, drained bytes behind a gap, FIN cuts', async () => {
  const [m1, m2, m3, m4] = [sipMsg(1), sipMsg(2), sipMsg(3), sipMsg(4)];
  const recs: Rec[] = [
    c(1.0, 999, 'x'),
    c(1.05, 1000, m1.slice(0, 60)),
    c(1.1, 5000, m2, 41000),
    c(1.15, 5000 + m2.length + 50, m3.slice(50) + m4, 41000),
    c(1.2, 7000, m1, 42000),
    c(1.25, 7000 + m1.length, m2.slice(0, 30), 42000),
    c(1.3, 7000 + m1.length + 30, '', 42000, FIN | ACK),
    c(1.4, 3000, m3, 43000),
    c(1.45, 3000 + m3.length, m4.slice(0, 30), 43000),
    c(1.5, 3000 + m3.length + 30, '', 43000, FIN | ACK),
  ];
  const cap = await writeRecs(path.join(t.dir(), 'end.pcap'), recs);
  const { off, got } = await same('end', cap, 'hep');
  expect(lines(off.reports)).toHaveLength(5);
  expect(lines(got.reports)).toEqual(lines(off.reports).filter((l) => l.includes('the end of the capture')));
  expect(got.summary.sip).toBe(Number(off.summary.sip) - 4);
  const err = got.stderr.trim().split('\n');
  expect(err).toHaveLength(3);
  expect(err[0]).toMatch(/end\.pcap: frame 7: sip no-header-end at byte 210 \(30 bytes of a message cut by FIN, dropped\): the offline replay's report, not the live side's/);
  expect(err[1]).toMatch(/end\.pcap: frame 10: sip garbage-skipped at byte 0 \(158\): the offline replay's report/);
  expect(err[2]).toMatch(/end\.pcap: 3 cuts in SIP over TCP \(a lost segment, FIN, RST\) were not sent/);
}, 60_000);

it('7. HEP, two directions unfinished at the end, held in another order than first seen: reports in offline order', async () => {
  const [m1, m2, m3, m4] = [sipMsg(1), sipMsg(2), sipMsg(3), sipMsg(4)];
  const cap = await writeRecs(path.join(t.dir(), 'order.pcap'), [
    c(1.0, 5000, m1, 41000),
    c(1.1, 1000, m2, 40000),
    c(1.2, 1000 + m2.length, m3.slice(0, 45), 40000),
    c(1.3, 5000 + m1.length, m4.slice(0, 70), 41000),
  ]);
  const { off, got } = await same('order', cap, 'hep');
  expect(off.reports).toHaveLength(2);
  expect(got.stderr).toBe('');
  expect(reading(got)).toEqual(reading(off));
}, 60_000);

it('8. payload mode: UDP payloads as they were, TCP and ARP not sent; a 65 515-byte IPv6 payload to [::1]', async () => {
  const big = udp(4000, 4000, sipMsg('frag', `X-Pad: ${'p'.repeat(1600)}\r\n`));
  const frags = ipv4Fragments(C4, S4, 17, big, 1480);
  const huge = new Uint8Array(65_515).fill(0x61);
  const recs: LinkRec[] = [
    { ts: 1.0, data: link.ethernet(ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(1)))) },
    { ts: 1.1, data: link.ethernet(tcp4({ from: 'client', seq: 1000, ack: 9000, payload: sipMsg(2) })) },
    { ts: 1.2, data: link.ethernet(new Uint8Array(28).fill(1), 0x0806) },
    ...frags.map((f, k) => ({ ts: 1.3 + k / 100, data: link.ethernet(f) })),
    { ts: 1.4, data: link.ethernet(ipv6(C6, S6, [], 17, udp(5060, 5060, huge))) },
  ];
  const cap = await writeLinkCap(path.join(t.dir(), 'payload.pcap'), 1, recs);
  const s = createSocket({ type: 'udp6', recvBufferSize: 8 << 20 });
  const got: Buffer[] = [];
  s.on('message', (m) => got.push(m));
  await new Promise<void>((resolve) => s.bind(0, '::1', () => resolve()));
  try {
    const res = await cli(['replay', cap, '--to', `udp://[::1]:${s.address().port}`, '--speed', '0']);
    await until(got, 3);
    expect(JSON.parse(res.stdout)).toEqual({ sent: 3, skipped: 3 });
    expect(res.stderr).toBe('');
    expect(got.map((b) => b.length)).toEqual([Buffer.byteLength(sipMsg(1)), big.length - 8, 65_515]);
    expect(got[1]!.equals(Buffer.from(big.subarray(8)))).toBe(true);
  } finally {
    s.close();
  }
}, 60_000);
