/**
 * RTP clock rates: what one unit of an RTP timestamp (and of RTCP's interarrival jitter,
 * RFC 3550 §6.4.1) is worth in time, per payload type. An m-section's `a=rtpmap` lines give
 * it (RFC 8866 §6.6); without one, the static payload types of RFC 3551 §6 have theirs.
 */

/** One `a=rtpmap:<pt> <encoding>/<rate>` of an m-section. */
export interface ClockRate {
  pt: number;
  rate: number;
}

/** RFC 3551 Tables 4 and 5: the static payload types and their clock rates (Hz). */
const STATIC_CLOCK_RATES: ReadonlyMap<number, number> = new Map([
  [0, 8000], // PCMU
  [3, 8000], // GSM
  [4, 8000], // G723
  [5, 8000], // DVI4
  [6, 16000], // DVI4
  [7, 8000], // LPC
  [8, 8000], // PCMA
  [9, 8000], // G722 (its RTP clock is 8000 Hz though it samples at 16000, RFC 3551 §4.5.2)
  [10, 44100], // L16 stereo
  [11, 44100], // L16 mono
  [12, 8000], // QCELP
  [13, 8000], // CN
  [14, 90000], // MPA
  [15, 8000], // G728
  [16, 11025], // DVI4
  [17, 22050], // DVI4
  [18, 8000], // G729
  [25, 90000], // CelB
  [26, 90000], // JPEG
  [28, 90000], // nv
  [31, 90000], // H261
  [32, 90000], // MPV
  [33, 90000], // MP2T
  [34, 90000], // H263
]);

/** The clock rate of payload type `pt` by the m-section's rtpmap lines, else RFC 3551's static table; undefined when neither says. */
export function clockRateOfPt(pt: number, rates: readonly ClockRate[]): number | undefined {
  for (let i = 0; i < rates.length; i++) if (rates[i]!.pt === pt) return rates[i]!.rate;
  return STATIC_CLOCK_RATES.get(pt);
}

/**
 * The clock rate every payload format of an m-section shares (its m-line's formats, read by its
 * rtpmap lines or the static table), or undefined when they differ or one is unknown: what a
 * stream of that m-section runs at even before its payload type is seen (video: VP8, rtx, red
 * and ulpfec all at 90000; audio with telephone-event/8000 beside opus/48000 has none).
 */
export function sharedClockRate(formats: readonly number[], rates: readonly ClockRate[]): number | undefined {
  let shared: number | undefined;
  for (let i = 0; i < formats.length; i++) {
    const rate = clockRateOfPt(formats[i]!, rates);
    if (rate === undefined || (shared !== undefined && rate !== shared)) return undefined;
    shared = rate;
  }
  return shared;
}

/** The clock rates of `a=rtpmap` fields as sdp-transform reads them: payload 0–127, a positive whole rate; the first line of a payload type wins. */
export function clockRatesOf(lines: readonly { payload?: unknown; rate?: unknown }[]): ClockRate[] {
  const out: ClockRate[] = [];
  for (const line of lines) {
    const pt = Number(line.payload);
    const rate = Number(line.rate);
    if (!Number.isInteger(pt) || pt < 0 || pt > 127 || !Number.isInteger(rate) || rate <= 0) continue;
    if (!out.some((r) => r.pt === pt)) out.push({ pt, rate });
  }
  return out;
}
