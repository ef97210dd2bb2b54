/**
 * State growth checks that turned out fine (found by a review of state that outlives calls): many short calls one after
 * another through one engine, as `live` feeds it, each collection of the signaling front, the
 * dialog tracker, the registry, the shard's core (stream table, transport map, flow cache,
 * windows, SRTCP keys, statements), the engine's routes and the packet layers (SIP flows, TCP
 * streams, fragments) read after the first rounds and after the last (probe.ts).
 *
 * - Calls ending with BYE, CANCEL/487 (with early media), 486, a 481 to a re-INVITE, and SIP
 *   over TCP (a connection per call, FIN): nothing grows with the ended calls but the bounded
 *   rings (the tracker's ended-dialog memory and recent messages, 8192; TCP streams kept closed
 *   for late retransmissions, 4096; the flow cache's transport index, rebuilt past 8 × slots;
 *   ended dialogs' addresses in the core's and the engine's transport maps, 16 384).
 * - Calls never ended idle out after 4 h of capture time: the tracker, the front, the core and
 *   the engine's routes hold four hours' worth, whatever came before.
 * - One call running from the start while 2400 calls come and go (every ending above): its
 *   streams stay bound to it, every one of its SRs is exported under its identifier, with
 *   workers 0 and 2 alike.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { parseLines, Workspace, type ExportLine } from '../../e2e/e2e-helpers.js';
import { addCall, type CallAddr, type Ending, policy, Records, rounds, rtpOf, sipOfCall, srOf, T0, writeRecords } from './calls.js';
import { grown, replayFiles } from './probe.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
/** Bounded collections that may still be filling up over these runs. */
const RINGS = new Set(['tracker.ended', 'tracker.recent', 'tracker.recentOrder', 'decoder.tcp.streams', 'flows.byTransport', 'flows.bySession', 'core.recentRtcp', 'core.transports.endedV4', 'routes.endedV4', 'core.transports.endedV6', 'routes.endedV6']);
const unbounded = (g: Record<string, [number, number]>) => Object.fromEntries(Object.entries(g).filter(([k]) => !RINGS.has(k)));

describe('state after many ended calls', () => {
  for (const ending of ['bye', 'cancel', 'reject', '481', 'tcp-bye'] as Ending[]) {
    it(`${ending}: nothing but the bounded rings grows`, async () => {
      const files = await rounds(ws, [ending], 250, 6);
      const { after, result } = await replayFiles(files, policy());
      expect(result.summary.sip).toBeGreaterThan(0);
      expect(unbounded(grown(after[1]!, after[5]!, 2))).toEqual({});
      // the rings stay within their bounds
      expect(after[5]!['tracker.ended']).toBeLessThanOrEqual(8192);
      expect(after[5]!['tracker.recentOrder']).toBeLessThanOrEqual(8192);
      expect(after[5]!['decoder.tcp.streams'] ?? 0).toBeLessThanOrEqual(4096);
      expect(after[5]!['core.transports.endedV4'] ?? 0).toBeLessThanOrEqual(16_384);
      expect(after[5]!['routes.endedV4'] ?? 0).toBeLessThanOrEqual(16_384);
    }, 60_000);
  }

  it('calls never ended idle out after 4 h of capture time', async () => {
    const files = await rounds(ws, ['never'], 200, 8, 3600);
    const { after, result } = await replayFiles(files, policy());
    expect(result.summary.reports['state-limit']).toBeGreaterThan(0);
    // four rounds' calls at most (the fifth's first message evicts the first round's)
    for (const field of ['core.scopes', 'table.sessions', 'routes.byDialog', 'front.dialogIds', 'front.lastScopes']) {
      expect([field, after[7]![field]]).toEqual([field, after[4]![field]]);
    }
  }, 60_000);
});

describe('a call running while thousands come and go', () => {
  const L: CallAddr = { a: '10.9.0.1', b: '10.9.0.2', aPort: 50000, bPort: 50100, aSsrc: 0x7000_0000, bSsrc: 0x7000_0001, callId: 'long-running@10.9.0.1' };
  const setUp = (r: Records) => {
    const s = sipOfCall(L, 'UDP', 'apt-long;scope=dialog');
    r.udp(0.01, L.a, L.b, 5060, 5060, s.invite);
    r.udp(0.01, L.b, L.a, 5060, 5060, s.ok);
    r.udp(0.01, L.a, L.b, 5060, 5060, s.ack);
  };
  const talk = (r: Records, round: number) => {
    r.udp(0.01, L.a, L.b, L.aPort, L.bPort, rtpOf(L.aSsrc, round + 1));
    r.udp(0.01, L.b, L.a, L.bPort, L.aPort, rtpOf(L.bSsrc, round + 1));
    r.udp(0.01, L.a, L.b, L.aPort + 1, L.bPort + 1, srOf(L.aSsrc, L.bSsrc));
    r.udp(0.01, L.b, L.a, L.bPort + 1, L.aPort + 1, srOf(L.bSsrc, L.aSsrc));
  };

  it('keeps its binding and its exports, workers 0 and 2 alike', async () => {
    const files = await rounds(ws, ['bye', 'cancel', 'bye-late-media', 'reject', '481', 'tcp-bye', 'bye-multipart'], 300, 8, 0, talk, setUp);
    const runs = await Promise.all([0, 2].map((w) => replayFiles(files, policy(), w)));
    const mine = (exports: string[]) => parseLines<ExportLine>(exports).filter((e) => e.dialog?.callId === L.callId);
    const zero = mine(runs[0]!.exports);
    // each round: two SRs, each an SR item and an SDES item
    expect(zero.length).toBe(8 * 4);
    expect(new Set(zero.map((e) => JSON.stringify([e.stream.ssrc, e.stream.mid, e.apt, e.decision])))).toEqual(
      new Set([JSON.stringify([L.aSsrc, 'a', ['apt-long'], 'export']), JSON.stringify([L.bSsrc, 'a', ['apt-long'], 'export'])]),
    );
    expect(runs[1]!.exports).toEqual(runs[0]!.exports);
    expect(runs[1]!.reports).toEqual(runs[0]!.reports);
  }, 90_000);
});
