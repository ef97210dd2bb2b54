/**
 * Checked and fine (review of ce80d19 and 8e7e3d7, replay --to's ip-packet fragments/SYNs/too-big
 * and HEP per-segment chunks; real `live` children, compared with the offline `replay`; summary
 * and reports equal, packets (datagrams) and frame numbers aside):
 * 1. ip-packet, IPv6 fragments with hop-by-hop and routing headers before the fragment header
 *    (walkIpv6Extensions from 8e7e3d7): every fragment sent, live = offline; sent + skipped = records.
 * 2. ip-packet, IPv4 fragments of a segment out of order, two of them captured twice (exact
 *    copies, one while the set is open, one after it completed): live = offline, all 7 records sent.
 * 3. ip-packet, a segment's fragments with the first one missing: live = offline (the same "IPv4
 *    fragments of id … never completed" report, sip 1).
 * 4. ip-packet, a UDP SIP datagram in two IPv4 fragments around a TCP segment in four: live =
 *    offline (3 SIP); every record goes as its captured IP packet (sent 7, skipped 0; since the
 *    round-24 fixes — before, the UDP datagram went once, as a fresh packet: sent 6, skipped 1).
 * 5. Both modes: a fast-open SYN carrying OPTIONS #1, that SYN sent again without data, the
 *    SYN/ACK, #2; a simultaneous open (both SYNs, both SYN/ACKs) on another port with #3 and a
 *    response: live = offline (sip 4); ip-packet sends every record (sent 10, skipped 0; before the
 *    round-24 fixes it left out the SYN sent again and the repeated SYN/ACK: sent 8, skipped 2).
 * 6. Both modes: CRLFCRLF keep-alives before the first message and between messages, a CRLF
 *    pong from the server, a lone CRLF: live = offline, no report.
 * 7. Both modes: two chunks of non-SIP text (a line, then a line without its end) before the
 *    direction's first message, which spans segments: live = offline.
 * 8. Both modes: a binary (not TLS) direction of 40 × 1000 bytes, then an OPTIONS: given up as
 *    not SIP on both sides; over HEP sent per segment (41 frames: what is held while undecided is
 *    bounded by the framer's 16 KiB undecided budget per direction).
 * 9. ip-packet, two TCP segments too big for a datagram: stderr is exactly two lines — the first
 *    naming the file, its byte offset and frame 1, then the count "2 IP packets too big …
 *    (counted in skipped)" (worded for every protocol since the round-24 fixes); {sent 1, skipped 2}
 *    (= the 3 records).
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { liveOf, offlineOf, reading, setup } from './harness.js';
import { C4, C6, ipv4Fragments, ipv6, ipv6Fragments, S4, S6, SYN, ACK, tcp, tcp4, udp, writeRecs, type Rec } from './pkt.js';

const t = setup('r24-fine-');
const [m1, m2, m3] = [sipMsg(1), sipMsg(2), sipMsg(3)];
const [L1, L2, L3] = [m1.length, m2.length, m3.length];
const s1 = tcp({ from: 'client', seq: 1000, ack: 9000, payload: m1 });
const s2 = tcp({ from: 'client', seq: 1000 + L1, ack: 9000, payload: m2 });
const c = (ts: number, seq: number, payload: string | Uint8Array): Rec => ({ ts, ip: tcp4({ from: 'client', seq, ack: 9000, payload }) });

async function same(name: string, recs: Rec[], mode: 'hep' | 'ip-packet', expectSip: number) {
  const cap = await writeRecs(path.join(t.dir(), `${name}.pcap`), recs);
  const off = await offlineOf(t.dir(), cap, `${name}-${mode}`, t.policy());
  expect(off.summary.sip).toBe(expectSip);
  const got = await liveOf(t.dir(), cap, name, t.policy(), mode);
  expect(got.stderr).toBe('');
  expect(reading(got)).toEqual(reading(off));
  if (mode === 'ip-packet') expect(got.sent + got.skipped).toBe(recs.length);
  return got;
}

it('ip-packet: IPv6 fragments behind hop-by-hop and routing headers', async () => {
  const got = await same('v6hbh', [...ipv6Fragments(C6, S6, [0, 43], [], 6, s1, 128).map((ip, k) => ({ ts: 1 + k / 100, ip })), { ts: 1.1, ip: ipv6(C6, S6, [], 6, s2) }], 'ip-packet', 2);
  expect(got.skipped).toBe(0);
}, 60_000);

it('ip-packet: IPv4 fragments out of order and duplicated', async () => {
  const f = ipv4Fragments(C4, S4, 6, s1, 64);
  const got = await same('v4ooo', [f[2]!, f[0]!, f[0]!, f[3]!, f[1]!, f[1]!].map((ip, k) => ({ ts: 1 + k / 100, ip })).concat([c(1.1, 1000 + L1, m2)]), 'ip-packet', 2);
  expect(got).toMatchObject({ sent: 7, skipped: 0 });
}, 60_000);

it('ip-packet: fragments of a segment whose first fragment is missing', async () => {
  const f = ipv4Fragments(C4, S4, 6, s1, 64);
  await same('v4miss', f.slice(1).map((ip, k) => ({ ts: 1 + k / 100, ip })).concat([c(1.1, 1000 + L1, m2)]), 'ip-packet', 1);
}, 60_000);

it('ip-packet: a fragmented UDP SIP datagram next to TCP segments, one of them fragmented', async () => {
  const big = sipMsg('u', `X-Pad: ${'p'.repeat(1600)}\r\n`);
  const u = ipv4Fragments([10, 0, 0, 3], [10, 0, 0, 4], 17, udp(5060, 5060, big), 1480);
  const tf = ipv4Fragments(C4, S4, 6, s2, 64, 0x5151);
  const got = await same('udpfrag', [c(1.0, 1000, m1), { ts: 1.05, ip: u[0]! }, ...tf.map((ip) => ({ ts: 1.1, ip })), { ts: 1.15, ip: u[1]! }], 'ip-packet', 3);
  expect(got).toMatchObject({ sent: 7, skipped: 0 });
}, 60_000);

for (const mode of ['hep', 'ip-packet'] as const) {
  it(`${mode}: fast-open SYN with data, a SYN sent again, simultaneous open`, async () => {
    const got = await same(
      'tfo',
      [
        { ts: 1.0, ip: tcp4({ from: 'client', seq: 999, flags: SYN, payload: m1 }) },
        { ts: 1.05, ip: tcp4({ from: 'client', seq: 999, flags: SYN }) },
        { ts: 1.1, ip: tcp4({ from: 'server', seq: 8999, ack: 1000 + L1, flags: SYN | ACK }) },
        c(1.2, 1000 + L1, m2),
        { ts: 2.0, ip: tcp4({ from: 'client', seq: 4999, flags: SYN, sport: 41000 }) },
        { ts: 2.0, ip: tcp4({ from: 'server', seq: 6999, flags: SYN, sport: 41000 }) },
        { ts: 2.1, ip: tcp4({ from: 'client', seq: 4999, ack: 7000, flags: SYN | ACK, sport: 41000 }) },
        { ts: 2.1, ip: tcp4({ from: 'server', seq: 6999, ack: 5000, flags: SYN | ACK, sport: 41000 }) },
        { ts: 2.2, ip: tcp4({ from: 'client', seq: 5000, ack: 7000, payload: m3, sport: 41000 }) },
        { ts: 2.3, ip: tcp4({ from: 'server', seq: 7000, ack: 5000 + L3, payload: sipMsg(5), sport: 41000 }) },
      ],
      mode,
      4,
    );
    if (mode === 'ip-packet') expect(got).toMatchObject({ sent: 10, skipped: 0 });
  }, 60_000);

  it(`${mode}: CRLFCRLF keep-alives, a CRLF pong, a lone CRLF`, async () => {
    await same(
      'ka',
      [
        c(1.0, 1000, '\r\n\r\n'),
        c(1.1, 1004, m1),
        c(1.2, 1004 + L1, '\r\n\r\n'),
        { ts: 1.25, ip: tcp4({ from: 'server', seq: 9000, ack: 1008 + L1, payload: '\r\n' }) },
        c(1.3, 1008 + L1, m2),
        c(1.4, 1008 + L1 + L2, '\r\n'),
        c(1.5, 1010 + L1 + L2, m3),
      ],
      mode,
      3,
    );
  }, 60_000);

  it(`${mode}: non-SIP text chunks before the first message`, async () => {
    const [j1, j2] = ['hello there\r\n', 'more junk'];
    const at = 1000 + j1.length + j2.length;
    await same('text', [c(1.0, 1000, j1), c(1.1, 1000 + j1.length, j2), c(1.2, at, '\r\n' + m1.slice(0, 40)), c(1.3, at + 42, m1.slice(40) + m2)], mode, 2);
  }, 60_000);

  it(`${mode}: a binary direction is given up on both sides, sent per segment`, async () => {
    const recs: Rec[] = [];
    let seq = 1000;
    for (let k = 0; k < 40; k++) {
      const b = Buffer.alloc(1000);
      for (let j = 0; j < 1000; j++) b[j] = (j * 7 + k) & 0xff;
      recs.push(c(1 + k / 100, seq, b));
      seq += 1000;
    }
    recs.push(c(2, seq, m1));
    const got = await same('binary', recs, mode, 0);
    expect(got.sent).toBe(41);
  }, 60_000);
}

it('ip-packet: two segments too big for a datagram: one line naming file and frame, the count at the end', async () => {
  const big = sipMsg('big').replace('Content-Length: 0\r\n\r\n', `Content-Type: text/plain\r\nContent-Length: 65100\r\n\r\n${'a'.repeat(65100)}`);
  const cap = await writeRecs(path.join(t.dir(), 'big2.pcap'), [c(1.0, 1000, big), c(1.1, 1000 + big.length, big), c(1.2, 1000 + 2 * big.length, m2)]);
  const got = await liveOf(t.dir(), cap, 'big2', t.policy(), 'ip-packet');
  expect({ sent: got.sent, skipped: got.skipped }).toEqual({ sent: 1, skipped: 2 });
  const err = got.stderr.trim().split('\n');
  expect(err).toHaveLength(2);
  expect(err[0]).toMatch(/big2\.pcap: at byte 24: frame 1: an IP packet of \d+ bytes \(more than 65000\): not sent/);
  expect(err[1]).toMatch(/big2\.pcap: 2 IP packets too big for one datagram were not sent \(counted in skipped\)$/);
}, 60_000);
