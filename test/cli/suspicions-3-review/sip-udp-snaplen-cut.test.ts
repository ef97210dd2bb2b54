/**
 * Found by a review of suspicions, fixed since: a SIP datagram the snap length cut inside its header section is one malformed-input report, `sip snaplen-cut at byte <n> (SIP message of <m> bytes cut by the capture's snap length after <n>, not read)`, and is not read; cut inside its body, it is read, its body to its last whole line, with one `sip snaplen-cut` report and the cut lines standing as an unresolved identifier (src/signaling/sip-message.ts parseSipDatagram, dialogs.ts parseContent; src/pipeline/packet-feed.ts feedBatch passes payloadCut).
 */
/**
 * A SIP message cut by the capture's snap length gets a cascade of parse reports.
 *
 * Input: one INVITE with an SDP offer as one UDP datagram (426 bytes of payload), written by
 *   native-free/write.ts with a snap length that cuts it: the record's caplen below its origlen.
 *   `replayCapture` (the engine under `replay`), 0 workers.
 * Was: cut 60 bytes in (inside the headers): four malformed-input reports, `sip no-header-end at
 *   byte 60`, `sip missing-call-id`, `sip missing-from-tag`, `sip missing-cseq`; cut 400 bytes in
 *   (inside the body): `sip body-truncated` and `sdp bad-ssrc` (the cut SDP parsed as if whole,
 *   the INVITE's partial offer read). None says the capture cut the message: the reader of
 *   reports.ndjson is told the relay sent broken SIP.
 * Correct: the project rule (bad input gets a clear error naming what was wrong and where); SPEC
 *   §6/§8 malformed-input `{type, ts, frame, dialog, detail}` as for the other cut packets (RTCP
 *   and RTP say `snaplen-cut` … "cut by the capture's snap length"): one report naming the frame
 *   and saying the snap length cut the message; what was captured of it is not read as if whole.
 *   A cut past the message's own end (its Content-Length reached) loses none of it: read as usual.
 * Fix: src/signaling/sip-message.ts parseSipDatagram(bytes, off, len, cut): a message that runs
 *   into the cut bytes is one 'snaplen-cut' error, not parsed; src/pipeline/packet-feed.ts passes
 *   the view's payloadCut.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { PcapWriter } from '../../../native-free/write.js';
import { request, sdpOf, T0 } from '../../e2e/hand-built-calls.js';
import { policyOf, replayLines, Workspace } from '../../e2e/e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

/** Ethernet + IPv4 + UDP headers before the SIP bytes */
const HEADERS = 42;

async function replayCut(name: string, payload: Uint8Array, capturedPayload: number) {
  const frame = buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, payload });
  const file = await ws.file(name);
  const w = await PcapWriter.open(file, { linkType: 1, snapLen: HEADERS + capturedPayload });
  w.write(T0, frame);
  await w.close();
  const r = await replayLines({ capture: file, policy: policyOf({ apts: {} }) });
  return { reports: r.reports.map((l) => JSON.parse(l) as { type: string; frame: number; dialog: unknown; apt?: string[]; detail?: string }), summary: r.result.summary };
}

const invite = request('INVITE', 1, sdpOf('a', []), [], '');

describe('a SIP datagram cut by the snap length', () => {
  it(`cut 60 bytes into its ${invite.length}, before its Call-ID: one report saying the capture's snap length cut it, not read`, async () => {
    const { reports, summary } = await replayCut('cut-60.pcap', invite, 60);
    expect(reports).toHaveLength(1);
    const [r] = reports;
    expect(r!.type).toBe('malformed-input');
    expect(r!.frame).toBe(1);
    expect(r!.dialog).toBeNull();
    expect(r!.detail).toBe(`frame 1: sip snaplen-cut at byte 60 (SIP message of ${invite.length} bytes cut by the capture's snap length after 60, not read)`);
    expect(summary.malformed).toBe(1);
  });

  it(`cut 250 bytes into its ${invite.length}, inside its header section after the lines that name it: read, what the rest said unresolved`, async () => {
    const { reports, summary } = await replayCut('cut-250.pcap', invite, 250);
    // (no offer read: the stand-in is an AI-Pref value, told unresolved where it governs a stream — there is none here;
    // test/signaling/cut-sip-final-review sweeps calls with media)
    expect(reports.map((r) => r.type)).toEqual(['malformed-input']);
    expect(reports[0]!.dialog).not.toBeNull();
    expect(reports[0]!.detail).toBe(`frame 1: sip snaplen-cut at byte 250 (headers cut by the capture's snap length after 250 of ${invite.length} bytes)`);
    expect(summary.malformed).toBe(1);
  });

  it('cut 400 bytes into its 426, inside the SDP body: its headers read (the call goes on), its body to its last whole line, what the cut lines said unresolved (most restrictive)', async () => {
    const { reports, summary } = await replayCut('cut-400.pcap', invite, 400);
    expect(reports.map((r) => r.type)).toEqual(['malformed-input', 'unresolved-apt']);
    const [cut, unresolved] = [reports[0]!, reports[1]!];
    expect(cut.dialog).not.toBeNull();
    expect(cut.detail).toBe(`frame 1: sip snaplen-cut at byte 400 (body cut by the capture's snap length after 400 of ${invite.length} bytes)`);
    expect(unresolved.apt).toEqual(["(lines cut by the capture's snap length)"]);
    expect(unresolved.detail).toContain("its SDP was cut by the capture's snap length; what the lines cut off said cannot be read");
    expect(summary.sip).toBe(1);
    expect(summary.malformed).toBe(1);
  });

  it('cut past the message (bytes after its Content-Length end): read as usual, nothing reported', async () => {
    const padded = new Uint8Array(invite.length + 40);
    padded.set(invite, 0);
    const { reports, summary } = await replayCut('cut-padding.pcap', padded, invite.length + 10);
    expect(reports).toEqual([]);
    expect(summary.sip).toBe(1);
    expect(summary.malformed).toBe(0);
  });
});
