/**
 * The per-item decision (SPEC §4): export raw, fold into an aggregate, or drop. An item is
 * governed by the stream that sent it and by every stream it reports on; the most restrictive
 * of all of them applies. A governing stream with no preference is absence, and absence is
 * not consent (§3): the item is dropped unless the operator configured a default APT.
 */
import { combineRestrictive, type KeyOutcome, type PrecedenceRule, type ResolvedPreference } from '../policy/precedence.js';
import type { TelemetryItem } from './telemetry-items.js';

export type DecisionKind = 'export' | 'aggregate' | 'drop';

export type DecisionReason =
  | 'no-preference'
  | 'export-none'
  | 'feature-not-allowed'
  | 'retention-zero'
  | 'aggregated-only'
  | 'raw-allowed'
  /** the stream's m-section was disabled (port 0) or removed: processing stops (SPEC §5) */
  | 'stream-disabled';

export interface Decision {
  decision: DecisionKind;
  reason: DecisionReason;
  /** the APTs that decided (for no-preference: none) */
  apt: string[];
  /** `null`: no retention limit applies */
  retentionSec: number | null;
  /** the precedence rule behind the deciding key, for `--explain` */
  rule: PrecedenceRule | 'no-preference' | 'stream-disabled';
  /** whether text in the item (a BYE reason) may go with it: only where `sdes` is allowed too */
  includeText: boolean;
  /**
   * Keys the deciding APTs state that the vocabulary does not know (SPEC §3: kept and passed
   * through, never guessed at), by APT identifier: an export carries them. Shared, never written to.
   */
  extensions: Readonly<Record<string, unknown>>;
}

/** No unknown keys: what decisions without a deciding statement carry. */
const NO_EXTENSIONS: Readonly<Record<string, unknown>> = Object.freeze({});

export interface DecideOptions {
  /** the operator's default APT, resolved; applies to governing streams with no preference */
  defaultPreference?: ResolvedPreference | null;
}

export function decideItem(
  item: TelemetryItem,
  resolvedForSender: ResolvedPreference | null,
  resolvedForSubjects: readonly (ResolvedPreference | null)[],
  options: DecideOptions = {},
): Decision {
  const governing = governingPreference(resolvedForSender, resolvedForSubjects, options.defaultPreference ?? null);
  return governing === null ? NO_PREFERENCE : decideUnder(item, governing);
}

/** The decision once the governing preference is known (it is not null). */
function decideUnder(item: TelemetryItem, governing: ResolvedPreference): Decision {
  if (governing.export === 'none') return dropUnder(governing, 'export-none', governing.decidedBy.export);
  if (!featureAllowed(governing, item.feature)) return dropUnder(governing, 'feature-not-allowed', governing.decidedBy.features);
  // Retention 0 means "never written": not even an aggregate may hold it.
  if (governing.retentionSec === 0) return dropUnder(governing, 'retention-zero', governing.decidedBy.retention);
  const includeText = item.kind === 'bye' && featureAllowed(governing, 'sdes');
  const aggregate = governing.export === 'aggregated-only';
  return {
    decision: aggregate ? 'aggregate' : 'export',
    reason: aggregate ? 'aggregated-only' : 'raw-allowed',
    apt: governing.apt,
    retentionSec: governing.retentionSec,
    rule: governing.decidedBy.export.rule,
    includeText,
    extensions: governing.extensions,
  };
}

function dropUnder(governing: ResolvedPreference, reason: DecisionReason, outcome: KeyOutcome): Decision {
  return {
    decision: 'drop',
    reason,
    apt: outcome.apt.length > 0 ? outcome.apt : governing.apt,
    retentionSec: governing.retentionSec,
    rule: outcome.rule,
    includeText: false,
    extensions: governing.extensions,
  };
}

const NO_PREFERENCE: Decision = { decision: 'drop', reason: 'no-preference', apt: [], retentionSec: null, rule: 'no-preference', includeText: false, extensions: NO_EXTENSIONS };

/**
 * Decisions by governing preference, then by decisionSlot (the feature class, and a BYE's
 * reason text): a replay judges millions of items under a handful of governing
 * preferences, so each combination is decided once. The shared Decision objects must be treated as immutable, like preferences.
 */
const decisionsUnder = new WeakMap<ResolvedPreference, (Decision | undefined)[]>();

