/**
 * Suspicions an earlier review raised that came out fine, each checked against the code, SPEC
 * and the RFC:
 *
 * - HEP3 (suspicion 4): a frame whose length field swallows exactly the next frame is, byte for
 *   byte, one valid HEPv3 frame whose last chunk reads vendor 0x4845 ("HE"), type 0x5033 ("P3"),
 *   length = the swallowed frame's: HEP3 tells receivers to skip other vendors' chunks, so it is
 *   read as that (counted under `unknown-chunks`, src/sources/hep-listener.ts), nothing the
 *   format lets a receiver call malformed; a swallow that is not exact is reported.
 * - Dialog idling (suspicion 5): a call whose media stopped, with SIP of other transactions going
 *   on (an OPTIONS keep-alive every 5 min), idles out between 4 and 8 h after its last packet
 *   (README "Limits"), reported `state-limit`; one its own in-dialog OPTIONS keeps refreshing
 *   is alive (RFC 3261 §12: in-dialog requests are the dialog's) and keeps deciding its items.
 * - Policy reload (suspicion 7): a reload that changes only the repository (`dialogs`) entry of a
 *   running call, or only the `apts` statement of the identifier that entry names, re-decides the
 *   call's items from the reload on (SPEC §2.6, §7.2; README "SIGHUP"), with a `scope-transitioned`
 *   report for the entry change; with 0 and 2 workers alike.
 * - Line size (suspicion 8): an export line names the APTs that decided it, not the stream's whole
 *   identifier list (SPEC §4 "the APT identifiers that decided it"): of three identifiers on the
 *   stream, only the one whose values won is named.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readCaptureBatches } from '../../../native-free/capture.js';
import type { RecordBatch } from '../../../native-free/types.js';
import { replayCapture } from '../../../src/pipeline/replay-engine.js';
import type { PolicyFile } from '../../../src/policy/policy-file.js';
import { decodeHep, encodeHep, HepProtocol } from '../../../src/sources/hep.js';
import { HepStreamFramer } from '../../../src/sources/hep-stream.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { parseLines, policyOf, type DecisionLine, type ExportLine, type ReportLine, Workspace } from '../e2e-helpers.js';
import { CALL, replayCall, request, response, sdpOf, srOfA, writeCall } from '../hand-built-calls.js';
import { A, B, C, type Datagram, req, res, run, sdpAudio, srPkt, type Leg } from '../dialog-lifecycle/lifecycle-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('HEP3: a length field that swallows exactly the next frame', () => {
  const frame = (sip: string, ts: number) =>
    encodeHep({ ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, tsSeconds: ts, tsMicroseconds: 0, protocolType: HepProtocol.SIP, payload: new TextEncoder().encode(sip) });
  const first = frame('OPTIONS sip:b@10.0.0.2 SIP/2.0\r\n\r\n', 1767225600);
  const second = frame('BYE sip:b@10.0.0.2 SIP/2.0\r\n\r\n', 1767225601);
  const stretched = Uint8Array.from([...first, ...second]);
  new DataView(stretched.buffer).setUint16(4, first.length + second.length);

  it('reads as one valid frame whose extra chunk is skipped and counted, the first frame intact', () => {
    const r = decodeHep(stretched);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(new TextDecoder().decode(r.packet.payload)).toBe('OPTIONS sip:b@10.0.0.2 SIP/2.0\r\n\r\n');
    expect(r.packet.unknownChunks).toBe(1);
    // over TCP the framer hands it on as one frame of both lengths
    const out = new HepStreamFramer().push(stretched);
    expect(out.errors).toEqual([]);
    expect(out.frames.map((f) => f.length)).toEqual([first.length + second.length]);
  });

  it('a swallow that is not exact (one byte more) is malformed, not silently read', () => {
    const longer = Uint8Array.from([...stretched, 0]);
    new DataView(longer.buffer).setUint16(4, stretched.length + 1);
    const r = decodeHep(longer);
    expect(r.ok).toBe(false);
  });
});

describe('dialogs under sparse signaling', () => {
  const H = 4 * 3600;
  const leg: Leg = { callId: 'long@x', caller: A, callee: B, fromTag: 'f1' };
  const ping: Leg = { callId: 'ping@x', caller: C, callee: B, fromTag: 'k1' };
  const setUp = [
    { at: 0, d: req(leg, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=aipref:session apt-raw'])) },
    { at: 0.1, d: res(leg, '200 OK', 1, 'INVITE', 't1', sdpAudio(B.ip, 5000)) },
    { at: 0.2, d: req(leg, 'ACK', 1, 't1') },
  ];
  const media = [60, 300, 600].map((at, i) => ({ at, d: { src: A.ip, sport: 4000, dst: B.ip, dport: 5000, payload: encodeRtpPacket({ pt: 0, seq: i + 1, ts: i * 160, ssrc: 111, payload: new Uint8Array(160) }) } as Datagram }));
  const every5min = (make: (n: number, at: number) => { at: number; d: Datagram }[]) => {
    const out: { at: number; d: Datagram }[] = [];
    for (let n = 1, at = 900; at < 9 * 3600; n++, at += 300) out.push(...make(n, at));
    return out;
  };
  const lastSr = { at: 9 * 3600 + 10, d: srPkt(A.ip, 4001, B.ip, 5001, 111) };

  it('a call whose media stopped idles out 4–8 h after its last packet while other SIP goes on', async () => {
    const pings = every5min((n, at) => [{ at, d: req(ping, 'OPTIONS', n, null) }, { at: at + 0.01, d: res(ping, '200 OK', n, 'OPTIONS', 'p1') }]);
    const all = [...setUp, ...media, ...pings, lastSr].sort((a, b) => a.at - b.at);
    const o = await run(ws, all);
    expect(o.w2).toEqual(o.w0);
    const idle = o.reports.filter((r) => r.type === 'state-limit');
    expect(idle.map((r) => r.dialog?.callId)).toEqual(['long@x']);
    const since = idle[0]!.ts - (1767225600 + 600);
    expect(since).toBeGreaterThan(H);
    expect(since).toBeLessThanOrEqual(2 * H);
    expect(o.decisions.map((d) => `${d.decision} ${d.reason}`)).toEqual(['drop no-preference']);
  });

  it('a call pinged by its own in-dialog OPTIONS stays, and its late SR is decided by its APT', async () => {
    const pings = every5min((n, at) => [{ at, d: req(leg, 'OPTIONS', 1 + n, 't1') }, { at: at + 0.01, d: res(leg, '200 OK', 1 + n, 'OPTIONS', 't1') }]);
    const all = [...setUp, ...media, ...pings, lastSr].sort((a, b) => a.at - b.at);
    const o = await run(ws, all);
    expect(o.w2).toEqual(o.w0);
    expect(o.reports.filter((r) => r.type === 'state-limit')).toEqual([]);
    expect(o.decisions.map((d) => `${d.decision} ${d.reason} ${d.apt.join(',')}`)).toEqual(['export raw-allowed apt-raw']);
  });
});

describe('a policy reload that changes only the repository mapping', () => {
  const base = { 'apt-raw': { type: 'domain', export: 'raw', retention: '1h' }, 'apt-none': { type: 'domain', export: 'none', retention: '1h' } };
  const entry = (apt: string) => [{ callId: CALL, apt: [apt] }];

  async function reloadRun(start: PolicyFile, next: PolicyFile, workers: number) {
    const file = await ws.file(`reload-${workers}-${Math.random().toString(36).slice(2)}.pcap`);
    await writeCall(file, (at) => {
      at(0, request('INVITE', 1, sdpOf('a', []), [], ''), true); // 1
      at(0.1, response('200 OK', 1, sdpOf('b', [])), false); // 2
      at(0.2, request('ACK', 1, null), true); // 3
      at(1, srOfA(), true, 4001, 5001); // 4
      at(2, srOfA(), true, 4001, 5001); // 5: the reload comes before it
      at(3, srOfA(), true, 4001, 5001); // 6
    });
    const decisions: string[] = [];
    const reports: string[] = [];
    let index = -1;
    async function* source(): AsyncGenerator<RecordBatch> {
      for await (const batch of readCaptureBatches(file, { maxBatchRecords: 1 })) {
        index++;
        yield batch;
      }
    }
    await replayCapture({
      capture: 'live',
      source: source(),
      policy: start,
      workers,
      windowSec: 10,
      explain: true,
      sink: { exports: () => {}, reports: (l) => void reports.push(...l), decisions: (l) => void decisions.push(...l) },
      takePolicyUpdate: () => (index === 4 ? { policy: next, windowSec: 10 } : null),
    });
    return { decisions: parseLines<DecisionLine>(decisions).map((d) => `${d.frame} ${d.decision} ${d.reason} ${d.apt.join(',')}`), reports: parseLines<ReportLine>(reports) };
  }

  it('a changed dialogs entry governs the call from the reload on, reported', async () => {
    const before = policyOf({ apts: base, dialogs: entry('apt-raw') });
    const after = policyOf({ apts: base, dialogs: entry('apt-none') });
    const [w0, w2] = await Promise.all([reloadRun(before, after, 0), reloadRun(before, after, 2)]);
    expect(w2).toEqual(w0);
    expect(w0.decisions).toEqual(['4 export raw-allowed apt-raw', '5 drop export-none apt-none', '6 drop export-none apt-none']);
    expect(w0.reports.filter((r) => r.type === 'scope-transitioned').map((r) => r.detail)).toEqual(['policy reload: the repository\'s identifiers for the dialog are now apt-none (were apt-raw)']);
  });

  it("a changed statement of the entry's identifier governs the call from the reload on", async () => {
    const before = policyOf({ apts: base, dialogs: entry('apt-raw') });
    const after = policyOf({ apts: { ...base, 'apt-raw': { type: 'domain', export: 'none', retention: '1h' } }, dialogs: entry('apt-raw') });
    const [w0, w2] = await Promise.all([reloadRun(before, after, 0), reloadRun(before, after, 2)]);
    expect(w2).toEqual(w0);
    expect(w0.decisions).toEqual(['4 export raw-allowed apt-raw', '5 drop export-none apt-raw', '6 drop export-none apt-raw']);
  });
});

describe('export lines name the deciding APTs, not every identifier of the stream', () => {
  it('of three identifiers on the stream, only the one whose values won is named', async () => {
    const policy = policyOf({
      apts: {
        'apt-a': { type: 'user', export: 'raw' },
        'apt-b': { type: 'user', export: 'aggregated-only', retention: '1h' },
        'apt-c': { type: 'user', export: 'raw' },
      },
    });
    const run2 = await replayCall(
      ws,
      'deciders',
      (at) => {
        at(0, request('INVITE', 1, sdpOf('a', ['a=aipref:mid apt-a', 'a=aipref:mid apt-b', 'a=aipref:mid apt-c']), [], ''), true);
        at(0.1, response('200 OK', 1, sdpOf('b', [])), false);
        at(0.2, request('ACK', 1, null), true);
        at(1, srOfA(), true, 4001, 5001);
      },
      policy,
    );
    const bindings = run2.result.bindings as { ssrc: number; apt: string[] }[];
    expect([...bindings.find((b) => b.ssrc === 1111)!.apt].sort()).toEqual(['apt-a', 'apt-b', 'apt-c']);
    expect(parseLines<DecisionLine>(run2.decisions).map((d) => d.apt)).toEqual([['apt-b']]);
    expect(parseLines<ExportLine>(run2.exports).map((e) => [e.type, e.apt])).toEqual([['aggregate', ['apt-b']]]);
  });
});
