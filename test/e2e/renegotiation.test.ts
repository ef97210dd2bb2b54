/**
 * Issue 4, end to end: renegotiations produce the scope-removed reports SPEC §5 asks for, at
 * the answer, naming what was removed and what the streams fall back to; refused offers
 * remove nothing; retransmitted offers and answers change nothing at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallTruth, RenegotiationTruth } from '../../samples/generator/truth.js';
import {
  catalogApts,
  type ExportLine,
  type Generated,
  parseLines,
  policyOf,
  replayLines,
  type ReplayLines,
  type ReportLine,
  rewritePcapDuplicating,
  rewritePcapWithout,
  smallCapture,
  sorted,
  Workspace,
} from './e2e-helpers.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

const SEEDS = [3, 5, 21, 58];
const captures = new Map<number, { g: Generated; run: ReplayLines }>();

beforeAll(async () => {
  for (const seed of SEEDS) {
    const g = await ws.generate(smallCapture(seed, 8));
    captures.set(seed, { g, run: await replayLines({ capture: g.path, policy: policyOf({ apts: catalogApts() }) }) });
  }
});

function reportsOf(run: ReplayLines, call: CallTruth, type: string): ReportLine[] {
  return parseLines<ReportLine>(run.reports).filter((r) => r.type === type && r.dialog?.callId === call.callId);
}

/** The ids that governed the renegotiated m-section from the session level (session, or group in BUNDLE calls). */
function sessionLevelIds(call: CallTruth): string[] {
  return call.sdp.session.filter((d) => d.scope === 'session' || (d.scope === 'group' && call.flavour === 'bundle')).map((d) => d.id);
}

function renegotiations(seed: number): [CallTruth, RenegotiationTruth][] {
  return captures.get(seed)!.g.truth.calls.flatMap((c) => c.renegotiations.map((r): [CallTruth, RenegotiationTruth] => [c, r]));
}

describe('scope-removed reports of generated renegotiations', () => {
  it('the seeds hold every kind of renegotiation, some retransmitted', () => {
    const all = SEEDS.flatMap(renegotiations).map(([, r]) => r);
    expect(new Set(all.map((r) => r.kind))).toEqual(new Set(['remove-aipref', 'disable-video', 'refused']));
    expect(all.some((r) => r.retransmitFrames.length > 0)).toBe(true);
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}: one scope-removed per removing renegotiation, at its answer, naming the removed APT and the truth's fallback`, () => {
      const { run } = captures.get(seed)!;
      for (const [call, r] of renegotiations(seed)) {
        const where = `seed ${seed} call ${call.index} ${r.kind}`;
        const removed = reportsOf(run, call, 'scope-removed');
        if (r.kind === 'refused') {
          expect(removed, where).toEqual([]);
          const transitioned = reportsOf(run, call, 'scope-transitioned').filter((t) => t.frame === r.answerFrame);
          expect(transitioned.length, where).toBeLessThanOrEqual(1);
          if (transitioned[0]) expect(transitioned[0].detail, where).toMatch(/refused/);
          continue;
        }
        expect(removed.length, `${where}: ${JSON.stringify(removed)}`).toBe(1);
        const rep = removed[0]!;
        expect(rep.frame, where).toBe(r.answerFrame);
        expect(rep.ts, where).toBeCloseTo(r.answerTs, 6);
        expect(rep.dialog, where).toEqual({ callId: call.callId, fromTag: call.fromTag, toTag: call.toTag });
        expect(rep.mid, where).toBe(r.removed.mid);
        if (r.removed.apt !== null) expect(rep.apt, where).toContain(r.removed.apt);
        else expect(sorted(rep.apt ?? []), where).toEqual(sorted(sessionLevelIds(call)));
        expect(sorted(rep.fallback ?? []), where).toEqual(sorted(r.fallback));
      }
    });
  }

  it('call-small.pcap with samples/policy.json: the renegotiation of a call the repository maps names the repository ids in its fallback', async () => {
    // samples/policy.json maps call 0 (remove-aipref of apt-user-1) to apt-repo-1: after the
    // answer the streams are governed by the session-level apt-dom-1 AND the repository's
    // apt-repo-1 (truth.ts: "a policy file's `dialogs` entries add to it").
    const { readFile } = await import('node:fs/promises');
    const { SMALL_PCAP, SMALL_POLICY, SMALL_TRUTH } = await import('./e2e-helpers.js');
    const { parsePolicy } = await import('../../src/policy/policy-file.js');
    const truth = JSON.parse(await readFile(SMALL_TRUTH, 'utf8')) as { calls: CallTruth[] };
    const policy = parsePolicy(await readFile(SMALL_POLICY, 'utf8'), SMALL_POLICY);
    const run = await replayLines({ capture: SMALL_PCAP, policy });
    const call = truth.calls[0]!;
    const r = call.renegotiations[0]!;
    expect(r.kind).toBe('remove-aipref');
    const repository = policy.findDialogApts(call.callId, call.fromTag, call.toTag);
    expect(repository).toEqual(['apt-repo-1']);
    const [rep] = reportsOf(run, call, 'scope-removed');
    expect(rep?.frame).toBe(r.answerFrame);
    expect(sorted(rep?.fallback ?? [])).toEqual(sorted([...r.fallback, ...repository]));
  });
});

