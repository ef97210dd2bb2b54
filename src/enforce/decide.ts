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
}

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
  if (governing === null) {
    return { decision: 'drop', reason: 'no-preference', apt: [], retentionSec: null, rule: 'no-preference', includeText: false };
  }
  const drop = (reason: DecisionReason, outcome: KeyOutcome): Decision => ({
    decision: 'drop',
    reason,
    apt: outcome.apt.length > 0 ? outcome.apt : governing.apt,
    retentionSec: governing.retentionSec,
    rule: outcome.rule,
    includeText: false,
  });
  if (governing.export === 'none') return drop('export-none', governing.decidedBy.export);
  if (!featureAllowed(governing, item.feature)) return drop('feature-not-allowed', governing.decidedBy.features);
  // Retention 0 means "never written": not even an aggregate may hold it.
  if (governing.retentionSec === 0) return drop('retention-zero', governing.decidedBy.retention);
  const includeText = item.kind === 'bye' && featureAllowed(governing, 'sdes');
  const aggregate = governing.export === 'aggregated-only';
  return {
    decision: aggregate ? 'aggregate' : 'export',
    reason: aggregate ? 'aggregated-only' : 'raw-allowed',
    apt: governing.apt,
    retentionSec: governing.retentionSec,
    rule: governing.decidedBy.export.rule,
    includeText,
  };
}

/** What every item of a stopped stream gets, whatever its APTs said before. */
export function stoppedStreamDecision(apt: string[]): Decision {
  return { decision: 'drop', reason: 'stream-disabled', apt, retentionSec: 0, rule: 'stream-disabled', includeText: false };
}

function featureAllowed(preference: ResolvedPreference, feature: TelemetryItem['feature']): boolean {
  return preference.features === null || preference.features.includes(feature);
}

/**
 * Combinations are memoised by identity: a capture has few distinct resolved preferences (one
 * per stream binding) and millions of items, so each pair is combined once. Resolved
 * preferences are treated as immutable once made.
 */
const combined = new WeakMap<ResolvedPreference, WeakMap<ResolvedPreference, ResolvedPreference>>();

function combineMemoised(a: ResolvedPreference, b: ResolvedPreference): ResolvedPreference {
  if (a === b) return a;
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
