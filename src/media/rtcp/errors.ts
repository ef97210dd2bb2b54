import type { RtcpDecodeError } from './types.js';

/** Builds the named error a decoder records; `offset` is relative to the start of the compound. */
export function rtcpDecodeError(code: RtcpDecodeError['code'], offset: number, message: string): RtcpDecodeError {
  return { code, offset, message };
}
