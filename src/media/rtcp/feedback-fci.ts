import { rtcpDecodeError } from './errors.js';
import type { RtcpDecodeError } from './types.js';

/** The fixed part of every feedback packet (RFC 4585 §6.1): header, sender SSRC, media SSRC. */
export const FEEDBACK_FIXED_LENGTH = 12;

/**
 * How many fixed-size FCI entries of `entryBytes` follow a feedback packet's fixed part (FIR,
 * TSTR/TSTN, TMMBR/TMMBN: 8 bytes each, RFC 5104); null, with an error pushed, when the FCI is
 * not a whole number of them.
 */
export function fciEntryCount(off: number, contentLen: number, entryBytes: number, what: string, errors: RtcpDecodeError[], base: number): number | null {
  const fciLen = contentLen - FEEDBACK_FIXED_LENGTH;
  if (fciLen % entryBytes === 0) return fciLen / entryBytes;
  errors.push(rtcpDecodeError('bad-field', off + FEEDBACK_FIXED_LENGTH - base, `${what} FCI of ${fciLen} bytes is not a whole number of ${entryBytes}-byte entries`));
  return null;
}
