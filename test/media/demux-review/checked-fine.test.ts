/** Checks of the media demux and RTP header reading found right (demux review). */
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { PcapWriter } from '../../../native-free/write.js';
import { createRtpHeaderView, decodeRtpHeader, readRtpCsrc, readRtpExtension } from '../../../src/media/rtp.js';
import { classifyRtpRtcp } from '../../../src/media/demux.js';
import { parsePolicy } from '../../../src/policy/policy-file.js';
import { parseLines, replayLines, type ReportLine, SMALL_POLICY, Workspace } from '../../e2e/e2e-helpers.js';
import { editSample, type Udp } from '../../e2e/sample-edits.js';
import { tshark } from './harness.js';

const ws = new Workspace();
const tmp: string[] = [];
afterAll(async () => {
  ws.cleanup();
  for (const d of tmp) await rm(d, { recursive: true, force: true });
});
const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const policy = parsePolicy(readFileSync(SMALL_POLICY, 'utf8'), SMALL_POLICY);

// RTP header shapes (RFC 3550 §5.1, RFC 8285 §4.2/§4.3), as bytes
const HEADERS: { name: string; bytes: Buffer }[] = [
  // CC=3, no extension, no padding
  { name: 'three CSRCs', bytes: hex('83 6f 0010 00000960 0000abcd 00000001 00000002 00000003 5555') },
  // X=1 one-byte form: id 9 (mid "a"), id 2 len 3, padding byte
  { name: 'one-byte extension 0xBEDE', bytes: hex('90 6f 0011 00000a00 0000abcd bede 0002 9061 2201 0203 0000 5555') },
  // X=1 two-byte form 0x1003 (appbits 3): id 9 len 1 "v", id 20 len 0, padding
  { name: 'two-byte extension 0x1003', bytes: hex('90 e0 0012 00000b00 0000abcd 1003 0002 0901 7614 0000 0000 5555 55') },
  // P=1 with 4 bytes of padding, CC=1 and one-byte extension
  { name: 'padding 4 with CSRC and extension', bytes: hex('b1 6f 0013 00000c00 0000abcd 00000007 bede 0001 9061 0000 5555 55 000000 04') },
  // P=1, padding count equal to everything after the header (a padding-only probe)
  { name: 'padding-only packet', bytes: hex('a0 6f 0014 00000d00 0000abcd 00000000 00000000 00000000 00000010') },
];

describe('decodeRtpHeader against tshark (-d udp.port==40000,rtp)', () => {
  it('reads CC, CSRCs, the extension profile and length, padding and payload length as tshark does', async () => {
    const d = await mkdtemp(path.join(tmpdir(), 'demux-review-'));
    tmp.push(d);
    const file = path.join(d, 'rtp.pcap');
    const w = await PcapWriter.open(file, { linkType: 1 });
    HEADERS.forEach((h, i) => w.write(1767225600 + i, buildEthernetIpv4Udp({ src: '10.0.0.2', dst: '10.0.0.1', sport: 40002, dport: 40000, payload: h.bytes })));
    await w.close();
    const theirs = tshark(file, ['udp.port==40000,rtp'], ['rtp.cc', 'rtp.csrc.item', 'rtp.ext.profile', 'rtp.ext.len', 'rtp.padding.count', 'rtp.marker', 'rtp.p_type', 'rtp.seq', 'rtp.ssrc']);
    const ours = HEADERS.map((h) => {
      const v = createRtpHeaderView();
      expect(decodeRtpHeader(h.bytes, 0, h.bytes.length, v), h.name).toBeNull();
      expect(classifyRtpRtcp(h.bytes, 0, h.bytes.length), h.name).toBe('rtp');
      const csrcs = Array.from({ length: v.csrcCount }, (_, i) => `0x${readRtpCsrc(h.bytes, v, i).toString(16).padStart(8, '0')}`).join(',');
      return [v.csrcCount, csrcs, v.extProfile < 0 ? '' : `0x${v.extProfile.toString(16)}`, v.extProfile < 0 ? '' : v.extLength / 4, v.paddingLength || '', v.marker ? 1 : 0, v.pt, v.seq, `0x${v.ssrc.toString(16).padStart(8, '0')}`].join('\t');
    });
    expect(ours).toEqual(theirs);
    // and the values themselves, by hand
    expect(theirs[3]).toBe('1\t0x00000007\t0xbede\t1\t4\t0\t111\t19\t0x0000abcd');
    const v = createRtpHeaderView();
    decodeRtpHeader(HEADERS[1]!.bytes, 0, HEADERS[1]!.bytes.length, v);
    expect(readRtpExtension(HEADERS[1]!.bytes, v, 9)).toBe('a');
    decodeRtpHeader(HEADERS[2]!.bytes, 0, HEADERS[2]!.bytes.length, v);
    expect(readRtpExtension(HEADERS[2]!.bytes, v, 9)).toBe('v');
    decodeRtpHeader(HEADERS[4]!.bytes, 0, HEADERS[4]!.bytes.length, v);
    expect([v.payloadLength, v.paddingLength]).toEqual([0, 16]);
  });
});

