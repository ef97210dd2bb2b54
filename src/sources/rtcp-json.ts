/**
 * HEPv3 protocol type 5 as rtpengine sends it: "RTCP JSON" (daemon/homer.h PROTO_RTCP_JSON).
 * rtpengine's homer handlers (daemon/rtcp.c, homer_*) print every RTCP compound it relays as
 * one JSON object instead of sending its bytes; this module turns that object back into the
 * compound it describes, so the packet layers downstream read it as any other RTCP.
 *
 * What rtpengine prints, per packet of the compound, in the compound's order:
 *
 *   SR    "sender_information":{"ntp_timestamp_sec","ntp_timestamp_usec","octets","rtp_timestamp","packets"},
 *         then as RR
 *   RR    "ssrc","type" (200|201),"report_count","report_blocks":[{"source_ssrc","highest_seq_no",
 *         "fraction_lost","ia_jitter","packets_lost","lsr","dlsr"}, ...]
 *   SDES  "sdes_report_count","sdes_information":[{"sdes_chunk_ssrc","type","text"}, ...]
 *
 * All numbers are the wire fields printed with %u, with two traps:
 * - "ntp_timestamp_usec" is not microseconds: it is the NTP timestamp's 32-bit fraction word,
 *   as on the wire (rtcp.c prints ntp_lsw). Both NTP words are taken as they are.
 * - "packets_lost" is the signed 24-bit cumulative loss read as unsigned (-1 prints 16777215);
 *   a negative number (other agents print it signed) is taken too.
 * Nothing else of a compound is printed: BYE, APP, RTPFB, PSFB and XR packets, padding and a
 * chunk without items leave no trace, so they cannot come back. SDES text is printed byte by
 * byte with \" \\ \b \f \n \r \t escaped and every other byte outside printable ASCII as '_'.
 * A compound of several reports repeats the keys ("ssrc", "type", ...) in one object, so the
 * object is read with its members in order, duplicates kept, not with JSON.parse.
 *
 * Other agents print the same keys otherwise, and are read as they print them:
 * - Asterisk (res_hep_rtcp, rtcp_report_to_json): one report, `"sender_information": null` for
 *   an RR, the NTP words and "lsr" as decimal strings, the SSRC as a C int (negative from 2^31),
 *   and its SR time as a timeval: Unix seconds and microseconds, made NTP seconds and fraction.
 * - heplify (protos/rtcp.go): the whole compound folded into one object whose "type" and
 *   "report_count" the last packet wrote (an SR+SDES prints 202), `"report_blocks": null` for
 *   none, "report_blocks_xr" and "sdes_ssrc" beside: an SR where its sender information is not
 *   all zeros, else an RR.
 * - rtpproxy (acct_rtcp_hep, rtcp2json.c): no "report_blocks" key when "report_count" is 0.
 */
import { encodeRtcpCompound, RtcpEncodeError, type RtcpPacketInput } from '../media/rtcp/encode.js';
import { RtcpType, SdesItemType, type ReportBlock, type SdesChunk, type SdesItem } from '../media/rtcp/types.js';

export type RtcpJsonResult =
  | {
      ok: true;
      /** the RTCP compound the object describes */
      rtcp: Uint8Array;
      /** SDES PRIV items whose prefix could not be told from the value (see privItem), left out */
      droppedItems: number;
    }
  | { ok: false; reason: string };

/** JSON whitespace; anything else first is where the value starts. */
function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** True when the payload is a JSON object (first non-space byte `{`); binary RTCP starts with version 2 (0x80..0xbf). */
export function isRtcpJson(payload: Uint8Array): boolean {
  for (const c of payload) if (!isJsonSpace(c)) return c === 0x7b;
  return false;
}

