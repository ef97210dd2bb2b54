/**
 * Retention of aggregates (SPEC §3 retention, §4 expiresAt), unknown keys (SPEC §3),
 * and a type disagreement between parts of one statement (SPEC §3).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { Workspace } from './e2e-helpers.js';
import { replayTwoParty, srFrom, T0 } from './two-party-rtcp.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

describe('aggregate expiresAt: aggregated telemetry is kept no longer than its retention (SPEC §3, §4)', () => {
  it('an aggregate holding an item captured at t expires by t + retention (retention 3 s, window 10 s)', async () => {
    const run = await replayTwoParty(ws, 'agg-expiry', {
      aLines: ['a=aipref:session apt-agg'],
      rtcp: [
        { ts: 1, fromA: true, packets: [srFrom(1111, T0 + 1)] },
        { ts: 2, fromA: true, packets: [srFrom(1111, T0 + 2)] },
        { ts: 6, fromA: true, packets: [srFrom(1111, T0 + 6)] },
      ],
      policy: { apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '3s' } } },
    });
    const first = run.exports.find((x) => x.type === 'aggregate' && x.stream.ssrc === 1111)!;
    // the window holds the SR captured at T0+1, whose retention ends at T0+4: it closes halfway
    // there, at T0+2.5, so the aggregate is made with 1.5 s of that retention left
    expect(first.window).toEqual({ start: T0 + 1, end: T0 + 2.5 });
    expect((first.stats as { items: number }).items).toBe(2);
    // not end + retention = T0+5.5, which would keep the T0+1 item 4.5 s instead of 3 s
    expect(first.expiresAt).toBe(T0 + 1 + 3);
    expect(first.ts).toBeLessThan(first.expiresAt!);
  });

  it('with retention longer than the window: expiresAt is the first item + retention, not the window end + retention', async () => {
    const run = await replayTwoParty(ws, 'agg-expiry-90', {
      aLines: ['a=aipref:session apt-agg'],
      rtcp: [
        { ts: 1, fromA: true, packets: [srFrom(1111, T0 + 1)] },
        { ts: 9, fromA: true, packets: [srFrom(1111, T0 + 9)] },
        { ts: 12, fromA: true, packets: [srFrom(1111, T0 + 12)] },
      ],
      policy: { apts: { 'apt-agg': { type: 'user', export: 'aggregated-only', retention: '90s' } } },
    });
    const first = run.exports.find((x) => x.type === 'aggregate' && x.stream.ssrc === 1111)!;
    expect(first.window).toEqual({ start: T0 + 1, end: T0 + 11 });
    expect(first.expiresAt).toBe(T0 + 1 + 90);
  });
});

describe('unknown keys are kept and passed through (SPEC §3)', () => {
  it("an APT's unknown key reaches the raw export that APT decided", async () => {
    const run = await replayTwoParty(ws, 'unknown-keys', {
      aLines: ['a=aipref:session apt-raw x-purpose=qoe-only'],
      rtcp: [{ ts: 1, fromA: true, packets: [srFrom(1111, T0 + 1)] }],
      policy: { apts: { 'apt-raw': { type: 'user', export: 'raw', retention: '1h', 'x-train': 'no' } } },
    });
    const line = run.exports.find((x) => x.type === 'telemetry')!;
    expect(line.apt).toEqual(['apt-raw']);
    const text = JSON.stringify(line);
    expect(text).toContain('x-purpose');
    expect(text).toContain('x-train');
    expect(line.extensions).toEqual({ 'apt-raw': { 'x-purpose': 'qoe-only', 'x-train': 'no' } });
  });

  it('two deciding APTs giving one unknown key different values: both kept, by identifier, whatever the order of their a=aipref lines', async () => {
    const policy = { apts: { 'apt-1': { type: 'domain', export: 'raw', retention: '1h' }, 'apt-2': { type: 'domain', export: 'raw', retention: '1h' } } };
    const lines = ['a=aipref:mid apt-1 tier=gold', 'a=aipref:mid apt-2 tier=bronze'];
    const extensionsOf = async (name: string, aLines: string[]) => {
      const run = await replayTwoParty(ws, name, { aLines, rtcp: [{ ts: 1, fromA: true, packets: [srFrom(1111, T0 + 1)] }], policy });
      return JSON.stringify(run.exports.find((x) => x.type === 'telemetry')!.extensions);
    };
    const want = '{"apt-1":{"tier":"gold"},"apt-2":{"tier":"bronze"}}';
    expect(await extensionsOf('tiers-1', lines)).toBe(want);
    expect(await extensionsOf('tiers-2', [...lines].reverse())).toBe(want);
  });

  it('an aggregate carries the unknown keys of the APT that aggregated it; a line whose APTs state none has no extensions field', async () => {
    const run = (name: string, statement: Record<string, unknown>) =>
      replayTwoParty(ws, name, {
        aLines: ['a=aipref:mid apt-x'],
        rtcp: [{ ts: 1, fromA: true, packets: [srFrom(1111, T0 + 1)] }],
        policy: { apts: { 'apt-x': { type: 'user', retention: '1h', ...statement } } },
      });
    const aggregated = await run('unknown-keys-agg', { export: 'aggregated-only', 'x-purpose': 'qoe-only' });
    const aggregate = aggregated.exports.find((x) => x.type === 'aggregate')!;
    expect(aggregate.extensions).toEqual({ 'apt-x': { 'x-purpose': 'qoe-only' } });
    const plain = await run('no-unknown-keys', { export: 'raw' });
    const raw = plain.exports.find((x) => x.type === 'telemetry')!;
    expect(raw.apt).toEqual(['apt-x']);
    expect('extensions' in raw).toBe(false);
  });
});

describe('parts of one statement disagreeing on type must not relax the result (SPEC §3)', () => {
  it('SDP says type=user, the policy file says type=domain: a domain export=none from the repository still applies', async () => {
    const run = await replayTwoParty(ws, 'type-dispute', {
      aLines: ['a=aipref:mid apt-x type=user export=raw'],
      rtcp: [{ ts: 1, fromA: true, packets: [srFrom(1111, T0 + 1)] }],
      policy: {
        apts: { 'apt-x': { type: 'domain', export: 'raw' }, 'apt-d': { type: 'domain', export: 'none' } },
        dialogs: [{ callId: 'review-lifecycle@10.0.0.1', apt: ['apt-d'] }],
      },
    });
    expect(run.reports.some((r) => r.type === 'inconsistent-signaling')).toBe(true);
    // read as domain (the operator's word) or as neither (untyped): strictest-wins with apt-d → drop.
    // Read as user (as it was), it overrode apt-d and the SR left raw.
    expect(run.decisions.map((d) => `${d.decision} ${d.reason}`)).toEqual(['drop export-none']);
    expect(run.exports).toEqual([]);
  });
});
