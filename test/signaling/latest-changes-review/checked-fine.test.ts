/**
 * Review of 10c9fe6 (SIP over WebSocket: TLS, HTTP exchange up to the 101, deflate stream cap,
 * masking direction) and 49965d7 (offeredMid, aipref_packets_read_total, lost fragment datagrams):
 * the checks that came out FINE.
 */
import { rm } from 'node:fs/promises';
import { deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { buildEthernetIpv4Udp, EtherType, fragmentIpv4, wrapEthernet } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { SipFlowDemux } from '../../../src/signaling/sip-flows.js';
import { MessageInflater } from '../../../src/signaling/websocket-deflate.js';
import { encodeHep } from '../../../src/sources/hep.js';
import { type PcapRecord, replayLines, Workspace, writePcapRecords } from '../../e2e/e2e-helpers.js';
import { liveService, senderReport, sendAll, sleep } from '../../live/operations-review/ops-helpers.js';
import { tempWithRawPolicy } from '../../live/review/review-helpers.js';
import { bundleCall, bundleSdp, decisions, fromA, M, reInvite, run, srFromA, V } from '../../media/rtp-extensions-review/harness.js';
import { SIP as HEP_SIP } from '../../sources/hep-framing-review/framing-helpers.js';
import { bytesOf, sipText } from '../sip-fixtures.js';
import { expectSame, normalisedReplay, overWs, sample, udpBaseline, upgrade, writeLabelled, wsFrame, type Labelled, type WsPlan } from '../transport-review/transport-harness.js';

vi.setConfig({ testTimeout: 60_000 });
const ws = new Workspace();
afterAll(() => ws.cleanup());

const OPTIONS = sipText(['OPTIONS sip:bob@x SIP/2.0', 'From: <sip:a@x>;tag=1', 'To: <sip:bob@x>', 'Call-ID: o1', 'CSeq: 1 OPTIONS']);
const reverse = (k: string) => (k === 'c' ? 's' : 'c');
const cat = (...p: (Uint8Array | string)[]) => Uint8Array.from(Buffer.concat(p.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from(x)))));
const push = (d: SipFlowDemux, k: string, b: Uint8Array | string) => {
  const bytes = typeof b === 'string' ? Uint8Array.from(Buffer.from(b, 'latin1')) : b;
  return d.push(k, bytes, 0, bytes.length).map((r) => r.message?.callId ?? r.errors.map((e) => e.reason).join(','));
};
const sf = () => wsFrame({ fin: true, opcode: 1, payload: bytesOf(OPTIONS), mask: false });
const cf = () => wsFrame({ fin: true, opcode: 1, payload: bytesOf(OPTIONS), mask: true });
const REQ = upgrade(null).request;
const RES = upgrade(null).response;