/** The compound a payload of rtpengine's RTCP JSON describes, or why it cannot be read. Never throws. */
export function rtcpFromJson(payload: Uint8Array): RtcpJsonResult {
  try {
    let text: string;
    try {
      text = utf8Strict.decode(payload);
    } catch {
      throw new RtcpJsonError('payload is not UTF-8 text');
    }
    const root = new JsonReader(text).document();
    if (!isObject(root)) throw new RtcpJsonError('not a JSON object');
    const dropped = { items: 0 };
    const packets = packetsOf(root, dropped);
    if (packets.length === 0) throw new RtcpJsonError('no SR, RR or SDES in the object');
    return { ok: true, rtcp: encodeRtcpCompound(packets), droppedItems: dropped.items };
  } catch (err) {
    // RtcpEncodeError only as a guard: the encoder's limits (texts of 255 bytes, 31 entries) are checked before.
    // Whatever else: a live listener reports the payload, it does not stop.
    if (err instanceof RtcpJsonError || err instanceof RtcpEncodeError) return { ok: false, reason: err.message };
    return { ok: false, reason: `unreadable: ${err instanceof Error ? err.message : String(err)}` };
  }
}

class RtcpJsonError extends Error {}

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

// ---------------------------------------------------------------------------------------------
// JSON with members in order

type Json = null | boolean | number | string | Json[] | JsonObject;
/** An object's members as written: in order, a repeated key kept each time. */
interface JsonObject {
  members: [string, Json][];
}

