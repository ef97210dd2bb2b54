/**
 * fast-check generators of valid RTCP packets in the decoder's own shape, so that
 * decode(encode(p)) can be compared with p field for field.
 */
import fc from 'fast-check';
import type { RtcpPacketInput } from '../../src/media/rtcp/encode.js';
import type { ReportBlock, SdesItem, XrBlock } from '../../src/media/rtcp/types.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u24 = fc.integer({ min: 0, max: 0xffffff });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const s8 = fc.integer({ min: -128, max: 127 });
const text = (maxLength: number) => fc.string({ unit: 'binary', maxLength });
/** SDES text never ends in NUL once decoded (the decoder drops C string terminators) */
const sdesText = (maxLength: number) => text(maxLength).map((s) => s.replace(/\0+$/, ''));

export const reportBlockArb: fc.Arbitrary<ReportBlock> = fc.record({
  ssrc: u32,
  fractionLost: u8,
  cumulativeLost: fc.integer({ min: -0x800000, max: 0x7fffff }),
  highestSeq: u32,
  jitter: u32,
  lsr: u32,
  dlsr: u32,
});
const reportsArb = fc.array(reportBlockArb, { maxLength: 31 });

export const senderReportArb = fc.record({
  pt: fc.constant(200 as const),
  ssrc: u32,
  ntpSec: u32,
  ntpFrac: u32,
  rtpTs: u32,
  packetCount: u32,
  octetCount: u32,
  reports: reportsArb,
});

export const receiverReportArb = fc.record({ pt: fc.constant(201 as const), ssrc: u32, reports: reportsArb });

const textItemType = fc.constantFrom(1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 200);
export const sdesTextItemArb: fc.Arbitrary<SdesItem> = fc.record({ type: textItemType, text: sdesText(60) });
export const sdesPrivItemArb: fc.Arbitrary<SdesItem> = fc.record({ type: fc.constant(8 as const), prefix: sdesText(20), value: sdesText(40) });
export const sdesChunksArb = (itemArb: fc.Arbitrary<SdesItem>) =>
  fc.array(fc.record({ ssrc: u32, items: fc.array(itemArb, { maxLength: 5 }) }), { maxLength: 6 });

export const sourceDescriptionArb = sdesChunksArb(fc.oneof(sdesTextItemArb, sdesPrivItemArb)).map((chunks) => ({
  pt: 202 as const,
  ssrc: chunks.length > 0 ? chunks[0]!.ssrc : 0,
  chunks,
}));

export const goodbyeArb = fc
  .record({ ssrcs: fc.array(u32, { maxLength: 31 }), reason: fc.option(text(60), { nil: undefined }) })
  .map(({ ssrcs, reason }) => ({ pt: 203 as const, ssrc: ssrcs.length > 0 ? ssrcs[0]! : 0, ssrcs, reason }));

const nameChar = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '.split(''));
export const appDefinedArb = fc.record({
  pt: fc.constant(204 as const),
  ssrc: u32,
  subtype: fc.integer({ min: 0, max: 31 }),
  name: fc.array(nameChar, { minLength: 4, maxLength: 4 }).map((cs) => cs.join('')),
  dataLength: fc.integer({ min: 0, max: 16 }).map((n) => n * 4),
});

export const nackArb = fc.array(fc.record({ pid: u16, blp: u16 }), { maxLength: 12 });
/** one receive delta for a status symbol, in µs: small 0..255, large -32768..32767, units of 250 µs */
const twccDelta = (symbol: number) => (symbol === 1 ? u8 : fc.integer({ min: -0x8000, max: 0x7fff })).map((units) => units * 250);
/** packet statuses in runs (some long enough for run length chunks, up to a full chunk and past it) with their receive deltas */
const twccDetailArb = fc
  .array(fc.record({ symbol: fc.constantFrom(0, 1, 2), run: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 8000, max: 9000 })) }), { maxLength: 12 })
  .map((runs) => runs.flatMap(({ symbol, run }) => Array<number>(run).fill(symbol)))
  .filter((symbols) => symbols.length <= 0xffff)
  .chain((symbols) =>
    fc.tuple(...symbols.filter((s) => s !== 0).map(twccDelta)).map((deltasUs) => ({ statusCount: symbols.length, status: symbols.join(''), deltasUs })),
  );
