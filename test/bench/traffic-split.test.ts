/**
 * bench/traffic-split.ts: the bench capture's parts by kind of traffic are its own records, byte
 * for byte and in order, of exactly the kinds each part names, as many as the generator wrote
 * and as the replay counts; a split is reused only while its files are those it wrote.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partPath, splitByTraffic, TRAFFIC_PARTS, type TrafficPart } from '../../bench/traffic-split.js';
import { parsePcap, type Rec } from '../fuzz/mutate.js';
import { replayLines, smallCapture, Workspace } from '../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

let capture: { path: string; packets: { total: number; sip: number; rtp: number; rtcp: number } };
beforeAll(async () => {
  const generated = await ws.generate(smallCapture(5, 3));
  capture = { path: generated.path, packets: generated.truth.packets };
});

const PARTS = Object.keys(TRAFFIC_PARTS) as TrafficPart[];

/** A record whole: its time, lengths and bytes. */
const recordText = (r: Rec) => `${r.sec}.${r.usec} ${r.origLen} ${Buffer.from(r.data).toString('hex')}`;

/** A record's kind by the first two bytes of its UDP payload (RFC 5761 §4), read at the generator's fixed offsets. */
function kindOf(data: Uint8Array): 'sip' | 'rtp' | 'rtcp' {
  // Ethernet + IPv4 (no options in generated captures) + UDP: the payload's first two bytes
  const payload = 14 + 20 + 8;
  if (data[payload]! >> 6 !== 2) return 'sip';
  return data[payload + 1]! >= 192 && data[payload + 1]! <= 223 ? 'rtcp' : 'rtp';
}

describe('bench capture split by traffic', () => {
  it('writes each part as the capture’s records of its kinds, byte for byte and in order', async () => {
    const split = await splitByTraffic(capture);
    expect(split.written).toBe(true);
    expect(split.counts).toEqual({ sip: capture.packets.sip, rtp: capture.packets.rtp, rtcp: capture.packets.rtcp });
    expect(capture.packets.sip * capture.packets.rtp * capture.packets.rtcp).toBeGreaterThan(0);
    const whole = parsePcap(await readFile(capture.path));
    for (const part of PARTS) {
      const kinds: readonly string[] = TRAFFIC_PARTS[part];
      const got = parsePcap(await readFile(partPath(capture.path, part)));
      const want = whole.records.filter((r) => kinds.includes(kindOf(r.data)));
      expect(got.header, part).toEqual(whole.header);
      expect(got.records.length, part).toBe(split.parts[part].packets);
      expect(got.records.map(recordText), part).toEqual(want.map(recordText));
    }
  });

  it('gives parts whose replay counts what the generator wrote of those kinds', async () => {
    const split = await splitByTraffic(capture);
    const none = { sip: 0, rtp: 0, rtcp: 0 };
    for (const part of PARTS) {
      const r = await replayLines({ capture: split.parts[part].path });
      const want = { ...none, ...Object.fromEntries(TRAFFIC_PARTS[part].map((k) => [k, capture.packets[k]])) };
      const s = r.result.summary;
      expect({ packets: s.packets, sip: s.sip, rtp: s.rtp, rtcp: s.rtcp, malformed: s.malformed }, part).toEqual({ packets: split.parts[part].packets, ...want, malformed: 0 });
    }
  });

  it('reuses the parts it wrote, and writes them again once one has changed', async () => {
    const first = await splitByTraffic(capture);
    expect(first.written).toBe(false);
    const sip = partPath(capture.path, 'sip');
    const bytes = await readFile(sip);
    await writeFile(sip, bytes.subarray(0, bytes.length - 1));
    const again = await splitByTraffic(capture);
    expect(again.written).toBe(true);
    expect((await stat(sip)).size).toBe(bytes.length);
  });

  it('refuses a capture whose kinds differ from the generator’s counts, naming the file', async () => {
    const wrong = { path: capture.path, packets: { ...capture.packets, rtcp: capture.packets.rtcp + 1 } };
    await expect(splitByTraffic({ ...wrong, path: await copyOf(capture.path) })).rejects.toThrow(/: the split counted \d+ SIP, \d+ RTP and \d+ RTCP records; the generator wrote/);
  });
});

async function copyOf(file: string): Promise<string> {
  const copy = await ws.file('copy.pcap');
  await writeFile(copy, await readFile(file));
  return copy;
}
