/** RFC 8888 congestion control feedback (RTPFB fmt 11): its report blocks, and the length checks on them. */
import { describe, expect, it } from 'vitest';
import { decodeTransportFeedback } from '../../src/media/rtcp/transport-feedback.js';
import type { RtcpDecodeError } from '../../src/media/rtcp/types.js';

/** header (fmt 11, PT 205, length in words - 1), then `words` */
function ccfb(words: number[]): Uint8Array {
  const out = new Uint8Array(4 + words.length * 4);
  const view = new DataView(out.buffer);
  view.setUint8(0, 0x80 | 11);
  view.setUint8(1, 205);
  view.setUint16(2, words.length);
  words.forEach((w, i) => view.setUint32(4 + i * 4, w >>> 0));
  return out;
}

describe('RFC 8888 feedback', () => {
  it('reads each stream and its reports (R, ECN, ATO), padding, and the Report Timestamp', () => {
    // sender 0x2222; stream 0x1111 from seq 100, 3 reports (+pad); stream 0x5555 from 7, 0 reports; timestamp
    const b = ccfb([0x2222, 0x1111, (100 << 16) | 3, (0x8000 | (2 << 13) | 10) * 65536 + 0x0000, (0x8000 | 0x1fff) * 65536, 0x5555, (7 << 16) | 0, 0xabcdef01]);
    const errors: RtcpDecodeError[] = [];
    const p = decodeTransportFeedback(b, 0, b.length, errors);
    expect(errors).toEqual([]);
    expect(p).toMatchObject({ fmt: 11, senderSsrc: 0x2222, mediaSsrc: 0 });
    expect(p!.ccfb).toEqual({
      streams: [
        { ssrc: 0x1111, beginSeq: 100, reports: [{ received: true, ecn: 2, ato: 10 }, { received: false, ecn: 0, ato: 0 }, { received: true, ecn: 0, ato: 0x1fff }] },
        { ssrc: 0x5555, beginSeq: 7, reports: [] },
      ],
      reportTimestamp: 0xabcdef01,
    });
  });

  it('no stream at all: only the Report Timestamp', () => {
    const b = ccfb([0x2222, 0x01020304]);
    const p = decodeTransportFeedback(b, 0, b.length, []);
    expect(p!.ccfb).toEqual({ streams: [], reportTimestamp: 0x01020304 });
  });

  it('a block whose reports run past the Report Timestamp is a malformed packet (its subjects unknown)', () => {
    const b = ccfb([0x2222, 0x1111, (100 << 16) | 4, 0, 0xabcdef01]);
    const errors: RtcpDecodeError[] = [];
    expect(decodeTransportFeedback(b, 0, b.length, errors)).toBeNull();
    expect(errors).toEqual([{ code: 'bad-field', offset: 8, message: 'CCFB: the report block at byte 8 runs past the Report Timestamp' }]);
  });

  it('shorter than header, sender and timestamp', () => {
    const b = ccfb([0x2222]);
    const errors: RtcpDecodeError[] = [];
    expect(decodeTransportFeedback(b, 0, b.length, errors)).toBeNull();
    expect(errors[0]!.code).toBe('packet-too-short');
  });
});