describe('retransmitted offers and answers change nothing', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: reports, decisions and exports are those of the same capture without the retransmissions`, async () => {
      const { g, run } = captures.get(seed)!;
      const skip = new Set(renegotiations(seed).flatMap(([, r]) => r.retransmitFrames));
      if (skip.size === 0) return; // nothing retransmitted in this seed (the first test makes sure some seed has)
      const trimmedPath = await ws.file(`seed-${seed}-no-retransmissions.pcap`);
      const renumber = await rewritePcapWithout(g.path, trimmedPath, skip);
      const trimmed = await replayLines({ capture: trimmedPath, policy: policyOf({ apts: catalogApts() }) });

      const reframe = (lines: string[]) =>
        parseLines<ReportLine>(lines).map((l) => JSON.stringify({ ...l, frame: renumber.get(l.frame) ?? `retransmission ${l.frame}` }));
      expect(reframe(run.reports)).toEqual(trimmed.reports);
      expect(reframe(run.decisions)).toEqual(trimmed.decisions);
      // request ids hash the frame number: compare everything else
      const withoutIds = (lines: string[]) => parseLines<ExportLine>(lines).map(({ requestId: _, ...rest }) => JSON.stringify(rest));
      expect(withoutIds(run.exports)).toEqual(withoutIds(trimmed.exports));
      expect(run.result.summary.sip - skip.size).toBe(trimmed.result.summary.sip);
      expect({ ...run.result.summary, packets: 0, sip: 0 }).toEqual({ ...trimmed.result.summary, packets: 0, sip: 0 });
    });
  }
});

describe('an offer or answer repeated at once (while the offer is pending) changes nothing', () => {
  for (const seed of SEEDS) {
    it(`seed ${seed}: every INVITE, its answer, every BYE and its 200, sent twice in a row: same reports, decisions and exports`, async () => {
      const { g, run } = captures.get(seed)!;
      // the initial INVITE/200 and every renegotiation's offer and answer
      const frames = new Set<number>();
      for (const call of g.truth.calls) {
        for (const invite of call.sip.filter((m) => m.message === 'INVITE' && !m.retransmission)) {
          frames.add(invite.frame);
          const answer = call.sip.find((m) => m.frame > invite.frame && m.cseq === invite.cseq && m.from !== invite.from && (m.message === '200' || m.message === '488'));
          if (answer) frames.add(answer.frame);
        }
        // and the BYE and its 200: a repeated BYE after the dialog ended creates nothing
        for (const m of call.sip.filter((x) => x.message === 'BYE')) {
          frames.add(m.frame);
          const ok = call.sip.find((x) => x.frame > m.frame && x.cseq === m.cseq && x.message === '200');
          if (ok) frames.add(ok.frame);
        }
      }
      expect(frames.size).toBeGreaterThan(2 * g.truth.calls.length);
      const doubledPath = await ws.file(`seed-${seed}-doubled.pcap`);
      const renumber = await rewritePcapDuplicating(g.path, doubledPath, frames);
      const doubled = await replayLines({ capture: doubledPath, policy: policyOf({ apts: catalogApts() }) });
      const reframe = (lines: string[]) => parseLines<ReportLine>(lines).map((l) => JSON.stringify({ ...l, frame: renumber.get(l.frame) }));
      expect(doubled.reports).toEqual(reframe(run.reports));
      expect(doubled.decisions).toEqual(reframe(run.decisions));
      const withoutIds = (lines: string[]) => parseLines<ExportLine>(lines).map(({ requestId: _, ...rest }) => JSON.stringify(rest));
      expect(withoutIds(doubled.exports)).toEqual(withoutIds(run.exports));
      expect(doubled.result.summary.sip).toBe(run.result.summary.sip + frames.size);
      expect(doubled.result.summary.dialogs).toBe(run.result.summary.dialogs);
    });
  }
});