// 1. Handshake variants a real client/server writes are all still read (unit, SipFlowDemux):
//    lower-case names and `WebSocket` casing, `Connection: keep-alive, Upgrade` (Firefox), HTTP/1.0
//    101, an Upgrade list, two Upgrade lines, LF-only line ends, no reason phrase, a 101 with
//    Content-Length 0, an absolute-form GET, an upper-case field name — each (a) in separate
//    segments, and (b) with the server's 101 before the client's GET in capture order and each
//    handshake sharing its segment with the direction's first frame.
describe('WebSocket handshake variants (unit)', () => {
  const variants: [string, string, string][] = [
    [
      'lower-case headers, WebSocket casing, keep-alive',
      REQ.replace('Upgrade: websocket', 'upgrade: WebSocket').replace('Connection: Upgrade', 'connection: keep-alive, Upgrade'),
      RES.replace('Upgrade: websocket', 'upgrade: WebSocket').replace('Connection: Upgrade', 'Connection: keep-alive, Upgrade'),
    ],
    ['HTTP/1.0 101', REQ, RES.replace('HTTP/1.1', 'HTTP/1.0')],
    ['Upgrade: h2c, websocket', REQ.replace('Upgrade: websocket', 'Upgrade: h2c, websocket'), RES],
    ['Upgrade header twice', REQ.replace('Upgrade: websocket', 'Upgrade: foo\r\nUpgrade: websocket'), RES],
    ['LF-only line ends', REQ.replace(/\r\n/g, '\n'), RES.replace(/\r\n/g, '\n')],
    ['101 without reason phrase', REQ, RES.replace('101 Switching Protocols', '101')],
    ['101 with Content-Length 0', REQ, RES.replace('\r\n\r\n', '\r\nContent-Length: 0\r\n\r\n')],
    ['absolute-form GET', REQ.replace('GET / ', 'GET http://sip.example.net/ '), RES],
    ['UPGRADE:websocket', REQ.replace('Upgrade: websocket', 'UPGRADE:websocket'), RES],
  ];
  for (const [name, q, r] of variants) {
    it(`${name}: separate segments`, () => {
      const d = new SipFlowDemux({}, reverse);
      expect([push(d, 'c', q), push(d, 's', r), push(d, 's', sf()), push(d, 'c', cf())]).toEqual([[], [], ['o1'], ['o1']]);
    });
    it(`${name}: 101 first in capture order, each handshake with its first frame in one segment`, () => {
      const d = new SipFlowDemux({}, reverse);
      expect([push(d, 's', cat(r, sf())), push(d, 'c', cat(q, cf())), push(d, 'c', cf())]).toEqual([['o1'], ['o1'], ['o1']]);
    });
  }
  // 2. Only one direction captured (asymmetric capture): the masking check holds for the one seen
  it('only the server direction, only the client direction', () => {
    const s = new SipFlowDemux({}, reverse);
    expect([push(s, 's', RES), push(s, 's', sf())]).toEqual([[], ['o1']]);
    const c = new SipFlowDemux({}, reverse);
    expect([push(c, 'c', REQ), push(c, 'c', cf()), push(c, 'c', cf())]).toEqual([[], ['o1'], ['o1']]);
  });
  // 3. A capture that starts inside the client's GET (its tail and a frame in one segment): read on
  // (since the eighteenth round's tcp-suspicions fix, the frame after the header section's empty
  // line, which names websocket, is read in its own segment, no longer one segment late)
  it('capture begins inside the GET', () => {
    const d = new SipFlowDemux({}, reverse);
    expect([push(d, 'c', cat(REQ.slice(REQ.indexOf('Sec-WebSocket-Key')), cf())), push(d, 's', RES), push(d, 'c', cf()), push(d, 's', sf())]).toEqual([['o1'], [], ['o1'], ['o1']]);
  });
  // 4. A proxy's 407 (with Content-Length) and the CONNECT sent again are waited through (the
  //    200 with Content-Length: 0; the length-less 200 is websocket-connect-tunnel.test.ts)
  it('CONNECT, 407, CONNECT with credentials, 200 Content-Length: 0, GET, 101', () => {
    const d = new SipFlowDemux({}, reverse);
    const C = 'CONNECT sip.example.net:80 HTTP/1.1\r\nHost: sip.example.net:80\r\n\r\n';
    const out = [push(d, 'c', C), push(d, 's', 'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="p"\r\nContent-Length: 0\r\n\r\n'), push(d, 'c', C.replace('\r\n\r\n', '\r\nProxy-Authorization: Basic YTpi\r\n\r\n'))];
    out.push(push(d, 's', 'HTTP/1.1 200 Connection established\r\nContent-Length: 0\r\n\r\n'), push(d, 'c', REQ), push(d, 's', RES), push(d, 's', sf()), push(d, 'c', cf()));
    expect(out.slice(-2)).toEqual([['o1'], ['o1']]);
  });
  // 5. TLS detection: 0x14-0x17 never start a SIP start line (ASCII letters) nor a WebSocket frame
  //    (RSV3 set); a TCP direction opening with 16 03 01 is other, one opening with INVITE is sip,
  //    and one that opens with CRLF keep-alives then a message is sip (the check is at byte 0 only)
  it('TLS record header vs SIP over TCP', () => {
    for (let b = 0x14; b <= 0x17; b++) expect(b & 0x30).not.toBe(0);
    const d = new SipFlowDemux({}, reverse);
    push(d, 't', Uint8Array.from([0x16, 0x03, 0x01, 0x00, 0x2f, 0x01, 0x00, 0x00, 0x2b, 0x03, 0x03]));
    expect(d.kindOf('t')).toBe('other');
    expect(push(d, 'u', 'INVITE sip:b@x SIP/2.0\r\nCall-ID: i1\r\nCSeq: 1 INVITE\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nContent-Length: 0\r\n\r\n')).toEqual(['i1']);
    expect(d.kindOf('u')).toBe('sip');
    push(d, 'v', '\r\n\r\n');
    expect(push(d, 'v', OPTIONS)).toEqual(['o1']);
  });
});

