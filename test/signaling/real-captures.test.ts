/**
 * Real signaling from the shared captures, read through native-free. Expected messages were
 * listed with tshark (`tshark -r f -Y sip -T fields -e frame.number -e sip.Method
 * -e sip.Status-Code -e sip.Call-ID`) and written here as literals.
 */
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { readCaptureBatches } from '../../native-free/capture.js';
import { createPacketView, PacketDecoder } from '../../native-free/packet-decoder.js';
import type { SignalingEvent, SipContext } from '../../src/signaling/dialog-events.js';
import { DialogTracker } from '../../src/signaling/dialogs.js';
import { looksLikeSip } from '../../src/signaling/looks-like-sip.js';
import { parseSipMessage, type SipMessage, type SipParseResult } from '../../src/signaling/sip-message.js';
import { SipFlowDemux } from '../../src/signaling/sip-flows.js';

interface SeenMessage {
  frame: number;
  /** topmost Via branch, Content-Length and To tag, as tshark shows them */
  fields: [branch: string | null, contentLength: number | null, toTag: string | null];
  label: string;
  callId: string | null;
  errors: string[];
}

async function replaySignaling(file: string, tracker = new DialogTracker()): Promise<{ messages: SeenMessage[]; events: SignalingEvent[]; parsed: SipMessage[] }> {
  const decoder = new PacketDecoder();
  const view = createPacketView();
  const flows = new SipFlowDemux();
  const messages: SeenMessage[] = [];
  const events: SignalingEvent[] = [];
  const parsed: SipMessage[] = [];
  const take = (r: SipParseResult, ctx: SipContext): void => {
    const m = r.message;
    messages.push({ frame: ctx.frame, fields: [m?.viaBranch ?? null, m?.contentLength ?? null, m?.toTag ?? null], label: m ? (m.kind === 'request' ? m.method : String(m.status)) : 'unparsed', callId: m?.callId ?? null, errors: r.errors.map((e) => e.reason) });
    if (m) parsed.push(m);
    events.push(...tracker.handle(r, ctx));
  };
  for await (const batch of readCaptureBatches(path.resolve(process.cwd(), '../shared/captures', file))) {
    for (let i = 0; i < batch.count; i++) {
      const kind = decoder.decode(batch, i, view);
      if (kind !== 'udp' && kind !== 'tcp') continue;
      const ctx: SipContext = { frame: view.frame, ts: view.ts, src: view.src, dst: view.dst, sport: view.sport, dport: view.dport, transport: kind };
      if (kind === 'udp') {
        if (looksLikeSip(view.bytes, view.payloadOffset, view.payloadLength)) take(parseSipMessage(view.bytes, view.payloadOffset, view.payloadLength), ctx);
        continue;
      }
      for (const r of flows.push(view.flowKey, view.bytes, view.payloadOffset, view.payloadLength)) take(r, ctx);
    }
  }
  return { messages, events, parsed };
}

