/**
 * Checks of e13128a (TCP: SYN-less start at the first data, ACK past a gap, timeouts checked at
 * every segment) that came out fine. Packet-level, through the packet feed (lab.ts), compared
 * with tshark where it applies.
 */
import { expect, it } from 'vitest';
import { TcpStreamReassembler } from '../../../native-free/tcp-stream.js';
import { LinkType } from '../../../native-free/types.js';
import { PacketFeed } from '../../../src/pipeline/packet-feed.js';
import { batchOf } from '../../native-free/packet-helpers.js';
import { A, B, oursSip, seg, sipMsg, TcpFlag, timed, tsharkSip, writeCap, type Rec } from '../tcp-reassembly-review/lab.js';

const P = TcpFlag.PSH | TcpFlag.ACK;
const OOO = ['-o', 'tcp.reassemble_out_of_order:TRUE'];
const m1 = sipMsg('OPTIONS', 'one');
const m2 = sipMsg('INVITE', 'two');
const m3 = sipMsg('BYE', 'three');
const names = (x: [number, string[]][]) => x.filter(([, m]) => m.some((s) => !s.includes(':')));

/** OPTIONS, [INVITE missing], BYE held, then `mid` (B's segments), then the INVITE late */
function gapShape(isn: number, mid: (s3: number) => Rec[]): Rec[] {
  const s1 = (isn + 1) >>> 0;
  const s2 = (s1 + m1.length) >>> 0;
  const s3 = (s2 + m2.length) >>> 0;
  return [
    { ...seg(A, isn, TcpFlag.SYN), ts: 100 },
    { ...seg(B, 5000, TcpFlag.SYN | TcpFlag.ACK, '', 0, s1), ts: 100.001 },
    { ...seg(A, s1, P, m1, 0, 5001), ts: 101 },
    { ...seg(A, s3, P, m3, 0, 5001), ts: 101.001 },
    ...mid(s3),
    { ...seg(A, s2, P, m2, 0, 5001), ts: 101.3 },
  ];
}

// a segment with the ACK flag unset: its acknowledgment field (here past the gap) is not one (RFC 9293 §3.1)
it('an acknowledgment number without the ACK flag skips no gap', async () => {
  const recs = gapShape(1000, (s3) => {
    const r = seg(B, 5001, TcpFlag.PSH, 'x', 101.002, s3);
    r.data[47]! &= ~TcpFlag.ACK;
    return [r];
  });
  expect(recs[4]!.data[47]! & TcpFlag.ACK).toBe(0);
  expect(names(await oursSip(recs))).toEqual([
    [3, ['OPTIONS one']],
    [6, ['INVITE two', 'BYE three']],
  ]);
});

// a duplicate ACK at the gap's start (what a SACK-capable receiver sends, its SACK blocks aside) skips nothing: as tshark
it('duplicate ACKs at the gap start leave it to the retransmission', async () => {
  const recs = gapShape(1000, () => [seg(B, 5001, TcpFlag.ACK, '', 101.002, 1001 + m1.length), seg(B, 5001, TcpFlag.ACK, '', 101.003, 1001 + m1.length)]);
  const theirs = tsharkSip(writeCap(recs), OOO);
  expect(names(await oursSip(recs))).toEqual(theirs);
  expect(theirs).toEqual([
    [3, ['OPTIONS one']],
    [7, ['INVITE two', 'BYE three']],
  ]);
});

// the gap and its ACK across 2^32: the ACK (wrapped past 0) is past the gap, the held BYE read at the ACK's record
// (an ACK on a segment carrying data — here a CRLF keep-alive — skips at once; a bare one after ACK_GRACE_SECONDS, since)
it('an ACK past a gap across the 2^32 wrap skips it at its record', async () => {
  const isn = (2 ** 32 - m1.length - 50) >>> 0;
  const recs = gapShape(isn, (s3) => [seg(B, 5001, TcpFlag.ACK | TcpFlag.PSH, '\r\n\r\n', 101.002, s3)]);
  const s3 = (isn + 1 + m1.length + m2.length) >>> 0;
  expect(s3).toBeLessThan(1000); // wrapped
  const ours = await oursSip(recs);
  expect(ours.find(([, m]) => m.includes('BYE three'))?.[0]).toBe(5);
});

// an ACK far past the held bytes (over 1 MiB past them: another incarnation's, forged) skips nothing
it('an ACK far past what the stream holds is not taken', async () => {
  const recs = gapShape(1000, (s3) => [seg(B, 5001, TcpFlag.ACK, '', 101.002, s3 + 5_000_000)]);
  expect(names(await oursSip(recs))).toEqual([
    [3, ['OPTIONS one']],
    [6, ['INVITE two', 'BYE three']],
  ]);
});

