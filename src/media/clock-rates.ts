/**
 * RTP clock rates: what one unit of an RTP timestamp (and of RTCP's interarrival jitter,
 * RFC 3550 §6.4.1) is worth in time, per payload type. An m-section's `a=rtpmap` lines give
 * it (RFC 8866 §6.6); without one, the static payload types of RFC 3551 §6 have theirs.
 */

/** One `a=rtpmap:<pt> <encoding>/<rate>` of an m-section (the encoding name in lower case). */
export interface ClockRate {
  pt: number;
  rate: number;
  encoding: string;
}

/**
 * Payload formats that ride beside a stream's codec without being its media: DTMF events
 * (RFC 4733) and comfort noise (RFC 3389), often on their own clock (telephone-event/8000 beside
 * opus/48000). A receiver measures jitter on the media, in its codec's clock.
 */
const BESIDE_THE_CODEC: ReadonlySet<string> = new Set(['telephone-event', 'cn']);
/** RFC 3551's static comfort noise type. */
const STATIC_CN = 13;

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

/** Whether payload type `pt` is a DTMF event or comfort noise format (BESIDE_THE_CODEC), by its rtpmap or as static type 13. */
export function besideTheCodec(pt: number, rates: readonly ClockRate[]): boolean {
  for (let i = 0; i < rates.length; i++) if (rates[i]!.pt === pt) return BESIDE_THE_CODEC.has(rates[i]!.encoding);
  return pt === STATIC_CN;
}

/**
 * The clock of an m-section's media: its first format (the answer's order: the preferred one)
 * that is no DTMF event or comfort noise format, by rtpmap or static table; undefined when none
 * is known. What a stream's jitter is in when its last packet was such a format.
 */
export function mediaClockRate(formats: readonly number[], rates: readonly ClockRate[]): number | undefined {
  for (let i = 0; i < formats.length; i++) {
    if (besideTheCodec(formats[i]!, rates)) continue;
    return clockRateOfPt(formats[i]!, rates);
  }
  return undefined;
}

/**
 * The clock rate every payload format of an m-section shares (its m-line's formats, read by its
 * rtpmap lines or the static table), or undefined when they differ or one is unknown: what a
 * stream of that m-section runs at even before its payload type is seen (video: VP8, rtx, red
 * and ulpfec all at 90000; opus/48000 beside telephone-event/8000 at 48000, the events being no
 * media of their own; opus beside PCMU has none).
 */
export function sharedClockRate(formats: readonly number[], rates: readonly ClockRate[]): number | undefined {
  let shared: number | undefined;
  for (let i = 0; i < formats.length; i++) {
    // DTMF events and comfort noise are measured in the codec's clock (RFC 4733 §2.1)
    if (besideTheCodec(formats[i]!, rates)) continue;
    const rate = clockRateOfPt(formats[i]!, rates);
    if (rate === undefined || (shared !== undefined && rate !== shared)) return undefined;
    shared = rate;
  }
  return shared;
}

/**
 * The clock rates of `a=rtpmap` fields as sdp-transform reads them (a number where the text was
 * one: an empty payload type stays ''): payload 0–127, a positive whole rate; the first line of a
 * payload type wins.
 */
export function clockRatesOf(lines: readonly { payload?: unknown; rate?: unknown; codec?: unknown }[]): ClockRate[] {
  const out: ClockRate[] = [];
  for (const line of lines) {
    const pt = line.payload;
    const rate = line.rate;
    if (typeof pt !== 'number' || !Number.isInteger(pt) || pt < 0 || pt > 127) continue;
    if (typeof rate !== 'number' || !Number.isInteger(rate) || rate <= 0) continue;
    if (!out.some((r) => r.pt === pt)) out.push({ pt, rate, encoding: String(line.codec ?? '').toLowerCase() });
  }
  return out;
}