let lastGoverning: ResolvedPreference | null = null;
let lastDecisions: (Decision | undefined)[] | undefined;

/**
 * What a decision depends on besides the governing preference: the item's feature class, and
 * for a BYE its text (one slot of its own). Not the kind alone: an IJ packet is an opaque
 * packet like an unknown one but `media-metrics`. One slot each, no string-keyed map.
 */
function decisionSlot(item: TelemetryItem): number {
  if (item.kind === 'bye') return 5;
  switch (item.feature) {
    case 'media-metrics':
      return 0;
    case 'rtcp-xr':
      return 1;
    case 'feedback':
      return 2;
    case 'sdes':
      return 3;
    case 'app':
      return 4;
  }
}

/**
 * decideItem for callers that combined the governing preference themselves (with
 * combineGoverning, in sender-then-subjects order; null when a governing stream has none and
 * no default applies). Returns the same Decision object for every item decided alike.
 */
export function decideGoverned(item: TelemetryItem, governing: ResolvedPreference | null): Decision {
  if (governing === null) return NO_PREFERENCE;
  // items come in runs under one governing preference: the last one's slots are kept at hand
  let bySlot = governing === lastGoverning ? lastDecisions : decisionsUnder.get(governing);
  if (bySlot === undefined) {
    bySlot = [undefined, undefined, undefined, undefined, undefined, undefined];
    decisionsUnder.set(governing, bySlot);
  }
  lastGoverning = governing;
  lastDecisions = bySlot;
  const slot = decisionSlot(item);
  let decision = bySlot[slot];
  if (decision === undefined) {
    decision = decideUnder(item, governing);
    bySlot[slot] = decision;
  }
  return decision;
}

/** The most restrictive of two governing preferences, memoised (what decideItem folds with). */
export function combineGoverning(a: ResolvedPreference, b: ResolvedPreference): ResolvedPreference {
  return combineMemoised(a, b);
}

/**
 * An item of a stream whose m-section was disabled or removed (SPEC §5: its processing stops):
 * the rule decided it, no APT did — named none, as the scope-removed report's fallback is none
 * (it named the m-section's former identifiers before the answer and some of them after it).
 */
export function stoppedStreamDecision(): Decision {
  return STOPPED;
}

const STOPPED: Decision = { decision: 'drop', reason: 'stream-disabled', apt: [], retentionSec: 0, rule: 'stream-disabled', includeText: false, extensions: NO_EXTENSIONS };

function featureAllowed(preference: ResolvedPreference, feature: TelemetryItem['feature']): boolean {
  return preference.features === null || preference.features.includes(feature);
}

/**
 * Combinations are memoised by identity: a capture has few distinct resolved preferences (one
 * per stream binding) and millions of items, so each pair is combined once. Resolved
 * preferences are treated as immutable once made.
 */
const combined = new WeakMap<ResolvedPreference, WeakMap<ResolvedPreference, ResolvedPreference>>();

/** the last combination made or found: an item's subjects are mostly the previous item's */
let lastA: ResolvedPreference | null = null;
let lastB: ResolvedPreference | null = null;
let lastCombined: ResolvedPreference | null = null;

function combineMemoised(a: ResolvedPreference, b: ResolvedPreference): ResolvedPreference {
  if (a === b) return a;
  if (a === lastA && b === lastB) return lastCombined!;
  const result = combineLookup(a, b);
  lastA = a;
  lastB = b;
  lastCombined = result;
  return result;
}

function combineLookup(a: ResolvedPreference, b: ResolvedPreference): ResolvedPreference {
  let byB = combined.get(a);
  if (byB === undefined) {
    byB = new WeakMap();
    combined.set(a, byB);
  }
  let result = byB.get(b);
  if (result === undefined) {
    result = combineRestrictive(a, b);
    byB.set(b, result);
  }
  return result;
}

/** The most restrictive of all governing streams, or null when any of them has no preference. */
function governingPreference(
  sender: ResolvedPreference | null,
  subjects: readonly (ResolvedPreference | null)[],
  fallback: ResolvedPreference | null,
): ResolvedPreference | null {
  let governing = sender ?? fallback;
  if (governing === null) return null;
  for (const subject of subjects) {
    const preference = subject ?? fallback;
    if (preference === null) return null;
    governing = combineMemoised(governing, preference);
  }
  return governing;
}
