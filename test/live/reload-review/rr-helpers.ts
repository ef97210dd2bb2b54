/**
 * Shared by the reload-review tests: one SIP call (INVITE/200/ACK, SDP offer 10.0.0.1:4000,
 * answer 10.0.0.2:6000, a bare `AI-Pref` value) and its RTCP (SR from each side, RTCP on
 * port+1), as TimedPkt records for a pcap, HEPv3 frames or whole-IP-packet UDP datagrams.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { buildEthernetIpv4Udp } from '../../../native-free/frame-builder.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { sipText, sdpText } from '../../signaling/sip-fixtures.js';
import { hepFrame, kill, metric, scrape, sendDatagrams, sleep, startLive, stopAndRead, untilReceived, writeJson, type LiveChild, type TimedPkt } from '../live-vs-replay-review/lvr-helpers.js';

export * from '../live-vs-replay-review/lvr-helpers.js';

const enc = new TextEncoder();

export function sdp(ip: string, port: number, extra: string[] = []): string {
  return sdpText(['v=0', `o=- 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, ...extra]);
}

export function sip(start: string, callId: string, cseq: string, o: { toTag?: string; aiPref?: string; body?: string; branch?: string } = {}): Uint8Array {
  return enc.encode(
    sipText(
      [
        start,
        `Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-${callId}-${o.branch ?? cseq.replace(' ', '-')}`,
        'From: <sip:alice@a.example>;tag=a1',
        `To: <sip:bob@b.example>${o.toTag ? `;tag=${o.toTag}` : ''}`,
        `Call-ID: ${callId}`,
        `CSeq: ${cseq}`,
        'Contact: <sip:alice@10.0.0.1:5060>',
        ...(o.aiPref ? [`AI-Pref: ${o.aiPref}`] : []),
        ...(o.body ? ['Content-Type: application/sdp'] : []),
      ],
      o.body ?? '',
    ),
  );
}

export const sr = (ssrc: number, i: number, about?: number) =>
  encodeRtcpCompound([
    {
      pt: 200,
      ssrc,
      ntpSec: 3976214400 + i,
      ntpFrac: 0,
      rtpTs: 8000 * i,
      packetCount: 10 * i,
      octetCount: 1600 * i,
      reports: about === undefined ? [] : [{ ssrc: about, fractionLost: 3, cumulativeLost: i, highestSeq: 100 + i, jitter: 7 + i, lsr: 0, dlsr: 0 }],
    },
  ]);

/**
 * One call `callId` (caller 10.0.0.1, callee 10.0.0.2; offer port `port`, answer `port + 2000`)
 * starting at T: INVITE (AI-Pref `aiPref`), 200, ACK, then `n` RTCP SRs each way, 1 s apart.
 * SSRCs: caller `ssrcA`, callee `ssrcA + 1`.
 */
export function call(callId: string, T: number, o: { aiPref?: string; port?: number; ssrcA?: number; n?: number; sdpExtra?: string[] } = {}): { sip: TimedPkt[]; media: TimedPkt[] } {
  const port = o.port ?? 4000;
  const a = o.ssrcA ?? 0x1000;
  const n = o.n ?? 6;
  const sipPkts: TimedPkt[] = [
    { ts: T, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, payload: sip('INVITE sip:bob@10.0.0.2 SIP/2.0', callId, '1 INVITE', { aiPref: o.aiPref, body: sdp('10.0.0.1', port, o.sdpExtra) }) },
    { ts: T + 0.01, src: '10.0.0.2', dst: '10.0.0.1', sport: 5060, dport: 5060, payload: sip('SIP/2.0 200 OK', callId, '1 INVITE', { toTag: 'b1', body: sdp('10.0.0.2', port + 2000, o.sdpExtra) }) },
    { ts: T + 0.02, src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, payload: sip('ACK sip:bob@10.0.0.2 SIP/2.0', callId, '1 ACK', { toTag: 'b1', branch: 'ack' }) },
  ];
  const media: TimedPkt[] = [];
  for (let i = 1; i <= n; i++) {
    media.push({ ts: T + i, src: '10.0.0.1', dst: '10.0.0.2', sport: port + 1, dport: port + 2001, payload: sr(a, i, a + 1) });
    media.push({ ts: T + i + 0.5, src: '10.0.0.2', dst: '10.0.0.1', sport: port + 2001, dport: port + 1, payload: sr(a + 1, i, a) });
  }
  return { sip: sipPkts, media };
}

/** A whole IPv4/UDP packet (for `--udp-mode ip-packet`): the Ethernet frame without its 14-byte header. */
export const ipPacket = (p: TimedPkt): Uint8Array => buildEthernetIpv4Udp(p).subarray(14);

/**
 * `live --hep … --policy <before> --explain` (a real process) fed `first` over HEP until
 * `decided` items are decided; after `pauseMs` more, the policy file rewritten to `after` and
 * SIGHUP (its `reload` logged); then `last` fed, and the service stopped: what it wrote.
 */
export async function reloadMidFeed(dir: string, o: { first: TimedPkt[]; last: TimedPkt[]; before: unknown; after: unknown; decided: number; pauseMs?: number }) {
  const policy = await writeJson(path.join(dir, 'policy.json'), o.before);
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'live');
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = s.live;
    const port = s.addresses.metrics!.port;
    await sendDatagrams(s.addresses.hep!.udp.port, o.first.map(hepFrame));
    await untilReceived(port, 'hep', o.first.length);
    for (let i = 0; i < 100; i++) {
      const t = await scrape(port);
      if (['export', 'aggregate', 'drop'].reduce((n, d) => n + metric(t, `aipref_decisions_total{outcome="${d}"}`), 0) >= o.decided) break;
      await sleep(50);
    }
    if (o.pauseMs) await sleep(o.pauseMs);
    await writeFile(policy, JSON.stringify(o.after));
    live.child.kill('SIGHUP');
    await live.waitFor((l) => l.event === 'reload');
    await sendDatagrams(s.addresses.hep!.udp.port, o.last.map(hepFrame));
    await untilReceived(port, 'hep', o.first.length + o.last.length);
    return await stopAndRead(live, out, true);
  } finally {
    kill(live);
  }
}
