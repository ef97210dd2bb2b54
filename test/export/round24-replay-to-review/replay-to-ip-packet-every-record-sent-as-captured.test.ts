/**
 * Found by a review of ce80d19/8e7e3d7 (replay --to's fixes), fixed since: in ip-packet mode every record whose link layer carries an IP packet goes as that IP packet, byte for byte, whatever it carries; an IP packet too big for one datagram is said for every protocol (src/sources/replay-sender.ts replayCapture).
 * Input: one Ethernet capture: a UDP SIP datagram, a bare TCP ACK, an ICMP echo, an ARP frame, an
 *   IPv4 header with version 5, a UDP datagram the snap length cut, a UDP datagram in two IPv4
 *   fragments, two UDP datagrams in IP packets of 65 100 bytes, a TCP segment the snap length cut.
 *   `replay --to udp://… --udp-mode ip-packet --speed 0` to a plain UDP socket.
 * Was: the sender chose what to send by what it decoded (a UDP datagram rebuilt as a fresh IP
 *   packet, its fragments not sent; a bare ACK, ICMP and the malformed header not sent; a UDP
 *   datagram too big for one datagram skipped without a word), and each choice was a way for the
 *   live side to read the capture otherwise than the offline replay.
 * Correct: the task BR point 1: each record whose link layer carries an IP packet goes as that IP
 *   packet as captured, in capture order; not sent (in `skipped`): a record carrying no IP packet
 *   (ARP), one the snap length cut (the first said, the count at the end), an IP packet too big for
 *   one datagram (the first said with file, byte and frame, the count at the end).
 */
import path from 'node:path';
import { expect, it } from 'vitest';
import { cli } from '../../live/live-vs-replay-review/lvr-helpers.js';
import { sipMsg } from '../round23-replay-to-review/cap.js';
import { setup } from './harness.js';
import { C4, ipv4, ipv4Fragments, S4, tcp4, udp } from './pkt.js';
import { receiver, until, writeFrames, type Frame } from './frames.js';

const t = setup('r24-every-');

it('ip-packet mode sends every IP packet as captured, and says what it cannot send', async () => {
  const sip = ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(1)));
  const bareAck = tcp4({ from: 'server', seq: 9000, ack: 1000 });
  const icmp = ipv4(C4, S4, 1, Uint8Array.from([8, 0, 0xf7, 0xff, 0, 1, 0, 1]));
  const arp = new Uint8Array(28).fill(1);
  const v5 = ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(2)));
  v5[0] = 0x55;
  const cutUdp = ipv4(C4, S4, 17, udp(5060, 5060, sipMsg(3)));
  const frags = ipv4Fragments(C4, S4, 17, udp(5060, 5060, sipMsg(4)), 128);
  const big = ipv4(C4, S4, 17, udp(4000, 4000, new Uint8Array(65_100 - 28)));
  const cutTcp = tcp4({ from: 'client', seq: 1000, ack: 9000, payload: sipMsg(5) });
  const frames: Frame[] = [
    { ts: 1.0, body: sip },
    { ts: 1.01, body: bareAck },
    { ts: 1.02, body: icmp },
    { ts: 1.03, body: arp, etherType: 0x0806 },
    { ts: 1.04, body: v5 },
    { ts: 1.05, body: cutUdp.subarray(0, 60), cut: cutUdp.length - 60 },
    { ts: 1.06, body: frags[0]! },
    { ts: 1.07, body: frags[1]! },
    { ts: 1.08, body: big },
    { ts: 1.09, body: big },
    { ts: 1.1, body: cutTcp.subarray(0, 50), cut: cutTcp.length - 50 },
  ];
  const cap = await writeFrames(path.join(t.dir(), 'every.pcap'), frames);
  const offsets = frames.map((_, k) => 24 + frames.slice(0, k).reduce((n, f) => n + 16 + 14 + f.body.length, 0));
  const r = await receiver();
  try {
    const res = await cli(['replay', cap, '--to', `udp://127.0.0.1:${r.port}`, '--speed', '0', '--udp-mode', 'ip-packet']);
    const sent = [sip, bareAck, icmp, v5, ...frags];
    await until(r.got, sent.length);
    expect(JSON.parse(res.stdout)).toEqual({ sent: sent.length, skipped: 5 });
    expect(r.got.map((b) => b.toString('hex'))).toEqual(sent.map((b) => Buffer.from(b).toString('hex')));
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(new RegExp(`every\\.pcap: at byte ${offsets[5]}: frame 6: \\d+ of its \\d+ payload bytes captured .*not sent, nor any other record the snap length cut`));
    expect(lines[1]).toMatch(new RegExp(`every\\.pcap: at byte ${offsets[8]}: frame 9: an IP packet of 65100 bytes \\(more than 65000\\): not sent, nor any other too big for one datagram`));
    expect(lines.slice(2).sort()).toEqual([
      expect.stringMatching(/every\.pcap: 2 IP packets too big for one datagram were not sent \(counted in skipped\)$/),
      expect.stringMatching(/every\.pcap: 2 records cut by the capture's snap length were not sent \(counted in skipped\)$/),
    ].sort());
  } finally {
    r.close();
  }
}, 60_000);
