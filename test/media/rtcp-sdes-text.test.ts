import { describe, expect, it } from 'vitest';
import { decodeSourceDescription } from '../../src/media/rtcp/sdes.js';
import type { RtcpDecodeError, SdesItem } from '../../src/media/rtcp/types.js';

/** One SDES packet of one chunk (SSRC 7) holding a single item of `type` with `bytes` as its text. */
function sdesWith(type: number, bytes: readonly number[]): Uint8Array {
  const body = [0, 0, 0, 7, type, bytes.length, ...bytes, 0];
  while (body.length % 4 !== 0) body.push(0);
  const words = body.length / 4;
  return Uint8Array.from([0x81, 0xca, 0, words, ...body]);
}

function textOf(bytes: readonly number[], type = 1): string {
  const errors: RtcpDecodeError[] = [];
  const packet = decodeSourceDescription(sdesWith(type, bytes), 0, 4 + Math.ceil((bytes.length + 7) / 4) * 4, errors);
  expect(errors).toEqual([]);
  const item = packet!.chunks[0]!.items[0]! as SdesItem & { text: string };
  return item.text;
}

const utf8 = (s: string) => [...Buffer.from(s, 'utf8')];

describe('SDES text reuse', () => {
  it('gives the same text for the same bytes, and the right text for others of the same length', () => {
    const names = ['abcd@10.0.0.1', 'abce@10.0.0.1', 'bbcd@10.0.0.1', 'abcd@10.0.0.1'];
    for (let round = 0; round < 3; round++) for (const name of names) expect(textOf(utf8(name))).toBe(name);
  });

  it('decodes UTF-8 and bytes that are not UTF-8 as before, however often they come', () => {
    for (let round = 0; round < 3; round++) {
      expect(textOf(utf8('Zoë'))).toBe('Zoë');
      expect(textOf([0x61, 0xff, 0x62])).toBe('a\ufffdb');
      // a byte above 0x7f never matches a reused character
      expect(textOf([0x61, 0xe9, 0x62])).toBe('a\ufffdb');
      expect(textOf([0x61, 0x3f, 0x62])).toBe('a?b');
    }
  });

  it('decodes long text and empty text', () => {
    const long = 'x'.repeat(60) + '@example.org';
    expect(textOf(utf8(long))).toBe(long);
    expect(textOf([])).toBe('');
  });

  it('never confuses two texts whatever their number (the reuse table is bounded)', () => {
    for (let i = 0; i < 10_000; i++) {
      const name = `u${i}@h`;
      expect(textOf(utf8(name))).toBe(name);
    }
    expect(textOf(utf8('u17@h'))).toBe('u17@h');
  });
});