// 6. End to end, workers 0 and 2: the sample call over WebSocket with a Firefox-like handshake
//    (lower case, keep-alive, WebSocket casing) whose 101 is captured BEFORE the GET: outputs equal UDP's
describe('WebSocket end to end', () => {
  const hs = {
    request: REQ.replace('Upgrade: websocket', 'upgrade: WebSocket').replace('Connection: Upgrade', 'Connection: keep-alive, Upgrade'),
    response: RES.replace('HTTP/1.1', 'HTTP/1.0').replace('Upgrade: websocket', 'upgrade: WebSocket'),
  };
  const text: WsPlan['frames'] = (m, client) => [wsFrame({ fin: true, opcode: 1, payload: m, mask: client })];
  for (const workers of [0, 2])
    it(`101 before GET in capture order (workers ${workers})`, async () => {
      const { records } = await sample();
      const out = await overWs(records, { frames: text, handshake: hs });
      // swap each GET record with the 101 after it
      const isText = (r: Labelled, s: string) => Buffer.from(r.data).includes(Buffer.from(s, 'latin1'));
      let swapped = 0;
      for (let i = 0; i + 1 < out.length; i++)
        if (isText(out[i]!, 'GET / HTTP/1.1') && isText(out[i + 1]!, ' 101 ')) {
          [out[i], out[i + 1]] = [out[i + 1]!, out[i]!];
          swapped++;
        }
      expect(swapped).toBeGreaterThan(0);
      const { file, labels } = await writeLabelled(ws, `firefox-${workers}.pcap`, out);
      expectSame(await normalisedReplay(file, labels, workers), await udpBaseline(ws, workers));
    });
});

// 7. The deflate cap: 15 final-block streams inflate, 17 are refused (16: websocket-deflate-16-streams)
it('deflate: 15 streams read, 17 refused', () => {
  const TEXT = 'OPTIONS sip:bob@example.net SIP/2.0\r\nCall-ID: d\r\nContent-Length: 0\r\n\r\n';
  const msg = (n: number) => Buffer.concat([...Array.from({ length: n }, (_, i) => deflateRawSync(Buffer.from(TEXT.slice(Math.floor((i * TEXT.length) / n), Math.floor(((i + 1) * TEXT.length) / n))))), Buffer.from([0])]);
  const ok = new MessageInflater().inflate(msg(15), 1 << 18);
  expect(Buffer.from(ok.bytes!).toString('latin1')).toBe(TEXT);
  expect(new MessageInflater().inflate(msg(17), 1 << 18).error).toMatch(/more than 16 DEFLATE streams/);
});

// 8. offeredMid: a pending offer's mid never relaxes — control of offered-mid-stale-after-refusal
//    (no refused offer): the offer that restricts v applies at once (frame 10), the answer keeps it
it('offeredMid control: renegotiations without a refused offer', async () => {
  const ext = [`a=extmap:5 ${M}`];
  const [o2, ok2] = reInvite(bundleSdp('a', ext), bundleSdp('b', ext), 3);
  const [o3, ok3] = reInvite(bundleSdp('a', ext, { mids: ['v', 'a'] }), bundleSdp('b', ext, { mids: ['v', 'a'] }), 4);
  const r = await run(ws, [...bundleCall([]), o2, ok2, fromA(77, 0xbede, [0x50, V]), srFromA(77), o3, fromA(77, 0xbede, [0x50, V]), srFromA(77), ok3, fromA(77, 0xbede, [0x50, V]), srFromA(77)]);
  expect(decisions(r)).toEqual(['7 export raw-allowed', '10 aggregate aggregated-only', '13 aggregate aggregated-only']);
});

