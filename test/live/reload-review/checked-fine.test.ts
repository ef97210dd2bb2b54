/**
 * Checks of `live` policy reload and of --hep with --udp at once that came out FINE.
 *
 * 1. Reload removing a running call's statement (HEP; INVITE `AI-Pref: apt-x`, bare; file
 *    apt-x raw → `{apts: {}}`): items before the reload's batch are decided exactly as a replay
 *    with the old file, from it on exactly as a replay with the new one (frame by frame); each
 *    stream is told `unresolved-apt` at the first packet after the reload; implicit-binding not
 *    repeated; summary packets 15.
 * 2. Reload resolving an unresolved identifier (`{apts: {}}` → apt-x raw): the cut as in 1.
 * 3. What the call signaled survives reloads (SDP `a=aipref:session apt-x export=raw`): the
 *    file's aggregated-only statement of apt-x removed → the call's own raw decides from the
 *    reload on; an unrelated change of the file (apt-y added) changes no decision and adds no
 *    report (no doubled inconsistent-signaling).
 * 4. A broken file at reload (`"default": nul`): one `reload-failed` line naming the file and
 *    line/column, the old policy kept (all 12 items exported as before), nothing lost.
 * 5. A SIGHUP storm (every ~3 ms, the file atomically replaced each time) while
 *    `replay --to hep:// --speed 0` streams an 8-call generated capture, workers 0 and 2:
 *    with identical content, exports, reports, decisions and summary equal the offline replay;
 *    with alternating content, no crash, no reload-failed, packets = sent, every output line
 *    parses as JSON and the summary's telemetry counts equal the decision lines.
 * 6. --hep and --udp (ip-packet) at once: SIP by HEP and RTCP by UDP, and the reverse: the same
 *    decisions and reports (times aside: UDP times are arrival times) and summary as a replay;
 *    /metrics aipref_packets_total and the per-source received counts count both sources.
 *    --udp plain with a=ssrc lines: the mirrored media binds by a=ssrc as in the replay.
 */
import { spawn } from 'node:child_process';
import { copyFile, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCapture } from '../../../samples/generator/generate-capture.js';
import { call, ensureBuilt, hepFrame, ipPacket, kill, metric, offline, REPO_ROOT, scrape, sendDatagrams, sleep, startLive, stopAndRead, tempDir, untilReceived, writeJson, writePkts, type LiveChild, type TimedPkt } from './rr-helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  await ensureBuilt();
  ({ dir, cleanup } = await tempDir('rr-pass-'));
});
afterAll(async () => cleanup?.());

type Line = Record<string, unknown>;
const decidedCount = (t: string) => ['export', 'aggregate', 'drop'].reduce((n, o) => n + metric(t, `aipref_decisions_total{outcome="${o}"}`), 0);

/** Live over HEP: `first` packets, wait until `firstDecisions` items are decided, write `v2` and SIGHUP, the rest. */
async function liveWithReload(name: string, pkts: TimedPkt[], first: number, firstDecisions: number, v1: object, v2: string) {
  const policy = await writeJson(path.join(dir, name + '.json'), v1);
  let live: LiveChild | undefined;
  try {
    const out = path.join(dir, name);
    const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy, '--explain']);
    live = s.live;
    const port = s.addresses.metrics!.port;
    await sendDatagrams(s.addresses.hep!.udp.port, pkts.slice(0, first).map(hepFrame));
    await untilReceived(port, 'hep', first);
    for (let i = 0; i < 100 && decidedCount(await scrape(port)) < firstDecisions; i++) await sleep(50);
    await writeFile(policy, v2);
    live.child.kill('SIGHUP');
    await live.waitFor((l) => l.event === 'reload' || l.event === 'reload-failed');
    await sendDatagrams(s.addresses.hep!.udp.port, pkts.slice(first).map(hepFrame));
    await untilReceived(port, 'hep', pkts.length);
    const got = await stopAndRead(live, out, true);
    expect(got.code).toBe(0);
    return { ...got, logs: live.logs };
  } finally {
    kill(live);
  }
}

