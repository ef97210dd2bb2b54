/**
 * A regulatory AI-Pref value of dialog scope is a floor for every m-section of the dialog,
 * those with identifiers of their own too (SPEC §3: "regulatory statements are a floor that
 * nothing relaxes"). It applied only where an m-section named nothing (the dialog-level
 * fallback, §2.5): beside an m-section's own user apt-raw the stream was exported raw, the
 * regulator's export=none ignored (a suspicion left by the precedence review, pinned here).
 * A user (or domain) value of dialog scope stays the fallback only.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../e2e-helpers.js';
import { decided, run } from '../dialog-lifecycle/lifecycle-helpers.js';
import { sameWithWorkers, setUp, srA } from '../renegotiation-review/common.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const POL = policyOf({
  apts: {
    'apt-raw': { type: 'user', export: 'raw', retention: '1h' },
    'apt-reg': { type: 'regulatory', export: 'none', retention: '1h' },
    'apt-dom': { type: 'domain', export: 'none', retention: '1h' },
  },
});

describe('a dialog-scope AI-Pref value beside an m-section naming its own identifier', () => {
  it('regulatory: a floor for the m-section too (dropped, regulatory-floor)', async () => {
    const o = await run(ws, [...setUp(['a=aipref:mid apt-raw'], [], ['AI-Pref: apt-reg;scope=dialog']), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o)).toEqual(['4 drop export-none [apt-reg]']);
    expect(o.w0.decisions.map((l) => JSON.parse(l) as { frame: number; rule: string }).find((d) => d.frame === 4)).toMatchObject({ rule: 'regulatory-floor' });
  });

  it('domain: the fallback only, the m-section’s own user identifier governs', async () => {
    const o = await run(ws, [...setUp(['a=aipref:mid apt-raw'], [], ['AI-Pref: apt-dom;scope=dialog']), srA()], POL);
    sameWithWorkers(o);
    expect(decided(o)).toEqual(['4 export raw-allowed [apt-raw]']);
  });
});
