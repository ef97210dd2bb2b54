/**
 * Checked and fine (review of 49a1859 — tokens verified/committed at the capture clock, a reload
 * at the clock after the last record, the unbound-subject rule kept for a stream the payloads
 * made — 8fe921e (dir-lock deadline on performance.now) and f97e674 (100:0:0:1::/64 refused)).
 * - SIP over TCP held behind a lost segment and released at the capture's end (drainHeldTcp →
 *   endContext: the last frame, inside the last batch's clocks — clockOf does not fall back to the
 *   record's own time): its token is judged at the capture clock, not the last record's stamp (a
 *   lone outlier 3 h ahead); a token whose exp the clock passed is still `expired`. In-process,
 *   workers 0/2 × maxBatchRecords undefined, 1–7: identical lines.
 * - one message stamped 3 h ahead (a lone outlier re-INVITE) with three signed values — two
 *   AI-Pref header values (verified in turn, each after the other's await of the JOSE import) and
 *   a signed SDP `a=aipref:session` — all verified at the same capture clock (`this.now` is not
 *   another message's: the engine awaits each front.message before the next, and a reload only
 *   runs between batches); the answer commits them; the SRs after export raw. Workers 0/2 ×
 *   batch sizes, and the CLI with --workers 0, 1, 2 identical.
 * - a real `live --hep`: a refresh token arriving in a record stamped 3 h ahead, committed by its
 *   answer, then a SIGHUP reload of an edited file with the same key: the reload re-verifies the
 *   claim at its atSec (the clock at arrival, T+1.5, where the token is valid — at its stamp it
 *   would be expired) — no integrity failure, the SR after the reload still exports raw.
 * - the unbound-subject rule and a stream made from the subject's own packets: in a real
 *   `live --udp` (plain mirror) 1111's own RTP before the INVITE makes an unbound 1111 in the one
 *   plain session, but the INVITE declaring 1111 retires that session (retireUnboundOf: a sender
 *   the a=ssrc route now takes), so B's later SR about 1111 (2222 tagged apt-x by SDES PRIV) is
 *   not governed by it: exported under apt-x as without the early packets and as offline.
 *   (A stream made by a *report block* before the declaration is not retired: see
 *   stale-unbound-subject-governs.test.ts.)
 * - f97e674: nonPublicAddress refuses every spelling of 100:0:0:1::/64 tried (uppercase, full
 *   form, `100::1:0:0:0:1`, a zone), keeps 100:0:0:2:: and 100:0:0:0:1:: (inside 100::/64,
 *   discard-only) apart, and 6to4/NAT64 forms are judged by their IPv4 address as before.
 * By reading (no test):
 * - 8fe921e: takeLock's deadline and every age in dir-lock.ts (watched, isStale, createWritten)
 *   are on performance.now; no Date.now is left there (test/export/lock-deadline covers it).
 * - settle's `this.now` is the message's clock in every path that calls it (message → onEvent;
 *   dialog-ended from the tracker's idle-out and eviction is inside message too); expireDue
 *   runs before the tracker, so a refresh answer at the expiry's clock first expires, then lifts.
 * - reports whose ts changed: only the reload's (scope-transitioned, inconsistent-signaling:
 *   recordsClock). Signaling reports of a message still carry the record's own ts, as every
 *   other report of that record does; the `expired` report carries the clock (bd13355).
 * - forgetIdle is by count, not time (its state-limit report carries the record's own ts); uri=
 *   fetches (live) are cached by the service's wall clock, not capture time — no token's
 *   validity depends on either. Dialog idle-outs do use the record's own stamp: see
 *   idle-timeout-by-outlier-stamp.test.ts.
 * - README "A token is judged by the capture clock … nor is a token in such a record judged by
 *   its stamp": matches verify/settle/expireDue; "--udp-mode plain … streams bind only through
 *   what the payloads say (a=ssrc, SDES PRIV tags)": matches, but for the stale-stream finding.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEthernetIpv4Udp, buildIpv4Tcp, TcpFlag } from '../../../native-free/frame-builder.js';
import { encodePcapFileHeader } from '../../../native-free/write.js';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { nonPublicAddress } from '../../../src/policy/uri-resolver.js';
import { parseLines, replayLines, type ReportLine, Workspace, writePcapRecords } from '../e2e-helpers.js';
import { callSetup, sdp, sdesPriv, sr as srOf } from '../calls-on-any-address.js';
import { type At, CALL, decided, request, response, sdpOf, T0 } from '../hand-built-calls.js';
import { decisionsOf, Scratch } from '../round24-clock-unbound-review/lib.js';
import { jwk as helperJwk, keys, policy, replayAll, rtcpAt, token } from '../token-expiry-review/helpers.js';
import { call, ensureBuilt, hepFrame, kill, metric, offline, scrape, sendDatagrams, sip, sleep, startLive, stopAndRead, tempDir, untilReceived, writeJson, writePkts, type LiveChild, type TimedPkt } from '../../live/reload-review/rr-helpers.js';

const ws = new Workspace();
const s = new Scratch();
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await keys();
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('r24-fixes-review-'));
});
afterAll(async () => {
  await ws.cleanup();
  await s.cleanup();
  await cleanup?.();
});
const HOURS = 3 * 3600;

describe('SIP over TCP released at the capture end', () => {
  const tcp = (seq: number, payload: string) => buildIpv4Tcp({ src: '10.0.0.1', dst: '10.0.0.2', sport: 5060, dport: 5060, seq, ack: 1, flags: TcpFlag.PSH, payload: Buffer.from(payload, 'latin1') });
  const sipTcp = (startLine: string, method: string, callId: string, headers: string[], body: string) =>
    [startLine, `Via: SIP/2.0/TCP 10.0.0.1:5060;branch=z9hG4bK-${callId}${method}`, 'From: <sip:a@10.0.0.1>;tag=aaa', 'To: <sip:b@10.0.0.2>', `Call-ID: ${callId}`, `CSeq: 1 ${method}`, ...headers, ...(body ? ['Content-Type: application/sdp'] : []), `Content-Length: ${Buffer.byteLength(body, 'latin1')}`, '', body].join('\r\n');
  const srUdp = (ssrc: number, n: number) => buildEthernetIpv4Udp({ src: '10.0.0.9', dst: '10.0.0.8', sport: 7001, dport: 7002, payload: encodeRtcpCompound([{ pt: 200, ssrc, ntpSec: 3976214400 + n, ntpFrac: 0, rtpTs: 0, packetCount: n, octetCount: 100, reports: [] }]) });

  async function capture(name: string, exp: number, outlier: boolean): Promise<string> {
    const opt = sipTcp('OPTIONS sip:b@10.0.0.2 SIP/2.0', 'OPTIONS', 'probe@x', [], '');
    const inv = sipTcp('INVITE sip:b@10.0.0.2 SIP/2.0', 'INVITE', CALL, [`AI-Pref: apt-x;integrity=jws;token=${await token({ sub: 'apt-x', exp })}`], sdpOf('a', []));
    const recs = [
      { ts: T0 + 0.05, data: tcp(1, opt) },
      // 10 bytes after the OPTIONS never captured: the INVITE is held behind the gap to the end
      { ts: T0 + 0.1, data: tcp(1 + opt.length + 10, inv) },
      { ts: T0 + 1, data: srUdp(9999, 1) },
      { ts: T0 + 3, data: srUdp(9999, 3) },
      ...(outlier ? [{ ts: T0 + HOURS, data: srUdp(9998, 4) }] : []),
    ];
    const file = await ws.file(`${name}.pcap`);
    await writePcapRecords(file, encodePcapFileHeader(1), recs);
    return file;
  }
  async function all(file: string) {
    const base = await replayLines({ capture: file, policy: policy(), workers: 0 });
    for (const workers of [0, 2])
      for (const maxBatchRecords of [undefined, 1, 2, 3, 4, 5, 6, 7]) {
        const r = await replayLines({ capture: file, policy: policy(), workers, ...(maxBatchRecords ? { maxBatchRecords } : {}) });
        expect([r.reports, r.decisions, r.exports], `workers ${workers} batches ${maxBatchRecords}`).toEqual([base.reports, base.decisions, base.exports]);
      }
    return base;
  }
  const failures = (run: Awaited<ReturnType<typeof all>>) => parseLines<ReportLine>(run.reports).filter((r) => r.type === 'integrity-failure').map((r) => [r.frame, r.detail]);

  it('a valid token released after a lone outlier last record: judged at the clock, no failure', async () => {
    const run = await all(await capture('held-valid', 100, true));
    expect(run.result.summary.sip).toBe(3); // OPTIONS, the held INVITE, the bytes-lost report
    expect(failures(run)).toEqual([]);
  });
  it('a token whose exp the clock passed (T0+2 < 3 s): expired at the release', async () => {
    const run = await all(await capture('held-expired', 2, true));
    expect(failures(run)).toEqual([[5, 'expired: token has expired: counted as most restrictive']]);
  });
});

describe('three signed values in one message stamped 3 h ahead', () => {
  const APTS = {};
  const capture = (hx: string, hy: string, z: string) => (at: At) => {
    at(0.1, request('INVITE', 1, sdpOf('a', []), [hx], ''), true); // 1
    at(0.2, response('200 OK', 1, sdpOf('b', [])), false); // 2
    rtcpAt(at, 5); // 3
    at(5 + HOURS, request('INVITE', 2, sdpOf('a', [`a=aipref:session apt-z integrity=jws token=${z}`]), [hx, hy]), true); // 4: the lone outlier
    at(6, response('200 OK', 2, sdpOf('b', [])), false); // 5
    rtcpAt(at, 7); // 6
    rtcpAt(at, 8); // 7
  };
  it('all verified at the clock and committed by the answer (workers 0/2 × batches, CLI 0/1/2)', async () => {
    const hx = `AI-Pref: apt-x;integrity=jws;token=${await token({ sub: 'apt-x', exp: 100 })}`;
    const hy = `AI-Pref: apt-y;scope=dialog;integrity=jws;token=${await token({ sub: 'apt-y', exp: 200 })}`;
    const z = await token({ sub: 'apt-z', exp: 200 });
    const write = capture(hx, hy, z);
    const run = await replayAll(ws, 'three-signed', write);
    expect(parseLines<ReportLine>(run.reports).filter((r) => r.type === 'integrity-failure' || r.type === 'unresolved-apt')).toEqual([]);
    expect(decided(run)).toEqual(['3 export raw-allowed', '6 export raw-allowed', '7 export raw-allowed']);
    const cli = await s.replay('three-signed', write, { apts: APTS, keys: { k1: helperJwk } });
    expect(decisionsOf(cli)).toEqual(decided(run));
  });
});

describe('a live reload re-verifies a token at the clock it came at', () => {
  let signer: CryptoKey;
  let pub: JWK;
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    signer = pair.privateKey;
    pub = await exportJWK(pair.publicKey);
  });
  const tok = (T: number, exp: number) => new SignJWT({ type: 'user', export: 'raw' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).setIssuedAt(Math.floor(T) - 60).setSubject('apt-x').setExpirationTime(Math.floor(T) + exp).sign(signer);

  it('live --hep: a refresh token stamped 3 h ahead, committed, survives a SIGHUP reload', async () => {
    const T = Math.floor(Date.now() / 1000) + 0.25;
    const c = call('call-r24f', T, { aiPref: `apt-x;integrity=jws;token=${await tok(T, 1000)}`, n: 3 });
    // the refresh (exp T+2000), in a record stamped 3 h ahead: valid at the clock, expired (T+2000 < T+3 h) by its stamp
    const reinvite = sip('INVITE sip:bob@10.0.0.2 SIP/2.0', 'call-r24f', '2 INVITE', { toTag: 'b1', aiPref: `apt-x;integrity=jws;token=${await tok(T, 2000)}` });
    const reinv: TimedPkt = { ...c.sip[0]!, ts: T + HOURS, payload: reinvite };
    const ok: TimedPkt = { ...c.sip[1]!, ts: T + 1.7, payload: sip('SIP/2.0 200 OK', 'call-r24f', '2 INVITE', { toTag: 'b1' }) };
    const first = [...c.sip, c.media[0]!, c.media[1]!, reinv, ok, c.media[2]!, c.media[3]!];
    const last = c.media[4]!;
    const pol = path.join(dir, 'reload.policy.json');
    await writeJson(pol, { apts: {}, keys: { k1: pub } });
    let live: LiveChild | undefined;
    try {
      const out = path.join(dir, 'reload-live');
      const st = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', pol, '--explain']);
      live = st.live;
      const port = st.addresses.metrics!.port;
      await sendDatagrams(st.addresses.hep!.udp.port, first.map(hepFrame));
      await untilReceived(port, 'hep', first.length);
      for (let i = 0; i < 100; i++) {
        const t = await scrape(port);
        if (['export', 'aggregate', 'drop'].reduce((n, o) => n + metric(t, `aipref_decisions_total{outcome="${o}"}`), 0) >= 4) break;
        await sleep(50);
      }
      await writeFile(pol, JSON.stringify({ apts: { 'apt-other': { type: 'domain', export: 'none' } }, keys: { k1: pub } }));
      live.child.kill('SIGHUP');
      await live.waitFor((l) => l.event === 'reload');
      await sendDatagrams(st.addresses.hep!.udp.port, [hepFrame(last)]);
      await untilReceived(port, 'hep', first.length + 1);
      const got = await stopAndRead(live, out, true);
      expect(got.code).toBe(0);
      expect(got.reports.filter((r) => r.type === 'integrity-failure')).toEqual([]);
      const decisions = got.decisions.map((d) => `${d.frame} ${d.decision} ${d.reason}`);
      expect(decisions.at(-1)).toBe(`${first.length + 1} export raw-allowed`);
      expect(decisions.every((d) => d.endsWith('export raw-allowed'))).toBe(true);
    } finally {
      kill(live);
    }
  }, 40_000);
});

describe("plain mirror: 1111's own early RTP", () => {
  it('the unbound 1111 its own RTP made is retired at the INVITE: the report about it exports as offline', async () => {
    const offer = sdp('10.0.0.1', [['m=audio 4000 RTP/AVP 0', 'a=ssrc:1111 cname:a']], ['a=aipref:session apt-x']);
    const answer = sdp('10.0.0.2', [['m=audio 5000 RTP/AVP 0']]);
    const early = [1, 2].map((seq) => ({ src: '10.0.0.1', dst: '10.0.0.2', sport: 4000, dport: 5000, payload: encodeRtpPacket({ pt: 0, seq, ts: seq * 160, ssrc: 1111, payload: new Uint8Array(20) }) }));
    const report = { src: '10.0.0.2', dst: '10.0.0.1', sport: 5001, dport: 4001, payload: encodeRtcpCompound([srOf(2222, [{ ssrc: 1111 }]), sdesPriv(2222, 'apt-x')]) };
    const Tn = Math.floor(Date.now() / 1000) - 5;
    const pkts: TimedPkt[] = [...early, ...callSetup({ offer, answer }), report].map((p, i) => ({ ...p, ts: Tn + i * 0.1 }));
    const pol = await writeJson(path.join(dir, 'plain.policy.json'), { apts: { 'apt-x': { type: 'domain', export: 'raw', retention: '1h' } } });
    const capture = await writePkts(path.join(dir, 'plain.pcap'), pkts);
    const off = await offline(capture, path.join(dir, 'plain-off'), ['--policy', pol, '--explain']);
    const srOf2222 = (run: { decisions: Record<string, unknown>[] }) => run.decisions.filter((d) => d.ssrc === 2222 && d.pt === 200).map((d) => `${d.decision} ${d.reason} ${(d.apt as string[]).join(',')}`);
    expect(srOf2222(off)).toEqual(['export raw-allowed apt-x']);
    let live: LiveChild | undefined;
    try {
      const out = path.join(dir, 'plain-live');
      const st = await startLive(out, ['--udp', '127.0.0.1:0', '--policy', pol, '--explain']);
      live = st.live;
      await sendDatagrams(st.addresses.udp!.port, pkts.map((p) => p.payload));
      await untilReceived(st.addresses.metrics!.port, 'udp', pkts.length);
      const got = await stopAndRead(live, out, true);
      expect(srOf2222(got)).toEqual(['export raw-allowed apt-x']);
    } finally {
      kill(live);
    }
  }, 40_000);
});

describe('f97e674: the dummy prefix', () => {
  it.each(['100:0:0:1::', '100:0:0:1::ABCD', '0100:0000:0000:0001:0000:0000:0000:0001', '100::1:0:0:0:1', '100:0:0:1:ffff:ffff:ffff:ffff', '100:0:0:1::1%eth0'])('%s is refused as a dummy-prefix address', (a) => {
    expect(nonPublicAddress(a)).toBe('a dummy-prefix address');
  });
  it('its neighbours: 100::/64 discard-only, 100:0:0:2:: public; embedded IPv4 forms as before', () => {
    expect(nonPublicAddress('100::ffff:ffff:ffff:ffff')).toBe('a discard-only address');
    expect(nonPublicAddress('100:0:0:0:1::')).toBe('a discard-only address');
    expect(nonPublicAddress('100:0:0:2::')).toBeNull();
    expect(nonPublicAddress('100:0:0:0:ffff::1')).toBe('a discard-only address');
    expect(nonPublicAddress('64:ff9b::8.8.8.8')).toBeNull();
    expect(nonPublicAddress('2002:a00:1::')).toMatch(/^a 6to4 address of 10\.0\.0\.1, a private address$/);
  });
});