const X = (o: object) => ({ apts: { 'apt-x': { type: 'domain', retention: '7d', ...o } } });
const before = (ls: Line[], cut: number) => ls.filter((d) => (d.frame as number) < cut);
const fromCut = (ls: Line[], cut: number) => ls.filter((d) => (d.frame as number) >= cut);

describe('reload while a call runs', () => {
  it('1, 2: a statement removed / an unresolved identifier resolved: old policy before the cut, new from it, as replays', async () => {
    const T = Math.floor(Date.now() / 1000) + 0.25;
    const c = call('call-1', T, { aiPref: 'apt-x' });
    const pkts = [...c.sip, ...c.media];
    const capture = await writePkts(path.join(dir, 'c1.pcap'), pkts);
    const raw = X({ export: 'raw' });
    const empty = { apts: {} };
    const offRaw = await offline(capture, path.join(dir, 'off-raw'), ['--policy', await writeJson(path.join(dir, 'raw.json'), raw), '--explain']);
    const offEmpty = await offline(capture, path.join(dir, 'off-empty'), ['--policy', await writeJson(path.join(dir, 'empty.json'), empty), '--explain']);
    const cut = 10;
    const removed = await liveWithReload('removed', pkts, 9, 6, raw, JSON.stringify(empty));
    expect(removed.summary.packets).toBe(15);
    expect(before(removed.decisions, cut)).toEqual(before(offRaw.decisions, cut));
    expect(fromCut(removed.decisions, cut)).toEqual(fromCut(offEmpty.decisions, cut));
    expect(removed.decisions.length).toBe(12);
    const unresolved = removed.reports.filter((r) => r.type === 'unresolved-apt');
    expect(unresolved.map((r) => [r.frame, r.ssrc, r.apt])).toEqual([[cut, 0x1000, ['apt-x']], [cut, 0x1001, ['apt-x']]]);
    expect(removed.reports.filter((r) => r.type === 'implicit-binding').length).toBe(2);
    expect(removed.logs.find((l) => l.event === 'reload')).toMatchObject({ changed: ['apts'] });

    const resolved = await liveWithReload('resolved', pkts, 9, 6, empty, JSON.stringify(raw));
    expect(before(resolved.decisions, cut)).toEqual(before(offEmpty.decisions, cut));
    expect(fromCut(resolved.decisions, cut)).toEqual(fromCut(offRaw.decisions, cut));
    expect(resolved.exports.length).toBe(6);
  }, 60_000);

  it("3: what the call signaled is delivered again at each reload, not lost and not doubled", async () => {
    const T = Math.floor(Date.now() / 1000) + 0.25;
    const c = call('call-3', T, { sdpExtra: ['a=aipref:session apt-x export=raw retention=7d'] });
    const pkts = [...c.sip, ...c.media];
    const agg = { 'apt-x': { type: 'domain', export: 'aggregated-only', retention: '24h' } };
    const y = { 'apt-y': { type: 'domain', export: 'none' } };
    const dropped = await liveWithReload('inline-a', pkts, 9, 6, { apts: agg }, JSON.stringify({ apts: y }));
    expect(dropped.decisions.map((d) => d.decision)).toEqual([...Array(6).fill('aggregate'), ...Array(6).fill('export')]);
    const unrelated = await liveWithReload('inline-b', pkts, 9, 6, { apts: agg }, JSON.stringify({ apts: { ...agg, ...y } }));
    expect(unrelated.decisions.map((d) => d.decision)).toEqual(Array(12).fill('aggregate'));
    // inconsistent-signaling (export, retention) once each, at the INVITE: not again at the reload
    expect(unrelated.reports.map((r) => [r.type, r.frame])).toEqual([['inconsistent-signaling', 1], ['inconsistent-signaling', 1]]);
  }, 60_000);

  it('4: a broken file: one reload-failed line naming the file, line and column; the old policy kept, nothing lost', async () => {
    const T = Math.floor(Date.now() / 1000) + 0.25;
    const c = call('call-4', T, { aiPref: 'apt-x' });
    const pkts = [...c.sip, ...c.media];
    const got = await liveWithReload('broken', pkts, 9, 6, X({ export: 'raw' }), '{"apts": {"apt-x": {"type": "domain", "export": "none"}},\n "default": nul }');
    const failed = got.logs.filter((l) => l.event === 'reload-failed');
    expect(failed).toHaveLength(1);
    expect(String(failed[0]!.error)).toMatch(/broken\.json: not valid JSON: line 2, column 13: /);
    expect(String(failed[0]!.error)).not.toContain('\n');
    expect(got.decisions.map((d) => d.decision)).toEqual(Array(12).fill('export'));
    expect(got.summary.packets).toBe(15);
  }, 30_000);
});

