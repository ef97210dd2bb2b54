/**
 * Found by a review of mirror copies and capture clocks, fixed since: one message further
 * from the one before than the idle bound expires no dialog (nor sweeps unbound media).
 *
 * Input: the committed sample (samples/call-small.pcap, samples/policy.json) with one record
 * inserted after frame 100: a SIP OPTIONS of an unrelated monitoring host (192.0.2.9 →
 * 192.0.2.10, Call-ID monitor-1@192.0.2.9) whose capture time is 5 h ahead of its neighbours
 * (a merged capture or a HEP agent with a wrong clock; the next record is back at the sample's
 * time). `tshark -r` shows frame 101 at +18000 s and frame 102 back at 1767225601.65…: one
 * outlier, the capture's clock did not run 5 h.
 *
 * Was (workers 0 and 2): all three running calls are ended at frame 101 — three reports
 * `{"type":"state-limit","ts":1767243601.650272,"frame":101,…,"detail":"dialog idle for more
 * than 14400 s of capture time: its state dropped (idle timeout)"}` — then 12 `unbound-stream`
 * reports; summary `"streams":24`, `"telemetry":{"export":0,"aggregate":5,"drop":249}` (was 59
 * aggregated, 195 dropped), 4 exports instead of 11, and no `scope-removed` (2) or
 * `scope-transitioned` (1) report for the three renegotiations that follow.
 *
 * Correct: the outputs of the sample itself (frames after 100 renumbered): 11 exports, the
 * reports binding-conflict 1, implicit-binding 2, scope-removed 2, scope-transitioned 1, no
 * state-limit. SPEC §5 requires the `scope-removed` report for a re-INVITE that removes an
 * `a=aipref` line or disables an m-section, and "BYE ends the dialog and its bindings": nothing
 * in SPEC ends a call because an unrelated message carries an outlying time. The idle timeout
 * is a resource bound of the enforcer (README "Limits"); a bound that one out-of-order record of
 * another host trips — live, any HEP agent's clock — drops every call's preferences, reports
 * and telemetry.
 *
 * Fix: src/signaling/dialogs.ts DialogTable.expireIdle (and the same for media-core's
 * sweepUnbound, whose lastUnboundSweep a future record pushes ahead so sweeps stop): judge
 * idleness by a capture clock that an outlier cannot move — e.g. a monotone "now" that only
 * advances by a jump larger than the idle bound once a second record confirms it (or the
 * previous record's time), and never by a record of a dialog that is not the one being expired.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { type ExportLine, parseLines, readPcapRecords, replayLines, type ReportLine, SMALL_PCAP, SMALL_POLICY, Workspace, writePcapRecords, type PcapRecord } from '../e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const OPTIONS = new TextEncoder().encode(
  ['OPTIONS sip:x@192.0.2.10 SIP/2.0', 'Via: SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKopt1', 'From: <sip:m@192.0.2.9>;tag=mon', 'To: <sip:x@192.0.2.10>', 'Call-ID: monitor-1@192.0.2.9', 'CSeq: 1 OPTIONS', 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\r\n'),
);

describe('one SIP record of another host stamped 5 h ahead, mid-capture', () => {
  for (const workers of [0, 2]) {
    it(`ends no call (workers ${workers})`, async () => {
      const policy = parsePolicy(await readFile(SMALL_POLICY, 'utf8'), 'policy.json');
      const { header, records } = await readPcapRecords(SMALL_PCAP);
      const out: PcapRecord[] = [...records];
      out.splice(100, 0, { ts: records[99]!.ts + 5 * 3600, data: buildEthernetIpv4Udp({ src: '192.0.2.9', dst: '192.0.2.10', sport: 5060, dport: 5060, payload: OPTIONS }) });
      const file = await ws.file(`future-${workers}.pcap`);
      await writePcapRecords(file, header, out);
      const original = await replayLines({ capture: SMALL_PCAP, policy, workers });
      const run = await replayLines({ capture: file, policy, workers });
      const types = parseLines<ReportLine>(run.reports).map((r) => r.type);
      expect(types).toEqual(['binding-conflict', 'implicit-binding', 'implicit-binding', 'scope-removed', 'scope-removed', 'scope-transitioned']);
      expect(run.result.summary.telemetry).toEqual({ export: 0, aggregate: 59, drop: 195 });
      const stats = (lines: string[]) => parseLines<ExportLine>(lines).map((e) => JSON.stringify([e.dialog, e.stream, e.window, e.stats]));
      expect(stats(run.exports)).toEqual(stats(original.exports));
    });
  }
});
