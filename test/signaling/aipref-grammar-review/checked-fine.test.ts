/**
 * Checks of the AI-Pref / a=aipref grammar (seed §5.1, §6.1; SPEC §2) that turned out FINE on
 * review; kept as regression tests.
 * - several AI-Pref header rows decide and report exactly as one row with the same values
 *   comma-separated (RFC 3261 §7.3.1), with mixed-case param names and enumerated values
 *   (`Scope=MEDIA`, `SCOPE=Dialog`, RFC 4485 §4.4);
 * - a quoted pref-id with an escaped quote and a comma/semicolon inside is one identifier, the
 *   same as the a=aipref quoted identifier, in decisions;
 * - a 20 000-character identifier in both layers is kept whole, resolves, no report.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { policyOf, Workspace } from '../../e2e/e2e-helpers.js';
import { A, B, callSetup, replay, rtcp, sdp, sr } from '../../e2e/calls-on-any-address.js';

const ws = new Workspace();
afterAll(() => ws.cleanup());
const LONG = 'x'.repeat(20000);
const POL = policyOf({
  apts: {
    'apt-m': { type: 'domain', export: 'aggregated-only', retention: '1h' },
    'apt-d': { type: 'domain', export: 'raw', retention: '1h' },
    'q"1,;x': { type: 'domain', export: 'raw', retention: '1h' },
    [LONG]: { type: 'domain', export: 'raw', retention: '1h' },
  },
});
const offer = sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a']]);
const answer = sdp(B, [['m=audio 5000 RTP/AVP 0', 'a=mid:a']]);
const run = (headers: string[], o = offer) => replay(ws, [...callSetup({ inviteHeaders: headers, offer: o, answer }), rtcp(A, B, 4001, 5001, [sr(11, [{ ssrc: 99 }])])], POL);
const decided = (r: Awaited<ReturnType<typeof replay>>) => r.decisions.map((d) => `${d.ssrc} ${d.decision} ${d.reason} [${d.apt}]`);

describe('AI-Pref grammar end to end: passing checks', () => {
  it('two rows = one comma row; names and scope values case-insensitive', async () => {
    const rows = await run(['AI-Pref: apt-m;Scope=MEDIA', 'ai-pref: apt-d ; SCOPE = Dialog']);
    const one = await run(['AI-PREF: apt-m;scope=media , apt-d;scope=dialog']);
    expect(decided(rows)).toEqual(['11 aggregate aggregated-only [apt-m]']);
    expect(decided(one)).toEqual(decided(rows));
    expect(one.reports).toEqual(rows.reports);
    expect(rows.reports).toEqual([]);
  });

  it('quoted pref-id with an escaped quote, a comma and a semicolon: one identifier in both layers', async () => {
    const hdr = await run(['AI-Pref: "q\\"1,;x";scope=media']);
    expect(decided(hdr)).toEqual(['11 export raw-allowed [q"1,;x]']);
    const att = await run([], sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', 'a=aipref:mid "q\\"1,;x"']]));
    expect(decided(att)).toEqual(decided(hdr));
  });

  it('a 20 000-character identifier in AI-Pref and a=aipref is kept whole and resolves', async () => {
    const r = await run([`AI-Pref: ${LONG};scope=media`], sdp(A, [['m=audio 4000 RTP/AVP 0', 'a=mid:a', `a=aipref:mid ${LONG} export=raw`]]));
    expect(r.decisions.map((d) => [d.decision, d.reason, d.apt])).toEqual([['export', 'raw-allowed', [LONG]]]);
    expect(r.reports).toEqual([]);
  });
});
