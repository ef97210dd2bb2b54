/**
 * The APT vocabulary the enforcer enforces (SPEC §3): the value sets of each key, how to read
 * them from text, and which of two values is the more restrictive. Everything that combines
 * preferences (merging parts, precedence, governing streams) orders values through here so
 * that "most restrictive" means one thing everywhere.
 */

export const EXPORT_LEVELS = ['none', 'aggregated-only', 'raw'] as const;
export type ExportLevel = (typeof EXPORT_LEVELS)[number];

export const FEATURE_CLASSES = ['media-metrics', 'rtcp-xr', 'feedback', 'sdes', 'app'] as const;
export type FeatureClass = (typeof FEATURE_CLASSES)[number];

export const APT_TYPES = ['user', 'domain', 'regulatory'] as const;
export type AptType = (typeof APT_TYPES)[number];

export const CONFLICT_POLICIES = ['strictest-wins'] as const;
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];

/** The keys whose values this module understands; anything else is passed through untouched. */
export const VOCABULARY_KEYS = ['export', 'features', 'retention', 'type', 'version', 'policy'] as const;
export type VocabularyKey = (typeof VOCABULARY_KEYS)[number];

/**
 * A vocabulary word as a statement part gives it: a string's, trimmed and lower-cased (the
 * values are tokens, compared without regard to case, wherever they come from); '' (no word)
 * for any other value.
 */
export function vocabularyWord(value: unknown): string {
  return typeof value === 'string' ? value.trim().toLowerCase() : '';
}

/**
 * A part's value as text: a string as it is, anything else as its JSON (a body's ["raw"] is not
 * the word raw; String() of an object whose own `toString` key is no function throws).
 */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
}

export function isExportLevel(value: string): value is ExportLevel {
  return (EXPORT_LEVELS as readonly string[]).includes(value);
}

export function isFeatureClass(value: string): value is FeatureClass {
  return (FEATURE_CLASSES as readonly string[]).includes(value);
}

export function isAptType(value: string): value is AptType {
  return (APT_TYPES as readonly string[]).includes(value);
}

export function isConflictPolicy(value: string): value is ConflictPolicy {
  return (CONFLICT_POLICIES as readonly string[]).includes(value);
}

const EXPORT_RANK: Record<ExportLevel, number> = { none: 0, 'aggregated-only': 1, raw: 2 };

export function stricterExport(a: ExportLevel, b: ExportLevel): ExportLevel {
  return EXPORT_RANK[a] <= EXPORT_RANK[b] ? a : b;
}

/**
 * Feature lists: `null` means "this statement does not restrict features" (the key was absent),
 * which is the least restrictive value; the intersection is the most restrictive combination.
 */
export function stricterFeatures(
  a: readonly FeatureClass[] | null,
  b: readonly FeatureClass[] | null,
): FeatureClass[] | null {
  if (a === null) return b === null ? null : [...b];
  if (b === null) return [...a];
  // Keep the canonical order so that equal sets compare and serialise equally.
  return FEATURE_CLASSES.filter((f) => a.includes(f) && b.includes(f));
}

/** Retention in seconds; `null` means "no limit stated", which any stated limit tightens. */
export function stricterRetention(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/**
 * Who issued a statement when its parts (or two versions) disagree: a regulatory claim stays,
 * a floor nothing relaxes; user against domain gives no issuer. As user it would override
 * domain statements, as domain be overridden by user ones; untyped it does neither, so it is
 * combined strictest-wins with both, which is at least as strict as either reading. (Taking
 * "user" as the stricter claim let an unsigned SDP line that said type=user override a domain
 * statement the policy file's own entry for the same identifier called domain.)
 */
export function jointType(a: AptType | null, b: AptType | null): AptType | null {
  if (a === b) return a;
  return a === 'regulatory' || b === 'regulatory' ? 'regulatory' : null;
}

/** Sorts a feature list into canonical order, dropping duplicates. */
export function canonicalFeatures(features: readonly FeatureClass[]): FeatureClass[] {
  return FEATURE_CLASSES.filter((f) => features.includes(f));
}

const DURATION_UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };
const DURATION_PATTERN = /^(\d+)([smhd]?)$/;

/**
 * Durations as the vocabulary writes them: `0`, `90s`, `15m`, `24h`, `7d` (a bare integer is
 * seconds). Returns `null` for anything else, so callers decide how loudly to refuse it.
 */
export function parseDuration(text: string): number | null {
  const match = DURATION_PATTERN.exec(text.trim().toLowerCase());
  if (match === null) return null;
  const amount = Number(match[1]);
  const unit = match[2] === '' ? 's' : match[2]!;
  // digits and a unit are a duration however many digits: past a century (2^53 s, a 400-digit
  // run that reads as Infinity), a century, as any longer one is
  return Math.min(amount * DURATION_UNIT_SECONDS[unit]!, MAX_DURATION_SEC);
}

/**
 * A duration written as a JSON number of seconds (a policy file's or a body statement's), read
 * as the same number written as text is: whole seconds, capped at a century; null otherwise.
 */
export function durationOfNumber(value: number): number | null {
  // (a JSON number past 2^53 is no exact count of seconds, 1e+21 not one written as a duration: refused)
  return Number.isSafeInteger(value) && value >= 0 ? Math.min(value, MAX_DURATION_SEC) : null;
}

/**
 * Durations longer than a century are read as one: an expiresAt that far on is as good as none,
 * and capture time + retention stays exact to the microsecond in a double (at 10^11 days it was
 * rounded up, past the retention's end).
 */
export const MAX_DURATION_SEC = 100 * 365 * 86_400;

/**
 * A feature list from the wire: `media-metrics,rtcp-xr`, `media-metrics, rtcp-xr` (SPEC §2.3:
 * a space after the comma is still one list), or a JSON array. Unknown members are returned
 * apart so that the caller can report them; they never grant anything.
 */
export function splitFeatureList(value: string | readonly unknown[]): { known: FeatureClass[]; unknown: string[] } {
  // a list's members are words: a nested ["media-metrics"] is none (String() would make it one)
  const members = typeof value === 'string' ? value.split(',') : value.map(valueText);
  const known: FeatureClass[] = [];
  const unknown: string[] = [];
  for (const raw of members) {
    const member = raw.trim().toLowerCase();
    if (member === '') continue;
    if (isFeatureClass(member)) known.push(member);
    else unknown.push(member);
  }
  return { known: canonicalFeatures(known), unknown };
}
