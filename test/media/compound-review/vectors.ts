/** Hand-built RTCP compounds for the compound review (RFC 3550 §6.1, A.2; RFC 5506). */
export const u32 = (n: number): number[] => [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
/** One RTCP packet: V=2, `p` padding bit, count, pt, body words (length field from the body). */
export function pkt(pt: number, count: number, body: number[], p = false): number[] {
  if (body.length % 4 !== 0) throw new Error('body not word aligned');
  const words = body.length / 4;
  return [0x80 | (p ? 0x20 : 0) | count, pt, (words >> 8) & 255, words & 255, ...body];
}
export const srBody = (ssrc: number, extra: number[] = []): number[] => [...u32(ssrc), ...u32(3976214400), ...u32(0), ...u32(1000), ...u32(10), ...u32(1600), ...extra];
export const block = (ssrc: number, lost = 1): number[] => [...u32(ssrc), 5, 0, 0, lost, ...u32(100), ...u32(20), ...u32(0), ...u32(0)];
export const sr = (ssrc: number, blocks: number[][] = [], extra: number[] = []): number[] => pkt(200, blocks.length, srBody(ssrc, [...blocks.flat(), ...extra]));
export const rr = (ssrc: number, blocks: number[][] = []): number[] => pkt(201, blocks.length, [...u32(ssrc), ...blocks.flat()]);
/** SDES with one chunk: CNAME `cname` (null-terminated and padded). */
export function sdes(ssrc: number, cname: string): number[] {
  const t = [...Buffer.from(cname)];
  const items = [1, t.length, ...t, 0];
  while (items.length % 4) items.push(0);
  return pkt(202, 1, [...u32(ssrc), ...items]);
}
export const bytes = (...parts: number[][]): Uint8Array => Uint8Array.from(parts.flat());
