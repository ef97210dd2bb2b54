/**
 * permessage-deflate (RFC 7692) as a sender makes it, for the framer's tests: each message
 * deflated on one raw stream (context takeover), sync-flushed, its tail 00 00 ff ff cut
 * (§7.2.1); and unmasked (server) frames with FIN, RSV1 and opcode as given.
 */
import { constants as zlibConstants, createDeflateRaw, type DeflateRaw } from 'node:zlib';

/** One direction's sender. */
export class Sender {
  private readonly deflater: DeflateRaw = createDeflateRaw();
  private readonly out: Buffer[] = [];
  constructor() {
    this.deflater.on('data', (d: Buffer) => this.out.push(d));
  }
  async compress(message: Uint8Array): Promise<Uint8Array> {
    this.deflater.write(message);
    await new Promise<void>((resolve) => this.deflater.flush(zlibConstants.Z_SYNC_FLUSH, () => resolve()));
    const all = Buffer.concat(this.out.splice(0));
    if (all[all.length - 4] !== 0 || all[all.length - 3] !== 0 || all[all.length - 2] !== 0xff || all[all.length - 1] !== 0xff) throw new Error('a sync flush ends in 00 00 ff ff');
    return all.subarray(0, all.length - 4);
  }
}

/** An unmasked (server) frame. */
export function frame(payload: Uint8Array, { fin = true, rsv1 = false, opcode = 1 } = {}): Uint8Array {
  const first = (fin ? 0x80 : 0) | (rsv1 ? 0x40 : 0) | opcode;
  const head = payload.length < 126 ? [first, payload.length] : [first, 126, payload.length >> 8, payload.length & 0xff];
  return Uint8Array.from([...head, ...payload]);
}
