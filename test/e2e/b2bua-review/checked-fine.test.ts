/**
 * B2BUA/SBC review: what was checked and found right. Every replay runs with 0 and 2 workers and
 * asserts identical exports, decisions and reports (../port-reuse-review/common.ts replay).
 * A-leg 'aleg': A 10.0.0.1:4000 ↔ S 10.0.0.5:20000; B-leg 'bleg': S:30000 ↔ B 10.0.0.2:5000.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, policyOf, Workspace, writePolicy } from '../e2e-helpers.js';
import { writeCapture } from '../port-reuse-review/common.js';
import { A, aLeg, bLeg, bye, exported, onA, onB, type Pkt, replay, S, sdpAt, setup } from './common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const same = { offer: 1111, answer: 2222 };
const row = (b: { ssrc: number; dialog: { callId: string } | null; via: string | null; apt: string[]; ended?: boolean }) =>
  `${b.ssrc} ${b.dialog?.callId ?? null} ${b.via} ${b.apt.join('+')}${b.ended ? ' ended' : ''}`;

/** both legs declare 1111/2222 (a collision); RTCP both ways on both legs, frames 7-10 */
const collision = (aApt: string, bApt: string): Pkt[] => [
  ...aLeg(0, aApt, same),
  ...bLeg(1, bApt, same),
  onA(2, true, 1111, 2222), // 7
  onB(2.1, true, 1111, 2222), // 8
  onB(2.2, false, 2222, 1111), // 9
  onA(2.3, false, 2222, 1111), // 10
];

describe('B2BUA with the same SSRCs declared on both legs (lookupSsrc gives neither)', () => {
  it('each leg\'s RTCP is judged by its own leg\'s APT and exported under its own Call-ID', async () => {
    const o = await replay(ws, 'collision', collision('apt-none', 'apt-raw'));
    expect(o.d).toEqual(['7 1111 drop export-none apt-none', '8 1111 export raw-allowed apt-raw', '9 2222 export raw-allowed apt-raw', '10 2222 drop export-none apt-none']);
    expect(exported(o)).toEqual(['bleg 1111 apt-raw', 'bleg 2222 apt-raw']);
    expect(o.bindings.map(row)).toEqual(['1111 aleg a=ssrc apt-none', '2222 aleg a=ssrc apt-none', '1111 bleg a=ssrc apt-raw', '2222 bleg a=ssrc apt-raw']);
    expect(o.reports).toEqual([]);
  });

  it('A-leg user says none, B-leg domain says raw: no cross-leg precedence (the legs are separate dialogs)', async () => {
    const pol = policyOf({ apts: { 'u-none': { type: 'user', export: 'none', retention: '1h' }, 'd-raw': { type: 'domain', export: 'raw', retention: '1h' } } });
    const o = await replay(ws, 'user-domain', collision('u-none', 'd-raw'), pol);
    expect(o.d).toEqual(['7 1111 drop export-none u-none', '8 1111 export raw-allowed d-raw', '9 2222 export raw-allowed d-raw', '10 2222 drop export-none u-none']);
    expect(exported(o)).toEqual(['bleg 1111 d-raw', 'bleg 2222 d-raw']);
  });

  it('the mirror (A-leg raw, B-leg none)', async () => {
    const o = await replay(ws, 'collision-mirror', collision('apt-raw', 'apt-none'));
    expect(o.d).toEqual(['7 1111 export raw-allowed apt-raw', '8 1111 drop export-none apt-none', '9 2222 drop export-none apt-none', '10 2222 export raw-allowed apt-raw']);
    expect(exported(o)).toEqual(['aleg 1111 apt-raw', 'aleg 2222 apt-raw']);
  });
});

describe('B2BUA with SSRC rewriting (A-leg 1111/2222, B-leg 3333/4444)', () => {
  it('each leg by its own APT; a report block on one leg about the other leg\'s SSRC takes that leg\'s word too (SPEC §4, most restrictive)', async () => {
    const o = await replay(ws, 'rewrite', [
      ...aLeg(0, 'apt-none', same),
      ...bLeg(1, 'apt-raw', { offer: 3333, answer: 4444 }),
      onA(2, true, 1111, 2222), // 7
      onB(2.1, true, 3333, 4444), // 8
      onB(2.2, false, 4444, 3333), // 9
      onA(2.3, false, 2222, 1111), // 10
      onB(2.4, false, 4444, 1111), // 11: B-leg RR block about the A-leg's 1111 (SBC did not rewrite report blocks)
      onA(2.5, true, 1111, 4444), // 12: A-leg block about the B-leg's 4444
    ]);
    expect(o.d).toEqual([
      '7 1111 drop export-none apt-none',
      '8 3333 export raw-allowed apt-raw',
      '9 4444 export raw-allowed apt-raw',
      '10 2222 drop export-none apt-none',
      '11 4444 drop export-none apt-none',
      '12 1111 drop export-none apt-none',
    ]);
    expect(exported(o)).toEqual(['bleg 3333 apt-raw', 'bleg 4444 apt-raw']);
  });

  it('after the A-leg\'s BYE, the B-leg\'s block about the ended A-leg\'s SSRC is the B-leg\'s alone; the A-leg\'s late SR is unbound', async () => {
    const o = await replay(ws, 'rewrite-a-bye', [
      ...aLeg(0, 'apt-none', same),
      ...bLeg(1, 'apt-raw', { offer: 3333, answer: 4444 }),
      ...bye('aleg', 2, 2), // 7-8
      onA(3, true, 1111, 2222), // 9
      onB(3.1, false, 4444, 1111), // 10
    ]);
    expect(o.d).toEqual(['9 1111 drop no-preference ', '10 4444 export raw-allowed apt-raw']);
    expect(exported(o)).toEqual(['bleg 4444 apt-raw']);
    expect(o.reports.map((r) => r.type)).toEqual(['unbound-stream', 'unbound-stream']);
  });
});