function isObject(v: Json | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** rtpengine nests three deep; a bound keeps a hostile payload from exhausting the stack. */
const MAX_DEPTH = 16;

class JsonReader {
  private at = 0;

  constructor(private readonly s: string) {}

  document(): Json {
    const v = this.value(0);
    this.space();
    if (this.at < this.s.length) this.fail('text after the JSON value');
    return v;
  }

  private fail(what: string): never {
    throw new RtcpJsonError(`bad JSON: ${what} at character ${this.at}`);
  }

  private space(): void {
    while (this.at < this.s.length && isJsonSpace(this.s.charCodeAt(this.at))) this.at++;
  }

  private value(depth: number): Json {
    if (depth > MAX_DEPTH) this.fail(`nested deeper than ${MAX_DEPTH}`);
    this.space();
    const c = this.s[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.s.startsWith(word, this.at)) {
        this.at += word.length;
        return v;
      }
    }
    NUMBER.lastIndex = this.at;
    const m = NUMBER.exec(this.s);
    if (!m) this.fail(c === undefined ? 'unexpected end' : `unexpected ${JSON.stringify(c)}`);
    this.at += m[0].length;
    return Number(m[0]);
  }

  private object(depth: number): JsonObject {
    const members: [string, Json][] = [];
    this.at++;
    this.space();
    if (this.s[this.at] === '}') {
      this.at++;
      return { members };
    }
    for (;;) {
      this.space();
      if (this.s[this.at] !== '"') this.fail('expected a member name');
      const key = this.string();
      this.space();
      if (this.s[this.at] !== ':') this.fail('expected ":"');
      this.at++;
      members.push([key, this.value(depth + 1)]);
      this.space();
      const c = this.s[this.at++];
      if (c === '}') return { members };
      if (c !== ',') this.fail('expected "," or "}"');
    }
  }

  private array(depth: number): Json[] {
    const items: Json[] = [];
    this.at++;
    this.space();
    if (this.s[this.at] === ']') {
      this.at++;
      return items;
    }
    for (;;) {
      items.push(this.value(depth + 1));
      this.space();
      const c = this.s[this.at++];
      if (c === ']') return items;
      if (c !== ',') this.fail('expected "," or "]"');
    }
  }

  private string(): string {
    const start = this.at++;
    for (;;) {
      if (this.at >= this.s.length) this.fail('unterminated string');
      const c = this.s.charCodeAt(this.at);
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in a string');
      this.at += c === 0x5c ? 2 : 1;
    }
    this.at++;
    try {
      // the token is delimited; JSON.parse reads its escapes
      return JSON.parse(this.s.slice(start, this.at)) as string;
    } catch {
      this.at = start;
      return this.fail('bad escape in a string');
    }
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

// ---------------------------------------------------------------------------------------------
// Members → packets

// (heplify's "report_blocks_xr" and "sdes_ssrc" are kept with its report: they say its object is folded)
const REPORT_KEYS: ReadonlySet<string> = new Set(['sender_information', 'ssrc', 'type', 'report_count', 'report_blocks', 'report_blocks_xr', 'sdes_ssrc']);
const SDES_KEYS: ReadonlySet<string> = new Set(['sdes_report_count', 'sdes_information']);

/** The members one packet of the compound printed. */
interface Group {
  kind: 'report' | 'sdes';
  fields: Map<string, Json>;
}

/**
 * Cuts the members into packets, in order. A packet's members are gathered until one of its
 * keys comes again (the next packet of the same kind), or a "sender_information" follows an
 * RR's "type" (an RR never has one: it is the next SR's). Other agents print the same keys in
 * other orders; within one packet the order does not matter. heplify's "report_blocks_xr" and
 * "sdes_ssrc" go with its report (reportPacket reads its folded form by them); other members are
 * ignored.
 */
function packetsOf(root: JsonObject, dropped: { items: number }): RtcpPacketInput[] {
  const groups: Group[] = [];
  const open: { report?: Group; sdes?: Group } = {};
  for (const [key, value] of root.members) {
    const kind = REPORT_KEYS.has(key) ? 'report' : SDES_KEYS.has(key) ? 'sdes' : undefined;
    if (kind === undefined) continue;
    let g = open[kind];
    // (Asterisk prints `"sender_information": null` for its RR: that one is the RR's own)
    if (g && (g.fields.has(key) || (key === 'sender_information' && value !== null && g.fields.get('type') === RtcpType.RR))) g = undefined;
    if (!g) {
      g = { kind, fields: new Map() };
      open[kind] = g;
      groups.push(g);
    }
    g.fields.set(key, value);
  }
  let reports = 0;
  let sdes = 0;
  // packets named 1, 2, ... by kind; JSON array items by their index
  return groups.map((g) => (g.kind === 'report' ? reportPacket(g.fields, `report ${++reports}`) : sdesPacket(g.fields, `SDES ${++sdes}`, dropped)));
}

function field(fields: Map<string, Json> | JsonObject, key: string, where: string): Json {
  let v: Json | undefined;
  if (fields instanceof Map) v = fields.get(key);
  // in a nested object a repeated key means what JSON.parse makes of it: the last one
  else for (const [k, value] of fields.members) if (k === key) v = value;
  if (v === undefined) throw new RtcpJsonError(`${where}: no "${key}"`);
  return v;
}

/**
 * A value as a reason shows it: its kind, never the value — the values are telemetry (jitter,
 * losses, counts), which logs and reports never copy (SPEC §6).
 */
function shown(v: Json): string {
  if (Array.isArray(v)) return 'an array';
  if (isObject(v)) return 'an object';
  if (v === null) return 'null';
  return typeof v === 'string' ? 'a string' : typeof v === 'number' ? 'a number' : 'a boolean';
}

function integer(v: Json, min: number, max: number, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new RtcpJsonError(`${what}: ${shown(v)} is not an integer ${min}..${max}`);
  }
  return v;
}

/** u32, where Asterisk prints the value as a decimal string (its NTP words and LSR: ast_json_pack "s"). */
function u32OrDigits(o: Map<string, Json> | JsonObject, key: string, where: string): number {
  const v = field(o, key, where);
  return integer(typeof v === 'string' && /^\d{1,10}$/.test(v) ? Number(v) : v, 0, U32, `${where} "${key}"`);
}

const U32 = 0xffffffff;

function u32(o: Map<string, Json> | JsonObject, key: string, where: string): number {
  return integer(field(o, key, where), 0, U32, `${where} "${key}"`);
}

/** An SSRC: a u32, or as Asterisk packs it, a C int (one of 2^31 and over printed negative). */
function ssrcOf(o: Map<string, Json> | JsonObject, key: string, where: string): number {
  return integer(field(o, key, where), -0x80000000, U32, `${where} "${key}"`) >>> 0;
}

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970). */
const NTP_UNIX_OFFSET = 2208988800;

