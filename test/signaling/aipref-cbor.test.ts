import { describe, expect, it } from 'vitest';
import { decodeAiPrefCbor, MAX_CBOR_DEPTH } from '../../src/signaling/aipref-cbor.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

describe('decodeAiPrefCbor: the JSON data model', () => {
  it.each([
    // RFC 8949 Appendix A examples, where JSON has the value
    ['0', '00', 0],
    ['23', '17', 23],
    ['24', '1818', 24],
    ['1000', '1903e8', 1000],
    ['1000000', '1a000f4240', 1000000],
    ['2^53 - 1', '1b001fffffffffffff', Number.MAX_SAFE_INTEGER],
    ['-1', '20', -1],
    ['-1000', '3903e7', -1000],
    ['1.5 (half)', 'f93e00', 1.5],
    ['-4.1 (double)', 'fbc010666666666666', -4.1],
    ['100000.0 (single)', 'fa47c35000', 100000],
    ['false', 'f4', false],
    ['true', 'f5', true],
    ['null', 'f6', null],
    ['""', '60', ''],
    ['"\u00fc"', '62c3bc', '\u00fc'],
    ['[1, [2, 3]]', '8201820203', [1, [2, 3]]],
    ['{"a": 1, "b": [2, 3]}', 'a26161016162820203', { a: 1, b: [2, 3] }],
    ['the self-describe tag', 'd9d9f7 a1 6161 01', { a: 1 }],
    ['a statement', 'a3 626964 6561 70742d63 66 6578706f7274 63 726177 64 74797065 64 75736572', { id: 'apt-c', export: 'raw', type: 'user' }],
  ])('%s', (_name, bytes, value) => {
    expect(decodeAiPrefCbor(hex(bytes))).toEqual({ ok: true, value });
  });

  it('keeps a "__proto__" key as an own property, as JSON.parse does', () => {
    const r = decodeAiPrefCbor(hex('a1 69 5f5f70726f746f5f5f a0'));
    expect(r.ok && Object.hasOwn(r.value as object, '__proto__')).toBe(true);
    expect(r.ok && Object.getPrototypeOf(r.value)).toBe(Object.prototype);
  });
});

describe('decodeAiPrefCbor: refused, with the byte offset and what was wrong', () => {
  it.each([
    ['an empty part', '', 0, 'empty part'],
    ['a byte string', 'a1 6161 42 0102', 3, 'byte string where JSON has only text'],
    ['an integer map key', 'a1 01 6161', 1, 'map key is not a text string'],
    ['a byte-string map key', 'a1 4161 01', 1, 'map key is not a text string'],
    ['a duplicate key', 'a2 6161 01 6161 02', 4, 'duplicate map key "a"'],
    ['a tag other than self-describe', 'c1 1a514b67b0', 0, 'tag 1 not supported'],
    ['undefined', '81 f7', 1, 'undefined has no JSON equivalent'],
    ['a simple value', 'f0', 0, 'simple value 16 has no JSON equivalent'],
    ['a one-byte simple value', 'f8ff', 0, 'simple value 255 has no JSON equivalent'],
    ['NaN', 'f97e00', 0, 'NaN has no JSON equivalent'],
    ['Infinity', 'fa7f800000', 0, 'Infinity has no JSON equivalent'],
    ['an integer beyond 2^53 - 1', '1b0020000000000000', 0, 'integer beyond 2^53 - 1'],
    ['a negative integer beyond -(2^53 - 1)', '3b001fffffffffffff', 0, 'integer beyond -(2^53 - 1)'],
    ['an indefinite-length text', '7f 6161 ff', 0, 'indefinite-length text string not supported'],
    ['an indefinite-length map', 'bf 6161 01 ff', 0, 'indefinite-length map not supported'],
    ['an indefinite-length integer', '1f', 0, 'indefinite length on a unsigned integer'],
    ['a stray break', '82 01 ff', 2, 'break outside an indefinite-length item'],
    ['reserved additional information', '1c', 0, 'reserved additional information 28'],
    ['text that is not UTF-8', '62 c328', 0, 'text string is not valid UTF-8'],
    ['trailing bytes', 'a0 00 00', 1, '2 bytes after the item'],
    ['a truncated head', '19 03', 0, 'the part ends inside an item'],
    ['an array longer than the part', '83 01 02', 0, 'array of 3 items but 2 bytes left'],
    ['a truncated item in an array', '82 01 19 03', 2, 'the part ends inside an item'],
    ['a text longer than the part', '78ff 6161', 0, 'text string of 255 bytes but 2 left'],
    ['an array of 2^32 - 1 items', '9affffffff 00', 0, 'array of 4294967295 items but 1 bytes left'],
    ['a map of 2^64 - 1 pairs', 'bbffffffffffffffff 6161 01', 0, 'map of 18446744073709552000 pairs but 3 bytes left'],
  ])('%s', (_name, bytes, offset, reason) => {
    expect(decodeAiPrefCbor(hex(bytes))).toEqual({ ok: false, offset, reason });
  });

  it(`nesting deeper than ${MAX_CBOR_DEPTH}, without recursing further`, () => {
    const ok = hex('81'.repeat(MAX_CBOR_DEPTH) + '00');
    expect(decodeAiPrefCbor(ok).ok).toBe(true);
    expect(decodeAiPrefCbor(hex('81'.repeat(MAX_CBOR_DEPTH + 1) + '00'))).toEqual({ ok: false, offset: MAX_CBOR_DEPTH, reason: `nested deeper than ${MAX_CBOR_DEPTH}` });
    // a hostile part of a million nested arrays (or self-describe tags) stops at the limit
    expect(decodeAiPrefCbor(new Uint8Array(1_000_000).fill(0x81))).toMatchObject({ ok: false, offset: MAX_CBOR_DEPTH });
    expect(decodeAiPrefCbor(hex('d9d9f7'.repeat(100_000)))).toMatchObject({ ok: false, offset: 3 * MAX_CBOR_DEPTH });
  });
});
