/**
 * TCP header (RFC 9293 §3.1).
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |          Source Port          |       Destination Port        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Sequence Number                        |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                    Acknowledgment Number                      |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Data |       |C|E|U|A|P|R|S|F|                               |
 *  | Offset| Rsrvd |W|C|R|C|S|S|Y|I|            Window             |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |           Checksum            |         Urgent Pointer        |
 *  |                    Options                    |    Padding    |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 */
import { readUint16, readUint32 } from './big-endian.js';
import { fail, type LayerError } from './layer-error.js';

export const TCP_MIN_HEADER = 20;
export const TCP_FIN = 0x01;
export const TCP_SYN = 0x02;
export const TCP_RST = 0x04;
export const TCP_ACK = 0x10;

export interface TcpHeader {
  sport: number;
  dport: number;
  seq: number;
  flags: number;
  payloadOffset: number;
  payloadLength: number;
}

export function createTcpHeader(): TcpHeader {
  return { sport: 0, dport: 0, seq: 0, flags: 0, payloadOffset: 0, payloadLength: 0 };
}

/** Decodes the TCP header at bytes[at, end), where `end` is the end of the IP payload. */
export function decodeTcpHeader(bytes: Uint8Array, at: number, end: number, out: TcpHeader, err: LayerError): boolean {
  const have = end - at;
  if (have < TCP_MIN_HEADER) return fail(err, at, `TCP header cut short: ${have} of ${TCP_MIN_HEADER} bytes`);
  const headerLength = (bytes[at + 12]! >> 4) * 4;
  if (headerLength < TCP_MIN_HEADER) return fail(err, at + 12, `TCP data offset ${headerLength} below ${TCP_MIN_HEADER}`);
  if (headerLength > have) return fail(err, at + 12, `TCP data offset ${headerLength} exceeds the ${have} bytes of the IP payload`);
  out.sport = readUint16(bytes, at);
  out.dport = readUint16(bytes, at + 2);
  out.seq = readUint32(bytes, at + 4);
  out.flags = bytes[at + 13]!;
  out.payloadOffset = at + headerLength;
  out.payloadLength = have - headerLength;
  return true;
}
