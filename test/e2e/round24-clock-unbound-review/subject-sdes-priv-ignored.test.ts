/**
 * Found by a review of b0f1ea9 (an unbound sender's subject declared by a=ssrc), fixed since: a subject stream the payloads already made in the unbound session (an SDES chunk with its PRIV tag) still governs; only making a new one is skipped (src/pipeline/media-core.ts rtcp's subject loop).
 * Input: call A→B (hand-built-calls: A 10.0.0.1 audio 4000 declares `a=ssrc:1111`, B 10.0.0.2
 *   audio 5000 `a=ssrc:2222`, both m-sections `a=aipref:mid apt-x`; policy apt-x raw, apt-none
 *   export none, both domain). Then an RTCP compound from a sender no SDP names (10.0.0.1:7001 →
 *   10.0.0.2:7002, SSRC 5555 — as every sender without an a=ssrc line is in a plain mirror): an RR
 *   whose report block is about 1111, and an SDES with two chunks: 5555 {CNAME, PRIV aipref
 *   apt-x} and 1111 {CNAME, PRIV aipref apt-none}. Replayed by the CLI (--workers 0, 1, 2,
 *   identical), and sent to a real `live --udp` (plain mirror) as its payloads.
 * Was (observed, offline and live alike): the RR and the SDES (frame 3) `export raw-allowed`
 *   under ["apt-x"] — the subject 1111's own PRIV tag (apt-none) is passed over, though the
 *   binding table (in-process replay, result.bindings) still holds 1111's unbound stream bound
 *   `via sdes-priv` to ["apt-none"], and `streams` counts it. (By reading: before b0f1ea9 the
 *   subject's stream in the sender's session was looked up, its apt-none governed, both dropped.)
 * Correct: drop (`export-none`). SPEC §2: an SDES PRIV aipref item binds that SSRC, and
 *   "media-plane tags never relax signaling" (a tag that differs from the signaled identifier:
 *   both apply, most restrictive wins); §4: an item reporting on another source is governed by
 *   that source's stream too. README (plain mirror): streams bind "through what the payloads say
 *   (a=ssrc, SDES PRIV tags)". b0f1ea9 meant not to *make* a second, unbound stream for a
 *   declared subject — not to ignore one the payloads already made and tagged.
 * Fix: src/pipeline/media-core.ts readRtcp's subject loop: when `elsewhere !== null` and
 *   `session.scope === null`, still take the subject's stream of this session where it exists
 *   (`session.streams.get(ssrc)`: its preference, stopped/governing as before); only skip
 *   making one (streamFor) when it does not.
 */
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../../src/media/rtcp/encode.js';
import { type At, request, response, sdpOf } from '../hand-built-calls.js';
import { ensureBuilt, kill, sendDatagrams, startLive, stopAndRead, tempDir, untilReceived, writeJson, type LiveChild } from '../../live/live-vs-replay-review/lvr-helpers.js';
import { decisionsOf, Scratch } from './lib.js';

const s = new Scratch();
afterAll(() => s.cleanup());
beforeAll(ensureBuilt);

const POLICY = { apts: { 'apt-x': { type: 'domain', export: 'raw', retention: '1h' }, 'apt-none': { type: 'domain', export: 'none', retention: '1h' } } };
const chunk = (ssrc: number, priv: string) => ({ ssrc, items: [{ type: 1, text: `c${ssrc}@x` }, { type: 8, prefix: 'aipref', value: priv }] });
const compound = () =>
  encodeRtcpCompound([
    { pt: 201, ssrc: 5555, reports: [{ ssrc: 1111, fractionLost: 1, cumulativeLost: 2, highestSeq: 3, jitter: 4, lsr: 0, dlsr: 0 }] } as never,
    { pt: 202, chunks: [chunk(5555, 'apt-x'), chunk(1111, 'apt-none')] } as never,
  ]);
const mid = ['a=aipref:mid apt-x'];
const payloads = () => [request('INVITE', 1, sdpOf('a', mid), [], ''), response('200 OK', 1, sdpOf('b', mid)), compound()];

it('offline (CLI, workers 0/1/2): the RR about 1111 and the SDES naming 1111 are dropped by 1111\'s own PRIV tag apt-none', async () => {
  const [invite, ok, rtcp] = payloads();
  const run = await s.replay('priv', (at: At) => {
    at(0.1, invite!, true);
    at(0.2, ok!, false);
    at(1, rtcp!, true, 7001, 7002);
  }, POLICY);
  expect(decisionsOf(run, 5555)).toEqual(['3 drop export-none', '3 drop export-none']);
});

it('live --udp (plain mirror): the same', async () => {
  const { dir, cleanup } = await tempDir('r24-priv-live-');
  let live: LiveChild | undefined;
  try {
    const policy = await writeJson(path.join(dir, 'policy.json'), POLICY);
    const out = path.join(dir, 'live');
    const started = await startLive(out, ['--udp', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = started.live;
    const p = payloads();
    await sendDatagrams(started.addresses.udp!.port, p, 20);
    await untilReceived(started.addresses.metrics!.port, 'udp', p.length);
    const got = await stopAndRead(live, out, true);
    expect(got.code).toBe(0);
    const mine = got.decisions.filter((d) => d.ssrc === 5555).map((d) => `${d.pt} ${d.decision} ${d.reason}`);
    expect(mine).toEqual(['201 drop export-none', '202 drop export-none']);
  } finally {
    kill(live);
    await cleanup();
  }
}, 40_000);
