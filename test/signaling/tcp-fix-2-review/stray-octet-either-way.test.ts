/**
 * Checks of the fix of probe-octet-like-frame.test.ts (looking after a possible keep-alive probe's
 * octet first, src/signaling/sip-flows.ts SipFlowDemux.classify) that it takes neither reading
 * for the other where the bytes tell them apart.
 * Input: heplify_sip_ipv4_tcp.pcap joined without its SYN at each of its messages, as plain SIP
 *   and carried in WebSocket text frames (client frames masked, keys from a fixed seed), each
 *   direction preceded by nothing or a probe whose octet looks like text, CR/LF or a frame's first
 *   byte, each message whole, its first byte alone, or in pieces of 1–120 or 1–400 bytes (1–8
 *   from the first message).
 *   Also a masked Ping, Pong or CRLF keep-alive whose first byte came alone in its segment (its
 *   second byte, 0x80 | its length, looks like a frame's first byte), then a text frame.
 * Correct: SPEC §7 SIP over TCP and WebSocket: every message from the joined one on read, as
 *   without the probe; the keep-alive's direction read as WebSocket from its first byte.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { seg, sipMsg, TcpFlag, type Rec } from '../tcp-reassembly-review/lab.js';
import { startLines } from '../tcp-suspicions-review/feed.js';
import { wsFrame } from '../transport-review/transport-harness.js';

it('the real capture, plain and over WebSocket, probes and pieces: every message read', async () => {
  const file = path.resolve(process.cwd(), '../shared/captures/heplify_sip_ipv4_tcp.pcap');
  const rows = execFileSync('tshark', ['-r', file, '-Y', 'tcp.len>0', '-T', 'fields', '-e', 'tcp.srcport', '-e', 'tcp.seq_raw', '-e', 'tcp.ack_raw', '-e', 'tcp.payload'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.split('\t'));
  const C = { src: '10.33.6.101', dst: '10.33.6.102', sport: 64802, dport: 5060 };
  const S = { src: '10.33.6.102', dst: '10.33.6.101', sport: 5060, dport: 64802 };
  const P = TcpFlag.PSH | TcpFlag.ACK;
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const wrong: string[] = [];
  for (const ws of [false, true])
    for (let start = 0; start < rows.length; start++)
      for (const probe of [-1, 0x0a, 0x78, 0x00, 0x41, 0x81, 0x82, 0x88, 0x89, 0x8a, 0xc1, 0xc2])
        for (const span of start === 0 ? [0, 1, 8, 120, 400] : [0, 1, 120, 400]) {
          const recs: Rec[] = [];
          const shift = new Map<string, number>();
          for (const [sport, seqText, ackText, hex] of rows.slice(start)) {
            const client = sport === '64802';
            const dir = client ? C : S;
            const raw = Buffer.from(hex!, 'hex');
            const pl = ws ? wsFrame({ fin: true, opcode: 1, payload: raw, mask: client }, Uint8Array.of(rnd(256), rnd(256), rnd(256), rnd(256))) : raw;
            const seq = Number(seqText) + (shift.get(sport!) ?? 0);
            const ack = Number(ackText);
            if (probe >= 0 && !shift.has(sport!)) recs.push(seg(dir, seq - 1, TcpFlag.ACK, Uint8Array.of(probe), 0, ack));
            shift.set(sport!, (shift.get(sport!) ?? 0) + pl.length - raw.length);
            const cuts = [0];
            if (span === 1) cuts.push(1);
            else if (span > 1) for (let c = 1 + rnd(span); c < pl.length; c += 1 + rnd(span)) cuts.push(c);
            cuts.push(pl.length);
            for (let k = 0; k + 1 < cuts.length; k++) recs.push(seg(dir, seq + cuts[k]!, P, pl.subarray(cuts[k], cuts[k + 1]), 0, ack));
          }
          const got = (await startLines(recs)).flatMap(([, m]) => m).map((m) => m.split(' ')[0]);
          if (JSON.stringify(got) !== JSON.stringify(['INVITE', '100', '180', '200', 'ACK', 'BYE', '200'].slice(start))) wrong.push(`${ws ? 'ws' : 'plain'} from ${start} probe ${probe} pieces ${span}: ${got.join(',')}`);
        }
  expect(wrong).toEqual([]);
}, 60_000);

it("a masked keep-alive whose first byte came alone: WebSocket from that byte, the next frame's INVITE read", () => {
  const invite = wsFrame({ fin: true, opcode: 1, payload: Buffer.from(sipMsg('INVITE', 'one'), 'latin1'), mask: true }, Uint8Array.of(1, 2, 3, 4));
  for (const [opcode, payload] of [[9, 'kamailio'], [10, 'kamailio'], [10, 'x'], [1, '\r\n']] as const)
    for (const key of [Uint8Array.of(0x37, 0xfa, 0x01, 0x3d), Uint8Array.of(0x00, 0x81, 0x0a, 0xff), Uint8Array.of(0x7e, 0x7e, 0x7e, 0x7e)]) {
      const f = wsFrame({ fin: true, opcode, payload: Buffer.from(payload, 'latin1'), mask: true }, key);
      const d = new SipFlowDemux();
      d.push('k', f, 0, 1);
      d.push('k', f, 1, f.length - 1);
      expect([opcode, payload, d.kindOf('k')]).toEqual([opcode, payload, 'websocket']);
      expect(d.push('k', invite, 0, invite.length).map((r) => r.message?.callId)).toEqual(['one']);
    }
});
