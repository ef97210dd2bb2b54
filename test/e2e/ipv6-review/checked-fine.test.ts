/**
 * IPv6 end to end, second review: checks that came out fine. `scenario.ts` is one call (audio
 * aggregated-only with its RTCP at an `a=rtcp:<port> IN IP6 <other address>` (RFC 3605), video
 * raw with rtcp-mux, a session-level APT, SR/RR with RTT, SDES, XR, NACK, BYE, a re-INVITE that
 * removes video's a=aipref, SIP BYE, late RTCP) written over IPv4 or IPv6; the IPv4 run is the
 * oracle, and every IPv6 variant must give the very same exports, reports, decisions, binding
 * table and summary, with --workers 0 and 2.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { policyOf, replayLines, Workspace } from '../e2e-helpers.js';
import { buildIpv4Packet, buildIpv6Packet, buildUdpDatagram, EtherType, parseIpv4, parseIpv6, wrapEthernet } from '../../../native-free/frame-builder.js';
import { ipPacket, type Link, type Outcome, replayBoth, writeCapture } from './lib.js';
import { POLICY, scenario, V4, V6 } from './scenario.js';
import { replay, rtcp, rtp, sipMsg, sr, type Pkt } from '../calls-on-any-address.js';
import { keyedSample, savp, withCrypto } from '../srtcp-helpers.js';
import { toV6 } from '../ipv6/to-v6.js';
import { THREE, writeCapture as writeV4 } from '../port-reuse-review/common.js';
import { randomScenario } from './fuzz.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

let oracle: Outcome | undefined;
async function v4Oracle(): Promise<Outcome> {
  oracle ??= (await replayBoth(await writeCapture(ws, scenario(V4).map(ipPacket)), POLICY))[0];
  return oracle;
}
async function sameAsV4(ips: Uint8Array[], link: Link = 'eth', format: 'pcap' | 'pcapng' = 'pcap'): Promise<void> {
  const want = await v4Oracle();
  const [w0, w2] = await replayBoth(await writeCapture(ws, ips, link, format), POLICY);
  expect(w0).toEqual(want);
  expect(w2).toEqual(want);
}

const full = (a: string) => Array.from({ length: 8 }, (_, g) => ((parseIpv6(a)[2 * g]! << 8) | parseIpv6(a)[2 * g + 1]!).toString(16).padStart(4, '0')).join(':');

describe('the same call over IPv6 decides as over IPv4', () => {
  // sanity of the oracle: it exercises what it claims (aggregates, raw exports, scope-removed, RTT)
  it('the IPv4 oracle', async () => {
    const o = await v4Oracle();
    expect(o.summary).toMatchObject({ rtcp: 8, sip: 7, telemetry: { export: 9, aggregate: 6, drop: 1 }, reports: { 'scope-removed': 1 } });
    expect(o.exports.some((l) => l.includes('"rttMs":{"min":49.997'))).toBe(true);
  });

  // link layers: Ethernet, 802.1Q, QinQ, SLL, SLL2 (with and without a VLAN tag after it), raw,
  // LINKTYPE_IPV6, BSD/Darwin/OpenBSD loopback — in pcap and pcapng
  it('every link layer, pcap and pcapng', async () => {
    for (const link of ['eth', 'vlan', 'qinq', 'sll', 'sll2', 'sll2-vlan', 'raw', 'ipv6', 'null-bsd', 'null-darwin', 'loop'] as Link[]) {
      await sameAsV4(scenario(V6).map(ipPacket), link, link === 'eth' || link === 'sll2-vlan' ? 'pcap' : 'pcapng');
    }
  }, 30000);

  // c=, o= and a=rtcp addresses spelled otherwise than the wire form: upper case, all eight
  // groups with leading zeros, partly compressed
  it('SDP address spellings', async () => {
    for (const spell of [(s: string) => s.toUpperCase(), full, (s: string) => full(s).toUpperCase(), (s: string) => s.replace('2001:db8::', '2001:0DB8:0:0:0::')]) {
      await sameAsV4(scenario(V6, spell).map(ipPacket));
    }
  }, 30000);

  // c=IN IP6 ::ffff:10.0.0.1 (and a=rtcp … IN IP6 ::ffff:…) with the media over IPv4 (RFC 4291 §2.5.5.2)
  it('IPv4-mapped SDP addresses, IPv4 wire', async () => {
    const hex = (s: string) => {
      const [a, b, c, d] = s.split('.').map(Number) as [number, number, number, number];
      return `::FFFF:${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
    };
    for (const spell of [(s: string) => `::ffff:${s}`, hex, (s: string) => `0:0:0:0:0:ffff:${s}`]) await sameAsV4(scenario(V4, spell).map(ipPacket));
  }, 30000);

  // extension headers before UDP: AH (length in 4-octet units), hop-by-hop + dest options +
  // routing + dest options, an atomic fragment followed by dest options
  it('extension header chains', async () => {
    const chain = (ip: Uint8Array, exts: { type: number; bytes: Uint8Array }[]) => {
      const parts = exts.map((e, k) => {
        const b = Uint8Array.from(e.bytes);
        b[0] = k + 1 < exts.length ? exts[k + 1]!.type : ip[6]!;
        return b;
      });
      const out = Buffer.concat([ip.subarray(0, 40), ...parts, ip.subarray(40)]);
      out[6] = exts[0]!.type;
      out.writeUInt16BE(out.length - 40, 4);
      return out;
    };
    const opt = (n8: number) => {
      const b = new Uint8Array((n8 + 1) * 8);
      b[1] = n8;
      b.set([1, 4, 0, 0, 0, 0], 2);
      return b;
    };
    const ah = new Uint8Array(24);
    ah[1] = 4;
    ah[7] = 1;
    await sameAsV4(scenario(V6).map(ipPacket).map((ip) => chain(ip, [{ type: 51, bytes: ah }])), 'raw');
    await sameAsV4(scenario(V6).map(ipPacket).map((ip) => chain(ip, [{ type: 0, bytes: opt(0) }, { type: 60, bytes: opt(1) }, { type: 43, bytes: opt(2) }, { type: 60, bytes: opt(0) }])), 'raw');
    await sameAsV4(scenario(V6).map(ipPacket).map((ip) => chain(ip, [{ type: 44, bytes: new Uint8Array(8) }, { type: 60, bytes: opt(0) }])), 'raw');
  }, 30000);

  // tunnels carrying the IPv6 call: 6in4, 6in6, GRE over IPv6, VXLAN over IPv6; and the IPv4
  // call carried 4in6
  it('tunnels', async () => {
    const o6 = (proto: number, payload: Uint8Array) => buildIpv6Packet({ src: parseIpv6('2001:db8:ffff::1'), dst: parseIpv6('2001:db8:ffff::2'), protocol: proto, payload });
    const s = parseIpv6('2001:db8:ffff::1');
    const d = parseIpv6('2001:db8:ffff::2');
    for (const wrap of [
      (ip: Uint8Array) => buildIpv4Packet({ src: parseIpv4('192.0.2.1'), dst: parseIpv4('192.0.2.2'), protocol: 41, payload: ip }),
      (ip: Uint8Array) => o6(41, ip),
      (ip: Uint8Array) => o6(47, Buffer.concat([Buffer.from([0, 0, 0x86, 0xdd]), ip])),
      (ip: Uint8Array) => o6(17, buildUdpDatagram(s, d, 40000, 4789, Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 1, 0]), wrapEthernet(EtherType.IPV6, ip)]))),
    ]) {
      await sameAsV4(scenario(V6).map(ipPacket).map(wrap), 'raw');
    }
    await sameAsV4(scenario(V4).map(ipPacket).map((ip) => o6(4, ip)), 'raw');
  }, 30000);
});

describe('dual stack and differentials', () => {
  // ICE-less dual stack (RFC 4091 ANAT): offer v4 + v6 m-lines grouped, answer takes the IPv6 one
  // (port 0 on the other): the v6 media binds to the group's APTs, no scope-removed at set-up
  it('ANAT offer, IPv6 answer', async () => {
    const POL = policyOf({ apts: { 'apt-g': { type: 'user', export: 'raw', retention: '1h' }, 'apt-s': { type: 'user', export: 'aggregated-only', retention: '1h' } } });
    const h = (m: string, c: number, tt: boolean) => [`Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-anat-${m}${c}`, 'From: <sip:a@10.0.0.1>;tag=ft', `To: <sip:b@[2001:db8::b]>${tt ? ';tag=tt' : ''}`, 'Call-ID: anat', `CSeq: ${c} ${m}`];
    const body = (l: string[]) => [...l, ''].join('\r\n');
    const offer = body(['v=0', 'o=a 1 1 IN IP4 10.0.0.1', 's=-', 't=0 0', 'a=group:ANAT 1 2', 'a=aipref:group apt-g', 'a=aipref:session apt-s', 'm=audio 4000 RTP/AVP 0', 'c=IN IP4 10.0.0.1', 'a=mid:1', 'm=audio 4002 RTP/AVP 0', 'c=IN IP6 2001:db8::a', 'a=mid:2']);
    const answer = body(['v=0', 'o=b 1 1 IN IP6 2001:db8::b', 's=-', 't=0 0', 'a=group:ANAT 1 2', 'a=aipref:group apt-g', 'a=aipref:session apt-s', 'm=audio 0 RTP/AVP 0', 'c=IN IP4 10.0.0.2', 'a=mid:1', 'm=audio 5002 RTP/AVP 0', 'c=IN IP6 2001:db8::b', 'a=mid:2']);
    const pk: Pkt[] = [
      { src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, payload: sipMsg(['INVITE sip:b@[2001:db8::b] SIP/2.0', ...h('INVITE', 1, false)], offer) },
      { src: '10.0.0.2', dst: '10.0.0.1', sport: 5060, dport: 5060, payload: sipMsg(['SIP/2.0 200 OK', ...h('INVITE', 1, true)], answer) },
      { src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, payload: sipMsg(['ACK sip:b@[2001:db8::b] SIP/2.0', ...h('ACK', 1, true)], null) },
      rtp('2001:db8::a', '2001:db8::b', 4002, 5002, 0xaa),
      rtcp('2001:db8::a', '2001:db8::b', 4003, 5003, [sr(0xaa)]),
      rtcp('2001:db8::b', '2001:db8::a', 5003, 4003, [sr(0xbb)]),
    ];
    const r = await replay(ws, pk, POL); // (checks --workers 2 gives the same lines)
    expect(r.decisions.map((d) => `${d.frame} ${d.decision} ${d.apt.join('+')}`)).toEqual(['5 aggregate apt-g+apt-s', '6 aggregate apt-g+apt-s']);
    expect(r.reports).toEqual([]);
  });

  // the sample with SRTCP (a=crypto, RTP/SAVP) rewritten to IPv6: identical lines and summary
  it('SRTCP sample over IPv6', async () => {
    const policy = policyOf(JSON.parse(readFileSync('samples/policy.json', 'utf8')));
    const keyed = await keyedSample(ws, 'keyed.pcap', (b, _s, key) => withCrypto(savp(b), `1 AES_CM_128_HMAC_SHA1_80 inline:${key}|2^31`));
    const v6 = await ws.file('keyed-v6.pcap');
    await toV6(keyed, v6);
    for (const workers of [0, 2]) {
      const a = await replayLines({ capture: keyed, policy, workers });
      const b = await replayLines({ capture: v6, policy, workers });
      expect([b.decisions, b.reports, b.exports, b.result.summary]).toEqual([a.decisions, a.reports, a.exports, a.result.summary]);
    }
  }, 30000);

  // random calls reusing a few ports (start, re-INVITE to other ports/APT, BYE, stray RTP/RTCP):
  // IPv4 (flow-cached path) and IPv6 (uncached path) give the same lines. 400 seeds were run in
  // the review; 40 here.
  it('random port-reuse scenarios, IPv4 vs IPv6', async () => {
    const bad: number[] = [];
    for (let seed = 1; seed <= 40; seed++) {
      const f4 = await ws.file(`fz${seed}.pcap`);
      await writeV4(f4, randomScenario(seed, 50));
      const f6 = await ws.file(`fz${seed}-v6.pcap`);
      await toV6(f4, f6);
      const a = await replayLines({ capture: f4, policy: THREE, explain: true });
      const b = await replayLines({ capture: f6, policy: THREE, explain: true, workers: seed % 4 === 0 ? 2 : 0 });
      if (JSON.stringify([a.decisions, a.reports, a.exports]) !== JSON.stringify([b.decisions, b.reports, b.exports])) bad.push(seed);
    }
    expect(bad).toEqual([]);
  }, 60000);
});
