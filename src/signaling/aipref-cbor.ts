/**
 * `application/aipref+cbor` bodies (seed §5.2), decoded (RFC 8949) into the data model the
 * `+json` form has, so one reading of statements serves both: maps with text keys, text
 * strings, integers and finite floats, arrays, booleans and null. What JSON could not say is
 * refused rather than guessed at — byte strings, non-text map keys, duplicate keys, undefined
 * and other simple values, NaN and infinities, integers beyond 2^53 — and so are tags (but the
 * self-describe tag 55799, which marks a document as CBOR and says nothing else) and
 * indefinite lengths, which no statement needs. A statement body is a handful of short keys:
 * nesting deeper than MAX_CBOR_DEPTH is refused, and a declared length is checked against the
 * bytes left before anything is allocated for it, so a hostile header cannot ask for gigabytes.
 *
 * Our own decoder rather than a package: the generic CBOR libraries decode tags, byte strings
 * and big integers into values the statement reader would then have to refuse again, and they
 * do not say at which byte a document went wrong; this subset is a hundred lines.
 */

/** Deeper than any statement document (a document, its statement list, a statement, its feature list). */
export const MAX_CBOR_DEPTH = 16;

/** The self-describe tag (RFC 8949 §3.4.6): it only says "this is CBOR". */
const SELF_DESCRIBE = 55799;

export type CborResult = { ok: true; value: unknown } | { ok: false; offset: number; reason: string };

/** Decodes one whole CBOR item; failures name the byte offset in `bytes` and what was wrong there. */
export function decodeAiPrefCbor(bytes: Uint8Array): CborResult {
  if (bytes.length === 0) return { ok: false, offset: 0, reason: 'empty part' };
  const reader = new Reader(bytes);
  try {
    const value = reader.item(0);
    if (reader.pos !== bytes.length) throw new CborFailure(reader.pos, `${bytes.length - reader.pos} bytes after the item`);
    return { ok: true, value };
  } catch (err) {
    if (err instanceof CborFailure) return { ok: false, offset: err.offset, reason: err.message };
    throw err;
  }
}

