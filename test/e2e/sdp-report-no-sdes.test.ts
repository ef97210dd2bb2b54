/**
 * SPEC §6: "Logs and reports name APT identifiers and Call-IDs (§8 Logging) but never copy SDES
 * text or telemetry values." An SDP `a=ssrc:<ssrc> cname:<cname>` line carries the stream's SDES
 * CNAME (RFC 5576 §6.1: the "cname" source attribute is the SDES CNAME item). When such a line
 * is malformed (here an SSRC of 11 digits), the malformed-input report copied the raw line —
 * CNAME and all — into reports.ndjson; it names the line and its attribute now (sdpLineName).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../native-free/frame-builder.js';
import { PcapWriter } from '../../native-free/write.js';
import { replayCapture } from '../../src/pipeline/replay-engine.js';
import { emptyPolicy } from '../../src/policy/policy-file.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'aipref-sdp-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const enc = new TextEncoder();

function sip(head: string[], sdp: string): Uint8Array {
  return enc.encode([...head, 'Content-Type: application/sdp', `Content-Length: ${enc.encode(sdp).length}`].join('\r\n') + '\r\n\r\n' + sdp);
}

describe('reports never copy SDES text (SPEC §6)', () => {
  it('a malformed a=ssrc line does not put its SDES CNAME into the malformed-input report', async () => {
    const CNAME = 'alice.private@home.example.com';
    const sdp = ['v=0', 'o=a 1 1 IN IP4 10.0.0.1', 's=-', 'c=IN IP4 10.0.0.1', 't=0 0', 'm=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=rtpmap:0 PCMU/8000', `a=ssrc:99999999999 cname:${CNAME}`, 'a=sendrecv', ''].join('\r\n');
    const invite = sip(
      ['INVITE sip:b@10.0.0.2 SIP/2.0', 'Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1', 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>', 'Call-ID: cname-leak@10.0.0.1', 'CSeq: 1 INVITE'],
      sdp,
    );
    const file = path.join(dir, 'sdp-cname.pcap');
    const w = await PcapWriter.open(file, { linkType: 1 });
    w.write(1767225600.1, buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, payload: invite }));
    await w.close();

    const reports: string[] = [];
    await replayCapture({
      capture: file,
      policy: emptyPolicy(),
      workers: 0,
      windowSec: 10,
      explain: false,
      sink: { exports: () => {}, reports: (lines) => void reports.push(...lines), decisions: () => {} },
    });
    const malformed = reports.filter((l) => (JSON.parse(l) as { type: string }).type === 'malformed-input');
    // the malformed line is reported (where: frame 1, line 9) ...
    expect(malformed.length).toBe(1);
    expect(JSON.parse(malformed[0]!)).toMatchObject({ frame: 1 });
    // ... but not with the CNAME it carries
    for (const line of reports) expect(line).not.toContain(CNAME);
    expect(JSON.parse(malformed[0]!).detail).toBe('frame 1: sdp bad-ssrc at line 9 (a=ssrc)');
  });
});
