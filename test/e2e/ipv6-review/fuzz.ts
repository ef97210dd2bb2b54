/**
 * Random port-reusing scenarios over IPv4 (a seeded generator), to be rewritten to IPv6 and
 * compared: calls start, move (re-INVITE to other ports, another APT), end (BYE); RTP and RTCP
 * flow between a handful of ports, some of them an ended call's.
 */
import { A, B, bye, type Pkt, req, res, rtcpPkt, rtp, sdpAt, setup, srIn } from '../port-reuse-review/common.js';

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

export function randomScenario(seed: number, events = 40): Pkt[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const APTS = ['apt-raw', 'apt-agg', 'apt-none'];
  const PORTS = [4000, 4002, 5000, 5002];
  const SSRCS = [0x11, 0x22, 0x33, 0x44, 0x55];
  const calls: { id: string; live: boolean; cseq: number; aPort: number; bPort: number; apt: string }[] = [];
  const out: Pkt[] = [];
  let t = 0;
  let seq = 1;
  const sdpOf = (ip: string, port: number, apt: string, ssrc: number | null) => sdpAt(ip, port, ssrc, [], [`a=aipref:mid ${apt}`]);
  for (let e = 0; e < events; e++) {
    t += 0.05 + r() * 0.5;
    const x = r();
    const live = calls.filter((c) => c.live);
    if (x < 0.15 || live.length === 0) {
      const c = { id: `call-${calls.length}`, live: true, cseq: 1, aPort: pick(PORTS.slice(0, 2)), bPort: pick(PORTS.slice(2)), apt: pick(APTS) };
      calls.push(c);
      out.push(...setup(c.id, t, sdpOf(A, c.aPort, c.apt, r() < 0.3 ? pick(SSRCS) : null), sdpOf(B, c.bPort, c.apt, r() < 0.3 ? pick(SSRCS) : null)));
    } else if (x < 0.25) {
      const c = pick(live);
      c.cseq++;
      c.aPort = pick(PORTS.slice(0, 2));
      c.apt = pick(APTS);
      out.push({ ts: t, src: A, dst: B, sport: 5060, dport: 5060, payload: req(c.id, 'INVITE', c.cseq, sdpOf(A, c.aPort, c.apt, null)) });
      out.push({ ts: t + 0.01, src: B, dst: A, sport: 5060, dport: 5060, payload: res(c.id, '200 OK', 'INVITE', c.cseq, sdpOf(B, c.bPort, c.apt, null)) });
      out.push({ ts: t + 0.02, src: A, dst: B, sport: 5060, dport: 5060, payload: req(c.id, 'ACK', c.cseq, null) });
    } else if (x < 0.33) {
      const c = pick(live);
      c.cseq++;
      c.live = false;
      out.push(...bye(c.id, t, c.cseq));
    } else if (x < 0.6) {
      const fromA = r() < 0.5;
      const sp = pick(fromA ? PORTS.slice(0, 2) : PORTS.slice(2));
      const dp = pick(fromA ? PORTS.slice(2) : PORTS.slice(0, 2));
      out.push(rtp(t, fromA ? A : B, sp, fromA ? B : A, dp, pick(SSRCS), seq++));
      out.push(rtp(t + 0.01, fromA ? A : B, sp, fromA ? B : A, dp, pick(SSRCS), seq++));
    } else {
      const fromA = r() < 0.5;
      const sp = pick(fromA ? PORTS.slice(0, 2) : PORTS.slice(2)) + 1;
      const dp = pick(fromA ? PORTS.slice(2) : PORTS.slice(0, 2)) + 1;
      out.push(rtcpPkt(t, fromA ? A : B, sp, fromA ? B : A, dp, [srIn(pick(SSRCS), r() < 0.5 ? pick(SSRCS) : undefined)]));
    }
  }
  return out.sort((p, q) => p.ts - q.ts);
}
