/**
 * Port-reuse review: what was checked and found right. Every replay runs with 0 and 2 workers and
 * asserts identical exports, decisions and reports (common.ts replay).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, Workspace, writePolicy } from '../e2e-helpers.js';
import { A, B, bye, type Pkt, replay, req, res, rtcpPkt, rtp, sdpAt, setup, srIn, writeCapture } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const sdesTag = (ssrc: number, apt: string) =>
  ({ pt: 202, chunks: [{ ssrc, items: [{ type: 1, text: 'cname@x' }, { type: 8, prefix: 'aipref', value: apt }] }] }) as never;
const row = (b: { ssrc: number; dialog: { callId: string } | null; via: string | null; apt: string[]; ended?: boolean }) =>
  `${b.ssrc} ${b.dialog?.callId ?? null} ${b.via} ${b.apt.join('+')}${b.ended ? ' ended' : ''}`;

/** c1 on A:4000/B:5000 with `first`, BYE, c2 on the very same addresses and SSRCs with `second`. */
const reuseAfterBye = (first: string, second: string): Pkt[] => [
  ...setup('c1', 0, sdpAt(A, 4000, 1111, [`a=aipref:session ${first}`]), sdpAt(B, 5000, 2222, [`a=aipref:session ${first}`])),
  rtcpPkt(1, A, 4001, B, 5001, [srIn(1111)]), // frame 4
  ...bye('c1', 2, 2),
  ...setup('c2', 3, sdpAt(A, 4000, 1111, [`a=aipref:session ${second}`]), sdpAt(B, 5000, 2222, [`a=aipref:session ${second}`])),
  rtcpPkt(4, A, 4001, B, 5001, [srIn(1111)]), // frame 10
  rtcpPkt(4.5, B, 5001, A, 4001, [srIn(2222, 1111)]), // frame 11
];

describe('port reuse after BYE', () => {
  it('old call raw, new call none on the same port and SSRCs: the new call\'s telemetry is dropped', async () => {
    const o = await replay(ws, 'raw-then-none', reuseAfterBye('apt-raw', 'apt-none'));
    expect(o.d).toEqual(['4 1111 export raw-allowed apt-raw', '10 1111 drop export-none apt-none', '11 2222 drop export-none apt-none']);
    expect(o.exports.map((e) => `${e.dialog?.callId} ${e.stream.ssrc} ${e.apt}`)).toEqual(['c1 1111 apt-raw']);
    expect(o.bindings.map(row)).toEqual(['1111 c1 a=ssrc apt-raw ended', '1111 c2 a=ssrc apt-none', '2222 c2 a=ssrc apt-none']);
  });

  it('old call none, new call raw: only the new call\'s telemetry leaves, under c2', async () => {
    const o = await replay(ws, 'none-then-raw', reuseAfterBye('apt-none', 'apt-raw'));
    expect(o.d).toEqual(['4 1111 drop export-none apt-none', '10 1111 export raw-allowed apt-raw', '11 2222 export raw-allowed apt-raw']);
    expect(o.exports.map((e) => `${e.dialog?.callId} ${e.stream.ssrc} ${e.apt}`)).toEqual(['c2 1111 apt-raw', 'c2 2222 apt-raw']);
  });

  it('an SDES PRIV apt-none tag of the old call does not stick to the new call\'s same SSRC', async () => {
    const o = await replay(ws, 'sdes-no-leak', [
      ...setup('c1', 0, sdpAt(A, 4000, null, ['a=aipref:session apt-raw']), sdpAt(B, 5000, null, ['a=aipref:session apt-raw'])),
      rtcpPkt(1, A, 4001, B, 5001, [srIn(1111), sdesTag(1111, 'apt-none')]), // frame 4
      ...bye('c1', 2, 2),
      ...setup('c2', 3, sdpAt(A, 4000, null, ['a=aipref:session apt-raw']), sdpAt(B, 5000, null, ['a=aipref:session apt-raw'])),
      rtcpPkt(4, A, 4001, B, 5001, [srIn(1111)]), // frame 10
    ]);
    expect(o.d).toEqual(['4 1111 drop export-none apt-none', '4 1111 drop export-none apt-none', '10 1111 export raw-allowed apt-raw']);
    expect(o.reports.filter((r) => r.type === 'binding-conflict').map((r) => r.dialog?.callId)).toEqual(['c1']);
  });

  it('the old call\'s aggregate window closes under c1 at its BYE; the new call exports raw under c2', async () => {
    const o = await replay(ws, 'agg-then-raw', reuseAfterBye('apt-agg', 'apt-raw'));
    expect(o.d).toEqual(['4 1111 aggregate aggregated-only apt-agg', '10 1111 export raw-allowed apt-raw', '11 2222 export raw-allowed apt-raw']);
    expect(o.exports.map((e) => `${e.type} ${e.dialog?.callId} ${e.stream.ssrc} ${e.apt}`)).toEqual(['aggregate c1 1111 apt-agg', 'telemetry c2 1111 apt-raw', 'telemetry c2 2222 apt-raw']);
    const agg = o.exports[0]!;
    expect(agg.window!.end).toBeLessThanOrEqual(1767225602.01);
  });

  it('late RTCP from the ended peer to the reused port is the ended call\'s: unbound, dropped no-preference', async () => {
    const o = await replay(ws, 'late-from-ended', [
      ...setup('c1', 0, sdpAt(A, 4000, null, ['a=aipref:session apt-raw']), sdpAt(B, 5000, null, ['a=aipref:session apt-raw'])),
      ...bye('c1', 2, 2),
      ...setup('c2', 3, sdpAt(A, 4000, null, ['a=aipref:session apt-raw']), sdpAt(B, 5002, null, ['a=aipref:session apt-raw'])),
      rtcpPkt(4, B, 5001, A, 4001, [srIn(2222, 1111)]), // frame 9
      rtcpPkt(4.1, B, 5003, A, 4001, [srIn(3333, 1111)]), // frame 10
    ]);
    expect(o.d).toEqual(['9 2222 drop no-preference ', '10 3333 export raw-allowed apt-raw']);
    expect(o.reports.map((r) => `${r.type} ${r.frame} ${r.ssrc}`)).toEqual(['unbound-stream 9 2222', 'unbound-stream 9 1111']);
  });

  it('a new call\'s offer restricts the reused address before its answer (SPEC §5: restrictions from the offer)', async () => {
    const o = await replay(ws, 'offer-before-answer', [
      ...setup('c1', 0, sdpAt(A, 4000, 1111, ['a=aipref:session apt-raw']), sdpAt(B, 5000, 2222, ['a=aipref:session apt-raw'])),
      ...bye('c1', 2, 2),
      { ts: 3, src: A, dst: B, sport: 5060, dport: 5060, payload: req('c2', 'INVITE', 1, sdpAt(A, 4000, 1111, ['a=aipref:session apt-none']), '') },
      rtcpPkt(3.6, A, 4001, B, 5001, [srIn(1111)]), // frame 7
      { ts: 4, src: B, dst: A, sport: 5060, dport: 5060, payload: res('c2', '200 OK', 'INVITE', 1, sdpAt(B, 5000, 2222, ['a=aipref:session apt-none'])) },
      rtcpPkt(4.5, A, 4001, B, 5001, [srIn(1111)]), // frame 9
    ]);
    // frame 7 goes to c1's ended peer address, which c2's offer does not name (its answer is to
    // come): c1's late media, unbound — no live call's SSRC declaration takes it over
    expect(o.d).toEqual(['7 1111 drop no-preference ', '9 1111 drop export-none apt-none']);
    expect(o.exports).toEqual([]);
  });
});

