/**
 * Rewrites an Ethernet/IPv4/UDP capture into the same capture over IPv6: every IPv4 address
 * a.b.c.d becomes fd00::(a<<8|b):(c<<8|d) in the IP header and in SDP text (`IN IP4 x` →
 * `IN IP6 v6(x)`; other dotted quads of the body too), Content-Length recomputed.
 */
import { buildIpv6Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { readPcapRecords, writePcapRecords } from '../e2e-helpers.js';

export const v6Of = (v4: string): string => {
  const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number];
  return `fd00::${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
};

function rewriteSip(text: string): string {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return text;
  const head = text.slice(0, split);
  let body = text.slice(split + 4);
  body = body.replace(/IN IP4 (\d+\.\d+\.\d+\.\d+)/g, (_m, a: string) => `IN IP6 ${v6Of(a)}`).replace(/\b(\d+\.\d+\.\d+\.\d+)\b/g, (_m, a: string) => v6Of(a));
  const len = Buffer.byteLength(body);
  const newHead = head.replace(/^(Content-Length|l)\s*:\s*\d+/im, (m) => m.replace(/\d+$/, String(len)));
  return `${newHead}\r\n\r\n${body}`;
}

export async function toV6(src: string, dst: string): Promise<void> {
  const { records } = await readPcapRecords(src);
  const out = records.map((r) => {
    const d = r.data;
    if (d[12] !== 0x08 || d[13] !== 0x00) throw new Error('not IPv4');
    const ip = 14;
    const ihl = (d[ip]! & 0x0f) * 4;
    if (d[ip + 9] !== 17) throw new Error('not UDP');
    const s = `${d[ip + 12]}.${d[ip + 13]}.${d[ip + 14]}.${d[ip + 15]}`;
    const t = `${d[ip + 16]}.${d[ip + 17]}.${d[ip + 18]}.${d[ip + 19]}`;
    const u = ip + ihl;
    const sport = (d[u]! << 8) | d[u + 1]!;
    const dport = (d[u + 2]! << 8) | d[u + 3]!;
    const ulen = (d[u + 4]! << 8) | d[u + 5]!;
    let payload: Uint8Array = d.subarray(u + 8, u + ulen);
    const text = Buffer.from(payload).toString('latin1');
    if (/^(SIP\/2\.0 |[A-Z]+ sip:)/.test(text)) payload = Buffer.from(rewriteSip(text), 'latin1');
    return { ts: r.ts, data: buildIpv6Udp({ src: v6Of(s), dst: v6Of(t), sport, dport, payload }) };
  });
  await writePcapRecords(dst, encodePcapFileHeader(1), out);
}
