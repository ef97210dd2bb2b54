import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { SMALL_SAMPLE_OPTIONS } from '../../samples/generator/committed-samples.js';
import { MEDIUM_CAPTURE, TempCaptures } from './generated-capture.js';

const temp = new TempCaptures();
afterAll(() => temp.cleanup());

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

describe('generator determinism', () => {
  it('writes the same bytes and truth for the same seed', async () => {
    const a = await temp.generate(MEDIUM_CAPTURE);
    const b = await temp.generate(MEDIUM_CAPTURE);
    expect(await sha256(a.path)).toBe(await sha256(b.path));
    expect(JSON.stringify(a.truth)).toBe(JSON.stringify(b.truth));
  });

  it('writes different captures for different seeds', async () => {
    const a = await temp.generate({ ...MEDIUM_CAPTURE, calls: 3 });
    const b = await temp.generate({ ...MEDIUM_CAPTURE, calls: 3, seed: MEDIUM_CAPTURE.seed! + 1 });
    expect(await sha256(a.path)).not.toBe(await sha256(b.path));
    expect(a.truth.calls[0]!.callId).not.toBe(b.truth.calls[0]!.callId);
  });

  it('regenerates the committed small sample byte for byte', async () => {
    const truthPath = await temp.file('small.truth.json');
    const small = await temp.generate({ ...SMALL_SAMPLE_OPTIONS, truthPath });
    const committed = new URL('../../samples/call-small.pcap', import.meta.url).pathname;
    expect(await sha256(small.path)).toBe(await sha256(committed));
    const committedTruth = await readFile(new URL('../../samples/call-small.truth.json', import.meta.url), 'utf8');
    expect(await readFile(truthPath, 'utf8')).toBe(committedTruth);
  });
});

describe('generator options', () => {
  it('--video-bytes changes video payload sizes and nothing about the schedule', async () => {
    const small = await temp.generate({ ...MEDIUM_CAPTURE, calls: 4, videoBytes: 200 });
    const large = await temp.generate({ ...MEDIUM_CAPTURE, calls: 4, videoBytes: 900 });
    expect(large.truth.packets).toEqual(small.truth.packets);
    expect(large.truth.rtcp.map((r) => r.frame)).toEqual(small.truth.rtcp.map((r) => r.frame));
    expect((await stat(large.path)).size - (await stat(small.path)).size).toBe(700 * large.truth.calls.flatMap((c) => c.streams).filter((s) => s.kind === 'video').reduce((n, s) => n + s.rtpPackets, 0));
  });
});