export const twccArb = fc
  .record({ baseSeq: u16, referenceTime: u24, fbCount: u8, detail: twccDetailArb })
  .map(({ detail, ...fixed }) => ({ ...fixed, ...detail }));

export const transportFeedbackArb = fc.oneof(
  fc.record({ fmt: fc.constant(1), senderSsrc: u32, mediaSsrc: u32, nacks: nackArb }),
  fc.record({ fmt: fc.constant(15), senderSsrc: u32, mediaSsrc: u32, twcc: twccArb }),
  // TMMBR/TMMBN (RFC 5104 §4.2): a 17-bit mantissa, a 6-bit exponent, a 9-bit overhead
  fc.record({
    fmt: fc.constantFrom(3, 4),
    senderSsrc: u32,
    mediaSsrc: u32,
    tmmb: fc.array(
      fc.record({ ssrc: u32, mantissa: fc.integer({ min: 0, max: 0x1ffff }), exp: fc.integer({ min: 0, max: 40 }), overhead: fc.integer({ min: 0, max: 0x1ff }) }).map(({ ssrc, mantissa, exp, overhead }) => ({ ssrc, bitrate: mantissa * 2 ** exp, overhead })),
      { maxLength: 4 },
    ),
  }),
  // RFC 8888 congestion control feedback: no media SSRC on the wire
  fc.record({
    fmt: fc.constant(11),
    senderSsrc: u32,
    mediaSsrc: fc.constant(0),
    ccfb: fc.record({
      streams: fc.array(fc.record({ ssrc: u32, beginSeq: u16, reports: fc.array(fc.record({ received: fc.boolean(), ecn: fc.integer({ min: 0, max: 3 }), ato: fc.integer({ min: 0, max: 0x1fff }) }), { maxLength: 5 }) }), { maxLength: 3 }),
      reportTimestamp: u32,
    }),
  }),
  fc.record({ fmt: fc.constantFrom(2, 5, 6, 7, 8, 9, 10, 12, 13, 14), senderSsrc: u32, mediaSsrc: u32 }),
).map((p) => ({ pt: 205 as const, ssrc: p.senderSsrc, nacks: undefined, twcc: undefined, ...p }));

export const rembArb = fc
  .record({ mantissa: fc.integer({ min: 0, max: 0x3ffff }), exp: fc.integer({ min: 0, max: 40 }), ssrcs: fc.array(u32, { maxLength: 8 }) })
  .map(({ mantissa, exp, ssrcs }) => ({ bitrate: mantissa * 2 ** exp, ssrcs }));

export const payloadFeedbackArb = fc.oneof(
  fc.record({ fmt: fc.constant(1), senderSsrc: u32, mediaSsrc: u32 }),
  fc.record({ fmt: fc.constant(4), senderSsrc: u32, mediaSsrc: u32, fir: fc.array(fc.record({ ssrc: u32, seq: u8 }), { maxLength: 8 }) }),
  fc.record({ fmt: fc.constant(15), senderSsrc: u32, mediaSsrc: u32, remb: rembArb }),
  // TSTR/TSTN and VBCM (RFC 5104 §4.3.2–4.3.4)
  fc.record({ fmt: fc.constantFrom(5, 6), senderSsrc: u32, mediaSsrc: u32, tst: fc.array(fc.record({ ssrc: u32, seq: u8, index: fc.integer({ min: 0, max: 31 }) }), { maxLength: 4 }) }),
  fc.record({ fmt: fc.constant(7), senderSsrc: u32, mediaSsrc: u32, vbcm: fc.array(fc.record({ ssrc: u32, seq: u8, pt: fc.integer({ min: 0, max: 127 }), length: fc.integer({ min: 0, max: 9 }) }), { maxLength: 3 }) }),
  fc.record({ fmt: fc.constantFrom(2, 3), senderSsrc: u32, mediaSsrc: u32 }),
).map((p) => ({ pt: 206 as const, ssrc: p.senderSsrc, fir: undefined, remb: undefined, ...p }));

