/**
 * The registry folds the older unvouched parts of an identifier (UNFOLDED_PARTS kept as they
 * came) into one part per source and version: the statement built from the folded set is the
 * one built from every part, and the disagreements among folded parts are still found.
 */
import { describe, expect, it } from 'vitest';
import { AptRegistry, UNFOLDED_PARTS } from '../../../src/policy/apt-registry.js';
import type { PartSource } from '../../../src/policy/findings.js';
import { buildStatement, type StatementPart } from '../../../src/policy/statement.js';

interface HeldView {
  held: { parts: StatementPart[] };
  pending: unknown[];
}

function heldOf(registry: AptRegistry, id: string): StatementPart[] {
  return (registry as unknown as { entries: Map<string, HeldView> }).entries.get(id)!.held.parts;
}

/** A small deterministic generator (mulberry32): the same part sets at every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WIRE_SOURCES: readonly PartSource[] = ['ai-pref-header', 'sdp-aipref', 'body', 'uri-fetched'];

function pick<T>(next: () => number, values: readonly T[]): T {
  return values[Math.floor(next() * values.length)]!;
}

/** One wire part saying a little of everything, some of it out of the vocabulary. */
function wirePart(next: () => number, n: number, version: number | null): StatementPart {
  const params: Record<string, unknown> = {};
  const maybe = (key: string, values: readonly unknown[]) => {
    if (next() < 0.5) params[key] = pick(next, values);
  };
  maybe('export', ['raw', 'aggregated-only', 'none', 'RAW', 'bogus']);
  maybe('features', ['media-metrics,rtcp-xr', 'rtcp-xr', '', 'sdes, app', ['feedback', 'media-metrics'], 'nonsense']);
  maybe('retention', ['1h', '90s', 3600, 1000 + n, '7d', 'soon']);
  maybe('type', ['user', 'domain', 'regulatory', 'issuer-x']);
  maybe('policy', ['strictest-wins', 'first-wins']);
  maybe('scope', ['dialog', 'media']);
  maybe('issued', [1700000000 + n, 1700000000]);
  maybe('Trace', [`t-${n}`, 'fixed']);
  maybe('trace', [`u-${n}`]);
  if (version !== null) params['version'] = version;
  return { prefId: 'apt-x', source: pick(next, WIRE_SOURCES), origin: `frame ${n}`, params };
}

/** Parts with no two alike (partKey): what the registry would hold unfolded, in order. */
function partSet(seed: number, count: number, version: number | null): StatementPart[] {
  const next = random(seed);
  const parts: StatementPart[] = [];
  if (seed % 3 === 0) parts.push({ prefId: 'apt-x', source: 'policy-file', origin: 'p.json', params: { type: 'domain', export: 'raw', retention: '1d', issued: 1 } });
  for (let n = 1; parts.length < count; n++) parts.push(wirePart(next, n, version));
  return parts;
}

