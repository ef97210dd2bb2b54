/**
 * The buffer a stream framer holds a message's first bytes in until the rest comes (SIP over TCP:
 * sip-stream.ts; WebSocket: websocket-frames.ts): appended to in place, grown by doubling, its
 * read bytes let go, so a message sent in many small segments costs time linear in its length.
 */

/** No bytes held. */
export const NO_BYTES = new Uint8Array(0);

/** The least a held bytes' buffer holds (the next small segments are appended in place). */
const MIN_HELD_BUFFER = 2048;

/**
 * A buffer with room for `extra` bytes after the held ones (`held[start, stop)`): `held` itself,
 * the held bytes moved to its start, when half of it or more was read; else a new one twice as
 * large (or as large as needed). The held bytes are at [0, stop - start) of the result.
 */
export function roomFor(held: Uint8Array, start: number, stop: number, extra: number): Uint8Array {
  const n = stop - start;
  if (n + extra <= held.length >> 1) {
    held.copyWithin(0, start, stop);
    return held;
  }
  const grown = new Uint8Array(Math.max(n + extra, 2 * held.length));
  grown.set(held.subarray(start, stop), 0);
  return grown;
}

/** A new held bytes' buffer, `bytes` at its start (the segment is not the framer's), with room for as many again. */
export function heldCopy(bytes: Uint8Array): Uint8Array {
  const held = new Uint8Array(Math.max(2 * bytes.length, MIN_HELD_BUFFER));
  held.set(bytes, 0);
  return held;
}
