/**
 * Found by a review of SIP over TCP / WebSocket stream handling (round 20), fixed since: a TLS record header at the start of a later segment of an undecided direction gives it up, and WebSocket without a handshake needs firmer evidence (src/signaling/sip-flows.ts classify, tlsRecords, chainedFrames).
 *
 * Input: SIP over TLS (TCP 5061) connections picked up mid-connection, as nearly every capture of
 *   a long-lived SIP/TLS connection is: each SIP message one TLS application-data record
 *   (0x17 0x03 0x03 len, ciphertext = seeded random bytes, 400–3000 bytes), written as 1448-byte
 *   segments, the capture beginning at the second segment of a record (inside the record, so the
 *   direction's first byte is ciphertext, not a record header). 300 connections, one direction each.
 * Was: some directions are classified 'websocket': a chunk whose first ciphertext bytes happen
 *   to look like a frame that chains (0x42 0xd1 …, 0x82 0x16 …, 0x88 0xab …) is taken for one
 *   (here 3 directions of 300 yield 6 results; with 16 KiB records, 97 directions of 2000 in a
 *   unit run of SipFlowDemux); the ciphertext is then read as frames and
 *   yields `bad-websocket-frame` (reserved opcodes, RSV1 on control frames, continuations without
 *   a message), `bad-start-line`, `oversized-message` results — malformed-input reports, the
 *   `malformed` and `sip` counts of `replay --json` — for someone else's encrypted bytes. Only a
 *   direction whose first byte is a record header is recognised as TLS (classify: the check runs
 *   only while `undecidedBytes === 0 && carried === 0`); a record header at the start of a later
 *   segment (every record after the first here) is not looked at.
 * Correct: encrypted traffic is never read nor reported (README §TCP: "A direction is taken for
 *   someone else's traffic (not reported) at once when it opens with a TLS record header"; a
 *   capture that joins the connection one segment later must not turn the same traffic into
 *   malformed SIP; the earlier fix for TLS from a connection's start,
 *   websocket-review/tls-read-as-websocket.test.ts). tshark reads no SIP in this capture. Expected:
 *   no SIP result at all (no messages, no errors), replay --json sip 0, malformed 0, no reports.
 * Fix: src/signaling/sip-flows.ts SipFlowDemux.classify(): while a direction is undecided, a TLS
 *   record header (opensWithTlsRecord) at the start of any chunk (or right after the end of the
 *   record it announces) gives the direction up as 'other'; and a direction picked up without a
 *   handshake is taken for WebSocket on firmer evidence than one frame that chains into a byte
 *   frameStart accepts (e.g. frames chaining to the chunk's end, or a payload opening with a SIP
 *   start line / a CRLF keep-alive, as framesStartLine and keepAliveFrame check).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { cli } from '../../e2e/e2e-helpers.js';
import { oursSip, seg, TcpFlag, tsharkSip, writeCap, type Rec } from '../tcp-reassembly-review/lab.js';

const out = mkdtempSync(path.join(tmpdir(), 'r20-tls-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) & 0xff;
  };
}

/** One direction of a SIP/TLS connection, picked up at the second segment of its first record. */
function tlsDirection(n: number, rand: () => number, ts: number): Rec[] {
  const dir = { src: `10.1.${(n >> 8) & 0xff}.${n & 0xff}`, dst: '10.2.0.1', sport: 40000 + n, dport: 5061 };
  const segments: Uint8Array[] = [];
  for (let r = 0; r < 12; r++) {
    const len = 400 + ((rand() << 8) | rand()) % 2600;
    const rec = new Uint8Array(5 + len);
    rec.set([0x17, 0x03, 0x03, len >> 8, len & 0xff]);
    for (let i = 5; i < rec.length; i++) rec[i] = rand();
    // the first record always spans two segments at least: the capture begins inside it
    const first = r === 0 ? Math.min(1448, rec.length - 100) : 1448;
    segments.push(rec.subarray(0, first));
    for (let at = first; at < rec.length; at += 1448) segments.push(rec.subarray(at, Math.min(rec.length, at + 1448)));
  }
  const recs: Rec[] = [];
  let seq = 1_000_000 + n * 7919;
  segments.forEach((s, i) => {
    // the first segment went by before the capture began
    if (i > 0) recs.push(seg(dir, seq, TcpFlag.PSH | TcpFlag.ACK, s, ts + i * 0.001, 1));
    seq += s.length;
  });
  return recs;
}

it('TLS picked up inside a record is never read as SIP or WebSocket', async () => {
  const rand = prng(20);
  const recs: Rec[] = [];
  for (let n = 0; n < 300; n++) recs.push(...tlsDirection(n, rand, 1000 + n));
  const file = writeCap(recs);
  // the oracle: tshark finds no SIP in it
  expect(tsharkSip(file)).toEqual([]);
  const ours = await oursSip(recs);
  expect(ours.flatMap(([, m]) => m)).toEqual([]);
  const run = await cli('replay', file, '--out', out, '--json');
  expect(run.code).toBe(0);
  const summary = JSON.parse(run.stdout) as { sip: number; malformed: number; reports: Record<string, number> };
  expect({ sip: summary.sip, malformed: summary.malformed, reports: summary.reports }).toEqual({ sip: 0, malformed: 0, reports: {} });
  expect(readFileSync(path.join(out, 'reports.ndjson'), 'utf8')).toBe('');
}, 300_000);