// a SYN-less direction opening with a 2-byte CRLF (RFC 5626 §4.4.1 pong) is anchored there: the next message read at its frame, as tshark
it('a 2-byte CRLF pong as the first segment anchors the stream', async () => {
  const recs: Rec[] = [seg(A, 70000, P, '\r\n', 100, 9000), seg(A, 70002, P, m2, 100.5, 9000), seg(A, 70002 + m2.length, P, m3, 101, 9000)];
  const theirs = tsharkSip(writeCap(recs));
  expect(names(await oursSip(recs))).toEqual(theirs);
  expect(theirs).toEqual([
    [2, ['INVITE two']],
    [3, ['BYE three']],
  ]);
});

// the frames at which resumed runs are read do not depend on where batches are cut (1, 5, 1024 records)
it('resumed runs are read at the same frames whatever the batch size', async () => {
  const ok = m2.replace(/^INVITE \S+ SIP\/2.0/, 'SIP/2.0 200 OK').replace('Call-ID: two', 'Call-ID: answer');
  const recs = timed([
    ...gapShape(1000, (s3) => [seg(B, 5001, P, ok, 101.002, s3)]),
    // a second gap, given up by its timeout at a segment of the other direction
    seg(A, 1001 + m1.length + m2.length + m3.length + 50, P, sipMsg('NOTIFY', 'late'), 102),
    ...Array.from({ length: 14 }, (_, i) => seg(B, 5001 + ok.length + i, P, 'x', 103 + i)),
  ]);
  const run = async (size: number) => {
    const out: [number, string[]][] = [];
    const feed = new PacketFeed({
      media() {},
      other() {},
      malformed() {},
      sip(messages, ctx) {
        out.push([ctx.frame, messages.map((m) => (m.message ? `${m.message.cseq?.method} ${m.message.callId}` : `${m.errors[0]?.reason}`))]);
      },
    });
    for (let at = 0; at < recs.length; at += size) {
      const b = batchOf(recs.slice(at, at + size).map((r) => ({ data: r.data, linkType: LinkType.ETHERNET, ts: r.ts })));
      b.firstFrame = at + 1;
      await feed.feedBatch(b);
    }
    return out;
  };
  const one = await run(1);
  expect(one.find(([, m]) => m.includes('BYE three'))?.[0]).toBe(5);
  expect(one.find(([, m]) => m.includes('NOTIFY late'))?.[0]).toBeGreaterThan(7);
  expect(one.find(([, m]) => m.includes('NOTIFY late'))?.[0]).toBeLessThan(7 + 14);
  expect(await run(5)).toEqual(one);
  expect(await run(1024)).toEqual(one);
});

// the timeout sweep: short-lived gaps (filled within 1 ms) opened every 0.5 s on 4000 connections sweep the
// stream table about once per 10 s of capture time, not once per gap; nothing is left in `resumed`
it('gap-timeout sweeps are bounded by capture time, not by the gaps opened', () => {
  const r = new TcpStreamReassembler();
  const d = new Uint8Array(100).fill(65);
  const m = (r as unknown as { streams: Map<string, unknown> }).streams;
  let visits = 0;
  const orig = Map.prototype[Symbol.iterator];
  (m as unknown as Record<symbol, unknown>)[Symbol.iterator] = function* () {
    for (const e of orig.call(m)) {
      visits++;
      yield e;
    }
  };
  const key = (i: number) => `10.0.${i >> 8}.${i & 255}:5060>10.9.9.9:5060`;
  const C = 4000;
  for (let i = 0; i < C; i++) r.add(key(i), 1000, 1000, TcpFlag.ACK, d, 0, 100, 1);
  const next: number[] = new Array(C).fill(1100);
  let ts = 1000;
  const K = 4000;
  for (let k = 0; k < K; k++) {
    ts += 0.5;
    const i = (k * 7919) % C;
    r.add(key(i), ts, next[i]! + 100, TcpFlag.ACK, d, 0, 100, 1);
    r.add(key(i), ts + 0.001, next[i]!, TcpFlag.ACK, d, 0, 100, 1);
    next[i]! += 200;
  }
  expect(r.stats.gaps).toBe(0);
  expect(visits).toBeLessThanOrEqual(((K * 0.5) / 10 + 2) * C);
  expect(r.resumed).toHaveLength(0);
});
