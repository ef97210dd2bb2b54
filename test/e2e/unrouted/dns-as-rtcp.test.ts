/**
 * Found by a review of traffic beside the calls (a mirror port), fixed since: MediaCore.rtcp()
 * takes a datagram off every negotiated transport for RTCP only if its packets chain (chainsAsRtcp).
 *
 * Input: the sample capture with four DNS-format queries whose flags word is 0x0000 inserted
 * after frame 100 (frames 101–104), between hosts no SDP names: three iterative queries (RD=0,
 * what a recursive resolver sends to authoritative servers) from 10.9.0.53 to 192.0.2.53:53,
 * "example.com" A + EDNS(0) OPT, ids 0x80c8, 0x80cb, 0x81c9; and one LLMNR query (RFC 4795,
 * flags 0x0000 as well; every Windows host sends them) from 10.9.0.20 to 224.0.0.252:5355,
 * id 0x80ca, "wpad". With the id's first byte 128–191 and second 192–223 and the flags word
 * read as an RTCP length of 0, classifyRtpRtcp says 'rtcp': 2048 of the 65536 ids (3.1%) of
 * every such query.
 * tshark 4.0.17 with heuristic RTP/RTCP on (`-o rtp.heuristic_rtp:TRUE -o rtcp.heuristic_rtcp:TRUE`)
 * decodes them as DNS / LLMNR (only forced with `-o udp.try_heuristic_first:TRUE`, not the
 * default, does its RTCP heuristic take 101–103, and then it marks 103 [Malformed Packet]).
 *
 * Was (workers 0 and 2 alike): summary `rtcp: 58` (54 + 4), `malformed: 6`, `streams: 13`,
 * `telemetry.drop: 196`; seven reports at the inserted frames:
 *   "frame 101: rtcp packet-too-short at byte 0: SR of 4 bytes, needs 28",
 *   "frame 101: rtcp bad-version at byte 4: RTCP version 0, expected 2",
 *   "frame 102: rtcp bad-version at byte 4: …", `unbound-stream` ssrc 0 at frame 102,
 *   "frame 103: rtcp packet-too-short at byte 0: RR of 4 bytes, needs 8", "frame 103: … bad-version …",
 *   "frame 104: rtcp bad-version at byte 4: …" (the LLMNR query, read as an empty SDES);
 * a decision line for garbage "telemetry" (the 4-byte id+flags read as a BYE with no SSRC):
 *   {"frame":102,"ssrc":0,"pt":203,"feature":"media-metrics","decision":"drop","reason":"no-preference",…}
 * and a binding row {"ssrc":0,"dialog":null,"mid":null,"kind":null,"apt":[],"via":null} for a
 * stream that does not exist. With an operator `default` APT that allows raw export (the sample
 * policy with "default": "apt-dom-2") the DNS query goes to the AI service as telemetry:
 *   {"type":"telemetry",…,"ts":1767225601.650274,"dialog":null,"stream":{"ssrc":0,"mid":null,"kind":null},
 *    "apt":["apt-dom-2"],"decision":"export","item":{"pt":203,"ssrc":0,"ssrcs":[]}}
 *
 * Correct: none of this (and no export): `rtcp: 54`, `malformed: 0`, `streams: 12`, `telemetry.drop: 195`,
 * no report, no decision, no binding row for these frames. RFC 3550 A.2: an RTCP compound is
 * valid only if "the length fields of the individual RTCP packets must add up to the overall
 * length of the compound RTCP packet as received" (and every packet is version 2); these
 * datagrams fail it at byte 4 (QDCOUNT 0x0001 read as version 0) — they are not RTCP at all, and
 * SPEC §4 telemetry items are RTCP packets. Off every negotiated transport a compound that does
 * not chain can be nothing the enforcer governs (SRTCP is only looked for on negotiated
 * transports, media-core.ts readRtcp), so it is someone else's datagram, like the ones
 * replay-engine.ts `other()` leaves unreported there.
 *
 * Fix: src/pipeline/media-core.ts MediaCore.rtcp()/readRtcp(): when lookup() finds no entry
 * and the compound does not chain (walkRtcpCompound < 0, or any packet of a type outside
 * 192–223 / version ≠ 2), treat the datagram as 'other': undo the `rtcp` count (count after
 * the check), no malformed report, no items, no stream. On negotiated transports keep today's
 * behaviour (broken media is reported there). inspect (src/cli/inspect.ts) should then say
 * proto "other" for them.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseLines, replayLines, SMALL_POLICY, Workspace } from '../e2e-helpers.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import type { Udp } from '../sample-edits.js';
import { bothWorkers, dns, reportsOf, withInserted } from './unrouted-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const iterative = (id: number, k: number): Udp => ({ src: '10.9.0.53', dst: '192.0.2.53', sport: 41000 + k, dport: 53, payload: dns(id, 'example.com', { flags: 0, edns: true }) });
const llmnr: Udp = { src: '10.9.0.20', dst: '224.0.0.252', sport: 52000, dport: 5355, payload: dns(0x80ca, 'wpad', { flags: 0 }) };

describe('iterative DNS and LLMNR queries (flags 0x0000) off negotiated transports', () => {
  it('are not counted as RTCP, reported, decided or bound', async () => {
    const capture = await withInserted(ws, 'dns-rtcp.pcap', new Map([[100, [iterative(0x80c8, 0), iterative(0x80cb, 1), iterative(0x81c9, 2), llmnr]]]));
    const runs = await bothWorkers(capture);
    runs.forEach((r, i) => {
      const label = `workers ${i === 0 ? 0 : 2}`;
      const s = r.result.summary;
      expect.soft({ packets: s.packets, rtp: s.rtp, rtcp: s.rtcp, malformed: s.malformed, streams: s.streams, drop: s.telemetry.drop }, label).toEqual({ packets: 444, rtp: 354, rtcp: 54, malformed: 0, streams: 12, drop: 195 });
      expect.soft(reportsOf(r).filter((x) => x.frame >= 101 && x.frame <= 104).map((x) => `${x.type}: ${x.detail}`), label).toEqual([]);
      expect.soft(parseLines<{ frame: number }>(r.decisions).filter((d) => d.frame >= 101 && d.frame <= 104), label).toEqual([]);
      expect.soft(r.result.bindings.filter((b) => b.dialog === null), label).toEqual([]);
    });
    expect(runs[1].reports).toEqual(runs[0].reports);
    expect(runs[1].decisions).toEqual(runs[0].decisions);
  });

  it('are not exported as telemetry under the operator default APT', async () => {
    const json = JSON.parse(readFileSync(SMALL_POLICY, 'utf8')) as Record<string, unknown>;
    json.default = 'apt-dom-2';
    const policy = parsePolicy(JSON.stringify(json), 'default-raw.json');
    const capture = await withInserted(ws, 'dns-rtcp-default.pcap', new Map([[100, [iterative(0x80c8, 0), iterative(0x80cb, 1), iterative(0x81c9, 2), llmnr]]]));
    for (const workers of [0, 2]) {
      const r = await replayLines({ capture, policy, workers });
      const unrouted = parseLines<{ dialog: unknown; ts: number; item?: unknown }>(r.exports).filter((e) => e.dialog === null);
      expect.soft(unrouted, `workers ${workers}`).toEqual([]);
    }
  });
});
