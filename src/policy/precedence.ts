/**
 * Resolution when several APTs apply to one stream (SPEC §3, seed §7.3):
 *  1. regulatory statements are a floor nothing relaxes;
 *  2. a user statement overrides a domain default (key by key: a domain key the user's
 *     statements do not mention still applies);
 *  3. between statements of the same rank, the most restrictive value of each key wins.
 * Statements that are unresolved or failed integrity count as the most restrictive statement
 * and, like a floor, cannot be overridden by anyone. A statement that names no `type` is
 * neither allowed to override nor be overridden: it is combined strictest-wins with the result.
 * The outcome records, per key, which APTs decided it and by which rule (for `--explain`).
 */
import { setOwn } from './own-property.js';
import type { AptStatement } from './statement.js';
import {
  type ExportLevel,
  type FeatureClass,
  stricterExport,
  stricterFeatures,
  stricterRetention,
} from './vocabulary.js';

export type PrecedenceRule =
  | 'single-statement'
  | 'strictest-wins'
  | 'user-overrides-domain'
  | 'regulatory-floor'
  | 'unresolved-apt'
  | 'integrity-failure'
  /** no applicable APT states the key: export falls to `none`, features/retention unrestricted */
  | 'not-stated';

export interface KeyOutcome {
  apt: string[];
  rule: PrecedenceRule;
}

export interface ResolvedPreference {
  export: ExportLevel;
  /** `null`: no APT restricts features */
  features: FeatureClass[] | null;
  /** `null`: no APT limits retention */
  retentionSec: number | null;
  /** the APTs that decided at least one key */
  apt: string[];
  decidedBy: { export: KeyOutcome; features: KeyOutcome; retention: KeyOutcome };
  /** domain APTs whose value for some key a user statement overrode */
  overridden: string[];
  /**
   * Unknown keys of the deciding statements, passed through as each states them, by APT
   * identifier (in code-unit order, whatever order the statements came in): two APTs giving one
   * key different values are both kept, never one picked (SPEC §3: never guessed at).
   */
  extensions: Record<string, Record<string, unknown>>;
}

interface Candidate<T> {
  id: string;
  value: T;
  /** floors (regulatory, unresolved, failed) and untyped statements are combined, never overridden */
  tier: 'floor' | 'user' | 'domain' | 'untyped';
  status: AptStatement['status'];
}

type Combine<T> = (a: T, b: T) => T;

export function resolvePreferences(statements: readonly AptStatement[]): ResolvedPreference | null {
  if (statements.length === 0) return null;
  const overridden = new Set<string>();
  const exportOutcome = resolveKey(statements, (s) => s.export, stricterExport, overridden);
  const featuresOutcome = resolveKey(statements, (s) => s.features, (a, b) => stricterFeatures(a, b) ?? [], overridden);
  const retentionOutcome = resolveKey(statements, (s) => s.retentionSec, (a, b) => stricterRetention(a, b) ?? 0, overridden);

  const deciding = new Set([...exportOutcome.outcome.apt, ...featuresOutcome.outcome.apt, ...retentionOutcome.outcome.apt]);
  const ids = uniqueIds(statements.map((s) => s.id));
  const apt = deciding.size === 0 ? ids : ids.filter((id) => deciding.has(id));
  const extensions: Record<string, Record<string, unknown>> = {};
  for (const statement of [...statements].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    if (!apt.includes(statement.id) || Object.hasOwn(extensions, statement.id)) continue;
    if (Object.keys(statement.extensions).length > 0) setOwn(extensions, statement.id, statement.extensions);
  }
  return {
    export: exportOutcome.value ?? 'none',
    features: featuresOutcome.value,
    retentionSec: retentionOutcome.value,
    apt,
    decidedBy: { export: exportOutcome.outcome, features: featuresOutcome.outcome, retention: retentionOutcome.outcome },
    overridden: ids.filter((id) => overridden.has(id)),
    extensions,
  };
}

function tierOf(statement: AptStatement): Candidate<unknown>['tier'] {
  if (statement.status !== 'resolved' || statement.type === 'regulatory') return 'floor';
  return statement.type ?? 'untyped';
}

