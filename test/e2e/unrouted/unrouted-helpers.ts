/** Builders of non-media UDP datagrams an operator's mirror port carries beside a relay's calls, and a replay of the sample with them mixed in. */
import { readFileSync } from 'node:fs';
import { parseLines, replayLines, type ReplayLines, type ReportLine, SMALL_POLICY, type Workspace } from '../e2e-helpers.js';
import { editSample, type Udp } from '../sample-edits.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';

export const policy = parsePolicy(readFileSync(SMALL_POLICY, 'utf8'), SMALL_POLICY);
export const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const qname = (name: string) => Buffer.concat([...name.split('.').map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l, 'latin1')])), Buffer.from([0])]);

export interface DnsOpts {
  /** flags word: 0x0100 a stub's recursive query (RD), 0x0000 a resolver's iterative query, 0x8180 a response */
  flags?: number;
  qtype?: number;
  /** an EDNS(0) OPT record (RFC 6891) in the additional section, with no options */
  edns?: boolean;
  /** answers (A records, compressed name pointer) for a response */
  answers?: string[];
}

/** A DNS message (RFC 1035 §4.1): id, flags, counts, one question, optional answers and OPT. */
export function dns(id: number, name: string, o: DnsOpts = {}): Uint8Array {
  const answers = o.answers ?? [];
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id & 0xffff, 0);
  h.writeUInt16BE(o.flags ?? 0x0100, 2);
  h.writeUInt16BE(1, 4);
  h.writeUInt16BE(answers.length, 6);
  h.writeUInt16BE(0, 8);
  h.writeUInt16BE(o.edns ? 1 : 0, 10);
  const q = Buffer.concat([qname(name), Buffer.from([0, o.qtype ?? 1, 0, 1])]);
  const an = answers.map((a) => Buffer.concat([hex('c00c 0001 0001 0000012c 0004'), Buffer.from(a.split('.').map(Number))]));
  // OPT: root name, type 41, UDP size 1232, ext-rcode 0, version 0, flags 0, rdlen 0
  const opt = o.edns ? hex('00 0029 04d0 00 00 0000 0000') : Buffer.alloc(0);
  return Buffer.concat([h, q, ...an, opt]);
}

export const NAMES = ['www.example.com', 'api.example.net', 'mail.example.org', 'sip.example.com', 'ntp.ubuntu.com', 'connectivity-check.ubuntu.com', 'ocsp.digicert.com', 'time.cloudflare.com', 'update.example.org', 'cdn.example.net'];

/** A replay of `capture` with 0 and with 2 workers. */
export async function bothWorkers(capture: string, explain = true): Promise<[ReplayLines, ReplayLines]> {
  const a = await replayLines({ capture, policy, workers: 0, explain });
  const b = await replayLines({ capture, policy, workers: 2, explain });
  return [a, b];
}

export const reportsOf = (r: ReplayLines) => parseLines<ReportLine>(r.reports);

/** The sample with datagrams inserted after the record of each listed (original) frame. */
export function withInserted(ws: Workspace, name: string, inserts: Map<number, Udp[]>): Promise<string> {
  return editSample(ws, name, { after: (frame) => inserts.get(frame) ?? [] });
}

/** Maps an inserted datagram's index (in frame order) to the frame it gets in the edited capture. */
export function insertedFrames(inserts: Map<number, Udp[]>): number[] {
  const frames: number[] = [];
  let shift = 0;
  for (const f of [...inserts.keys()].sort((a, b) => a - b)) {
    const n = inserts.get(f)!.length;
    for (let k = 0; k < n; k++) frames.push(f + shift + k + 1);
    shift += n;
  }
  return frames;
}

/** An RTP packet (RFC 3550 §5.1) with a 160-byte PCMU-like payload. */
export function rtp(seq: number, ts: number, ssrc: number, pt = 0, payloadLen = 160, marker = false): Uint8Array {
  const b = Buffer.alloc(12 + payloadLen, 0xd5);
  b[0] = 0x80;
  b[1] = (marker ? 0x80 : 0) | pt;
  b.writeUInt16BE(seq & 0xffff, 2);
  b.writeUInt32BE(ts >>> 0, 4);
  b.writeUInt32BE(ssrc >>> 0, 8);
  return b;
}

/** An RTCP compound SR (no report block) + SDES CNAME (RFC 3550 §6.4.1, §6.5). */
export function srSdes(ssrc: number, ntpSec: number, rtpTs: number, packets: number, cname = 'x@10.9.0.1'): Uint8Array {
  const sr = Buffer.alloc(28);
  sr[0] = 0x80;
  sr[1] = 200;
  sr.writeUInt16BE(6, 2);
  sr.writeUInt32BE(ssrc >>> 0, 4);
  sr.writeUInt32BE(ntpSec >>> 0, 8);
  sr.writeUInt32BE(0, 12);
  sr.writeUInt32BE(rtpTs >>> 0, 16);
  sr.writeUInt32BE(packets, 20);
  sr.writeUInt32BE(packets * 160, 24);
  const items = Buffer.concat([Buffer.from([1, cname.length]), Buffer.from(cname, 'latin1'), Buffer.from([0])]);
  const chunkLen = 4 + items.length;
  const padded = (chunkLen + 3) & ~3;
  const sdes = Buffer.alloc(4 + padded);
  sdes[0] = 0x81;
  sdes[1] = 202;
  sdes.writeUInt16BE(padded / 4, 2);
  sdes.writeUInt32BE(ssrc >>> 0, 4);
  items.copy(sdes, 8);
  return Buffer.concat([sr, sdes]);
}

/** An RTCP RR with one report block about `about`. */
export function rr(ssrc: number, about: number, highestSeq: number): Uint8Array {
  const b = Buffer.alloc(32);
  b[0] = 0x81;
  b[1] = 201;
  b.writeUInt16BE(7, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  b.writeUInt32BE(about >>> 0, 8);
  b.writeUInt32BE(0, 12);
  b.writeUInt32BE(highestSeq, 16);
  b.writeUInt32BE(20, 20);
  return b;
}