class CborFailure extends Error {
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(reason);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const MAJOR_NAMES = ['unsigned integer', 'negative integer', 'byte string', 'text string', 'array', 'map', 'tag', 'simple value'];

class Reader {
  pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  item(depth: number): unknown {
    const start = this.pos;
    const initial = this.byte(start);
    const major = initial >> 5;
    const info = initial & 0x1f;
    if (info >= 28 && info <= 30) throw new CborFailure(start, `reserved additional information ${info}`);
    if (info === 31) {
      if (major === 7) throw new CborFailure(start, 'break outside an indefinite-length item');
      if (major >= 2 && major <= 5) throw new CborFailure(start, `indefinite-length ${MAJOR_NAMES[major]} not supported`);
      throw new CborFailure(start, `indefinite length on a ${MAJOR_NAMES[major]}`);
    }
    if (major === 7) return this.simple(start, info);
    const arg = this.argument(start, info);
    switch (major) {
      case 0:
        if (arg > Number.MAX_SAFE_INTEGER) throw new CborFailure(start, 'integer beyond 2^53 - 1');
        return arg;
      case 1:
        if (arg >= Number.MAX_SAFE_INTEGER) throw new CborFailure(start, 'integer beyond -(2^53 - 1)');
        return -1 - arg;
      case 2:
        throw new CborFailure(start, 'byte string where JSON has only text');
      case 3:
        return this.text(start, arg);
      case 4: {
        this.deeper(start, depth);
        // every item takes at least one byte
        this.fits(start, arg, 'array', 1);
        const out: unknown[] = [];
        for (let i = 0; i < arg; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        this.deeper(start, depth);
        this.fits(start, arg, 'map', 2);
        const out: Record<string, unknown> = {};
        const seen = new Set<string>();
        for (let i = 0; i < arg; i++) {
          const keyAt = this.pos;
          const keyInitial = this.byte(keyAt);
          if (keyInitial >> 5 !== 3) throw new CborFailure(keyAt, 'map key is not a text string');
          const key = this.item(depth + 1) as string;
          if (seen.has(key)) throw new CborFailure(keyAt, `duplicate map key ${JSON.stringify(key.slice(0, 40))}`);
          seen.add(key);
          // an own property whatever the key (even __proto__), as JSON.parse makes it
          Object.defineProperty(out, key, { value: this.item(depth + 1), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      default: // 6, a tag
        if (arg !== SELF_DESCRIBE) throw new CborFailure(start, `tag ${arg} not supported`);
        this.deeper(start, depth);
        return this.item(depth + 1);
    }
  }

  private byte(at: number): number {
    if (at >= this.bytes.length) throw new CborFailure(at, 'the part ends inside an item');
    return this.bytes[at]!;
  }

  /** The head's argument (RFC 8949 §3): a count, a length, an integer or a tag number. */
  private argument(start: number, info: number): number {
    this.pos = start + 1;
    if (info < 24) return info;
    const size = 1 << (info - 24); // 1, 2, 4 or 8 bytes follow
    if (this.pos + size > this.bytes.length) throw new CborFailure(start, 'the part ends inside an item');
    const at = this.pos;
    this.pos += size;
    if (size === 1) return this.view.getUint8(at);
    if (size === 2) return this.view.getUint16(at);
    if (size === 4) return this.view.getUint32(at);
    // beyond 2^53 the number is inexact, but every use of so large a value is refused
    return this.view.getUint32(at) * 2 ** 32 + this.view.getUint32(at + 4);
  }

  private text(start: number, length: number): string {
    if (length > this.bytes.length - this.pos) throw new CborFailure(start, `text string of ${length} bytes but ${this.bytes.length - this.pos} left`);
    const at = this.pos;
    this.pos += length;
    try {
      return utf8.decode(this.bytes.subarray(at, at + length));
    } catch {
      throw new CborFailure(start, 'text string is not valid UTF-8');
    }
  }

  private simple(start: number, info: number): unknown {
    this.pos = start + 1;
    if (info === 20) return false;
    if (info === 21) return true;
    if (info === 22) return null;
    if (info === 23) throw new CborFailure(start, 'undefined has no JSON equivalent');
    if (info < 24) throw new CborFailure(start, `simple value ${info} has no JSON equivalent`);
    if (info === 24) throw new CborFailure(start, `simple value ${this.argument(start, info)} has no JSON equivalent`);
    const size = 1 << (info - 24);
    if (this.pos + size > this.bytes.length) throw new CborFailure(start, 'the part ends inside an item');
    const at = this.pos;
    this.pos += size;
    const value = size === 2 ? halfFloat(this.view.getUint16(at)) : size === 4 ? this.view.getFloat32(at) : this.view.getFloat64(at);
    if (!Number.isFinite(value)) throw new CborFailure(start, `${value} has no JSON equivalent`);
    return value;
  }

  private deeper(start: number, depth: number): void {
    if (depth >= MAX_CBOR_DEPTH) throw new CborFailure(start, `nested deeper than ${MAX_CBOR_DEPTH}`);
  }

  /** A count of items that could not all fit in the bytes left is refused before anything is built. */
  private fits(start: number, count: number, what: string, minBytes: number): void {
    const left = this.bytes.length - this.pos;
    if (count * minBytes > left) throw new CborFailure(start, `${what} of ${count} ${what === 'map' ? 'pairs' : 'items'} but ${left} bytes left`);
  }
}

/** IEEE 754 half precision (RFC 8949 Appendix D). */
function halfFloat(half: number): number {
  const exponent = (half >> 10) & 0x1f;
  const mantissa = half & 0x3ff;
  const magnitude = exponent === 0 ? mantissa * 2 ** -24 : exponent !== 31 ? (mantissa + 1024) * 2 ** (exponent - 25) : mantissa === 0 ? Infinity : NaN;
  return half & 0x8000 ? -magnitude : magnitude;
}