function resolveKey<T>(
  statements: readonly AptStatement[],
  read: (s: AptStatement) => T | null,
  stricter: Combine<T>,
  overridden: Set<string>,
): { value: T | null; outcome: KeyOutcome } {
  const candidates: Candidate<T>[] = [];
  for (const statement of statements) {
    const value = read(statement);
    if (value === null) continue;
    candidates.push({ id: statement.id, value, tier: tierOf(statement), status: statement.status });
  }
  if (candidates.length === 0) return { value: null, outcome: { apt: [], rule: 'not-stated' } };

  const users = candidates.filter((c) => c.tier === 'user');
  const domains = candidates.filter((c) => c.tier === 'domain');
  const userOverrides = users.length > 0 && domains.length > 0;
  if (userOverrides) for (const d of domains) overridden.add(d.id);
  const ranked = users.length > 0 ? users : domains;
  const combined = candidates.filter((c) => c.tier === 'floor' || c.tier === 'untyped');
  const applying = [...ranked, ...combined];

  let value = applying[0]!.value;
  for (let i = 1; i < applying.length; i++) value = stricter(value, applying[i]!.value);
  const deciders = applying.filter((c) => sameJson(c.value, value));
  // For intersections no single statement may equal the result: then all of them decided.
  const decidingSet = deciders.length > 0 ? deciders : applying;
  const apt = uniqueIds(decidingSet.map((c) => c.id));

  let rule: PrecedenceRule;
  const failed = decidingSet.find((c) => c.status !== 'resolved');
  const rankedValue = ranked.length === 0 ? null : ranked.map((c) => c.value).reduce(stricter);
  if (failed !== undefined) rule = failed.status === 'integrity-failure' ? 'integrity-failure' : 'unresolved-apt';
  else if (
    decidingSet.some((c) => c.tier === 'floor') &&
    (rankedValue === null || !sameJson(rankedValue, value))
  )
    rule = 'regulatory-floor';
  else if (userOverrides) rule = 'user-overrides-domain';
  else rule = applying.length === 1 ? 'single-statement' : 'strictest-wins';
  return { value, outcome: { apt, rule } };
}

/**
 * The most restrictive of two resolved preferences: for an item governed by two streams
 * (sender and reported-on source), and for media-plane tags beside signaling (SPEC §2: both
 * apply; the binding-conflict report is the caller's).
 */
export function combineRestrictive(a: ResolvedPreference, b: ResolvedPreference): ResolvedPreference {
  const exportLevel = stricterExport(a.export, b.export);
  const features = stricterFeatures(a.features, b.features);
  const retentionSec = stricterRetention(a.retentionSec, b.retentionSec);
  const decidedBy = {
    export: pickOutcome(a.export, b.export, exportLevel, a.decidedBy.export, b.decidedBy.export),
    features: pickOutcome(a.features, b.features, features, a.decidedBy.features, b.decidedBy.features),
    retention: pickOutcome(a.retentionSec, b.retentionSec, retentionSec, a.decidedBy.retention, b.decidedBy.retention),
  };
  // as for one stream (resolvePreferences): the APTs that decided some key, and their unknown keys only
  const deciding = new Set([...decidedBy.export.apt, ...decidedBy.features.apt, ...decidedBy.retention.apt]);
  const ids = uniqueIds([...a.apt, ...b.apt]);
  const apt = deciding.size === 0 ? ids : ids.filter((id) => deciding.has(id));
  const extensions = jointExtensions(a.extensions, b.extensions);
  for (const id of Object.keys(extensions)) if (!apt.includes(id)) delete extensions[id];
  return {
    export: exportLevel,
    features,
    retentionSec,
    apt,
    decidedBy,
    overridden: uniqueIds([...a.overridden, ...b.overridden]),
    extensions,
  };
}

function pickOutcome<T>(aValue: T, bValue: T, result: T, aOutcome: KeyOutcome, bOutcome: KeyOutcome): KeyOutcome {
  const aDecides = sameJson(aValue, result);
  const bDecides = sameJson(bValue, result);
  if (aDecides && !bDecides) return outweighing(aOutcome, bOutcome);
  if (bDecides && !aDecides) return outweighing(bOutcome, aOutcome);
  if (aDecides && bDecides) {
    const apt = uniqueIds([...aOutcome.apt, ...bOutcome.apt]);
    // two statements that agree are the strictest of two, as on one stream (resolveKey): a
    // single statement only when both sides' is the same one
    const ruleHolds = aOutcome.rule !== 'single-statement' || apt.length === 1;
    const rule = aOutcome.rule === bOutcome.rule && ruleHolds ? aOutcome.rule : 'strictest-wins';
    return { apt, rule };
  }
  // An intersection neither side equals alone: both decided it.
  return { apt: uniqueIds([...aOutcome.apt, ...bOutcome.apt]), rule: 'strictest-wins' };
}

/**
 * The outcome of the side whose value won over the other's: one statement's value that won
 * over another stated value was the strictest of two, not a single statement (the other side
 * not stating the key leaves the winner's rule as it was; so do the rules that say more).
 */
function outweighing(winner: KeyOutcome, other: KeyOutcome): KeyOutcome {
  return winner.rule === 'single-statement' && other.rule !== 'not-stated' ? { apt: winner.apt, rule: 'strictest-wins' } : winner;
}

/**
 * Whether two key values have the same JSON text (how values are compared: an intersection of
 * feature lists equals a statement's list element by element), without writing the text. Key
 * values are levels, numbers, null and lists of them; a number JSON cannot write (NaN,
 * ±Infinity) reads as null there, and so it does here. Anything else is compared as text.
 */
function sameJson(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && !Number.isFinite(a)) a = null;
  if (typeof b === 'number' && !Number.isFinite(b)) b = null;
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    // in a list JSON writes undefined as null too
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** Both preferences' unknown keys by APT identifier, in code-unit order (an identifier in both is one statement). */
function jointExtensions(a: Record<string, Record<string, unknown>>, b: Record<string, Record<string, unknown>>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const id of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) setOwn(out, id, Object.hasOwn(a, id) ? a[id]! : b[id]!);
  return out;
}