// call-small: call 0 is BUNDLE + rtcp-mux (10.2.0.1:10694 -> 10.1.0.1:21106); call 1 has no
// rtcp-mux: audio RTP 10.2.0.2:14530 -> 10.1.0.2:57622, RTCP (a=rtcp) 14531 -> 57623; both answered by frame 16
const c0 = (payload: Uint8Array): Udp => ({ src: '10.2.0.1', dst: '10.1.0.1', sport: 10694, dport: 21106, payload });
const c1rtp = (payload: Uint8Array): Udp => ({ src: '10.2.0.2', dst: '10.1.0.2', sport: 14530, dport: 57622, payload });
const c1rtcp = (payload: Uint8Array): Udp => ({ src: '10.2.0.2', dst: '10.1.0.2', sport: 14531, dport: 57623, payload });
const STUN_REQ = hex('0001 0000 2112a442 0102030405060708090a0b0c');
const DTLS = hex('16 fefd 0000 0000 0000 0000 0010 01 00000c 0000 000000 00000c fefd 0000 0000');

async function withInserted(name: string, inserted: Udp[]) {
  const capture = await editSample(ws, `${name}.pcap`, { after: (f) => (f === 25 ? inserted : []) });
  const runs = await Promise.all([0, 2].map((workers) => replayLines({ capture, policy, workers })));
  const base = await replayLines({ capture: await editSample(ws, `${name}-base.pcap`, {}), policy, workers: 0 });
  return { runs, base, capture };
}
const reportsAt = (lines: string[], from: number, to: number) =>
  parseLines<ReportLine>(lines)
    .filter((r) => r.frame >= from && r.frame <= to)
    .map((r) => `${r.frame} ${r.type}: ${r.detail}`);

describe('replay: the demux of what arrives on media ports of a SIP call', () => {
  it('STUN and DTLS on a port without rtcp-mux and on its a=rtcp port: no report, nothing counted', async () => {
    const { runs, base } = await withInserted('stun-rtcp-port', [c1rtcp(STUN_REQ), c1rtp(STUN_REQ), c1rtcp(DTLS), c1rtp(DTLS)]);
    for (const r of runs) {
      expect(reportsAt(r.reports, 26, 29)).toEqual([]);
      expect(r.result.summary).toEqual({ ...base.result.summary, packets: base.result.summary.packets + 4 });
    }
  });

  it('broken RTP on the mux port is malformed with its reason; broken RTCP on the a=rtcp port is too; each once in the summary', async () => {
    const { runs, base } = await withInserted('broken', [
      c0(hex('a06f0001 00000002 404cf1df 01020304 ff')), // P=1, count 255 past the 5 bytes after the header
      c0(hex('906f0001 00000002 404cf1df bede0005 10ff')), // extension of 5 words in a 2-byte block
      c1rtcp(hex('80c900ff 1ac939cd')), // RR whose length (255 words) runs past the 8-byte datagram
    ]);
    for (const r of runs) {
      expect(reportsAt(r.reports, 26, 28)).toEqual([
        '26 malformed-input: frame 26: rtp bad-padding at byte 16: padding count 255 with 5 bytes after the header',
        '27 malformed-input: frame 27: rtp extension-overrun at byte 12: header extension of 20 bytes runs past the packet',
        '28 malformed-input: frame 28: 8-byte datagram on a negotiated media transport is neither RTP nor RTCP (starts 80 c9 00 ff)',
      ]);
      const s = r.result.summary;
      expect({ malformed: s.malformed, rtp: s.rtp, rtcp: s.rtcp, streams: s.streams }).toEqual({ malformed: 3, rtp: base.result.summary.rtp, rtcp: base.result.summary.rtcp, streams: base.result.summary.streams });
    }
  });

  it('tshark decodes the inserted STUN as STUN and the broken RTP as RTP (the oracle for the two checks above)', async () => {
    const { capture } = await withInserted('oracle', [c1rtcp(STUN_REQ), c0(hex('a06f0001 00000002 404cf1df 01020304 ff'))]);
    expect(tshark(capture, ['udp.port==21106,rtp', 'udp.port==57623,rtcp'], ['frame.number', '_ws.col.Protocol'], 'frame.number==26 || frame.number==27')).toEqual(['26\tSTUN', '27\tRTP']);
  });
});

describe('hand-built call without a=rtcp and without rtcp-mux: RTCP on port+1 (RFC 3550 §11)', () => {
  it('an SR on port+1 is RTCP of the call (rtcp 1, its items decided), STUN there is nothing, a bad RTCP length there is malformed', async () => {
    const { run: runCall, audioSdp, invite, ok, ack, rtp } = await import('./harness.js');
    const { sr } = await import('../../e2e/hand-built-calls.js');
    const r = await runCall(ws, 'port-plus-one', (at) => {
      at(0, invite(audioSdp('a', 4000, 0)), true);
      at(0.1, ok(audioSdp('b', 5000, 0)), false);
      at(0.2, ack(), true);
      at(0.3, rtp({ pt: 0, seq: 100, ssrc: 2222 }), false, 5000, 4000);
      at(0.4, STUN_REQ, false, 5001, 4001);
      at(0.5, sr(2222), false, 5001, 4001);
      at(0.6, hex('80c800ff 000008ae'), false, 5001, 4001);
    });
    for (const x of r.runs) {
      const s = x.result.summary;
      expect({ rtp: s.rtp, rtcp: s.rtcp, malformed: s.malformed }).toEqual({ rtp: 1, rtcp: 1, malformed: 1 });
      expect(parseLines<{ frame: number; ssrc: number }>(x.decisions).map((d) => `${d.frame} ${d.ssrc}`)).toEqual(['6 2222']);
    }
    expect(r.malformed).toEqual(['7: frame 7: 8-byte datagram on a negotiated media transport is neither RTP nor RTCP (starts 80 c8 00 ff)']);
  });
});
