/**
 * HEPv3 over a byte stream (TCP): frames follow each other, each sized by its own length
 * field, cut anywhere by the reads. The framer carries the unfinished tail to the next read.
 */
import { HEP3_MAGIC, hepFrameLength, HepDecodeError } from './hep.js';

export interface HepStreamOutput {
  frames: Uint8Array[];
  /** bytes thrown away to find the next "HEP3" after garbage, with what was wrong */
  errors: HepDecodeError[];
}

export class HepStreamFramer {
  private pending: Uint8Array = new Uint8Array(0);
  /** offset of `pending[0]` in the stream, for error positions */
  private streamOffset = 0;
  /** skipping bytes that are no frame since the last error (a loss of sync is reported once) */
  private outOfSync = false;

  /** Bytes held waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending.length;
  }

  /**
   * Takes the next bytes of the stream; returns the frames completed by them (copies that stay
   * valid). After garbage the framer skips to the next "HEP3" magic rather than giving up on
   * the connection, and says where it lost sync.
   */
  push(chunk: Uint8Array): HepStreamOutput {
    const out: HepStreamOutput = { frames: [], errors: [] };
    let bytes: Uint8Array;
    if (this.pending.length === 0) bytes = chunk;
    else {
      bytes = new Uint8Array(this.pending.length + chunk.length);
      bytes.set(this.pending, 0);
      bytes.set(chunk, this.pending.length);
    }
    let at = 0;
    while (at < bytes.length) {
      const length = hepFrameLength(bytes, at);
      if (length === 0) break;
      if (length instanceof HepDecodeError) {
        // one loss of sync is one error, however many reads the bytes skipped arrive in
        if (!this.outOfSync) out.errors.push(new HepDecodeError(this.streamOffset + at + length.offset, length.reason));
        this.outOfSync = true;
        at = this.nextMagic(bytes, at + 1);
        continue;
      }
      if (bytes.length - at < length) break;
      this.outOfSync = false;
      out.frames.push(bytes.slice(at, at + length));
      at += length;
    }
    this.streamOffset += at;
    this.pending = bytes.slice(at);
    return out;
  }

  /** Where a "HEP3" may start at or after `from`; a magic cut by the end of the bytes counts. */
  private nextMagic(bytes: Uint8Array, from: number): number {
    for (let i = from; i < bytes.length; i++) {
      let matches = true;
      for (let k = 0; k < HEP3_MAGIC.length && i + k < bytes.length; k++) {
        if (bytes[i + k] !== HEP3_MAGIC[k]) {
          matches = false;
          break;
        }
      }
      if (matches) return i;
    }
    return bytes.length;
  }
}