// 9. Lost fragment datagrams: 2100 orphan first fragments (past maxSets 1024 and past the 1024
//    listed at once, so "N more … never completed" reports too; one fragment captured twice), a
//    broken frame, two sets given up by timeout at a frame that is itself broken: malformed = 2104
//    = 2102 datagrams + 2 frames, the same summary `malformed` for workers 0/2 and batches 1/5/1024/100000
it('lost fragment datagrams once each, whatever the batches and workers', async () => {
  const records: PcapRecord[] = [];
  const first = (id: number, src = '10.0.0.1') => wrapEthernet(EtherType.IPV4, fragmentIpv4(buildEthernetIpv4Udp({ src, dst: '10.0.0.2', sport: 4001, dport: 5001, id, payload: new Uint8Array(200).fill(0x80) }).subarray(14), 48)[0]!);
  const broken = () => buildEthernetIpv4Udp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 1, dport: 2, payload: new Uint8Array(4) }).subarray(0, 20);
  let t = 1767225600;
  for (let i = 0; i < 2100; i++) {
    records.push({ ts: (t += 0.001), data: first(1000 + i) });
    if (i === 5) records.push({ ts: (t += 0.001), data: first(1000 + i) });
  }
  records.push({ ts: (t += 0.001), data: broken() });
  records.push({ ts: (t += 100), data: first(9, '10.0.0.9') });
  records.push({ ts: (t += 0.001), data: first(10, '10.0.0.9') });
  records.push({ ts: (t += 100), data: broken() });
  const file = await ws.file('frags.pcap');
  await writePcapRecords(file, encodePcapFileHeader(1), records);
  for (const [workers, maxBatchRecords] of [[0, 1], [0, 5], [0, 1024], [2, 5], [2, 1024], [0, 100000]] as const) {
    const r = await replayLines({ capture: file, workers, maxBatchRecords });
    expect(r.result.summary.malformed).toBe(2104);
    expect(r.result.summary.packets).toBe(2105);
  }
}, 120_000);

// 10. Live, UDP and HEP together: aipref_packets_read_total ends equal to the stop summary's
//     packets, and each aipref_packets_total{proto} to its count; no `other` series (workers 0, 2)
for (const workers of [0, 2])
  it(`live UDP + HEP: aipref_packets_read_total = summary packets (workers ${workers})`, async () => {
    const { dir, policy } = await tempWithRawPolicy('lcr-');
    const { service, logs } = await liveService({ policyFile: policy, workers, batchMs: 20, hep: { host: '127.0.0.1', port: 0 } as never });
    const badRtcp = Uint8Array.from([0x80, 200, 0, 40, 0, 0, 0, 1]);
    const junk = new TextEncoder().encode('junk junk junk');
    const rtp = (seq: number) => {
      const b = Buffer.alloc(32);
      b[0] = 0x80;
      b.writeUInt16BE(seq, 2);
      b.writeUInt32BE(0x0badcafe, 8);
      return new Uint8Array(b);
    };
    try {
      await sendAll(service.addresses.udp!.port, [senderReport(1), rtp(1), junk, HEP_SIP, badRtcp, rtp(2)]);
      await sleep(100);
      await sendAll(service.addresses.udp!.port, [rtp(3), senderReport(2)]);
      const h = (protocolType: number, payload: Uint8Array, sport = 5060) => encodeHep({ ipVersion: 4, ipProtocol: 17, src: '10.0.0.1', dst: '10.0.0.2', sport, dport: 5060, tsSeconds: Math.floor(Date.now() / 1000), tsMicroseconds: 0, protocolType, payload });
      await sendAll(service.addresses.hep!.udp.port, [h(1, HEP_SIP), h(5, senderReport(9), 4001), h(1, junk), h(5, badRtcp, 4001), h(100, junk)]);
      await sleep(300);
    } finally {
      await service.stop();
      await rm(dir, { recursive: true, force: true });
    }
    type C = { get(): Promise<{ values: { value: number; labels: Record<string, unknown> }[] }> };
    const val = async (c: C, proto?: string) => (await c.get()).values.filter((v) => proto === undefined || v.labels.proto === proto).reduce((n, v) => n + v.value, 0);
    const stop = logs.find((l) => l.event === 'stop') as unknown as { summary: Record<string, number> };
    expect(stop.summary.packets).toBeGreaterThan(8);
    expect(await val(service.metrics.packetsRead as unknown as C)).toBe(stop.summary.packets);
    for (const p of ['rtp', 'rtcp', 'sip', 'malformed']) expect(await val(service.metrics.packets as unknown as C, p)).toBe(stop.summary[p]);
    expect(await val(service.metrics.packets as unknown as C, 'other')).toBe(0);
  }, 30_000);
