/**
 * a=aipref (seed §6.1) — a statement key repeated on one line, and a parameter glued to a
 * list continuation comma. In both cases the parser silently kept a more permissive
 * reading; the AI-Pref header parser refuses the same ambiguity ('duplicate-param', garbled), and
 * SPEC §3 says disagreeing parts resolve to the most restrictive value.
 */
import { describe, expect, test } from 'vitest';
import { parseAiPrefAttribute } from '../../src/signaling/sdp-aipref.js';
import { parseSdp } from '../../src/signaling/sdp.js';
import { audioSdp } from './sip-fixtures.js';

/** Either the line is refused with its identifier kept (garbled → most restrictive), or the restrictive value survives. */
function expectRestrictive(value: string, key: string, restrictive: string): void {
  const r = parseAiPrefAttribute(value);
  if (r.ok) expect(r.params[key]).toBe(restrictive);
  else expect(r.kept).toEqual({ scope: 'session', id: 'apt1' });
}

describe('a=aipref: a statement key given twice on one line', () => {
  test('export=none export=raw does not read as export=raw', () => {
    expectRestrictive('session apt1 export=none export=raw', 'export', 'none');
  });

  test('retention=0 RETENTION=7d does not read as 7 days', () => {
    expectRestrictive('session apt1 export=raw retention=0 RETENTION=7d', 'retention', '0');
  });

  test('the line is refused as the AI-Pref header refuses it, its identifier kept (garbled: most restrictive); unknown flags may repeat', () => {
    expect(parseAiPrefAttribute('session apt1 export=none Export=raw')).toEqual({ ok: false, reason: 'bad-param', detail: 'export given twice', kept: { scope: 'session', id: 'apt1' } });
    expect(parseAiPrefAttribute('session apt1 x-tag x-tag export=raw')).toMatchObject({ ok: true, params: { 'x-tag': '', export: 'raw' } });
  });

  test('through parseSdp: the session-level statement does not say export=raw', () => {
    const { sdp } = parseSdp(audioSdp({ session: ['a=aipref:session apt1 export=none export=raw'] }));
    const pref = sdp.aiprefs.find((p) => p.id === 'apt1');
    expect(pref).toBeDefined();
    expect(pref!.garbled === true || pref!.params['export'] === 'none').toBe(true);
  });
});

describe('a=aipref: a parameter after a space-before-comma list separator', () => {
  // "media-metrics , retention=0" and "media-metrics, retention=0" both keep retention=0 as a
  // parameter; "media-metrics ,retention=0" swallows it into the feature list, so retention=0
  // (never keep anything) disappears and export=raw applies unbounded.
  test('features=media-metrics ,retention=0 keeps retention=0', () => {
    const value = 'session apt1 export=raw features=media-metrics ,retention=0';
    expect(parseAiPrefAttribute(value)).toEqual({ ok: true, scope: 'session', id: 'apt1', params: { export: 'raw', features: 'media-metrics', retention: '0' } });
    // a list going on after such a comma still does
    expect(parseAiPrefAttribute('session apt1 features=media-metrics ,rtcp-xr retention=0')).toMatchObject({ ok: true, params: { features: 'media-metrics,rtcp-xr', retention: '0' } });
  });
});