describe('re-INVITE to a new port, old port then given to another call', () => {
  it('in flight on the old port while the offer is pending, and on the new port after: c1\'s; the port\'s new owner c2 gets its own', async () => {
    const o = await replay(ws, 'reinvite-move', [
      ...setup('c1', 0, sdpAt(A, 4000, null, ['a=aipref:session apt-raw']), sdpAt(B, 5000, null, ['a=aipref:session apt-raw'])),
      { ts: 1, src: A, dst: B, sport: 5060, dport: 5060, payload: req('c1', 'INVITE', 2, sdpAt(A, 4100, null, ['a=aipref:session apt-raw'])) },
      rtcpPkt(1.1, B, 5001, A, 4001, [srIn(2222)]), // frame 5
      { ts: 1.2, src: B, dst: A, sport: 5060, dport: 5060, payload: res('c1', '200 OK', 'INVITE', 2, sdpAt(B, 5000, null, ['a=aipref:session apt-raw'])) },
      rtcpPkt(1.3, B, 5001, A, 4101, [srIn(2222)]), // frame 7
      ...setup('c2', 2, sdpAt(A, 4000, null, ['a=aipref:session apt-none']), sdpAt(B, 5200, null, ['a=aipref:session apt-none'])),
      rtcpPkt(2.6, B, 5201, A, 4001, [srIn(9999)]), // frame 11
    ]);
    expect(o.d).toEqual(['5 2222 export raw-allowed apt-raw', '7 2222 export raw-allowed apt-raw', '11 9999 drop export-none apt-none']);
    expect(o.exports.map((e) => `${e.dialog?.callId} ${e.stream.ssrc}`)).toEqual(['c1 2222', 'c1 2222']);
  });
});