describe('one leg re-INVITEd while the other stays (same SSRCs on both legs)', () => {
  it('A-leg moves A:4000 → A:4100: new and in-flight old-port RTCP stay A-leg\'s; the B-leg unchanged', async () => {
    const o = await replay(ws, 'reinvite-port', [
      ...aLeg(0, 'apt-none', same),
      ...bLeg(1, 'apt-raw', same),
      ...aLeg(2, 'apt-none', same, 2, ';tag=bbb', 4100), // 7-9
      onA(3, true, 1111, 2222, 4100), // 10
      onA(3.05, true, 1111, 2222, 4000), // 11: in flight from the old port
      onB(3.1, true, 1111, 2222), // 12
      onB(3.2, false, 2222, 1111), // 13
      onA(3.3, false, 2222, 1111, 4100), // 14
    ]);
    expect(o.d).toEqual(['10 1111 drop export-none apt-none', '11 1111 drop export-none apt-none', '12 1111 export raw-allowed apt-raw', '13 2222 export raw-allowed apt-raw', '14 2222 drop export-none apt-none']);
    expect(exported(o)).toEqual(['bleg 1111 apt-raw', 'bleg 2222 apt-raw']);
  });

  it('A-leg hold (sendonly/recvonly) and resume: every A-leg item stays apt-none, every B-leg item apt-raw', async () => {
    const hold = (s: string, dir: string) => s.replace('a=sendrecv', dir);
    const o = await replay(ws, 'hold-resume', [
      ...aLeg(0, 'apt-none', same),
      ...bLeg(1, 'apt-raw', same),
      ...setup('aleg', 2, hold(sdpAt(A, 4000, 1111, ['a=aipref:session apt-none']), 'a=sendonly'), hold(sdpAt(S, 20000, 2222, ['a=aipref:session apt-none']), 'a=recvonly'), 2, ';tag=bbb'),
      onA(3, true, 1111, 2222), // 10
      onB(3.1, true, 1111, 2222), // 11
      onB(3.2, false, 2222, 1111), // 12
      ...aLeg(4, 'apt-none', same, 3, ';tag=bbb'), // 13-15 resume
      onA(5, true, 1111, 2222), // 16
      onB(5.1, true, 1111, 2222), // 17
      onA(5.2, false, 2222, 1111), // 18
    ]);
    expect(o.d).toEqual([
      '10 1111 drop export-none apt-none',
      '11 1111 export raw-allowed apt-raw',
      '12 2222 export raw-allowed apt-raw',
      '16 1111 drop export-none apt-none',
      '17 1111 export raw-allowed apt-raw',
      '18 2222 drop export-none apt-none',
    ]);
    expect(o.reports).toEqual([]);
  });
});

describe('one leg ending before the other', () => {
  it('after the A-leg\'s BYE the B-leg\'s RTCP continues under the B-leg (now sole declarer of 1111/2222)', async () => {
    const o = await replay(ws, 'b-continues', [
      ...aLeg(0, 'apt-none', same),
      ...bLeg(1, 'apt-raw', same),
      ...bye('aleg', 2, 2), // 7-8
      onB(3, true, 1111, 2222), // 9
      onB(3.1, false, 2222, 1111), // 10
    ]);
    expect(o.d).toEqual(['9 1111 export raw-allowed apt-raw', '10 2222 export raw-allowed apt-raw']);
    expect(o.bindings.map(row)).toEqual(['1111 bleg a=ssrc apt-raw', '2222 bleg a=ssrc apt-raw']);
  });
});

describe('the CLI (bin/aipref-enforcer.js) on the collision capture', () => {
  it('replay --workers 0 and 2 write identical files; exports only the raw leg\'s', async () => {
    const file = await ws.file('cli-collision.pcap');
    await writeCapture(file, collision('apt-none', 'apt-raw'));
    const policy = await writePolicy(ws, 'cli-policy.json', {
      apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h' }, 'apt-none': { type: 'user', export: 'none', retention: '1h' } },
    });
    const outs = await Promise.all([0, 2].map(() => mkdtemp(path.join(tmpdir(), 'b2bua-cli-'))));
    try {
      const runs = await Promise.all([0, 2].map((w, i) => cli('replay', file, '--policy', policy, '--out', outs[i]!, '--workers', String(w), '--explain', '--json')));
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      expect(runs[1]!.stdout).toBe(runs[0]!.stdout);
      expect(JSON.parse(runs[0]!.stdout).telemetry).toEqual({ export: 2, aggregate: 0, drop: 2 });
      for (const f of ['exports.ndjson', 'reports.ndjson', 'decisions.ndjson']) {
        const [a, b] = await Promise.all(outs.map((d) => readFile(path.join(d, f), 'utf8')));
        expect(b, f).toBe(a);
      }
      const exportsText = await readFile(path.join(outs[0]!, 'exports.ndjson'), 'utf8');
      expect(exportsText.trim().split('\n').map((l) => `${JSON.parse(l).dialog.callId} ${JSON.parse(l).stream.ssrc}`)).toEqual(['bleg 1111', 'bleg 2222']);
    } finally {
      await Promise.all(outs.map((d) => rm(d, { recursive: true, force: true })));
    }
  });
});
