/** A hand-built call (INVITE, 200, ACK, then an SR each way) written with one SIP message cut by the snap length. */
import { writeFile } from 'node:fs/promises';
import { buildEthernetIpv4Udp, buildIpv6Udp } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader, encodePcapRecord } from '../../../native-free/write.js';
import { request, response, sr, T0 } from '../../e2e/hand-built-calls.js';
import { policyOf, replayLines, type Workspace } from '../../e2e/e2e-helpers.js';
import { concatBytes } from '../../native-free/capture-helpers.js';

export interface Msg {
  payload: Uint8Array;
  fromA: boolean;
  sport?: number;
  dport?: number;
  /** payload bytes the capture keeps (the snap length cut the rest) */
  keep?: number;
}

export const POLICY = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-none': { type: 'user', export: 'none', retention: '1h' },
    'apt-none-reg': { type: 'regulatory', export: 'none', retention: '1h' },
  },
});

/** Ethernet + IPv4 + UDP headers before the payload (IPv6: 62). */
const HEADERS4 = 42;
const HEADERS6 = 62;

export async function writeMsgs(file: string, msgs: Msg[], v6 = false): Promise<void> {
  const parts: Uint8Array[] = [encodePcapFileHeader(1, { snapLen: 65535 })];
  msgs.forEach((m, i) => {
    const a = v6 ? '2001:db8::1' : '10.0.0.1';
    const b = v6 ? '2001:db8::2' : '10.0.0.2';
    const o = { src: m.fromA ? a : b, dst: m.fromA ? b : a, sport: m.sport ?? 5060, dport: m.dport ?? 5060, payload: m.payload };
    const frame = v6 ? buildIpv6Udp(o) : buildEthernetIpv4Udp(o);
    const cap = m.keep === undefined ? frame : frame.subarray(0, (v6 ? HEADERS6 : HEADERS4) + m.keep);
    parts.push(encodePcapRecord(T0 + i * 0.1, cap, { origLen: frame.length }));
  });
  await writeFile(file, concatBytes(...parts));
}

export const srA = (): Msg => ({ payload: sr(1111), fromA: true, sport: 4001, dport: 5001 });
export const srB = (): Msg => ({ payload: sr(2222), fromA: false, sport: 5001, dport: 4001 });
export const ack = (): Msg => ({ payload: request('ACK', 1, null), fromA: true });

export interface Outcome {
  /** "frame decision reason" of each decision line */
  decisions: string[];
  reports: { type: string; frame: number; detail?: string; dialog: unknown }[];
  exports: number;
}

export async function replayMsgs(ws: Workspace, name: string, msgs: Msg[], v6 = false, workers = 0, policy = POLICY): Promise<Outcome> {
  const file = await ws.file(name);
  await writeMsgs(file, msgs, v6);
  const r = await replayLines({ capture: file, policy, workers, explain: true });
  return {
    decisions: r.decisions.map((l) => JSON.parse(l) as { frame: number; decision: string; reason: string }).map((d) => `${d.frame} ${d.decision} ${d.reason}`),
    reports: r.reports.map((l) => JSON.parse(l) as Outcome['reports'][number]),
    exports: r.exports.length,
  };
}

export { request, response };
