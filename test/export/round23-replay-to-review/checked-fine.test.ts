/**
 * Checked and fine (review of 8418f0b and 3be3820, replay --to's TCP framing; real `live` children):
 * 1. Out-of-order and overlapping/retransmitted segments (a later segment first, an overlap, the
 *    whole first message retransmitted at the end): over HEP and in ip-packet mode live reads the
 *    three messages as offline (summary and reports equal, packets and times aside).
 * 2. IPv6 behind a VLAN tag, a message over two segments: live = offline over HEP and ip-packet.
 * 3. TLS over TCP (records from the direction's first byte): given up as not SIP on both sides,
 *    over HEP and ip-packet; nothing held (sent = records).
 * 4. Over HEP, a FIN mid-message, a port reuse by a new SYN mid-message, an RST mid-message: none
 *    of the cut bytes is sent, live reads the whole messages offline reads (sip = offline's less the
 *    3 cuts, no report), stderr is two lines: the first cut naming the file and its frame (the
 *    offline report's words and frame), then the count of cuts; sent + skipped ≤ records (the FIN
 *    segment whose bytes were dropped counted in neither, as documented).
 * 5. Over HEP, a TCP segment in IPv4 fragments: reassembled by the sender, read live as offline.
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { writeCap, sipMsg, SYN, FIN, RST, ACK, type Seg } from './cap.js';
import { liveOf, offlineOf } from './harness.js';
import { detailOf, setup } from './common.js';

const t = setup('r23-fine-');
const [m1, m2, m3] = [sipMsg(1), sipMsg(2), sipMsg(3)];
const lines = (rs: Record<string, unknown>[]) => rs.map((r) => `${String(r.type)} ${detailOf(r)}`);

async function same(name: string, segs: Seg[], mode: 'hep' | 'ip-packet', expectSip: number) {
  const cap = path.join(t.dir(), `${name}.pcap`);
  await writeCap(cap, segs);
  const off = await offlineOf(t.dir(), cap, `${name}-${mode}`, t.policy());
  expect(off.summary.sip).toBe(expectSip);
  const got = await liveOf(t.dir(), cap, name, t.policy(), mode);
  expect(got.stderr).toBe('');
  expect({ summary: { ...got.summary, packets: 0 }, reports: lines(got.reports) }).toEqual({ summary: { ...off.summary, packets: 0 }, reports: lines(off.reports) });
  return got;
}

for (const mode of ['hep', 'ip-packet'] as const) {
  it(`out-of-order and overlapping segments (${mode})`, async () => {
    await same(
      'ooo',
      [
        { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: m1.slice(0, 100) },
        { ts: 1.1, from: 'client', seq: 1150, ack: 9000, payload: (m1 + m2).slice(150, 300) },
        { ts: 1.2, from: 'client', seq: 1080, ack: 9000, payload: m1.slice(80, 160) },
        { ts: 1.3, from: 'client', seq: 1300, ack: 9000, payload: (m1 + m2 + m3).slice(300) },
        { ts: 1.4, from: 'client', seq: 1000, ack: 9000, payload: m1 },
      ],
      mode,
      3,
    );
  }, 60_000);
  it(`IPv6 behind a VLAN tag (${mode})`, async () => {
    await same(
      'v6',
      [
        { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: m1 + m2.slice(0, 50), v6: true, vlan: true },
        { ts: 1.1, from: 'client', seq: 1000 + m1.length + 50, ack: 9000, payload: m2.slice(50) + m3, v6: true, vlan: true },
      ],
      mode,
      3,
    );
  }, 60_000);
  it(`TLS over TCP is not SIP on either side (${mode})`, async () => {
    const tls = new Uint8Array([0x16, 0x03, 0x01, 0x00, 0x40, ...new Array<number>(0x40).fill(7)]);
    const got = await same(
      'tls',
      [
        { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: tls },
        { ts: 1.1, from: 'client', seq: 1000 + tls.length, ack: 9000, payload: tls },
      ],
      mode,
      0,
    );
    expect(got.sent).toBe(2);
  }, 60_000);
}

it('over HEP, FIN, a new SYN and RST mid-message: cut bytes not sent, said on stderr in two lines', async () => {
  const segs: Seg[] = [
    { ts: 0.9, from: 'client', seq: 999, flags: SYN },
    { ts: 0.95, from: 'server', seq: 8999, ack: 1000, flags: SYN | ACK },
    { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: m1 + m2.slice(0, 50) },
    { ts: 1.1, from: 'client', seq: 1000 + m1.length + 50, ack: 9000, payload: m2.slice(50, 90), flags: FIN | ACK },
    { ts: 2.0, from: 'client', seq: 4999, flags: SYN },
    { ts: 2.05, from: 'server', seq: 7999, ack: 5000, flags: SYN | ACK },
    { ts: 2.1, from: 'client', seq: 5000, ack: 8000, payload: m3 + m1.slice(0, 70) },
    { ts: 3.0, from: 'client', seq: 5999, flags: SYN },
    { ts: 3.1, from: 'client', seq: 6000, ack: 8000, payload: m2 + m3.slice(0, 30) },
    { ts: 3.2, from: 'server', seq: 8000, ack: 6000 + m2.length + 30, flags: RST | ACK },
  ];
  const cap = path.join(t.dir(), 'cuts.pcap');
  await writeCap(cap, segs);
  const off = await offlineOf(t.dir(), cap, 'cuts', t.policy());
  expect(off.summary).toMatchObject({ sip: 6, malformed: 3 });
  const got = await liveOf(t.dir(), cap, 'cuts', t.policy(), 'hep');
  expect({ summary: got.summary, reports: got.reports }).toEqual({ summary: { ...off.summary, packets: got.sent, sip: 3, malformed: 0, reports: {} }, reports: [] });
  const err = got.stderr.trim().split('\n');
  expect(err).toHaveLength(2);
  expect(err[0]).toContain(`cuts.pcap: ${String(off.reports[0]!.detail)}: the offline replay's report`);
  expect(err[1]).toContain('cuts.pcap: 3 cuts in SIP over TCP');
  expect(got.sent + got.skipped).toBeLessThanOrEqual(segs.length);
}, 60_000);

it('over HEP, a TCP segment in IPv4 fragments is read live as offline', async () => {
  await same(
    'frag',
    [
      { ts: 1.0, from: 'client', seq: 1000, ack: 9000, payload: m1, fragment: 64 },
      { ts: 1.1, from: 'client', seq: 1000 + m1.length, ack: 9000, payload: m2 },
    ],
    'hep',
    2,
  );
}, 60_000);