describe('SSRC collision between independent live calls on different addresses', () => {
  it('each call\'s packets are judged by its own APTs, and bindings list the SSRC once per dialog', async () => {
    const o = await replay(ws, 'collision', [
      ...setup('c1', 0, sdpAt(A, 4000, 1111, ['a=aipref:session apt-raw']), sdpAt(B, 5000, 2222, ['a=aipref:session apt-raw'])),
      ...setup('c2', 0.5, sdpAt(A, 4200, 1111, ['a=aipref:session apt-none']), sdpAt(B, 5200, 2222, ['a=aipref:session apt-none'])),
      rtcpPkt(1, A, 4001, B, 5001, [srIn(1111, 2222)]), // frame 7
      rtcpPkt(1.1, A, 4201, B, 5201, [srIn(1111, 2222)]), // frame 8
      rtcpPkt(1.2, B, 5001, A, 4001, [srIn(2222, 1111)]), // frame 9
      rtcpPkt(1.3, B, 5201, A, 4201, [srIn(2222, 1111)]), // frame 10
    ]);
    expect(o.d).toEqual(['7 1111 export raw-allowed apt-raw', '8 1111 drop export-none apt-none', '9 2222 export raw-allowed apt-raw', '10 2222 drop export-none apt-none']);
    expect(o.exports.map((e) => `${e.dialog?.callId} ${e.stream.ssrc}`)).toEqual(['c1 1111', 'c1 2222']);
    expect(o.bindings.map(row)).toEqual(['1111 c1 a=ssrc apt-raw', '2222 c1 a=ssrc apt-raw', '1111 c2 a=ssrc apt-none', '2222 c2 a=ssrc apt-none']);
  });
});

describe('streams seen before any signaling for their address', () => {
  it('are unbound (drop, no-preference, one unbound-stream report) until signaled, then judged by the dialog', async () => {
    const o = await replay(ws, 'before-signaling', [
      rtp(0, A, 4000, B, 5000, 1111, 1),
      rtp(0.02, A, 4000, B, 5000, 1111, 2),
      rtcpPkt(0.5, A, 4001, B, 5001, [srIn(1111)]), // frame 3
      ...setup('c1', 1, sdpAt(A, 4000, null, ['a=aipref:session apt-raw']), sdpAt(B, 5000, null, ['a=aipref:session apt-raw'])),
      rtp(1.5, A, 4000, B, 5000, 1111, 3),
      rtcpPkt(2, A, 4001, B, 5001, [srIn(1111)]), // frame 8
    ]);
    expect(o.d).toEqual(['3 1111 drop no-preference ', '8 1111 export raw-allowed apt-raw']);
    expect(o.reports.map((r) => `${r.type} ${r.frame} ${r.ssrc}`)).toEqual(['unbound-stream 2 1111']);
    expect(o.exports.map((e) => `${e.dialog?.callId} ${e.stream.ssrc} ${e.stream.mid} ${e.stream.kind}`)).toEqual(['c1 1111 a audio']);
  });
});

describe('the CLI on a port-reuse capture', () => {
  it('replay --workers 0 and 2 write identical files; bindings --json shows each call\'s SSRCs under it', async () => {
    const file = await ws.file('cli-reuse.pcap');
    await writeCapture(file, reuseAfterBye('apt-raw', 'apt-none'));
    const policy = await writePolicy(ws, 'cli-policy.json', {
      apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' }, 'apt-none': { type: 'user', export: 'none', retention: '1h' } },
    });
    const outs = await Promise.all([0, 2].map(() => mkdtemp(path.join(tmpdir(), 'port-reuse-cli-'))));
    try {
      const runs = await Promise.all([0, 2].map((w, i) => cli('replay', file, '--policy', policy, '--out', outs[i]!, '--workers', String(w), '--explain', '--json')));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      expect(runs[1]!.stdout).toBe(runs[0]!.stdout);
      expect(JSON.parse(runs[0]!.stdout).telemetry).toEqual({ export: 1, aggregate: 0, drop: 2 });
      for (const f of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) {
        const [a, b] = await Promise.all(outs.map((d) => readFile(path.join(d, f), 'utf8')));
        expect(b, f).toBe(a);
      }
      const exportsText = await readFile(path.join(outs[0]!, 'exports.ndjson'), 'utf8');
      expect(exportsText.trim().split('\n').map((l) => JSON.parse(l).dialog.callId)).toEqual(['c1']);
      const b = await cli('bindings', file, '--policy', policy, '--json');
      expect(b.code, b.stderr).toBe(0);
      const rows = JSON.parse(b.stdout) as { ssrc: number; dialog: { callId: string }; via: string; apt: string[] }[];
      expect(rows.map((r) => `${r.ssrc} ${r.dialog.callId} ${r.via} ${r.apt.join('+')}`)).toEqual(['1111 c1 a=ssrc apt-raw', '1111 c2 a=ssrc apt-none', '2222 c2 a=ssrc apt-none']);
    } finally {
      await Promise.all(outs.map((d) => rm(d, { recursive: true, force: true })));
    }
  });
});
