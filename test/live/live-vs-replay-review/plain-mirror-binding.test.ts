/**
 * Found by a review of live against replay, a known limit until stop 38; fixed since: in no call's
 * session (a plain mirror's unbound sender), a report block's subject that a call declares with
 * a=ssrc is that call's stream alone — no second, unbound stream is made for it
 * (src/pipeline/media-core.ts, rtcp's subject loop). What the README says of MIDs stands: a MID
 * names an m-section of a dialog found by transport, so a plain mirror binds no stream by MID
 * alone (the second `it` holds the README's word, as this header said it would).
 *
 * Input: one call A (10.0.0.1) → B (10.0.0.2), SIP on 5060: the offer `a=aipref:session apt-x`,
 * `m=audio 4000`, `a=mid:a`, `a=extmap:3 …sdes:mid`, `a=ssrc:1111`; the answer `m=audio 5000`,
 * `a=mid:a`, the same extmap, no a=ssrc. Then B's RTP (SSRC 2222, mid extension "a"), B's RTCP
 * SR (2222, one report block about 1111) + SDES (CNAME, MID "a"), A's RTCP SR (1111). Policy:
 * `apt-x` domain, raw, 1h. Offline: a pcap; live: `live --udp` (plain mirror), the same six
 * payloads in order.
 *
 * Was (plain mirror), against offline:
 * - SSRC 2222 — offline `bindings`: `via rtp-mid apt [apt-x]`, its SR and SDES exported
 *   (`raw-allowed`, apt ["apt-x"]); live: both `drop`, `no-preference`, apt [], and an
 *   `unbound-stream` report for 2222. Neither the RTP mid extension nor the SDES MID binds it,
 *   though only one dialog negotiated mid "a".
 * - SSRC 1111 — bound by a=ssrc (its own SR exported under apt-x, live as offline) — is
 *   reported `{"type":"unbound-stream","frame":5,"dialog":null,"ssrc":1111,"detail":"no dialog
 *   binds this stream"}` and counted as a stream a second time (summary `streams` 3, offline 2),
 *   because 2222's report block names it. In a plain mirror every sender without an a=ssrc line
 *   is unbound, so this happens to nearly every a=ssrc stream (generated 4-call capture: 16
 *   `unbound-stream` reports, `streams` 22 against 16 offline; test/live/live.test.ts asserts
 *   "all unbound" for it).
 *
 * Correct: README "Live beside a media relay": `--udp-mode plain` binds streams "only through
 * what the payloads say (a=ssrc, SDES, RTP MID), not by transport" — so the MID said by the
 * payloads binds 2222 (the one m-section with mid "a"), and an SSRC an a=ssrc line binds is
 * never reported as one no dialog binds (SPEC §6 `unbound-stream`: telemetry with no dialog).
 * If MIDs cannot bind without a transport (several dialogs use mid "a"), the README must say
 * so — then the first `it` is the README's, the second still holds.
 *
 * Fix: src/pipeline/media-core.ts streamFor / lookup for report subjects: look the subject SSRC
 * up among the a=ssrc bindings of the dialogs before making an unbound stream in the sender's
 * session; src/binding/stream-table.ts (mid binding) for a MID that names one dialog's
 * m-section when no transport is known (plain mirror), or README.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { encodeRtpPacket } from '../../../src/media/rtp-encode.js';
import { callSetup, sdp, sdesMid, sr } from '../../e2e/calls-on-any-address.js';
import { ensureBuilt, kill, offline, sendDatagrams, startLive, stopAndRead, tempDir, untilReceived, writeJson, writePkts, type LiveChild, type TimedPkt } from './lvr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
type Run = Awaited<ReturnType<typeof offline>>;
let off: Run;
let got: Run & { code: number | null };

beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('lvr-plain-'));
  const T = Math.floor(Date.now() / 1000) - 5;
  const ext = 'a=extmap:3 urn:ietf:params:rtp-hdrext:sdes:mid';
  const offer = sdp('10.0.0.1', [['m=audio 4000 RTP/AVP 0', 'a=mid:a', ext, 'a=ssrc:1111 cname:a']], ['a=aipref:session apt-x']);
  const answer = sdp('10.0.0.2', [['m=audio 5000 RTP/AVP 0', 'a=mid:a', ext]]);
  const media = [
    { src: '10.0.0.2', dst: '10.0.0.1', sport: 5000, dport: 4000, payload: encodeRtpPacket({ pt: 0, seq: 1, ts: 1, ssrc: 2222, payload: new Uint8Array(20), extensions: [{ id: 3, value: new TextEncoder().encode('a') }] }) },
    { src: '10.0.0.2', dst: '10.0.0.1', sport: 5001, dport: 4001, payload: encodeRtcpCompound([sr(2222, [{ ssrc: 1111 }]), sdesMid(2222, 'a')]) },
    { src: '10.0.0.1', dst: '10.0.0.2', sport: 4001, dport: 5001, payload: encodeRtcpCompound([sr(1111, [])]) },
  ];
  const pkts: TimedPkt[] = [...callSetup({ offer, answer }), ...media].map((p, i) => ({ ...p, ts: T + i * 0.1 }));
  const policy = await writeJson(path.join(dir, 'policy.json'), { apts: { 'apt-x': { type: 'domain', export: 'raw', retention: '1h' } } });
  const capture = await writePkts(path.join(dir, 'c.pcap'), pkts);
  off = await offline(capture, path.join(dir, 'off'), ['--policy', policy, '--explain']);
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, 'live');
    const s = await startLive(out, ['--udp', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = s.live;
    await sendDatagrams(s.addresses.udp!.port, pkts.map((p) => p.payload));
    await untilReceived(s.addresses.metrics!.port, 'udp', pkts.length);
    got = await stopAndRead(live, out, true);
  } finally {
    kill(live);
  }
}, 40_000);
afterAll(async () => cleanup?.());

const decisionsOf = (run: Run, ssrc: number) => run.decisions.filter((d) => d.ssrc === ssrc).map((d) => `${d.pt} ${d.decision} ${d.reason} ${(d.apt as string[]).join(',')}`);

it('offline: 2222 (rtp-mid) and 1111 (a=ssrc) are bound and exported under apt-x, nothing unbound', () => {
  expect(decisionsOf(off, 2222)).toEqual(['200 export raw-allowed apt-x', '202 export raw-allowed apt-x']);
  expect(decisionsOf(off, 1111)).toEqual(['200 export raw-allowed apt-x']);
  expect(off.reports).toEqual([]);
  expect(off.summary.streams).toBe(2);
  expect(got.code).toBe(0);
  // the a=ssrc stream's own telemetry is decided alike by the plain mirror
  expect(decisionsOf(got, 1111)).toEqual(['200 export raw-allowed apt-x']);
});

it('plain mirror: a MID alone binds no stream (README: not by MID, which names an m-section of a dialog found by transport)', () => {
  expect(decisionsOf(got, 2222)).toEqual(['200 drop no-preference ', '202 drop no-preference ']);
  expect(got.reports.filter((r) => r.ssrc === 2222).map((r) => r.type)).toEqual(['unbound-stream']);
});

it('plain mirror: the a=ssrc-bound SSRC 1111 is not reported unbound nor counted as a second stream', () => {
  expect(got.reports.filter((r) => r.type === 'unbound-stream' && r.ssrc === 1111)).toEqual([]);
  expect(got.summary.streams).toBe(2);
});
