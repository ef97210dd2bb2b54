/**
 * Checks of bench/traffic-split.ts (commit 8134477) that came out fine.
 *
 * - The parts are exactly the capture's records of their kinds, byte for byte (record headers
 *   too) and in order, for captures made with the options the bench passes (calls, duration,
 *   seed, video bytes; packetRateScale 1), with rtcp-mux "bundle" calls and plain ones, and
 *   across the reader's 4 MiB chunk boundaries. Each record's kind is taken from the generator's
 *   own truth (its SIP frames, its RTCP compound frames), not from the payload bytes, so the
 *   RFC 5761 classification is checked against what was written. The generator's payload types
 *   are 0, 111 and 96; with the marker bit their second byte is 128, 239 or 224, never 192–223.
 * - Had an RTP packet's second byte been in 192–223 (marker + PT 64–95), the count check throws
 *   and no part or temporary is left behind.
 * - A capture whose size changed since the split is split again.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { partPath, splitByTraffic, TRAFFIC_PARTS, type TrafficKind, type TrafficPart } from '../../../bench/traffic-split.js';
import { parsePcap, serializePcap, type Rec } from '../../fuzz/mutate.js';
import { Workspace } from '../../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const PARTS = Object.keys(TRAFFIC_PARTS) as TrafficPart[];
const recordText = (r: Rec) => `${r.sec}.${r.usec} ${r.origLen} ${Buffer.from(r.data).toString('hex')}`;
const RTP_AT = 14 + 20 + 8;

/** frame number (1-based) → kind, from the generator's truth */
function truthKinds(truth: { calls: { sip: { frame: number }[] }[]; rtcp: { frame: number }[] }, total: number): TrafficKind[] {
  const kinds: TrafficKind[] = new Array<TrafficKind>(total).fill('rtp');
  for (const c of truth.calls) for (const m of c.sip) kinds[m.frame - 1] = 'sip';
  for (const r of truth.rtcp) kinds[r.frame - 1] = 'rtcp';
  return kinds;
}

describe('parts are the capture’s records of their kinds', () => {
  const cases = [
    { calls: 6, durationSec: 8, seed: 3, videoBytes: 1200 },
    { calls: 5, durationSec: 6, seed: 11, videoBytes: 1 },
    { calls: 7, durationSec: 4, seed: 42, videoBytes: 600 },
  ];
  for (const options of cases) {
    it(JSON.stringify(options), async () => {
      const g = await ws.generate(options);
      const flavours = new Set(g.truth.calls.map((c) => c.flavour));
      expect([...flavours].sort()).toEqual(['bundle', 'plain']);
      const bytes = await readFile(g.path);
      const whole = parsePcap(bytes);
      expect(whole.records.length).toBe(g.truth.packets.total);
      const kinds = truthKinds(g.truth, whole.records.length);
      expect(kinds.filter((k) => k === 'rtcp').length).toBe(g.truth.packets.rtcp);
      // the generator's RTP second bytes (marker + PT) stay out of RTCP's 192–223
      const seconds = new Set(whole.records.filter((_, i) => kinds[i] === 'rtp').map((r) => r.data[RTP_AT + 1]!));
      for (const s of seconds) expect(s >= 192 && s <= 223, `RTP second byte ${s}`).toBe(false);
      const split = await splitByTraffic({ path: g.path, packets: g.truth.packets });
      expect(split.written).toBe(true);
      for (const part of PARTS) {
        const keep: readonly string[] = TRAFFIC_PARTS[part];
        const got = parsePcap(await readFile(partPath(g.path, part)));
        expect(got.header, part).toEqual(whole.header);
        const want = whole.records.filter((_, i) => keep.includes(kinds[i]!));
        expect(got.records.length, part).toBe(want.length);
        expect(got.records.map(recordText).join('\n') === want.map(recordText).join('\n'), part).toBe(true);
      }
      if (options.videoBytes === 1200) expect(bytes.length).toBeGreaterThan(2 * 4 * 1024 * 1024);
    });
  }
});

describe('the count check and the cache', () => {
  it('an RTP packet with marker + PT 72 (second byte 200) makes the split throw, leaving no part or temporary', async () => {
    const g = await ws.generate({ calls: 3, durationSec: 3, seed: 5, videoBytes: 300 });
    const whole = parsePcap(await readFile(g.path));
    const kinds = truthKinds(g.truth, whole.records.length);
    const i = kinds.indexOf('rtp');
    whole.records[i]!.data[RTP_AT + 1] = 0x80 | 72;
    const file = await ws.file('marked.pcap');
    await writeFile(file, serializePcap(whole));
    await expect(splitByTraffic({ path: file, packets: g.truth.packets })).rejects.toThrow(/the split counted \d+ SIP, \d+ RTP and \d+ RTCP records; the generator wrote/);
    const left = (await readdir(path.dirname(file))).filter((f) => f.startsWith('marked.'));
    expect(left).toEqual(['marked.pcap']);
  });

  it('a capture of another size at the same path is split again', async () => {
    const a = await ws.generate({ calls: 3, durationSec: 3, seed: 6, videoBytes: 300 });
    const b = await ws.generate({ calls: 3, durationSec: 3, seed: 6, videoBytes: 400 });
    const file = await ws.file('same-path.pcap');
    await writeFile(file, await readFile(a.path));
    expect((await splitByTraffic({ path: file, packets: a.truth.packets })).written).toBe(true);
    expect((await splitByTraffic({ path: file, packets: a.truth.packets })).written).toBe(false);
    await writeFile(file, await readFile(b.path));
    expect((await splitByTraffic({ path: file, packets: b.truth.packets })).written).toBe(true);
    const sip = parsePcap(await readFile(partPath(file, 'sip-rtcp')));
    expect(sip.records.length).toBe(b.truth.packets.sip + b.truth.packets.rtcp);
  });
});
