/** Builds whole calls (INVITE, 200, ACK, an SR of A's SSRC, optionally BYE) from stack-shaped INVITEs, over UDP, TCP or WebSocket. */
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { CALL, sdpOf, sr, T0, THREE } from '../../e2e/hand-built-calls.js';
import { parseLines, replayLines, type ReplayLines, type ReportLine, type Workspace } from '../../e2e/e2e-helpers.js';
import { chunks, fragmentAll, overTcp, overWs, type SampleRecord, type TcpPlan, type WsPlan, writeLabelled, wsFrame, cutInto } from '../transport-review/transport-harness.js';
import { wire } from './stack-messages.js';

export const A = '10.0.0.1';
export const B = '10.0.0.2';

/** AI-Pref added before Content-Type, so the call binds to apt-agg (aggregate) when read. */
export const withPref = (lines: string[]): string[] => {
  const i = lines.findIndex((l) => /^content-type:/i.test(l));
  return [...lines.slice(0, i), 'AI-Pref: apt-agg;scope=dialog', ...lines.slice(i)];
};

const hdr = (lines: string[], name: RegExp) => lines.filter((l) => name.test(l));
export const cseqNo = (invite: string[]) => Number(/^cseq:\s*(\d+)/i.exec(hdr(invite, /^cseq:/i)[0]!)![1]);

/** The 200 for `invite`: its Vias, From, To + tag bbb, Call-ID, CSeq echoed (RFC 3261 §8.2.6.2). */
export function okFor(invite: string[], extra: string[] = []): string[] {
  const to = hdr(invite, /^to:/i)[0]!;
  return ['SIP/2.0 200 OK', ...hdr(invite, /^via:/i), ...hdr(invite, /^from:/i), `${to};tag=bbb`, ...hdr(invite, /^call-id:/i), ...hdr(invite, /^cseq:/i), 'Contact: <sip:b@10.0.0.2:5060>', ...extra, 'Content-Type: application/sdp'];
}

/** ACK for a 2xx: a new transaction, the INVITE's CSeq number with method ACK (RFC 3261 §13.2.2.4). */
export const ackFor = (invite: string[]): string[] => [`ACK sip:b@10.0.0.2:5060 SIP/2.0`, 'Via: SIP/2.0/UDP 10.0.0.1:5060;rport;branch=z9hG4bKack2xx', 'Max-Forwards: 70', ...hdr(invite, /^from:/i), `${hdr(invite, /^to:/i)[0]!};tag=bbb`, ...hdr(invite, /^call-id:/i), `CSeq: ${cseqNo(invite)} ACK`];

export interface Msg {
  ts: number;
  fromA: boolean;
  bytes: Uint8Array;
  sport?: number;
  dport?: number;
}

/** INVITE, 200, ACK as datagrams/messages, then an SR of A's SSRC (frame after them). */
export function basicCall(invite: string[], answer = okFor(invite), invBytes?: Uint8Array): Msg[] {
  return [
    { ts: 0, fromA: true, bytes: invBytes ?? wire(invite, sdpOf('a', [])) },
    { ts: 0.1, fromA: false, bytes: wire(answer, sdpOf('b', [])) },
    { ts: 0.2, fromA: true, bytes: wire(ackFor(invite), '') },
  ];
}

/** The SR of A's SSRC on 4001 → 5001 as a plain UDP record. */
const srRecord = (ts: number): SampleRecord => ({ frame: 0, rec: { ts: T0 + ts, data: buildEthernetIpv4Udp({ src: A, dst: B, sport: 4001, dport: 5001, payload: sr(1111) }) }, sip: null });

function records(msgs: Msg[], srAt = 1): SampleRecord[] {
  const out: SampleRecord[] = msgs.map((m) => {
    const u = { src: m.fromA ? A : B, dst: m.fromA ? B : A, sport: m.sport ?? 5060, dport: m.dport ?? 5060, payload: m.bytes };
    return { frame: 0, rec: { ts: T0 + m.ts, data: buildEthernetIpv4Udp(u) }, sip: u };
  });
  out.push(srRecord(srAt));
  out.sort((x, y) => x.rec.ts - y.rec.ts);
  return out.map((r, i) => ({ ...r, frame: i + 1 }));
}

export type Transport = 'udp' | { tcp: TcpPlan } | { ws: WsPlan } | { frag: number };

export async function runCall(ws: Workspace, name: string, msgs: Msg[], transport: Transport = 'udp'): Promise<ReplayLines> {
  const recs = records(msgs);
  const plain = recs.map((r) => ({ ...r.rec, label: r.frame }));
  const labelled = transport === 'udp' ? plain : 'frag' in transport ? fragmentAll(plain, transport.frag, false) : 'tcp' in transport ? overTcp(recs, transport.tcp) : await overWs(recs, transport.ws);
  const { file } = await writeLabelled(ws, `${name}.pcap`, labelled);
  return replayLines({ capture: file, policy: THREE, workers: 0, explain: true });
}

export const tcpIn = (n: number): Transport => ({ tcp: chunks(n) });
export const wsIn = (n: number): Transport => ({ ws: { frames: (m, client) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })], segments: cutInto(n) } });

export const reportsOf = (run: ReplayLines): ReportLine[] => parseLines<ReportLine>(run.reports);
export const malformed = (run: ReplayLines): ReportLine[] => reportsOf(run).filter((r) => r.type === 'malformed-input');
export const NEW_REASONS = /bad-request-uri|cseq-method-mismatch|unterminated-quote|bad-via|body-truncated/;
export const decidedOf = (run: ReplayLines): string[] => parseLines<{ decision: string; reason: string; apt: string[] }>(run.decisions).map((d) => `${d.decision} ${d.reason} ${d.apt.join(',')}`);
export const bindingsOf = (run: ReplayLines) => (run.result.bindings as { ssrc: number; dialog: unknown; apt: string[] }[] | undefined)?.map((b) => ({ ssrc: b.ssrc, dialog: b.dialog, apt: b.apt }));
export { CALL };