function reportPacket(fields: Map<string, Json>, where: string): RtcpPacketInput {
  const ssrc = ssrcOf(fields, 'ssrc', where);
  let type = field(fields, 'type', where);
  // heplify folds a whole compound into one object whose "type" and "report_count" the last
  // packet wrote (an SR+SDES prints 202): its report is an SR where the sender information is
  // not all zeros (it prints zeros for an RR), else an RR
  const folded = fields.has('report_blocks_xr') || fields.has('sdes_ssrc');
  if (folded && type !== RtcpType.SR && type !== RtcpType.RR) type = hasSenderInformation(fields.get('sender_information')) ? RtcpType.SR : RtcpType.RR;
  if (type !== RtcpType.SR && type !== RtcpType.RR) throw new RtcpJsonError(`${where} "type" is neither 200 (SR) nor 201 (RR)`);
  const count = folded ? undefined : fields.get('report_count');
  // no blocks: heplify prints null (a nil slice), rtpproxy leaves the key out when its count is 0
  let blocks = fields.get('report_blocks');
  if (blocks === null || (blocks === undefined && count === 0)) blocks = [];
  if (blocks === undefined) throw new RtcpJsonError(`${where}: no "report_blocks"`);
  if (!Array.isArray(blocks)) throw new RtcpJsonError(`${where} "report_blocks" is not an array`);
  if (blocks.length > 31) throw new RtcpJsonError(`${where}: ${blocks.length} report blocks do not fit the 5-bit count`);
  // rtpengine prints the header's count, then that many blocks: a difference is a damaged object
  if (count !== undefined && count !== blocks.length) throw new RtcpJsonError(`${where} "report_count" does not match its ${blocks.length} report blocks`);
  const reports = blocks.map((b, i) => reportBlock(b, `${where} report_blocks[${i}]`));
  // an RR has no sender information: one printed for it (heplify prints zeros, Asterisk null) is not read
  if (type === RtcpType.RR) return { pt: RtcpType.RR, ssrc, reports };
  const info = fields.get('sender_information');
  if (!isObject(info)) throw new RtcpJsonError(`${where}: an SR (type 200) without an object "sender_information"`);
  const w = `${where} sender_information`;
  const sec = field(info, 'ntp_timestamp_sec', w);
  const frac = field(info, 'ntp_timestamp_usec', w);
  let ntpSec = u32OrDigits(info, 'ntp_timestamp_sec', w);
  // the NTP fraction word as on the wire, despite the name (rtpengine, heplify) — but Asterisk,
  // which prints both words as strings, prints its timeval: Unix seconds and microseconds
  let ntpFrac = u32OrDigits(info, 'ntp_timestamp_usec', w);
  if (typeof sec === 'string' && typeof frac === 'string' && ntpFrac < 1_000_000) {
    if (ntpSec < NTP_UNIX_OFFSET) ntpSec += NTP_UNIX_OFFSET;
    ntpFrac = Math.round((ntpFrac * 2 ** 32) / 1e6) >>> 0;
  }
  return {
    pt: RtcpType.SR,
    ssrc,
    ntpSec,
    ntpFrac,
    rtpTs: u32(info, 'rtp_timestamp', w),
    packetCount: u32(info, 'packets', w),
    octetCount: u32(info, 'octets', w),
    reports,
  };
}

/** Whether heplify's sender information says anything (an RR's is all zeros). */
function hasSenderInformation(info: Json | undefined): boolean {
  if (info === undefined || !isObject(info)) return false;
  return info.members.some(([, v]) => v !== 0 && v !== '0' && v !== null);
}

