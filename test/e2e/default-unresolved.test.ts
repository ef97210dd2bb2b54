/**
 * The policy file's `default` (SPEC §9) naming an identifier nothing states — no `apts` entry,
 * nothing signaled: an APT that cannot be resolved counts as the most restrictive statement
 * (SPEC §3), named in the decisions, not an absence of preference. (A typo in `default` read as
 * "no default" dropped everything as `no-preference`, the operator told nothing.)
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeRtcpCompound } from '../../src/media/rtcp/encode.js';
import { type DecisionLine, parseLines, policyOf, replayLines, SMALL_PCAP, Workspace } from './e2e-helpers.js';
import { writeCall } from './hand-built-calls.js';
import { cli } from '../live/live-helpers.js';
import { srFrom, T0 } from './two-party-rtcp.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());

async function decisionsOf(policy: Parameters<typeof policyOf>[0]): Promise<DecisionLine[]> {
  const file = await ws.file(`default-${String(policy.default ?? 'none')}.pcap`);
  // an SR of a stream no dialog binds: only the default can govern it
  await writeCall(file, (at) => at(1, encodeRtcpCompound([srFrom(1111, T0 + 1)]), true, 4001, 5001));
  const runs = await Promise.all([0, 2].map((workers) => replayLines({ capture: file, policy: policyOf(policy), workers })));
  expect(runs[1]!.decisions).toEqual(runs[0]!.decisions);
  return parseLines<DecisionLine>(runs[0]!.decisions);
}

describe('a default APT nothing states', () => {
  it('control: no default, no preference: dropped as no-preference', async () => {
    expect(await decisionsOf({ apts: {} })).toMatchObject([{ decision: 'drop', reason: 'no-preference', apt: [] }]);
  });

  it('control: a default the file states decides', async () => {
    expect(await decisionsOf({ apts: { 'apt-d': { type: 'domain', export: 'raw', retention: '1h' } }, default: 'apt-d' })).toMatchObject([{ decision: 'export', apt: ['apt-d'] }]);
  });

  it('is the most restrictive statement, named in the decision', async () => {
    const [d] = await decisionsOf({ apts: {}, default: 'apt-typo' });
    expect(d).toMatchObject({ decision: 'drop', apt: ['apt-typo'] });
    expect(d!.reason).not.toBe('no-preference');
  });

  it('the CLI says so on stderr, and runs (SPEC §9 refuses only what is invalid)', async () => {
    const policy = await ws.file('default-typo.json');
    await writeFile(policy, JSON.stringify({ default: 'apt-typo' }));
    const { stderr } = await cli(['replay', SMALL_PCAP, '--policy', policy, '--out', await ws.file('default-typo-out'), '--quiet']);
    expect(stderr).toBe(`aipref-enforcer replay: ${policy}: default 'apt-typo' has no entry in apts: it counts as the most restrictive statement (everything it governs is dropped) unless signaling states it\n`);
  });
});
