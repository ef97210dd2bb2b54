import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../native-free/capture.js';
import { MEDIUM_CAPTURE, TempCaptures } from './generated-capture.js';

const temp = new TempCaptures();
afterAll(() => temp.cleanup());

async function recordLengths(path: string): Promise<{ capLen: number; origLen: number }[]> {
  const out: { capLen: number; origLen: number }[] = [];
  for await (const b of readCaptureBatches(path)) {
    for (let i = 0; i < b.count; i++) out.push({ capLen: b.capLen[i]!, origLen: b.origLen[i]! });
  }
  return out;
}

describe('--snaplen', () => {
  it('cuts records to the snap length and keeps their length on the wire', async () => {
    const options = { ...MEDIUM_CAPTURE, calls: 3 };
    const full = await recordLengths((await temp.generate(options)).path);
    const cut = await recordLengths((await temp.generate({ ...options, snapLen: 96 })).path);
    expect(cut.length).toBe(full.length);
    expect(cut.every((r) => r.capLen <= 96)).toBe(true);
    expect(cut.map((r) => r.origLen)).toEqual(full.map((r) => r.capLen));
    expect(cut.filter((r) => r.capLen < r.origLen).length).toBeGreaterThan(full.length / 2);
  });
});
