import { expect, it } from 'vitest';
import type { RtcpDecodeError } from '../../src/media/rtcp/types.js';

/** One annotated byte array and what the decoder must make of it: a value, or a named error at an offset. */
export interface DecoderCase<W = object> {
  name: string;
  bytes: number[];
  want?: W;
  error?: RtcpDecodeError['code'];
  /** offset of the error within the packet; 0 when left out */
  errorAt?: number;
}

type PacketDecoder = (b: Uint8Array, off: number, len: number, errors: RtcpDecodeError[]) => unknown;

/**
 * The pion-style table every per-type RTCP decoder test runs: each case decodes its bytes,
 * and either yields exactly one named error at its offset (and no packet), or no error and a
 * packet `expectDecoded` accepts (by default: equal to `want`).
 */
export function runDecoderTable<W>(
  decode: PacketDecoder,
  cases: DecoderCase<W>[],
  expectDecoded: (got: unknown, c: DecoderCase<W>) => void = (got, c) => expect(got).toEqual(c.want),
): void {
  for (const c of cases) {
    it(c.name, () => {
      const errors: RtcpDecodeError[] = [];
      const got = decode(Uint8Array.from(c.bytes), 0, c.bytes.length, errors);
      if (c.error) {
        expect(got).toBeNull();
        expect(errors).toEqual([expect.objectContaining({ code: c.error, offset: c.errorAt ?? 0 })]);
      } else {
        expect(errors).toEqual([]);
        expectDecoded(got, c);
      }
    });
  }
}