const rleArb = fc.record({
  bt: fc.constantFrom(1 as const, 2 as const),
  ssrc: u32,
  thinning: fc.integer({ min: 0, max: 15 }),
  beginSeq: u16,
  endSeq: u16,
  chunks: fc.array(fc.integer({ min: 1, max: 0xffff }), { maxLength: 9 }),
});
const receiptTimesArb = fc.record({
  bt: fc.constant(3 as const),
  ssrc: u32,
  thinning: fc.integer({ min: 0, max: 15 }),
  beginSeq: u16,
  endSeq: u16,
  receiptTimes: fc.array(u32, { maxLength: 9 }),
});
const rrtArb = fc.record({ bt: fc.constant(4 as const), ntpSec: u32, ntpFrac: u32 });
const dlrrArb = fc.record({ bt: fc.constant(5 as const), subBlocks: fc.array(fc.record({ ssrc: u32, lrr: u32, dlrr: u32 }), { maxLength: 5 }) });
const statsArb = fc.record({
  bt: fc.constant(6 as const),
  ssrc: u32,
  flags: u8,
  beginSeq: u16,
  endSeq: u16,
  lostPackets: u32,
  dupPackets: u32,
  minJitter: u32,
  maxJitter: u32,
  meanJitter: u32,
  devJitter: u32,
  minTtlOrHl: u8,
  maxTtlOrHl: u8,
  meanTtlOrHl: u8,
  devTtlOrHl: u8,
});
export const voipMetricsArb = fc.record({
  bt: fc.constant(7 as const),
  ssrc: u32,
  lossRate: u8,
  discardRate: u8,
  burstDensity: u8,
  gapDensity: u8,
  burstDuration: u16,
  gapDuration: u16,
  roundTripDelay: u16,
  endSystemDelay: u16,
  signalLevel: s8,
  noiseLevel: s8,
  rerl: u8,
  gmin: u8,
  rFactor: u8,
  extRFactor: u8,
  mosLq: u8,
  mosCq: u8,
  rxConfig: u8,
  jbNominal: u16,
  jbMaximum: u16,
  jbAbsMax: u16,
});
// bytes 4-7 of a block of 8 bytes or more are kept as the SSRC of its source (RFC 6792)
const unknownBlockArb = fc.oneof(
  fc.record({ bt: fc.integer({ min: 8, max: 255 }), typeSpecific: u8, length: fc.constant(4), unknown: fc.constant(true as const) }),
  // (XNQ, 8, names no source; IDMS, 12, names it at byte 12: a block of 16 bytes at least)
  fc
    .record({ bt: fc.integer({ min: 9, max: 255 }), typeSpecific: u8, length: fc.integer({ min: 2, max: 8 }).map((w) => w * 4), unknown: fc.constant(true as const), ssrc: u32 })
    .filter((b) => b.bt !== 12 || b.length >= 16),
);
export const xrBlockArb: fc.Arbitrary<XrBlock> = fc.oneof(rleArb, receiptTimesArb, rrtArb, dlrrArb, statsArb, voipMetricsArb, unknownBlockArb);
export const extendedReportArb = fc.record({ pt: fc.constant(207 as const), ssrc: u32, blocks: fc.array(xrBlockArb, { maxLength: 6 }) });

// not 195: an IJ packet (RFC 5450) has no SSRC field, it takes the SR/RR's before it
export const unknownRtcpArb = fc.record({
  pt: fc.oneof(fc.integer({ min: 192, max: 194 }), fc.integer({ min: 196, max: 199 }), fc.integer({ min: 208, max: 223 })),
  ssrc: u32,
  unknown: fc.constant(true as const),
});

export const rtcpPacketArb: fc.Arbitrary<RtcpPacketInput> = fc.oneof(
  senderReportArb,
  receiverReportArb,
  sourceDescriptionArb,
  goodbyeArb,
  appDefinedArb,
  transportFeedbackArb,
  payloadFeedbackArb,
  extendedReportArb,
  unknownRtcpArb,
);