/** `tshark -r f -Y sip -T fields -e frame.number -e sip.Via.branch -e sip.Content-Length -e sip.to.tag` */
const TSHARK_FIELDS: Record<string, Array<[frame: number, branch: string | null, contentLength: number | null, toTag: string | null]>> = {
  'heplify_sip_ipv4_tcp.pcap': [
    [3, 'z9hG4bKac1589375893', 228, null],
    [5, 'z9hG4bKac1589375893', 0, '1c342958875'],
    [7, 'z9hG4bKac1589375893', 0, '1c342958875'],
    [9, 'z9hG4bKac1589375893', 225, '1c342958875'],
    [11, 'z9hG4bKac1600323074', 0, '1c342958875'],
    [81, 'z9hG4bKac359152811', 0, '1c1589367133'],
    [83, 'z9hG4bKac359152811', 0, '1c1589367133'],
  ],
  // tshark leaves sip.Via.branch empty here: the sent-by is an IPv6 address without the
  // brackets RFC 3261 requires ("SIP/2.0/UDP fe80:0:0:0:21a:a0ff:fe07:32e0:5060;branch=
  // z9hG4bKkdjuw8376"), and its Via dissector gives up. `-e sip.Via` shows the branches.
  'heplify_sip_ipv6_udp.pcap': [
    [1, 'z9hG4bKkdjuw8376', 181, null],
    [2, 'z9hG4bKkdjuw8376', 0, 'a3bhg'],
    [3, 'z9hG4bKkdjuw8376', 179, 'a3bhg'],
    [4, 'z9hG4bKkdjuw8376', 0, 'a3bhg'],
    [5, 'z9hG4bKkdjuw8495', 0, 'a3bhg'],
    [6, 'z9hG4bKkdjuw8495', 0, 'a3bhg'],
  ],
  'heplify_ipip0.pcap': [
    [1, 'z9hG4bKbranch00042', 839, null],
    [2, 'z9hG4bKbranch00042', null, 'aprqngfrt-47475b30000c6'],
    [3, 'z9hG4bKd101a5fc09fbc25eea6b493eead8f361.0', 0, null],
    [4, 'z9hG4bKd101a5fc09fbc25eea6b493eead8f361.0', 0, 'SDiek7c99-d2a919df7042e14a60c8e822e8323a5f.bf946a1c'],
    [5, 'z9hG4bK87504c94f43e6a8cea6b493eead8f361.0', 0, null],
    [6, 'z9hG4bK87504c94f43e6a8cea6b493eead8f361.0', 0, 'SDiek7c99-d2a919df7042e14a60c8e822e8323a5f.f48a6a1c'],
    [7, 'z9hG4bKb9cc230d127cb52cea6b493eead8f361.0', 0, null],
    [8, 'z9hG4bKb9cc230d127cb52cea6b493eead8f361.0', 0, 'SDiek7c99-d2a919df7042e14a60c8e822e8323a5f.92166a1c'],
  ],
};

test.each(Object.keys(TSHARK_FIELDS))('%s: Via branch, Content-Length and To tag agree with tshark', async (file) => {
  const { messages } = await replaySignaling(file, new DialogTracker({ idleTimeoutSec: Infinity }));
  expect(messages.map((m) => [m.frame, ...m.fields])).toEqual(TSHARK_FIELDS[file]);
});

function eventSummary(events: SignalingEvent[]): string[] {
  return events.map((e) => `${e.frame} ${e.type}${'reason' in e ? ` ${e.reason}` : ''}`);
}