describe('5: a SIGHUP storm while a replay streams in', () => {
  const POLICY = path.join(REPO_ROOT, 'samples/policy.json');
  for (const workers of ['0', '2']) {
    for (const alternate of [false, true]) {
      it(`workers ${workers}, ${alternate ? 'alternating files' : 'identical file'}`, async () => {
        const tag = `${workers}-${alternate}`;
        const capture = path.join(dir, `gen-${tag}.pcap`);
        await generateCapture({ calls: 8, durationSec: 8, seed: 5, videoBytes: 200, packetRateScale: 0.3, startTime: Math.floor(Date.now() / 1000) }, capture);
        const full = JSON.parse(await readFile(POLICY, 'utf8')) as { apts: Record<string, object> };
        const alt = JSON.stringify({ ...full, apts: Object.fromEntries(Object.entries(full.apts).map(([k, v]) => [k, { ...v, export: 'raw' }])), default: 'apt-dom-2', window: '3s' });
        const policy = path.join(dir, `storm-${tag}.json`);
        await copyFile(POLICY, policy);
        const off = await offline(capture, path.join(dir, `storm-off-${tag}`), ['--policy', policy, '--explain']);
        let live: LiveChild | undefined;
        try {
          const out = path.join(dir, `storm-live-${tag}`);
          const s = await startLive(out, ['--hep', '127.0.0.1:0', '--policy', policy, '--explain', '--workers', workers]);
          live = s.live;
          const sender = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/aipref-enforcer.js'), 'replay', capture, '--to', `hep://127.0.0.1:${s.addresses.hep!.udp.port}`, '--speed', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
          let stdout = '';
          sender.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
          let finished = false;
          const done = new Promise<number | null>((r) => sender.on('exit', (code) => ((finished = true), r(code))));
          let hups = 0;
          while (!finished) {
            await writeFile(policy + '.tmp', alternate && hups % 2 === 0 ? alt : JSON.stringify(full));
            await rename(policy + '.tmp', policy);
            live.child.kill('SIGHUP');
            hups++;
            await sleep(3);
          }
          expect(await done).toBe(0);
          const sent = JSON.parse(stdout) as { sent: number; skipped: number };
          await untilReceived(s.addresses.metrics!.port, 'hep', sent.sent);
          const got = await stopAndRead(live, out, true);
          expect(got.code).toBe(0);
          expect(hups).toBeGreaterThan(10);
          expect(live.logs.filter((l) => l.event === 'reload').length).toBeGreaterThan(5);
          expect(live.logs.filter((l) => l.event === 'reload-failed')).toEqual([]);
          for (const f of await readdir(out)) {
            if (!f.endsWith('.ndjson')) continue;
            for (const l of (await readFile(path.join(out, f), 'utf8')).split('\n')) if (l !== '') expect(() => JSON.parse(l)).not.toThrow();
          }
          expect(got.summary.packets).toBe(sent.sent);
          expect(got.summary.packets).toBe(off.summary.packets);
          if (!alternate) {
            expect(got.summary).toEqual(off.summary);
            expect(got.decisions).toEqual(off.decisions);
            expect(got.reports).toEqual(off.reports);
            expect(got.exports).toEqual(off.exports);
          } else {
            const tel = got.summary.telemetry as Record<string, number>;
            expect(tel.export! + tel.aggregate! + tel.drop!).toBe(got.decisions.length);
            expect(got.decisions.length).toBe(off.decisions.length);
          }
        } finally {
          kill(live);
        }
      }, 60_000);
    }
  }
});

