/**
 * Window-lifecycle checks that came out FINE (SPEC §4 windows, §3 retention, §5 renegotiation,
 * §8 --window / results identical whatever --workers is). Input: the hand-built two-party call
 * (test/e2e/hand-built-calls.ts: A 10.0.0.1 SSRC 1111 RTCP 4001, B 10.0.0.2 SSRC 2222 RTCP 5001,
 * `a=aipref:session px`), px / py = {type user, export aggregated-only, retention 1h unless said};
 * every run with workers 0 and 2 (exports, reports, decisions byte-identical; harness.ts).
 * Checked:
 *  - an item exactly at start + window opens the next window (half-open [start, end)): SRs at
 *    1, 5, 11, 21, 21.5 → [1,11] 2 items, [11,21] 1, [21,21.5] 2 (end of capture);
 *    expiresAt = first item + 3600; requestIds distinct;
 *  - re-INVITE replacing px by py: window closes at the offer (T+3), the item between offer and
 *    answer is in its own [px,py] window closed at the answer (T+4), then a [py] window;
 *  - retention 4 s < window 10 s: windows close at first item + 2 s exactly, an item exactly at
 *    that time opens the next; expiresAt = first item + 4 s;
 *  - RTCP BYE mid-window: the window (with the BYE counted, packets.bye 1) ends at the BYE's time;
 *  - SIP BYE (dialog end) mid-window: both streams' windows end at the BYE's time;
 *  - end of capture: every open window of both streams ends at the capture's last record time;
 *  - a window of only feedback and XR: report-block statistics null, voip and feedback counted;
 *  - CLI: `--window 1s` beats the policy file's `window: "90s"`; without it the file's 90 s
 *    applies; `--window 0.5s` and `--window 0` exit 2 with one usage line.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, Workspace, writePolicy } from '../e2e-helpers.js';
import { request, response, sdpOf, writeCall } from '../hand-built-calls.js';
import type { RtcpPacketInput } from '../../../src/media/rtcp/encode.js';
import { AGG, byeOf, rtcpAt, run, setup, srOf, T0 } from './harness.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
type Agg = Awaited<ReturnType<typeof run>>['aggs'][number];
const rel = (a: Agg) => ({ ssrc: a.ssrc, start: (a.window as { start: number }).start - T0, end: (a.window as { end: number }).end - T0, items: a.items, expiresAt: a.expiresAt === null ? null : a.expiresAt - T0, apt: [...a.apt].sort() });

describe('window lifecycle (fine)', () => {
  it('an item exactly at start + window opens the next window', async () => {
    const o = await run(ws, (at) => { setup(at, ['a=aipref:session px']); for (const t of [1, 5, 11, 21, 21.5]) rtcpAt(at, t, true, [srOf(1111)]); }, { apts: { px: AGG() } });
    expect(o.aggs.map(rel)).toEqual([
      { ssrc: 1111, start: 1, end: 11, items: 2, expiresAt: 3601, apt: ['px'] },
      { ssrc: 1111, start: 11, end: 21, items: 1, expiresAt: 3611, apt: ['px'] },
      { ssrc: 1111, start: 21, end: 21.5, items: 2, expiresAt: 3621, apt: ['px'] },
    ]);
    expect(o.aggs.map((a) => a.ts - T0)).toEqual([11, 21, 21.5]);
    expect(new Set(o.aggs.map((a) => a.requestId)).size).toBe(3);
  });
  it('re-INVITE: closes at the offer; the offer-to-answer items apart; then the new scope', async () => {
    const o = await run(ws, (at) => {
      setup(at, ['a=aipref:session px']);
      rtcpAt(at, 1, true, [srOf(1111)]);
      rtcpAt(at, 2, true, [srOf(1111)]);
      at(3, request('INVITE', 2, sdpOf('a', ['a=aipref:session py'])), true);
      rtcpAt(at, 3.5, true, [srOf(1111)]);
      at(4, response('200 OK', 2, sdpOf('b', [])), false);
      at(4.1, request('ACK', 2, null), true);
      rtcpAt(at, 5, true, [srOf(1111)]);
    }, { apts: { px: AGG(), py: AGG() } });
    expect(o.aggs.map(rel)).toEqual([
      { ssrc: 1111, start: 1, end: 3, items: 2, expiresAt: 3601, apt: ['px'] },
      { ssrc: 1111, start: 3.5, end: 4, items: 1, expiresAt: 3603.5, apt: ['px', 'py'] },
      { ssrc: 1111, start: 5, end: 5, items: 1, expiresAt: 3605, apt: ['py'] },
    ]);
  });
  it('retention 4 s, window 10 s: closes at first item + 2 s; an item exactly then opens the next', async () => {
    const o = await run(ws, (at) => { setup(at, ['a=aipref:session px']); for (const t of [1, 2, 3, 3.5, 5]) rtcpAt(at, t, true, [srOf(1111)]); }, { apts: { px: AGG('4s') } });
    expect(o.aggs.map(rel)).toEqual([
      { ssrc: 1111, start: 1, end: 3, items: 2, expiresAt: 5, apt: ['px'] },
      { ssrc: 1111, start: 3, end: 5, items: 2, expiresAt: 7, apt: ['px'] },
      { ssrc: 1111, start: 5, end: 5, items: 1, expiresAt: 9, apt: ['px'] },
    ]);
  });
  it('RTCP BYE mid-window ends it at the BYE, counted once', async () => {
    const o = await run(ws, (at) => { setup(at, ['a=aipref:session px']); rtcpAt(at, 1, true, [srOf(1111)]); rtcpAt(at, 3, true, [srOf(1111), byeOf(1111)]); rtcpAt(at, 5, true, [srOf(1111)]); }, { apts: { px: AGG() } });
    expect(o.aggs.map(rel)).toEqual([
      { ssrc: 1111, start: 1, end: 3, items: 3, expiresAt: 3601, apt: ['px'] },
      { ssrc: 1111, start: 5, end: 5, items: 1, expiresAt: 3605, apt: ['px'] },
    ]);
    expect(o.aggs[0]!.packets).toEqual({ sr: 2, rr: 0, sdes: 0, bye: 1, app: 0, rtpfb: 0, psfb: 0, xr: 0 });
  });
  it('SIP BYE and end of capture end both streams\' windows at their time', async () => {
    const bye = await run(ws, (at) => { setup(at, ['a=aipref:session px']); rtcpAt(at, 1, true, [srOf(1111)]); rtcpAt(at, 2, false, [srOf(2222)]); at(4, request('BYE', 2, null), true); }, { apts: { px: AGG() } });
    expect(bye.aggs.map((a) => [a.ssrc, rel(a).start, rel(a).end, a.items])).toEqual([[1111, 1, 4, 1], [2222, 2, 4, 1]]);
    const eoc = await run(ws, (at) => { setup(at, ['a=aipref:session px']); rtcpAt(at, 1, true, [srOf(1111)]); rtcpAt(at, 2, false, [srOf(2222)]); rtcpAt(at, 4, true, [srOf(1111)]); }, { apts: { px: AGG() } });
    expect(eoc.aggs.map((a) => [a.ssrc, rel(a).start, rel(a).end, a.items])).toEqual([[1111, 1, 4, 2], [2222, 2, 4, 1]]);
  });
  it('a window of feedback and XR only', async () => {
    const nack = { pt: 205, fmt: 1, senderSsrc: 1111, mediaSsrc: 2222, fci: new Uint8Array([0, 1, 0, 0]) } as unknown as RtcpPacketInput;
    const xr = { pt: 207, ssrc: 1111, blocks: [{ bt: 7, ssrc: 2222, lossRate: 1, discardRate: 0, burstDensity: 0, gapDensity: 0, burstDuration: 0, gapDuration: 0, roundTripDelay: 10, endSystemDelay: 20, signalLevel: 127, noiseLevel: 127, rerl: 127, gmin: 16, rFactor: 90, extRFactor: 127, mosLq: 40, mosCq: 41, rxConfig: 0, jbNominal: 0, jbMaximum: 0, jbAbsMax: 0 }] } as unknown as RtcpPacketInput;
    const o = await run(ws, (at) => { setup(at, ['a=aipref:session px']); rtcpAt(at, 1, true, [nack]); rtcpAt(at, 2, true, [xr]); }, { apts: { px: { ...AGG(), features: ['feedback', 'rtcp-xr', 'media-metrics'] } } });
    expect(o.exports.map((e) => e.stats)).toEqual([
      { items: 2, packets: { sr: 0, rr: 0, sdes: 0, bye: 0, app: 0, rtpfb: 1, psfb: 0, xr: 1 }, reportBlocks: 0, lossFraction: null, cumulativeLost: null, jitter: null, jitterMs: null, rttMs: null, voip: { blocks: 1, mosLq: 4, mosCq: 4.1, rFactor: 90 }, feedback: { nack: 1, pli: 0, fir: 0, remb: 0, twcc: 0, other: 0 } },
    ]);
  });
  it('CLI: --window beats the policy file\'s window; sub-second and zero refused', async () => {
    const file = await ws.file('cli.pcap');
    await writeCall(file, (at) => { setup(at, ['a=aipref:session px']); for (const t of [1, 1.5, 2, 2.5, 3]) rtcpAt(at, t, true, [srOf(1111)]); });
    const pol = await writePolicy(ws, 'p.json', { apts: { px: AGG() }, window: '90s' });
    const windows = async (args: string[]) => {
      const out = await ws.file(`o${args.join('')}`);
      const r = await cli('replay', file, '--policy', pol, '--out', out, ...args);
      if (r.code !== 0) return { code: r.code, stderr: r.stderr.split('\n')[0] };
      return { code: 0, w: (await readFile(`${out}/exports.ndjson`, 'utf8')).trim().split('\n').map((l) => { const e = JSON.parse(l); return [e.window.start - T0, e.window.end - T0, e.stats.items]; }) };
    };
    expect(await windows([])).toEqual({ code: 0, w: [[1, 3, 5]] });
    expect(await windows(['--window', '1s'])).toEqual({ code: 0, w: [[1, 2, 2], [2, 3, 2], [3, 3, 1]] });
    expect(await windows(['--window', '0.5s'])).toEqual({ code: 2, stderr: "aipref-enforcer replay: --window takes a duration such as 10s or 1m, not '0.5s'" });
    expect(await windows(['--window', '0'])).toEqual({ code: 2, stderr: "aipref-enforcer replay: --window takes a duration such as 10s or 1m, not '0'" });
  });
});