describe('real captures', () => {
  test('heplify_sip_ipv4_tcp.pcap: a full call over TCP', async () => {
    const { messages, events } = await replaySignaling('heplify_sip_ipv4_tcp.pcap');
    const callId = '158936656982201062716@10.33.6.100';
    expect(messages.map(({ fields: _fields, ...rest }) => rest)).toEqual(
      [
        [3, 'INVITE'],
        [5, '100'],
        [7, '180'],
        [9, '200'],
        [11, 'ACK'],
        [81, 'BYE'],
        [83, '200'],
      ].map(([frame, label]) => ({ frame, label, callId, errors: [] })),
    );
    expect(eventSummary(events)).toEqual(['3 offer', '7 dialog-created', '9 dialog-confirmed', '9 answer', '81 dialog-ended bye']);
    const answer = events.find((e) => e.type === 'answer');
    if (answer?.type !== 'answer') throw new Error('no answer');
    expect(answer.dialog).toEqual({ callId, fromTag: '1c1589367133', toTag: '1c342958875' });
    expect(answer.effective.sections).toEqual([
      {
        index: 0,
        kind: 'audio',
        disabled: false,
        rtp: [
          { address: '10.33.6.100', port: 6000 },
          { address: '10.33.6.101', port: 6050 },
        ],
        rtcp: [
          { address: '10.33.6.100', port: 6001 },
          { address: '10.33.6.101', port: 6051 },
        ],
        ssrcs: [],
        midExtIds: [],
        // a=rtpmap:8 PCMA/8000 and telephone-event/8000; 13 (CN) has RFC 3551's 8000: one clock for all
        clockRates: [{ pt: 8, rate: 8000, encoding: 'pcma' }, { pt: 101, rate: 8000, encoding: 'telephone-event' }],
        sharedClockRate: 8000,
        mediaClockRate: 8000,
        // RTP/AVP, no a=crypto
        srtp: false,
        srtcpKeys: [],
        apts: [],
      },
    ]);
    expect(answer.effective.dialogApts).toEqual([]);
  });

  test('heplify_sip_ipv6_udp.pcap: its timestamps jump by years between frames, and no single jump idles the call out', async () => {
    const { events } = await replaySignaling('heplify_sip_ipv6_udp.pcap');
    // every frame comes months or years after the one before (1328589362, 1529707907, …): a
    // message further from the one before than the idle bound expires nothing (only the next
    // one would), so the call is read as it was made: offer, answer, BYE. (Taken by capture time
    // alone, the INVITE idled out at the 100 and the 200's dialog at the ACK.)
    expect(eventSummary(events)).toEqual(['1 offer', '3 dialog-created', '3 answer', '5 dialog-ended bye']);
  });

  test('heplify_sip_ipv6_udp.pcap: SIP over UDP on IPv6, the 200 carries the answer (no idle limit)', async () => {
    const { messages, events } = await replaySignaling('heplify_sip_ipv6_udp.pcap', new DialogTracker({ idleTimeoutSec: Infinity }));
    const callId = 'c3eF6f58-363323Cd-8058EB88-10300252@fe80:0:0:0:21a:a0ff:fe07:32e0';
    expect(messages.map(({ fields: _fields, ...rest }) => rest)).toEqual(
      [
        [1, 'INVITE'],
        [2, '100'],
        [3, '200'],
        [4, 'ACK'],
        [5, 'BYE'],
        [6, '200'],
      ].map(([frame, label]) => ({ frame, label, callId, errors: [] })),
    );
    expect(eventSummary(events)).toEqual(['1 offer', '3 dialog-created', '3 answer', '5 dialog-ended bye']);
    const answer = events.find((e) => e.type === 'answer');
    if (answer?.type !== 'answer') throw new Error('no answer');
    expect(answer.effective.sections[0]!.rtp).toEqual([
      { address: 'fe80:0:0:0:21a:a0ff:fe07:32e0', port: 5008 },
      { address: 'fec0:0:0:0:216:d3ff:fe0d:22c', port: 5008 },
    ]);
  });

  test('heplify_ipip0.pcap: SIP inside IP-in-IP; a scanner INVITE with SQL in c=, an unrelated 403, REGISTER challenges', async () => {
    const { messages, events, parsed } = await replaySignaling('heplify_ipip0.pcap');
    expect(messages.map((m) => `${m.frame} ${m.label} ${m.errors.join(',')}`.trim())).toEqual([
      '1 INVITE',
      '2 403',
      '3 REGISTER',
      '4 401',
      '5 REGISTER',
      '6 401',
      '7 REGISTER',
      '8 401',
    ]);
    expect(parsed[0]!.callId).toBe('4sHr4rbxLEYDZTMZ3ulI4f..@179.43.150.26');
    expect(parsed[1]!.callId).toBe('lDfyXDPzYrxPTpqAz12DQ5..@179.43.150.26');
    expect(new Set(parsed.slice(2).map((m) => m.callId))).toEqual(new Set(['e5f4a617104444e4f7a54']));
    expect(parsed.slice(2).map((m) => m.cseq!.seq)).toEqual([1, 1, 2, 2, 3, 3]);
    const summary = eventSummary(events);
    expect(summary).toEqual(['1 parse-error bad-connection', '1 offer']);
    expect(events[0]).toMatchObject({ type: 'parse-error', source: 'sdp', reason: 'bad-connection', where: 4 });
    const offer = events[1]!;
    if (offer.type !== 'offer') throw new Error('no offer');
    // the session c= was refused, so the offer names no address to bind RTP to
    expect(offer.proposed.sections.map((s) => [s.kind, s.rtp])).toEqual([
      ['audio', []],
      ['video', []],
    ]);
  });
});