function reportBlock(b: Json, where: string): ReportBlock {
  if (!isObject(b)) throw new RtcpJsonError(`${where} is not an object`);
  return {
    ssrc: ssrcOf(b, 'source_ssrc', where),
    fractionLost: integer(field(b, 'fraction_lost', where), 0, 0xff, `${where} "fraction_lost"`),
    // 24 bits either way: unsigned as rtpengine prints it, or signed; the decoder reads it signed
    cumulativeLost: signed24(integer(field(b, 'packets_lost', where), -0x800000, 0xffffff, `${where} "packets_lost"`)),
    highestSeq: u32(b, 'highest_seq_no', where),
    jitter: u32(b, 'ia_jitter', where),
    lsr: u32OrDigits(b, 'lsr', where),
    dlsr: u32(b, 'dlsr', where),
  };
}

function signed24(v: number): number {
  return v > 0x7fffff ? v - 0x1000000 : v;
}

const utf8 = new TextEncoder();

/**
 * rtpengine prints one entry per item with its chunk's SSRC; consecutive entries of one SSRC
 * are one chunk again. "sdes_report_count" is the header's count and can exceed the chunks
 * seen (a chunk without items prints nothing): it is checked for range, not used.
 */
function sdesPacket(fields: Map<string, Json>, where: string, dropped: { items: number }): RtcpPacketInput {
  const count = fields.get('sdes_report_count');
  if (count !== undefined) integer(count, 0, 31, `${where} "sdes_report_count"`);
  const entries = field(fields, 'sdes_information', where);
  if (!Array.isArray(entries)) throw new RtcpJsonError(`${where} "sdes_information" is not an array`);
  const chunks: SdesChunk[] = [];
  entries.forEach((e, i) => {
    const w = `${where} sdes_information[${i}]`;
    if (!isObject(e)) throw new RtcpJsonError(`${w} is not an object`);
    const ssrc = u32(e, 'sdes_chunk_ssrc', w);
    // type 0 would end the chunk's item list on the wire
    const type = integer(field(e, 'type', w), 1, 0xff, `${w} "type"`);
    const text = field(e, 'text', w);
    if (typeof text !== 'string') throw new RtcpJsonError(`${w} "text" is not a string`);
    if (utf8.encode(text).length > 255) throw new RtcpJsonError(`${w} "text" is over the 255 bytes of an SDES item`);
    let chunk = chunks.at(-1);
    if (chunk?.ssrc !== ssrc) {
      chunk = { ssrc, items: [] };
      chunks.push(chunk);
    }
    const item = type === SdesItemType.PRIV ? privItem(text) : { type, text };
    if (item) chunk.items.push(item);
    else dropped.items++;
  });
  if (chunks.length > 31) throw new RtcpJsonError(`${where}: ${chunks.length} chunks do not fit the 5-bit count`);
  return { pt: RtcpType.SDES, ssrc: chunks[0]?.ssrc ?? 0, chunks };
}

/**
 * A PRIV item's text is its whole value: the prefix length octet, the prefix, the value. The
 * length octet is exact when rtpengine printed it as itself or as an escape (prefixes of 8, 9,
 * 10, 12, 13 bytes: \b \t \n \f \r; 32 to 126 bytes but 95): the item goes on as the bytes it
 * was. Any other length is printed as '_', as 95 itself is: the split is lost. It is recovered
 * before the `aipref` prefix (SPEC §2.4: the binding rides there); any other such item is left
 * out (null).
 */
function privItem(text: string): SdesItem | null {
  if (text[0] !== '_') return { type: SdesItemType.PRIV, text };
  const prefix = text.slice(1, 1 + AIPREF.length);
  if (prefix.toLowerCase() === AIPREF) return { type: SdesItemType.PRIV, prefix, value: text.slice(1 + AIPREF.length) };
  return null;
}

const AIPREF = 'aipref';
