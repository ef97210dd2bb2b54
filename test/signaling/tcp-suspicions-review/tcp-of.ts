/** The TCP segment of an Ethernet/IPv4 record (the harness's and lab's frames), or null when it is none. */
export function tcpOf(b: Uint8Array): { src: string; dst: string; sport: number; dport: number; seq: number; ack: number; flags: number; payload: Uint8Array } | null {
  if (b.length < 54 || b[12] !== 0x08 || b[13] !== 0x00 || b[23] !== 6) return null;
  const ip = (at: number) => `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
  const ihl = (b[14]! & 0x0f) * 4;
  const total = (b[16]! << 8) | b[17]!;
  const t = 14 + ihl;
  const dv = new DataView(b.buffer, b.byteOffset + t);
  const doff = (b[t + 12]! >> 4) * 4;
  return { src: ip(26), dst: ip(30), sport: dv.getUint16(0), dport: dv.getUint16(2), seq: dv.getUint32(4), ack: dv.getUint32(8), flags: b[t + 13]!, payload: b.subarray(t + doff, 14 + total) };
}
