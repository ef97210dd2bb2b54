/**
 * IPv6 end to end: checks that turned out FINE (regression tests). Each replay runs with 0 and
 * 2 workers and the lines must be identical (`same`).
 * - a call entirely over IPv6 (SIP over UDP and over TCP, c=IN IP6, media over IPv6): RTP and
 *   RTCP on port+1 from a relay's address bind by transport; a=rtcp:<port> IN IP6 <addr>;
 *   ICE candidates with IPv6 addresses (non-canonical spelling) with rtcp-mux;
 * - SDP spellings (upper case, uncompressed with leading zeros, partly compressed) match the
 *   packet's address; a zone id (fe80::1%eth0, not SDP syntax) is reported malformed, binds nothing;
 * - mixed: SIP over IPv4 with IPv6 media and the reverse; one side v4, the other v6 via a relay;
 * - a=ssrc route from IPv6 addresses no SDP names; forked early media (two 183s) on IPv6;
 * - re-INVITE moving media v4 → v6: old address unbound after the answer, new one bound;
 * - RTP probation for unrouted IPv6 sources (RFC 3550 A.1): one packet makes nothing;
 * - hop-by-hop + destination options + routing headers before UDP; a fragmented INVITE (in
 *   order, reversed with a hop-by-hop header before the fragment header); fragmented RTCP;
 * - 8 unrouted IPv6 flows SR/RR: RTT 700.009 ms each, identical with --workers 2;
 * - inspect --json src/dst = tshark ipv6.src/dst for 20 tricky addresses (RFC 5952, mapped,
 *   compatible, ::2, ::ffff:0:0, equal zero runs);
 * - differential: samples/call-small.pcap and 4 generated captures rewritten to IPv6 (IP
 *   headers and SDP) give the same decisions, reports, exports and summary as over IPv4.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, policyOf, replayLines, smallCapture, SMALL_PCAP, Workspace } from '../e2e-helpers.js';
import { rtcp, rtp, sipMsg, sr, T0, type Pkt } from '../calls-on-any-address.js';
import { lsrOf, rrFrom, srFrom } from '../two-party-rtcp.js';
import { TcpFlag } from '../../../native-free/frame-builder.js';
import { A6, B6, audio, fragments6, RAW, reinvite6, run6, sdp6, setup6, tcp6, v6WithExtensions, writeItems } from './v6-helpers.js';
import { toV6 } from './to-v6.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const relay = '2001:db8::99';
const base = { sa: A6, sb: B6, offer: sdp6(A6, [audio(4000)]), answer: sdp6(B6, [audio(5000)]) };
const rows = (r: Awaited<ReturnType<typeof run6>>) => r.decisions.map((d) => `${d.frame} ${d.ssrc} ${d.decision} ${d.reason}`);
const bound = (r: Awaited<ReturnType<typeof run6>>) => r.bindings.map((b) => `${b.ssrc} ${b.dialog?.callId ?? null} ${b.mid} ${b.via}`);

describe('IPv6 calls', () => {
  it('all over IPv6: RTP and RTCP port+1 bind by transport', async () => {
    const r = await run6(ws, [...setup6(base), rtp(relay, B6, 7000, 5000, 0x5151), rtcp(relay, B6, 7001, 5001, [sr(0x5151)]), rtcp(A6, B6, 4001, 5001, [sr(0x6161)])], RAW);
    expect(rows(r)).toEqual(['5 20817 export raw-allowed', '6 24929 export raw-allowed']);
    expect(bound(r)).toEqual(['20817 v6-call a transport', '24929 v6-call a transport']);
    expect(r.same).toBe(true);
  });

  it('SDP spellings of the address match the packet; a zone id binds nothing', async () => {
    for (const sp of ['2001:DB8::B', '2001:0db8:0000:0000:0000:0000:0000:000b', '2001:db8:0:0::b']) {
      const r = await run6(ws, [...setup6({ ...base, answer: sdp6(sp, [audio(5000)]) }), rtcp(relay, B6, 7001, 5001, [sr(0x5151)])], RAW);
      expect(rows(r), sp).toEqual(['4 20817 export raw-allowed']);
    }
    const z = await run6(ws, [...setup6({ ...base, answer: sdp6('fe80::1%eth0', [audio(5000)]) }), rtcp(relay, 'fe80::1', 7001, 5001, [sr(0x5151)])], RAW);
    expect(rows(z)).toEqual(['4 20817 drop no-preference']);
    expect(z.reports.map((x) => x.type)).toEqual(['malformed-input', 'unbound-stream']);
  });

  it('a=rtcp with an IP6 address; ICE candidates with IPv6 addresses and rtcp-mux', async () => {
    const r = await run6(ws, [...setup6({ ...base, answer: sdp6(B6, [audio(5000, ['a=rtcp:5999 IN IP6 2001:DB8::0c'])]) }), rtcp(relay, '2001:db8::c', 7001, 5999, [sr(0x5151)])], RAW);
    expect(rows(r)).toEqual(['4 20817 export raw-allowed']);
    const one = (cand: string) => ['v=0', 'o=u 1 1 IN IP4 0.0.0.0', 's=-', 'c=IN IP4 0.0.0.0', 't=0 0', 'm=audio 9 UDP/TLS/RTP/SAVPF 0', 'a=mid:a', 'a=aipref:mid apt-m', 'a=rtcp-mux', `a=candidate:1 1 udp 2122 ${cand} 109 typ host`, 'a=sendrecv', ''].join('\r\n');
    const ice = await run6(ws, [...setup6({ ...base, offer: one('2001:DB8:0:0::A'), answer: one('2001:db8::00b') }), rtcp(relay, B6, 7001, 109, [sr(0x5151)]), rtp(relay, B6, 7000, 109, 0x5152)], RAW);
    expect(bound(ice)).toEqual(['20817 v6-call a transport', '20818 v6-call a transport']);
    expect(ice.same).toBe(true);
  });

  it('mixed families: SIP v4 / media v6, SIP v6 / media v4, one side of a relay each', async () => {
    const a = await run6(ws, [...setup6({ ...base, sa: '10.0.0.1', sb: '10.0.0.2' }), rtcp(relay, B6, 7001, 5001, [sr(0x5151)])], RAW);
    expect(rows(a)).toEqual(['4 20817 export raw-allowed']);
    const b = await run6(ws, [...setup6({ ...base, offer: sdp6('10.0.0.1', [audio(4000)]), answer: sdp6('10.0.0.2', [audio(5000)]) }), rtcp('10.0.0.9', '10.0.0.2', 7001, 5001, [sr(0x5151)])], RAW);
    expect(rows(b)).toEqual(['4 20817 export raw-allowed']);
    const c = await run6(ws, [...setup6({ sa: '10.0.0.1', sb: '10.0.0.2', offer: sdp6('10.0.0.1', [audio(4000)]), answer: sdp6(B6, [audio(5000)]) }), rtcp('10.0.0.9', '10.0.0.1', 30001, 4001, [sr(0x1111)]), rtcp(relay, B6, 30003, 5001, [sr(0x2222)]), rtp(relay, B6, 30002, 5000, 0x3333)], RAW);
    expect(bound(c)).toEqual(['4369 v6-call a transport', '8738 v6-call a transport', '13107 v6-call a transport']);
  });

  it('a=ssrc from unnamed IPv6 addresses; forked early media on IPv6', async () => {
    const s = await run6(ws, [...setup6({ ...base, answer: sdp6(B6, [audio(5000, ['a=ssrc:20817 cname:x'])]) }), rtcp('2001:db8::77', '2001:db8::78', 7001, 9001, [sr(0x5151)])], RAW);
    expect(bound(s)).toEqual(['20817 v6-call a a=ssrc']);
    const POL = policyOf({ apts: { 'apt-1': { type: 'user', export: 'raw', retention: '1h' }, 'apt-2': { type: 'user', export: 'none', retention: '1h' } } });
    const via = `Via: SIP/2.0/UDP [${A6}]:5060;branch=z9hG4bK-fork6`;
    const from = `From: <sip:a@[${A6}]>;tag=ft`;
    const resp = (tt: string, body: string): Pkt => ({ src: B6, dst: A6, sport: 5060, dport: 5060, payload: sipMsg(['SIP/2.0 183 Session Progress', via, from, `To: <sip:b@[${B6}]>;tag=${tt}`, 'Call-ID: fork6', 'CSeq: 1 INVITE'], body) });
    const f = await run6(
      ws,
      [
        { src: A6, dst: B6, sport: 5060, dport: 5060, payload: sipMsg([`INVITE sip:b@[${B6}] SIP/2.0`, via, from, `To: <sip:b@[${B6}]>`, 'Call-ID: fork6', 'CSeq: 1 INVITE'], sdp6('2001:DB8::A', [['m=audio 4000 RTP/AVP 0', 'a=mid:a']])) },
        resp('t1', sdp6('2001:db8::21', [['m=audio 5000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-2']])),
        resp('t2', sdp6('2001:db8:0::22', [['m=audio 6000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid apt-1']])),
        rtcp('2001:db8::21', A6, 5001, 4001, [sr(21)]),
        rtcp('2001:db8::22', A6, 6001, 4001, [sr(22)]),
      ],
      POL,
    );
    expect(rows(f)).toEqual(['4 21 drop export-none', '5 22 export raw-allowed']);
    expect(f.same).toBe(true);
  });

  it('re-INVITE moving media from IPv4 to IPv6', async () => {
    const b4 = { ...base, offer: sdp6('10.0.0.1', [audio(4000)]), answer: sdp6('10.0.0.2', [audio(5000)]) };
    const r = await run6(ws, [...setup6(b4), rtcp('10.0.0.9', '10.0.0.2', 7001, 5001, [sr(0x5151)]), ...reinvite6(base), rtcp(relay, B6, 7001, 5001, [sr(0x5252)]), rtcp('10.0.0.9', '10.0.0.2', 7001, 5001, [sr(0x5151)])], RAW);
    expect(rows(r)).toEqual(['4 20817 export raw-allowed', '8 21074 export raw-allowed', '9 20817 drop no-preference']);
    expect(r.same).toBe(true);
  });

  it('RTP probation for unrouted IPv6 sources', async () => {
    const r = await run6(ws, [rtp(A6, B6, 4000, 5000, 0x7777, undefined, 1), rtp(A6, B6, 4000, 5000, 0x7777, undefined, 2), rtp(A6, B6, 4000, 5000, 0x7777, undefined, 3), rtp('2001:db8::5', B6, 4000, 5000, 0x8888, undefined, 1)], RAW);
    expect(r.summary).toMatchObject({ rtp: 3, streams: 1 });
    expect(r.reports.map((x) => `${x.type} ${x.frame} ${x.ssrc}`)).toEqual(['unbound-stream 2 30583']);
  });
});

describe('IPv6 packet layers', () => {
  it('extension headers, SIP over TCP on IPv6, fragmented INVITE and RTCP', async () => {
    const p = rtcp(relay, B6, 7001, 5001, [sr(0x5151)]);
    const ext = await run6(ws, [...setup6(base), { frame: v6WithExtensions(p, [{ type: 0 }, { type: 60 }, { type: 43 }]) }], RAW);
    expect(rows(ext)).toEqual(['4 20817 export raw-allowed']);
    const [inv, ok, ack] = setup6(base).map((x) => x.payload) as [Uint8Array, Uint8Array, Uint8Array];
    const tcp = await run6(
      ws,
      [
        tcp6(A6, B6, 40000, 5060, 1000, TcpFlag.SYN, new Uint8Array(0)),
        tcp6(B6, A6, 5060, 40000, 5000, TcpFlag.SYN, new Uint8Array(0), 1001),
        tcp6(A6, B6, 40000, 5060, 1001, TcpFlag.PSH, inv, 5001),
        tcp6(B6, A6, 5060, 40000, 5001, TcpFlag.PSH, ok, 1001 + inv.length),
        tcp6(A6, B6, 40000, 5060, 1001 + inv.length, TcpFlag.PSH, ack, 5001 + ok.length),
        p,
      ],
      RAW,
    );
    expect(tcp.summary).toMatchObject({ sip: 3, malformed: 0 });
    expect(rows(tcp)).toEqual(['6 20817 export raw-allowed']);
    const s2 = setup6({ ...base, offer: sdp6(A6, [audio(4000, Array.from({ length: 40 }, (_, i) => `a=x-pad${i}:${'y'.repeat(40)}`))]) });
    const fi = await run6(ws, [...fragments6(s2[0]!, 600, 78, [{ type: 0 }], [4, 3, 2, 1, 0]), s2[1]!, s2[2]!, p], RAW);
    expect(rows(fi)).toEqual(['8 20817 export raw-allowed']);
    const fr = await run6(ws, [...setup6(base), ...fragments6(rtcp(relay, B6, 7001, 5001, [sr(0x5151, [{ ssrc: 1 }, { ssrc: 2 }, { ssrc: 3 }])]), 48, 79)], RAW);
    expect(rows(fr)).toEqual(['6 20817 export raw-allowed']);
  });

  it('inspect --json writes IPv6 addresses as tshark does', async () => {
    const ADDRS = ['::ffff:192.0.2.1', '::192.0.2.1', '::2', '::1', '::', '::ffff:0:0', '::1.2.0.0', '::0.0.1.1', '1:0:0:1:0:0:0:1', '1:0:0:0:1:0:0:1', '2001:db8:0:1:1:1:1:1', 'fe80::1', 'ff02::1:ff00:1', '64:ff9b::c000:201', '::ffff:0:c000:201', '::1:c000:201', '2001:db8::', '0:0:0:0:0:1:0:0', '::ffff:1:0:0', 'ABCD:EF01:2345:6789:abcd:ef01:2345:6789'];
    const file = await writeItems(ws, ADDRS.map((a, i) => rtcp(a, '2001:db8::b', 7001 + 2 * i, 5001, [sr(0x100 + i)])));
    const ours = (await cli('inspect', file, '--json')).stdout.trim().split('\n').map((l) => (JSON.parse(l) as { src: string }).src);
    let theirs: string[];
    try {
      theirs = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'ipv6.src'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().split('\n');
    } catch {
      return; // tshark not installed
    }
    expect(ours).toEqual(theirs);
  });
});

describe('IPv6 workers and differential', () => {
  it('RTT over several unrouted IPv6 flows, --workers 2 identical', async () => {
    const DEF = policyOf({ apts: { 'apt-d': { type: 'domain', export: 'aggregated-only', retention: '1h' } }, default: 'apt-d' });
    const items: Pkt[] = [];
    for (let k = 0; k < 8; k++) items.push(rtcp(`2001:db8:${k}::1`, `2001:db8:${k}::2`, 4001, 5001, [srFrom(100 + k, T0 + 0.1 * (k + 1))]));
    for (let k = 0; k < 8; k++) items.push(rtcp(`2001:db8:${k}::2`, `2001:db8:${k}::1`, 5001, 4001, [rrFrom(200 + k, [{ ssrc: 100 + k, lsr: lsrOf(T0 + 0.1 * (k + 1)), dlsr: 6553 }])]));
    const r = await run6(ws, items, DEF);
    expect(r.same).toBe(true);
    const rtt = r.exports.filter((e) => e.stream.ssrc >= 200).map((e) => (e.stats as { rttMs: { count: number } | null }).rttMs?.count);
    expect(rtt).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('the sample and generated captures over IPv6 decide as over IPv4', async () => {
    const policy = policyOf(JSON.parse(readFileSync('samples/policy.json', 'utf8')));
    const caps = [SMALL_PCAP, (await ws.generate(smallCapture(3, 8))).path];
    for (const cap of caps) {
      const v6 = await ws.file(cap.split('/').pop()!.replace('.pcap', '-v6.pcap'));
      await toV6(cap, v6);
      for (const workers of [0, 2]) {
        const a = await replayLines({ capture: cap, policy, workers });
        const b = await replayLines({ capture: v6, policy, workers });
        expect(b.decisions).toEqual(a.decisions);
        expect(b.reports).toEqual(a.reports);
        expect(b.exports).toEqual(a.exports);
        expect(b.result.summary).toEqual(a.result.summary);
      }
    }
  }, 60000);
});