describe('6: --hep and --udp at once', () => {
  const strip = (ls: Line[]) => ls.map((l) => Object.fromEntries(Object.entries(l).filter(([k]) => k !== 'ts')));
  for (const [mode, sipBy] of [['ip-packet', 'hep'], ['ip-packet', 'udp'], ['plain', 'hep']] as const) {
    it(`SIP by ${sipBy}, RTCP by ${sipBy === 'hep' ? 'udp' : 'hep'} (--udp-mode ${mode})`, async () => {
      const policy = await writeJson(path.join(dir, `mix-policy.json`), X({ export: 'raw' }));
      const T = Math.floor(Date.now() / 1000) + 0.25;
      // plain mirrors bind only through what payloads say: a=ssrc lines
      const c = call('call-mix', T, { aiPref: 'apt-x', n: 3, ...(mode === 'plain' && { sdpExtra: ['a=ssrc:4096 cname:x'] }) });
      if (mode === 'plain') {
        // the answer's own a=ssrc for the callee's SSRC
        const text = new TextDecoder().decode(c.sip[1]!.payload).replace('a=ssrc:4096 cname:x', 'a=ssrc:4097 cname:y');
        c.sip[1]!.payload = new TextEncoder().encode(text);
      }
      const capture = await writePkts(path.join(dir, `mix-${mode}-${sipBy}.pcap`), [...c.sip, ...c.media]);
      const off = await offline(capture, path.join(dir, `mix-off-${mode}-${sipBy}`), ['--policy', policy, '--explain']);
      expect(off.decisions.map((d) => d.decision)).toEqual(Array(6).fill('export'));
      let live: LiveChild | undefined;
      try {
        const out = path.join(dir, `mix-live-${mode}-${sipBy}`);
        const s = await startLive(out, ['--hep', '127.0.0.1:0', '--udp', '127.0.0.1:0', '--udp-mode', mode, '--policy', policy, '--explain']);
        live = s.live;
        const mport = s.addresses.metrics!.port;
        const asUdp = (p: TimedPkt) => (mode === 'plain' ? p.payload : ipPacket(p));
        const [first, second] = sipBy === 'hep' ? (['hep', 'udp'] as const) : (['udp', 'hep'] as const);
        const portOf = (src: 'hep' | 'udp') => (src === 'hep' ? s.addresses.hep!.udp.port : s.addresses.udp!.port);
        const encode = (src: 'hep' | 'udp') => (src === 'hep' ? hepFrame : asUdp);
        await sendDatagrams(portOf(first), c.sip.map(encode(first)));
        await untilReceived(mport, first, 3);
        await sendDatagrams(portOf(second), c.media.map(encode(second)));
        await untilReceived(mport, second, 6);
        let m = '';
        for (let i = 0; i < 100; i++) {
          m = await scrape(mport);
          if (metric(m, 'aipref_packets_total{proto="rtcp"}') >= 6) break;
          await sleep(50);
        }
        expect(metric(m, 'aipref_packets_total{proto="sip"}')).toBe(3);
        expect(metric(m, 'aipref_packets_total{proto="rtcp"}')).toBe(6);
        expect(metric(m, 'aipref_packets_read_total')).toBe(9);
        expect(metric(m, `aipref_source_records_total{source="${first}",kind="received"}`)).toBe(3);
        expect(metric(m, `aipref_source_records_total{source="${second}",kind="received"}`)).toBe(6);
        expect(decidedCount(m)).toBe(6);
        const got = await stopAndRead(live, out, true);
        expect(got.summary).toEqual(off.summary);
        expect(strip(got.decisions)).toEqual(strip(off.decisions));
        expect(strip(got.reports)).toEqual(strip(off.reports));
        expect(got.exports.map((e) => [e.stream, e.apt, e.decision, e.dialog])).toEqual(off.exports.map((e) => [e.stream, e.apt, e.decision, e.dialog]));
      } finally {
        kill(live);
      }
    }, 30_000);
  }
});
