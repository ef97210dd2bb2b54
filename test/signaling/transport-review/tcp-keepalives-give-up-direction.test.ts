/**
 * Found by a review of SIP over every transport (differential against UDP), fixed since: SipFlowDemux.classify() budgets undecided bytes (16 KiB, CR/LF not counted) instead of segments (a direction it gives up is someone else's traffic: not reported, as on UDP).
 * Input: the sample call (samples/call-small.pcap) with all 32 SIP messages carried over TCP
 * (one connection per address pair, 5060↔5060, every message in one segment at its own place),
 * every other record unchanged. Two shapes, each at workers 0 and 2:
 *  (a) the capture began on established connections (no SYN seen), and each direction's first
 *      captured segments are 8 RFC 5626 §4.4.1 CRLFCRLF keep-alive pings, one per segment (a
 *      registered UA's idle flow pings every 30–90 s: tcpdump started 4–12 minutes before the call);
 *  (b) the connections open with a SYN, and every message is sent in 1-byte segments (and in 4-byte
 *      segments: every request's start line, ~35 bytes, spans more than 8 segments).
 * Was: the SIP of every such direction is silently ignored for the rest of the capture.
 *   (a) summary {"sip":0,"malformed":0,"dialogs":0,"telemetry":{"export":0,"aggregate":1,"drop":253},
 *       "reports":{"unbound-stream":12}}; (b) 1-byte: the same; 4-byte: "sip":16 (only responses,
 *       whose "SIP/2.0 100 Trying" fits in 8 segments), 3 dialogs, "reports":{"unbound-stream":12}.
 *   No report says that any TCP bytes were passed over.
 * Correct: what the UDP capture gives: {"sip":32,"malformed":0,"dialogs":3,"telemetry":{"export":0,
 *   "aggregate":59,"drop":195},"reports":{"binding-conflict":1,"implicit-binding":2,"scope-removed":2,
 *   "scope-transitioned":1}}, with the same exports, reports, decisions and bindings. RFC 3261 §7.5
 *   and §18.3: CRLFs before a start line are ignored and TCP delimits messages by Content-Length
 *   only, whatever the segmentation; RFC 5626 §4.4.1 puts CRLFCRLF pings between messages on every
 *   flow. SPEC §7 (SIP over TCP) and §8 (malformed input never silently skipped).
 * Fix: src/signaling/sip-flows.ts, SipFlowDemux.classify(): `++flow.undecidedChunks >=
 *   maxUndecidedChunks` counts TCP segments, so 8 segments without a whole start line make the
 *   direction 'other' for good. A chunk that is only CR/LF (a keep-alive or pong) should not count,
 *   and the budget should be bytes without a start line (e.g. past MAX_CARRY/8 KiB of non-CRLF bytes
 *   with no line that looks like SIP), not segments; a direction given up should be reported once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from '../../e2e/e2e-helpers.js';
import { chunks, expectSame, normalisedReplay, overTcp, sample, udpBaseline, whole, writeLabelled, type TcpPlan } from './transport-harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const UDP_SUMMARY = {
  rtp: 354,
  rtcp: 54,
  sip: 32,
  malformed: 0,
  streams: 12,
  dialogs: 3,
  telemetry: { export: 0, aggregate: 59, drop: 195 },
  reports: { 'binding-conflict': 1, 'implicit-binding': 2, 'scope-removed': 2, 'scope-transitioned': 1 },
};

const PING = Buffer.from('\r\n\r\n');
const cases: [string, TcpPlan][] = [
  ['mid-connection, 8 CRLFCRLF pings first in each direction', { ...whole, syn: false, before: (_f, _i, first) => (first ? Array<Uint8Array>(8).fill(PING) : null) }],
  ['1-byte segments', chunks(1)],
  ['4-byte segments', chunks(4)],
];

describe('SIP over TCP: keep-alives and small segments before the first start line', () => {
  for (const [name, plan] of cases)
    for (const workers of [0, 2])
      it(`${name} (workers ${workers}): the same as over UDP`, async () => {
        const { records } = await sample();
        const { file, labels } = await writeLabelled(ws, `ka-${name.replace(/\W+/g, '-')}-${workers}.pcap`, overTcp(records, plan));
        const got = await normalisedReplay(file, labels, workers);
        const want = await udpBaseline(ws, workers);
        expect(want.summary).toEqual(UDP_SUMMARY);
        expect(got.summary).toEqual(UDP_SUMMARY);
        expectSame(got, want);
      });
});