describe('the statement of an identifier whose older parts were folded', () => {
  const seeds = Array.from({ length: 36 }, (_, i) => i + 1);

  it.each(seeds)('seed %i: built from the folded parts, the statement is the one built from every part', (seed) => {
    const parts = partSet(seed, 40, null);
    const registry = AptRegistry.withParts(parts);
    const held = heldOf(registry, 'apt-x');
    expect(held.length).toBeLessThan(parts.length);
    expect(held.filter((p) => p.folded === undefined && p.source !== 'policy-file').length).toBeLessThanOrEqual(UNFOLDED_PARTS);
    const unfolded = buildStatement('apt-x', parts).statement;
    expect(buildStatement('apt-x', held).statement).toEqual(unfolded);
    expect(registry.get('apt-x')).toEqual(unfolded);
    // every key the parts disagreed on is still found in disagreement
    const keys = (findings: { type: string; key?: string }[]) => [...new Set(findings.filter((f) => f.type === 'inconsistent-signaling').map((f) => f.key))].sort();
    expect(keys(registry.disagreements('apt-x'))).toEqual(keys(buildStatement('apt-x', parts).findings));
  });

  it.each([2, 4, 6])('seed %i, parts of one version: folded with their own version, replaced by a newer one as they would be', (seed) => {
    const parts = partSet(seed, 30, 3);
    const registry = AptRegistry.withParts(parts);
    const held = heldOf(registry, 'apt-x');
    expect(held.length).toBeLessThan(parts.length);
    for (const p of held) if (p.source !== 'policy-file') expect(p.params['version']).toBe(3);
    expect(registry.get('apt-x')).toEqual(buildStatement('apt-x', parts).statement);
    // a newer unsigned version takes the place of every unsigned part of version 3, folded or not
    const newer: StatementPart = { prefId: 'apt-x', source: 'body', origin: 'frame 99', params: { version: 4, export: 'raw', retention: '2h' } };
    const findings = registry.deliver(newer);
    expect(findings.some((f) => f.type === 'version-replaced')).toBe(true);
    const vouched = parts.filter((p) => p.source === 'policy-file');
    expect(heldOf(registry, 'apt-x')).toEqual([...vouched, newer]);
    expect(registry.get('apt-x')).toEqual(buildStatement('apt-x', [...vouched, newer]).statement);
  });

  it('an unversioned part and a versioned one of a source are not folded together', () => {
    const parts: StatementPart[] = [];
    for (let n = 1; n <= 24; n++) parts.push({ prefId: 'apt-x', source: 'ai-pref-header', origin: `frame ${n}`, params: n % 2 === 0 ? { retention: `${1000 + n}s` } : { retention: `${1000 + n}s`, version: 2 } });
    const registry = AptRegistry.withParts(parts);
    const folded = heldOf(registry, 'apt-x').filter((p) => p.folded !== undefined);
    expect(folded.map((p) => p.params['version'] ?? null).sort()).toEqual([2, null]);
    expect(registry.get('apt-x')).toEqual(buildStatement('apt-x', parts).statement);
  });

  it('a disagreement only folded parts had is still found, and a later part restating a value reports it as before', () => {
    const registry = new AptRegistry();
    registry.deliver({ prefId: 'apt-x', source: 'ai-pref-header', origin: 'frame 1', params: { retention: '2000s', n: 1 } });
    const reported: string[] = [];
    for (let n = 2; n <= 30; n++) {
      for (const f of registry.deliver({ prefId: 'apt-x', source: 'ai-pref-header', origin: `frame ${n}`, params: { retention: '1000s', n } })) {
        if (f.type === 'inconsistent-signaling') reported.push(`${n}:${f.key}`);
      }
    }
    // every part disagrees on n, and restates the retention the parts disagree on: both reported, at every part
    expect(reported).toEqual(Array.from({ length: 29 }, (_, i) => [`${i + 2}:retention`, `${i + 2}:n`]).flat());
    expect(heldOf(registry, 'apt-x').length).toBeLessThanOrEqual(UNFOLDED_PARTS + 1);
    // the 2000s part is folded away; the disagreement it made is not
    expect(registry.disagreements('apt-x').map((f) => f.key).sort()).toEqual(['n', 'retention']);
    expect(registry.get('apt-x').retentionSec).toBe(1000);
    // a part that says nothing of retention does not report the retention disagreement again
    const quiet = registry.deliver({ prefId: 'apt-x', source: 'ai-pref-header', origin: 'frame 31', params: { n: 31 } });
    expect(quiet.filter((f) => f.type === 'inconsistent-signaling').map((f) => f.key)).toEqual(['n']);
  });

  it('pending parts are not folded; the answer commits them and the held parts stay bounded', () => {
    const registry = AptRegistry.withParts([{ prefId: 'apt-x', source: 'policy-file', params: { type: 'user', export: 'raw', retention: '1h' } }]);
    const all: StatementPart[] = [];
    for (let n = 1; n <= 20; n++) {
      const part: StatementPart = { prefId: 'apt-x', source: 'ai-pref-header', origin: `frame ${n}`, params: { retention: `${1000 + n}s` } };
      all.push(part);
      registry.deliver(part, `offer-${n}`);
    }
    const entry = (registry as unknown as { entries: Map<string, HeldView & { proposed: { parts: StatementPart[] } | null }> }).entries.get('apt-x')!;
    expect(entry.pending).toHaveLength(20);
    // every pending part is in proposed as it came
    for (const p of all) expect(entry.proposed!.parts).toContain(p);
    const stricter = registry.get('apt-x');
    expect(stricter.retentionSec).toBe(1001);
    for (let n = 1; n <= 20; n++) registry.settle(`offer-${n}`, true);
    expect(entry.pending).toHaveLength(0);
    expect(heldOf(registry, 'apt-x').length).toBeLessThanOrEqual(UNFOLDED_PARTS + 2);
    expect(registry.get('apt-x')).toEqual(buildStatement('apt-x', [{ prefId: 'apt-x', source: 'policy-file', params: { type: 'user', export: 'raw', retention: '1h' } }, ...all]).statement);
    // a refused offer after folds takes nothing back but its own part
    registry.deliver({ prefId: 'apt-x', source: 'ai-pref-header', origin: 'frame 21', params: { retention: '10s' } }, 'offer-21');
    expect(registry.get('apt-x').retentionSec).toBe(10);
    registry.settle('offer-21', false);
    expect(registry.get('apt-x').retentionSec).toBe(1001);
  });
});
