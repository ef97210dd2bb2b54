/**
 * tshark as an outside referee: it must read the committed small capture with no malformed
 * packet and find the SIP messages and RTCP compounds the truth manifest lists. Skipped where
 * tshark is not installed (e.g. CI images without Wireshark).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { GenerationTruth } from '../../samples/generator/truth.js';

const hasTshark = spawnSync('tshark', ['--version'], { stdio: 'ignore' }).status === 0;
const capture = new URL('../../samples/call-small.pcap', import.meta.url).pathname;
const truth = JSON.parse(readFileSync(new URL('../../samples/call-small.truth.json', import.meta.url), 'utf8')) as GenerationTruth;

interface TsharkRow {
  frame: number;
  protocols: string;
  method: string;
  status: string;
  cseq: string;
  callId: string;
  senderSsrc: string;
  rtcpPts: string;
  malformed: string;
}

function tshark(): TsharkRow[] {
  // RTCP on its own port (plain calls) is named explicitly; multiplexed RTCP (BUNDLE + rtcp-mux)
  // shares the RTP port, so there tshark's RTCP heuristic has to tell the two apart.
  const rtcpPorts = new Set(truth.calls.flatMap((c) => c.streams.filter((s) => s.src.rtcpPort !== s.src.rtpPort).map((s) => s.src.rtcpPort)));
  const args = ['-r', capture, '-n', '--enable-heuristic', 'rtcp_udp', '--enable-heuristic', 'rtp_udp'];
  for (const p of rtcpPorts) args.push('-d', `udp.port==${p},rtcp`);
  const fields = ['frame.number', 'frame.protocols', 'sip.Method', 'sip.Status-Code', 'sip.CSeq.seq', 'sip.Call-ID', 'rtcp.senderssrc', 'rtcp.pt', '_ws.malformed'];
  args.push('-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=a', ...fields.flatMap((f) => ['-e', f]));
  const out = execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20 });
  return out
    .trimEnd()
    .split('\n')
    .map((line) => {
      const [frame, protocols, method, status, cseq, callId, senderSsrc, rtcpPts, malformed] = line.split('|');
      return { frame: Number(frame), protocols: protocols!, method: method!, status: status!, cseq: cseq!, callId: callId!, senderSsrc: senderSsrc!, rtcpPts: rtcpPts!, malformed: malformed! };
    });
}

describe.skipIf(!hasTshark)('tshark reads the committed small capture', () => {
  const rows = hasTshark ? tshark() : [];

  it('shows every frame, none malformed', () => {
    expect(rows.length).toBe(truth.packets.total);
    expect(rows.filter((r) => r.malformed !== '' || r.protocols.includes('malformed')).map((r) => r.frame)).toEqual([]);
  });

  it('finds the SIP messages the truth lists, and no others', () => {
    const sipRows = rows.filter((r) => r.protocols.includes(':sip'));
    const listed = truth.calls.flatMap((c) => c.sip.map((m) => ({ ...m, callId: c.callId })));
    expect(sipRows.map((r) => r.frame)).toEqual(listed.map((m) => m.frame).sort((a, b) => a - b));
    for (const m of listed) {
      const r = rows[m.frame - 1]!;
      expect(/^\d+$/.test(m.message) ? r.status : r.method).toBe(m.message);
      expect([r.cseq, r.callId]).toEqual([String(m.cseq), m.callId]);
    }
  });

  it('finds the RTCP compounds the truth lists, with their sender SSRC and packet types', () => {
    const rtcpRows = rows.filter((r) => r.protocols.includes(':rtcp'));
    expect(rtcpRows.map((r) => r.frame)).toEqual(truth.rtcp.map((c) => c.frame));
    for (const c of truth.rtcp) {
      const r = rows[c.frame - 1]!;
      expect(Number(r.senderSsrc.split(',')[0])).toBe(c.ssrc);
      expect(r.rtcpPts.split(',').map(Number)).toEqual(c.pts);
    }
  });

  it('sees the rest as RTP', () => {
    // multiplexed RTCP shows as rtp:rtcp, so count RTP that is not RTCP
    expect(rows.filter((r) => /:rtp(:|$)/.test(r.protocols) && !r.protocols.includes(':rtcp')).length).toBe(truth.packets.rtp);
  });
});
