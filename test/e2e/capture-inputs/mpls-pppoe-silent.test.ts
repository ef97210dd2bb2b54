/**
 * Found by a review of capture inputs, fixed since: IP inside MPLS (0x8847/0x8848) and PPPoE
 * session frames (0x8864) is read (native-free/link.ts afterEtherType).
 *
 * Input: samples/call-small.pcap (440 Ethernet/IPv4 frames: 32 SIP, 354 RTP, 54 RTCP) rewritten
 * twice, nothing changed but the Ethernet encapsulation of every frame:
 *  (a) MPLS unicast (EtherType 0x8847) with one label (label 100, bottom of stack, TTL 64) in front
 *      of the IPv4 header — what a mirror port on a provider/core link captures;
 *  (b) PPPoE session (EtherType 0x8864: ver/type 0x11, code 0, session id, length) + PPP protocol
 *      0x0021 (IPv4) — what an access/BNG-side capture holds.
 * tshark reads both exactly as the plain capture (`tshark -r f -T fields -e frame.number -e ip.src
 * -e udp.srcport -e udp.dstport` gives the same 440 rows as for samples/call-small.pcap; the test
 * checks that too when tshark is installed).
 *
 * Was (both files; `node bin/aipref-enforcer.js replay f --json`, exit 0, nothing on stderr):
 *   {"packets":440,"rtp":0,"rtcp":0,"sip":0,"malformed":0,"streams":0,"dialogs":0,
 *    "telemetry":{"export":0,"aggregate":0,"drop":0},"reports":{}}
 * and `inspect` prints every frame as `OTHER other`. Every SIP message, RTP packet and RTCP
 * compound — all the telemetry of three calls — is skipped without a count, a report or a
 * warning (an unsupported *link type* at least gets "N records of link type X were not read"; an
 * unread EtherType carrying IP gets nothing).
 *
 * Correct: the guide's rule for bad/unusual input ("never silently skipped") and SPEC §7 (Ethernet
 * input; §1 a PEP reads the RTP/RTCP and SIP it is given): the IP packet inside an MPLS label stack
 * or a PPPoE session frame is read as tshark reads it, so the replay's summary, exports, reports
 * and decisions equal those of the plain capture (the 440 frames carry the same IP packets).
 *
 * Fix: native-free/link.ts, afterEtherType(): after the VLAN loop, for 0x8847/0x8848 skip 4-byte
 * label stack entries until the bottom-of-stack bit (byte 2 & 0x01), then take IPv4/IPv6 from the
 * first nibble (RFC 3032 §2.1; anything else → OTHER, as tshark's heuristic does); for 0x8864 check
 * ver/type 0x11 and code 0, then PPP protocol 0x0021 → IPv4, 0x0057 → IPv6 (RFC 2516 §5.3, RFC 1332),
 * at offset +8. Short headers → MALFORMED like a cut VLAN tag. (At the least, frames of an
 * EtherType that is not read should be counted and warned about at the end like unsupported link
 * types in replay-engine.ts/unsupportedLinkTypeWarnings.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPcapRecords, replayLines, type ReplayLines, SMALL_PCAP, SMALL_POLICY, Workspace, writePcapRecords } from '../e2e-helpers.js';
import { loadPolicyFile } from '../../../src/policy/policy-file.js';
import { tsharkRows } from './tshark-rows.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const MPLS_LABEL = Uint8Array.of(0x00, 0x06, 0x41, 0x40); // label 100, TC 0, S=1, TTL 64
const pppoeHeader = (ipLength: number) => Uint8Array.of(0x11, 0x00, 0x12, 0x34, (ipLength + 2) >> 8, (ipLength + 2) & 0xff, 0x00, 0x21);

function rewrap(data: Uint8Array, kind: 'mpls' | 'pppoe'): Uint8Array {
  // every frame of the sample: 12 bytes of MACs, EtherType 0x0800, the IPv4 packet
  expect([data[12], data[13]]).toEqual([0x08, 0x00]);
  const ip = data.subarray(14);
  const shim = kind === 'mpls' ? MPLS_LABEL : pppoeHeader(ip.length);
  const out = new Uint8Array(14 + shim.length + ip.length);
  out.set(data.subarray(0, 12), 0);
  out[12] = 0x88;
  out[13] = kind === 'mpls' ? 0x47 : 0x64;
  out.set(shim, 14);
  out.set(ip, 14 + shim.length);
  return out;
}


let plain: ReplayLines;
const files: Record<string, string> = {};

beforeAll(async () => {
  const policy = await loadPolicyFile(SMALL_POLICY);
  plain = await replayLines({ capture: SMALL_PCAP, policy, workers: 0, explain: true });
  const { header, records } = await readPcapRecords(SMALL_PCAP);
  for (const kind of ['mpls', 'pppoe'] as const) {
    files[kind] = await ws.file(`call-small-${kind}.pcap`);
    await writePcapRecords(files[kind]!, header, records.map((r) => ({ ...r, data: rewrap(r.data, kind) })));
  }
});

describe('IP inside MPLS and PPPoE session frames is read, as tshark reads it', () => {
  for (const kind of ['mpls', 'pppoe'] as const) {
    it(`${kind}: tshark sees the same IP/UDP rows as in the plain capture (oracle check)`, () => {
      const want = tsharkRows(SMALL_PCAP, ['frame.number', 'ip.src', 'ip.dst', 'udp.srcport', 'udp.dstport']);
      const got = tsharkRows(files[kind]!, ['frame.number', 'ip.src', 'ip.dst', 'udp.srcport', 'udp.dstport']);
      if (want === null || got === null) return; // no tshark: nothing to compare with
      expect(got).toEqual(want);
    });

    for (const workers of [0, 2]) {
      it(`${kind}, workers ${workers}: summary, exports, reports and decisions equal the plain capture's`, async () => {
        const policy = await loadPolicyFile(SMALL_POLICY);
        const r = await replayLines({ capture: files[kind]!, policy, workers, explain: true });
        // was: {"packets":440,"rtp":0,"rtcp":0,"sip":0,"malformed":0,"streams":0,"dialogs":0,...,"reports":{}}
        expect(r.result.summary).toEqual(plain.result.summary);
        expect(r.result.summary).toMatchObject({ packets: 440, rtp: 354, rtcp: 54, sip: 32, dialogs: 3, streams: 12 });
        expect(r.reports).toEqual(plain.reports);
        expect(r.decisions).toEqual(plain.decisions);
        expect(r.exports.map((l) => l.replace(/"requestId":"[^"]*"/, ''))).toEqual(plain.exports.map((l) => l.replace(/"requestId":"[^"]*"/, '')));
      });
    }
  }
});
