/**
 * Found by a review of SIP over TCP framing (4c9813e), fixed since: where the direction's first octet may be a keep-alive probe's, what opens the direction is looked for after it first — an Upgrade, frames, a request line naming a method or a status line — and only then at the octet itself, not as a frame's first byte while a frame begun after it has not ended (src/signaling/sip-flows.ts SipFlowDemux.classify).
 * Input: a SIP-over-WebSocket connection the capture joined after its handshake (no SYN, no GET,
 *   no 101): the client direction is idle, sends a TCP keep-alive probe carrying one garbage octet
 *   at SND.NXT − 1 (RFC 1122 §4.2.3.6) — here 0x81, as the last byte of its previous masked frame
 *   may be (masked payload bytes are random) — then a masked text frame with an INVITE (mask key
 *   37 fa 01 3d) and one with an OPTIONS. Also the real capture heplify_sip_ipv4_tcp.pcap joined
 *   without its SYN, each direction's first message preceded by a probe whose garbage octet is 0x81
 *   (RFC 1122 leaves the octet's value open).
 * Correct: README "a TCP keep-alive probe … neither holds its messages back nor is glued to the
 *   first one"; SPEC §7 SIP over TCP and WebSocket: the messages read as without the probe.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { A, B, seg, sipMsg, TcpFlag, type Rec } from '../tcp-reassembly-review/lab.js';
import { startLines } from '../tcp-suspicions-review/feed.js';
import { wsFrame } from '../transport-review/transport-harness.js';

const P = TcpFlag.PSH | TcpFlag.ACK;

describe("a keep-alive probe's garbage octet that looks like a frame's first byte", () => {
  it('WebSocket joined after the handshake: the INVITE and OPTIONS after the probe are read', async () => {
    const key = Uint8Array.of(0x37, 0xfa, 0x01, 0x3d);
    const f1 = wsFrame({ fin: true, opcode: 1, payload: Buffer.from(sipMsg('INVITE', 'one'), 'latin1'), mask: true }, key);
    const f2 = wsFrame({ fin: true, opcode: 1, payload: Buffer.from(sipMsg('OPTIONS', 'two'), 'latin1'), mask: true }, key);
    const recs = [seg(A, 999, TcpFlag.ACK, Uint8Array.of(0x81), 0, 9000), seg(B, 9000, TcpFlag.ACK, '', 0, 1000), seg(A, 1000, P, f1, 0, 9000), seg(A, 1000 + f1.length, P, f2, 0, 9000)];
    expect(await startLines(recs)).toEqual([[3, ['INVITE one']], [4, ['OPTIONS two']]]);
  });

  it('the real capture heplify_sip_ipv4_tcp.pcap joined without its SYN, a probe before each direction: the 7 messages read', async () => {
    const file = path.resolve(process.cwd(), '../shared/captures/heplify_sip_ipv4_tcp.pcap');
    const rows = execFileSync('tshark', ['-r', file, '-Y', 'tcp.len>0', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.seq_raw', '-e', 'tcp.ack_raw', '-e', 'tcp.payload'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(rows.length).toBe(7);
    const C = { src: '10.33.6.101', dst: '10.33.6.102', sport: 64802, dport: 5060 };
    const S = { src: '10.33.6.102', dst: '10.33.6.101', sport: 5060, dport: 64802 };
    const recs: Rec[] = [];
    const probed = new Set<string>();
    for (const [sport, seq, ack, hex] of rows) {
      const dir = sport === '64802' ? C : S;
      if (!probed.has(sport!)) {
        probed.add(sport!);
        recs.push(seg(dir, Number(seq) - 1, TcpFlag.ACK, Uint8Array.of(0x81), 0, Number(ack)));
      }
      recs.push(seg(dir, Number(seq), P, Buffer.from(hex!, 'hex'), 0, Number(ack)));
    }
    const got = (await startLines(recs)).flatMap(([, m]) => m).map((m) => m.split(' ')[0]);
    expect(got).toEqual(['INVITE', '100', '180', '200', 'ACK', 'BYE', '200']);
  });
});
