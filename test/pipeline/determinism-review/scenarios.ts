/**
 * Hand-built edge captures for the determinism review (each returns its records and the window
 * to replay it with). See PASSING.test.ts for what each exercises.
 */
import { TcpFlag, buildIpv6Udp } from '../../../native-free/frame-builder.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { rtcp, rtp, sdesMid, sdesPriv, sr } from '../../e2e/calls-on-any-address.js';
import { A, B, C, type Leg, req, res, sdpAudio } from '../../e2e/dialog-lifecycle/lifecycle-helpers.js';
import { multipartInvite } from '../../e2e/precedence-review/helpers.js';
import { request, response, sdpOf, withVideo } from '../../e2e/hand-built-calls.js';
import { policyOf } from '../../e2e/e2e-helpers.js';
import { Cap } from './build.js';

const APTS = { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' }, 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '1h' }, 'apt-none': { type: 'user', export: 'none', retention: '1h' }, 'apt-dom': { type: 'domain', export: 'aggregated-only', retention: '10m' } };
export const POLICIES = {
  plain: policyOf({ apts: APTS }),
  default: policyOf({ apts: APTS, default: 'apt-dom' }),
  dialogs: policyOf({ apts: APTS, dialogs: [{ callId: 'y-bundle@x', apt: ['apt-agg'] }, { callId: 'z1@x', apt: ['apt-raw'] }] }),
};
const enc = new TextEncoder();
const bundleSdp = (ip: string, port: number, a: number, v: number, extra: string[] = []) =>
  ['v=0', `o=x 1 1 IN IP4 ${ip}`, 's=-', `c=IN IP4 ${ip}`, 't=0 0', 'a=group:BUNDLE a v', 'a=aipref:session apt-agg', ...extra,
   `m=audio ${port} RTP/AVP 0`, 'a=mid:a', 'a=rtcp-mux', 'a=rtpmap:0 PCMU/8000', `a=ssrc:${a} cname:x`, 'a=aipref:mid apt-raw',
   `m=video ${port} RTP/AVP 96`, 'a=mid:v', 'a=rtcp-mux', 'a=rtpmap:96 VP8/90000', `a=ssrc:${v} cname:x`, 'a=extmap:1 urn:ietf:params:rtp-hdrext:sdes:mid', ''].join('\r\n');

export interface Scenario { name: string; build: () => Cap; windowSec: number }
export const SCENARIOS: Scenario[] = [];

SCENARIOS.push({ name: 'tcp split signaling, fragments, bundle, shared relay port, copies', windowSec: 1, build: () => {
  const c = new Cap();
  const x: Leg = { callId: 'tcp-x@x', caller: A, callee: B, fromTag: 'xa' };
  const inv = req(x, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=ssrc:1111 cname:a', 'a=aipref:session apt-raw'])).payload;
  const ok = res(x, '200 OK', 1, 'INVITE', 'xb', sdpAudio(B.ip, 5000, ['a=ssrc:2222 cname:b'])).payload;
  const ack = req(x, 'ACK', 1, 'xb').payload;
  c.tcp(0.0, A.ip, B.ip, 0, new Uint8Array(0), TcpFlag.SYN);
  c.tcp(0.01, B.ip, A.ip, 0, new Uint8Array(0), TcpFlag.SYN);
  let sa = 1, sb = 1;
  const third = Math.floor(inv.length / 3);
  c.udp(0.05, rtcp(A.ip, B.ip, 4001, 5001, [sr(1111)]));
  c.tcp(0.1, A.ip, B.ip, sa, inv.subarray(0, third)); sa += third;
  c.udp(0.15, rtcp(A.ip, B.ip, 4001, 5001, [sr(1111, [{ ssrc: 2222 }])]));
  c.udp(0.16, rtp(A.ip, B.ip, 4000, 5000, 1111, undefined, 1));
  c.tcp(0.2, A.ip, B.ip, sa, inv.subarray(third, 2 * third)); sa += third;
  c.udp(0.25, rtcp(B.ip, A.ip, 5001, 4001, [sr(2222, [{ ssrc: 1111 }])]));
  c.tcp(0.3, A.ip, B.ip, sa, inv.subarray(2 * third)); sa += inv.length - 2 * third;
  c.udp(0.3001, rtcp(A.ip, B.ip, 4001, 5001, [sr(1111, [{ ssrc: 2222 }]), sdesPriv(1111, 'apt-none')]));
  c.tcp(0.4, B.ip, A.ip, sb, ok.subarray(0, 100)); sb += 100;
  c.udp(0.45, rtcp(B.ip, A.ip, 5001, 4001, [sr(2222, [{ ssrc: 1111 }])]));
  c.tcp(0.5, B.ip, A.ip, sb, ok.subarray(100)); sb += ok.length - 100;
  c.udp(0.5001, rtcp(B.ip, A.ip, 5001, 4001, [sr(2222, [{ ssrc: 1111 }])]));
  // ACK and another call's INVITE in one segment
  const y: Leg = { callId: 'y-bundle@x', caller: A, callee: C, fromTag: 'ya' };
  const z1: Leg = { callId: 'z1@x', caller: A, callee: B, fromTag: 'z1a' };
  const invZ1 = req(z1, 'INVITE', 1, null, sdpAudio(A.ip, 7000, ['a=ssrc:7101 cname:z1'], '10.0.0.9')).payload;
  const both = new Uint8Array([...ack, ...invZ1]);
  c.tcp(0.6, A.ip, B.ip, sa, both); sa += both.length;
  c.udp(0.6001, rtcp('10.0.0.9', B.ip, 7001, 5001, [sr(7101)]));
  // fragmented bundle INVITE, RTCP between fragments
  const frags = c.fragments(req(y, 'INVITE', 1, null, bundleSdp(A.ip, 6000, 3331, 3332)), 200);
  c.udp(0.69, rtcp(A.ip, C.ip, 6000, 8000, [sr(3331, [{ ssrc: 4441 }]), sr(3332)]));
  frags.forEach((f, k) => { c.raw(0.7 + k * 0.01, f); c.udp(0.705 + k * 0.01, rtcp(A.ip, C.ip, 6000, 8000, [{ ...sr(3331, [{ ssrc: 4441 }]), rtpTs: 100 + k } as never])); });
  c.udp(0.8, res(y, '200 OK', 1, 'INVITE', 'yc', bundleSdp(C.ip, 8000, 4441, 4442)));
  c.udp(0.8001, rtcp(C.ip, A.ip, 8000, 6000, [sr(4441, [{ ssrc: 3331 }]), sdesMid(4442, 'v')]));
  c.udp(0.81, rtp(C.ip, A.ip, 8000, 6000, 4442, [{ id: 1, value: enc.encode('v') }], 5));
  c.udp(0.82, rtp('10.7.7.7', A.ip, 9000, 6000, 3332, undefined, 5)); // a=ssrc only route
  c.udp(0.83, rtcp('10.7.7.7', A.ip, 9001, 6001, [sr(3332, [{ ssrc: 4442 }])]));
  // second call on the same relay port
  const z2: Leg = { callId: 'z2@x', caller: A, callee: B, fromTag: 'z2a' };
  c.udp(0.9, req(z2, 'INVITE', 1, null, sdpAudio(A.ip, 7000, ['a=ssrc:7201 cname:z2', 'a=aipref:session apt-agg'], '10.0.0.9')));
  c.udp(0.9001, rtcp('10.0.0.9', B.ip, 7001, 5001, [sr(7101)]));
  c.udp(0.9002, rtcp('10.0.0.9', B.ip, 7001, 5001, [sr(7201)]));
  c.udp(0.91, res(z2, '200 OK', 1, 'INVITE', 'z2b', sdpAudio(B.ip, 5100)));
  c.udp(0.92, rtcp('10.0.0.9', B.ip, 7001, 5001, [sr(7201, [{ ssrc: 7101 }])]));
  // copies 10 ms apart
  for (let k = 0; k < 5; k++) {
    c.udp(1 + k, rtcp(A.ip, B.ip, 4001, 5001, [sr(1111 , [{ ssrc: 2222 }])].map((p) => ({ ...p, rtpTs: k }))));
    c.udp(1.01 + k, rtcp(A.ip, B.ip, 4001, 5001, [sr(1111 , [{ ssrc: 2222 }])].map((p) => ({ ...p, rtpTs: k }))));
    c.udp(1.5 + k, rtcp(C.ip, A.ip, 8000, 6000, [sr(4441, [{ ssrc: 3331 }]), { pt: 205, fmt: 1, senderSsrc: 4441, mediaSsrc: 3331, fci: new Uint8Array(4) } as never].map((p) => ({ ...p, rtpTs: k }))));
  }
  // re-INVITE on y removing a=aipref:mid, answer
  c.udp(7, req(y, 'INVITE', 2, 'yc', bundleSdp(A.ip, 6000, 3331, 3332).replace('a=aipref:mid apt-raw\r\n', '')));
  c.udp(7.0001, rtcp(C.ip, A.ip, 8000, 6000, [sr(4441, [{ ssrc: 3331 }])]));
  c.udp(7.1, res(y, '200 OK', 2, 'INVITE', 'yc', bundleSdp(C.ip, 8000, 4441, 4442)));
  c.udp(7.1001, rtcp(A.ip, C.ip, 6000, 8000, [sr(3331, [{ ssrc: 4441 }])]));
  // BYE of x, and its last RTCP
  c.tcp(8, A.ip, B.ip, sa, req(x, 'BYE', 2, 'xb').payload);
  c.udp(8.0001, rtcp(A.ip, B.ip, 4001, 5001, [sr(1111), { pt: 203, ssrcs: [1111] } as never]));
  c.udp(20, rtcp(C.ip, A.ip, 8000, 6000, [sr(4441, [{ ssrc: 3331 }])]));
  return c;
} });

SCENARIOS.push({ name: 'idle-out with media flowing, unbound sweep at signaling events', windowSec: 10, build: () => {
  const c = new Cap();
  const w: Leg = { callId: 'w-long@x', caller: A, callee: B, fromTag: 'wa' };
  const o: Leg = { callId: 'o-other@x', caller: C, callee: B, fromTag: 'oa' };
  c.udp(0, req(w, 'INVITE', 1, null, sdpAudio(A.ip, 4000, ['a=ssrc:1111 cname:a', 'a=aipref:session apt-raw'])));
  c.udp(0.1, res(w, '200 OK', 1, 'INVITE', 'wb', sdpAudio(B.ip, 5000)));
  c.udp(0.2, req(w, 'ACK', 1, 'wb'));
  // unbound traffic early, swept later
  c.udp(0.3, rtp('10.5.5.5', '10.6.6.6', 30000, 40000, 555, undefined, 1));
  c.udp(0.31, rtp('10.5.5.5', '10.6.6.6', 30000, 40000, 555, undefined, 2));
  c.udp(0.32, rtcp('10.5.5.5', '10.6.6.6', 30001, 40001, [sr(555)]));
  let seq = 1;
  for (let t = 600; t <= 6 * 3600; t += 600) {
    c.udp(t, rtp(A.ip, B.ip, 4000, 5000, 1111, undefined, seq++));
    if (t % 1800 === 0) c.udp(t + 0.5, rtcp(A.ip, B.ip, 4001, 5001, [{ ...sr(1111), rtpTs: t } as never]));
    if (t % 3600 === 0) {
      const leg: Leg = { ...o, callId: `o-${t}@x` };
      c.udp(t + 1, req(leg, 'OPTIONS', 1, null));
      c.udp(t + 1.5, rtcp('10.5.5.5', '10.6.6.6', 30001, 40001, [{ ...sr(555), rtpTs: t } as never]));
    }
  }
  // media stops; a later SIP message idles w out
  c.udp(6 * 3600 + 5 * 3600, req({ ...o, callId: 'late@x' }, 'OPTIONS', 1, null));
  c.udp(6 * 3600 + 9 * 3600, req({ ...o, callId: 'later@x' }, 'OPTIONS', 1, null));
  c.udp(6 * 3600 + 9 * 3600 + 1, rtcp(A.ip, B.ip, 4001, 5001, [sr(1111)]));
  return c;
} });

SCENARIOS.push({ name: 'ssrc takeover, shared relay port claimed and released', windowSec: 10, build: () => {
  const c = new Cap();
  const legs = ['s1@x', 's2@x', 's3@x', 's4@x'].map((id, i): Leg => ({ callId: id, caller: A, callee: B, fromTag: `t${i}` }));
  const R = '10.0.0.9';
  let t = 0;
  const seqs = new Map<number, number>();
  const media = (from: string, sport: number, ssrc: number) => {
    const s = (seqs.get(ssrc) ?? 0) + 1; seqs.set(ssrc, s);
    c.udp((t += 0.01), rtp(from, B.ip, sport, 5000, ssrc, undefined, s));
    c.udp((t += 0.01), rtcp(from, B.ip, sport + 1, 5001, [{ ...sr(ssrc, [{ ssrc: 2222 }]), rtpTs: s } as never]));
  };
  const call = (i: number, lines: string[], apt: string) => {
    c.udp((t += 0.01), req(legs[i]!, 'INVITE', 1, null, sdpAudio(A.ip, 7000, [...lines, `a=aipref:session ${apt}`], R)));
    c.udp((t += 0.01), res(legs[i]!, '200 OK', 1, 'INVITE', `b${i}`, sdpAudio(B.ip, 5000, ['a=ssrc:2222 cname:b'])));
  };
  call(0, ['a=ssrc:7777 cname:x'], 'apt-raw');
  media('10.8.8.8', 9000, 7777); media(R, 7000, 7101); media('10.8.8.8', 9000, 7777);
  call(1, ['a=ssrc:7777 cname:y'], 'apt-agg');
  media('10.8.8.8', 9000, 7777); media(R, 7000, 7101);
  call(2, ['a=ssrc:8888 cname:z'], 'apt-none');
  media('10.8.8.8', 9000, 7777); media(R, 7000, 7101); media(R, 7000, 8888);
  c.udp((t += 0.01), req(legs[2]!, 'BYE', 2, 'b2'));
  media('10.8.8.8', 9000, 7777); media(R, 7000, 7101); media(R, 7000, 8888);
  c.udp((t += 0.01), req(legs[1]!, 'BYE', 2, 'b1'));
  media('10.8.8.8', 9000, 7777); media(R, 7000, 7101); media(R, 7000, 8888);
  call(3, ['a=ssrc:7777 cname:w', 'a=ssrc:8888 cname:w'], 'apt-raw');
  media('10.8.8.8', 9000, 7777); media(R, 7000, 8888);
  c.udp((t += 0.01), req(legs[0]!, 'BYE', 2, 'b0'));
  media('10.8.8.8', 9000, 7777); media(R, 7000, 7101); media(R, 7000, 8888);
  return c;
} });

SCENARIOS.push({ name: 'signed values (awaited verification) with RTCP right after, in UDP and TCP', windowSec: 1, build: () => {
  const c = new Cap();
  const S = ';integrity=jws;token=aaa.bbb.ccc';
  const ab = (fromA: boolean, sport: number, dport: number, payload: Uint8Array) => ({ src: fromA ? A.ip : B.ip, dst: fromA ? B.ip : A.ip, sport, dport, payload });
  const srA = (k: number) => encodeRtcpCompound([{ ...sr(1111, [{ ssrc: 2222 }]), rtpTs: k } as never]);
  const srB = (k: number) => encodeRtcpCompound([{ ...sr(2222, [{ ssrc: 1111 }]), rtpTs: k } as never]);
  c.udp(0, ab(true, 5060, 5060, multipartInvite([`AI-Pref: apt-s;scope=session;type=user;export=raw${S}`, 'AI-Pref: apt-agg;scope=dialog', 'AI-Pref: apt-b;uri=<cid:b1@x>'],
    withVideo('a', ['a=aipref:mid apt-m type=user export=raw integrity=jws token=x.y.z']).replace('a=mid:a', 'a=mid:a\r\na=aipref:mid apt-raw'),
    [{ cid: 'b1@x', type: 'application/aipref+json', body: JSON.stringify({ type: 'user', export: 'raw', retention: '1h', integrity: 'jws', token: 'q.r.s' }) }])));
  c.udp(0.0001, ab(true, 4001, 5001, srA(1)));
  c.udp(0.0002, ab(true, 4003, 5003, encodeRtcpCompound([{ ...sr(3333, [{ ssrc: 4444 }]) } as never])));
  c.udp(0.01, ab(false, 5060, 5060, response('200 OK', 1, withVideo('b', []), [`AI-Pref: apt-s2;scope=dialog;type=user;export=raw${S}`])));
  c.udp(0.0101, ab(false, 5001, 4001, srB(1)));
  c.udp(0.0102, ab(true, 4001, 5001, srA(2)));
  c.udp(0.02, ab(true, 5060, 5060, request('ACK', 1, null)));
  for (let k = 0; k < 4; k++) { c.udp(0.5 + k, ab(true, 4001, 5001, srA(10 + k))); c.udp(0.6 + k, ab(false, 5003, 4003, encodeRtcpCompound([{ ...sr(4444, [{ ssrc: 3333 }]), rtpTs: k } as never]))); }
  c.udp(5, ab(true, 5060, 5060, request('INVITE', 2, sdpOf('a', ['a=aipref:session apt-m2 type=user export=raw integrity=jws']), [`AI-Pref: apt-agg;scope=dialog`])));
  c.udp(5.0001, ab(false, 5001, 4001, srB(20)));
  c.udp(5.0002, ab(true, 4001, 5001, srA(20)));
  c.udp(5.0003, ab(true, 4003, 5003, encodeRtcpCompound([{ ...sr(3333, [{ ssrc: 4444 }]), rtpTs: 9 } as never])));
  c.udp(5.01, ab(false, 5060, 5060, response('200 OK', 2, sdpOf('b', []))));
  c.udp(5.0101, ab(false, 5001, 4001, srB(21)));
  c.udp(5.0102, ab(false, 5003, 4003, encodeRtcpCompound([{ ...sr(4444, [{ ssrc: 3333 }]), rtpTs: 99 } as never])));
  // TCP: a signed INVITE and an OPTIONS in one segment, RTCP of its media right after
  const k: Leg = { callId: 'tcp-signed@x', caller: C, callee: B, fromTag: 'ka' };
  const invK = req(k, 'INVITE', 1, null, sdpAudio(C.ip, 6000, ['a=ssrc:6666 cname:c', 'a=aipref:session apt-raw integrity=jws token=1.2.3']), { headers: [`AI-Pref: apt-k;scope=dialog${S}`] }).payload;
  const opt = req({ ...k, callId: 'opt@x' }, 'OPTIONS', 1, null).payload;
  c.tcp(6, C.ip, B.ip, 0, new Uint8Array(0), TcpFlag.SYN);
  c.tcp(6.01, C.ip, B.ip, 1, new Uint8Array([...invK, ...opt]));
  c.udp(6.0101, { src: C.ip, dst: B.ip, sport: 6001, dport: 5001, payload: encodeRtcpCompound([sr(6666)]) });
  c.udp(6.02, res(k, '200 OK', 1, 'INVITE', 'kb', sdpAudio(B.ip, 5002, [], B.ip)));
  c.udp(6.0201, { src: B.ip, dst: C.ip, sport: 5003, dport: 6001, payload: encodeRtcpCompound([sr(2223, [{ ssrc: 6666 }])]) });
  return c;
} });

SCENARIOS.push({ name: 'ipv6 call, unrouted v6 traffic, a=ssrc route from another v6 address', windowSec: 3, build: () => {
  const c = new Cap();
  const A6 = '2001:db8::1', B6 = '2001:db8::2';
  const v6 = (at: number, d: { src: string; dst: string; sport: number; dport: number; payload: Uint8Array }) => c.raw(at, buildIpv6Udp(d));
  const sdp6 = (ip: string, port: number, lines: string[]) => ['v=0', `o=x 1 1 IN IP6 ${ip}`, 's=-', `c=IN IP6 ${ip}`, 't=0 0', `m=audio ${port} RTP/AVP 0`, 'a=rtpmap:0 PCMU/8000', ...lines, ''].join('\r\n');
  const leg = (id: string): Leg => ({ callId: id, caller: { ip: A6, user: 'a' }, callee: { ip: B6, user: 'b' }, fromTag: 'f' + id });
  for (let i = 0; i < 4; i++) {
    const l = leg(`v6-${i}@x`);
    const inv = req(l, 'INVITE', 1, null, sdp6(A6, 4000 + 10 * i, [`a=ssrc:${100 + i} cname:a`, `a=aipref:session ${i % 2 ? 'apt-raw' : 'apt-agg'}`]));
    v6(i, { ...inv, src: A6, dst: B6 });
    v6(i + 0.0001, { src: A6, dst: B6, sport: 4001 + 10 * i, dport: 5001, payload: encodeRtcpCompound([sr(100 + i, [{ ssrc: 200 + i }])]) });
    const ok = res(l, '200 OK', 1, 'INVITE', 't' + i, sdp6(B6, 5000 + 10 * i, [`a=ssrc:${200 + i} cname:b`]));
    v6(i + 0.01, { ...ok, src: B6, dst: A6 });
    v6(i + 0.0101, { src: B6, dst: A6, sport: 5001 + 10 * i, dport: 4001 + 10 * i, payload: encodeRtcpCompound([sr(200 + i, [{ ssrc: 100 + i }])]) });
    v6(i + 0.02, { src: '2001:db8::77', dst: B6, sport: 9000, dport: 5000, payload: encodeRtcpCompound([{ ...sr(100 + i), rtpTs: i } as never]) });
    v6(i + 0.03, { src: '2001:db8::99', dst: '2001:db8::98', sport: 7000 + i, dport: 7002, payload: encodeRtcpCompound([sr(900 + i)]) });
    v6(i + 0.04, { src: '2001:db8::99', dst: '2001:db8::98', sport: 7000 + i, dport: 7002, payload: rtp('1.1.1.1', '1.1.1.1', 1, 1, 900 + i, undefined, 1).payload });
    v6(i + 0.05, { src: '2001:db8::99', dst: '2001:db8::98', sport: 7000 + i, dport: 7002, payload: rtp('1.1.1.1', '1.1.1.1', 1, 1, 900 + i, undefined, 2).payload });
  }
  for (let k = 0; k < 20; k++) v6(5 + k, { src: A6, dst: B6, sport: 4001 + 10 * (k % 4), dport: 5001 + 10 * (k % 4), payload: encodeRtcpCompound([{ ...sr(100 + (k % 4), [{ ssrc: 200 + (k % 4) }]), rtpTs: k } as never]) });
  return c;
} });
