/**
 * APT statements (SPEC §3): everything said about one pref-id — AI-Pref header parameters,
 * a=aipref parameters, body statements, the policy file's entry — is one statement. Parts are
 * merged key by key; where they disagree the most restrictive value wins and the disagreement
 * is reported, because a downgrade between layers is exactly what §4 ("one canonical
 * identifier across layers") warns about.
 */
import type { FindingValue, PartSource, PolicyFinding } from './findings.js';
import { setOwn } from './own-property.js';
import {
  type AptType,
  type ExportLevel,
  type FeatureClass,
  isAptType,
  isConflictPolicy,
  isExportLevel,
  parseDuration,
  durationOfNumber,
  splitFeatureList,
  stricterExport,
  stricterFeatures,
  stricterRetention,
  jointType,
  valueText,
  vocabularyWord,
} from './vocabulary.js';

/** One delivery of parameters for a pref-id, with where it came from. */
export interface StatementPart {
  prefId: string;
  source: PartSource;
  /** free text for reports, e.g. "frame 12" or the policy file's name */
  origin?: string;
  /** parameters as delivered; names are matched case-insensitively (RFC 3261 rules) */
  params: Readonly<Record<string, unknown>>;
  /**
   * Set on a part the registry folded older parts of one source into (AptRegistry: the parts of
   * one identifier are bounded): `params` hold what buildStatement resolved them to, `disputed`
   * the keys they disagreed on — a disagreement still found when every part left agrees —,
   * `firstKey` the partKey of the first part folded (where a policy reload finds it again),
   * `absorbed` the partKeys of the latest parts folded in after it (bounded: a restatement of
   * one is a repeat). `issuersDiffered`: their issuers gave no joint one (jointType null) — a
   * field of its own, as a `type` of null in `params` is what a wire part can say.
   */
  folded?: { parts: number; disputed: readonly string[]; firstKey: string; absorbed: readonly string[]; issuersDiffered?: true };
}

/**
 * `resolved`: some part says what the APT means. `unresolved`: only a reference was seen (bare
 * id, unknown uri=). `integrity-failure`: a signed form did not verify. The last two count as
 * the most restrictive statement (SPEC §3, "absence is not consent").
 */
export type StatementStatus = 'resolved' | 'unresolved' | 'integrity-failure';

export interface AptStatement {
  id: string;
  status: StatementStatus;
  /** `null`: not stated by this APT */
  export: ExportLevel | null;
  /** `null`: no feature restriction from this APT */
  features: FeatureClass[] | null;
  /** `null`: no retention limit from this APT */
  retentionSec: number | null;
  type: AptType | null;
  version: number | null;
  policy: string | null;
  /** binding parameters (scope, integrity, uri): about where the APT applies, not what it says */
  binding: Readonly<Record<string, string>>;
  /** keys outside the vocabulary, passed through untouched and never interpreted */
  extensions: Readonly<Record<string, unknown>>;
  sources: PartSource[];
  /** why the statement is not resolved (integrity failure reason, unresolved uri, …) */
  reason?: string;
}

/** Keys about where an APT applies or how it is proven, not what it says (kept as text only). */
export const BINDING_KEYS: ReadonlySet<string> = new Set(['scope', 'integrity', 'uri']);

/** Sources that carry a full statement, so that the pref-id is resolved even if they say little. */
const STATEMENT_SOURCES = new Set<PartSource>(['body', 'policy-file', 'uri-fetched', 'jws']);
const STATEMENT_KEYS = new Set(['export', 'features', 'retention']);

/** The reason an identifier nothing was delivered for is unresolved. */
export const UNKNOWN_IDENTIFIER = 'identifier not known';

/** The most restrictive statement a pref-id can have: what unresolved and failed APTs count as. */
export function mostRestrictiveStatement(id: string, status: Exclude<StatementStatus, 'resolved'>, reason: string): AptStatement {
  return {
    id,
    status,
    export: 'none',
    features: [],
    retentionSec: 0,
    type: null,
    version: null,
    policy: null,
    binding: {},
    extensions: {},
    sources: [],
    reason,
  };
}

/**
 * The stricter of two statements of one pref-id, key by key: what governs while an offer's
 * parts await their answer — the statement in force (`held`) and the one with the offer's
 * parts (`proposed`) — so that a restriction applies from the offer and a relaxation only
 * from the answer (SPEC §5). An unresolved or failed statement is the most restrictive.
 * `export` one of them leaves unstated counts as `none`, as it does when the APT governs alone
 * (precedence: not-stated). Issuers that differ give jointType's reading.
 */
export function stricterStatement(held: AptStatement, proposed: AptStatement): AptStatement {
  if (held.status !== 'resolved') return held;
  if (proposed.status !== 'resolved') return proposed;
  const type = jointType(held.type, proposed.type);
  return {
    ...held,
    export: held.export === null && proposed.export === null ? null : stricterExport(held.export ?? 'none', proposed.export ?? 'none'),
    features: stricterFeatures(held.features, proposed.features),
    retentionSec: stricterRetention(held.retentionSec, proposed.retentionSec),
    type,
    version: held.version === null ? proposed.version : proposed.version === null ? held.version : Math.max(held.version, proposed.version),
    extensions: { ...proposed.extensions, ...held.extensions },
    sources: [...new Set([...held.sources, ...proposed.sources])],
  };
}

/** Reads a part's `version`, or null when absent or not an integer. */
export function partVersion(part: StatementPart): number | null {
  for (const [name, value] of Object.entries(part.params)) {
    if (name.toLowerCase() !== 'version') continue;
    return readVersion(value);
  }
  return null;
}

function readVersion(value: unknown): number | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d+$/.test(text)) return null;
  const version = Number(text);
  return Number.isSafeInteger(version) ? version : null;
}

interface KeyReading<T> {
  value: T;
  delivered: FindingValue;
}

/**
 * Builds one statement from the parts delivered for a pref-id. Parts must all be for `prefId`;
 * version selection is the registry's business (parts of different versions are merged here,
 * the highest version recorded).
 */
export function buildStatement(prefId: string, parts: readonly StatementPart[]): { statement: AptStatement; findings: PolicyFinding[] } {
  const findings: PolicyFinding[] = [];
  const exports: KeyReading<ExportLevel>[] = [];
  const features: KeyReading<FeatureClass[]>[] = [];
  const retentions: KeyReading<number>[] = [];
  const types: KeyReading<AptType | null>[] = [];
  const policies: KeyReading<string>[] = [];
  const binding: Record<string, string> = {};
  const extensions: Record<string, unknown> = {};
  const extensionReadings = new Map<string, FindingValue[]>();
  // keys folded parts disagreed on (or a part folded away did with the value kept): reported
  // while any part states them, even when every reading left agrees
  const disputed = new Set<string>();
  let version: number | null = null;
  let resolved = false;
  const sources: PartSource[] = [];

  const unknownValue = (part: StatementPart, key: string, value: unknown, readAs: string): void => {
    findings.push({
      type: 'unknown-value',
      apt: prefId,
      key,
      values: [deliveredValue(part, value)],
      // a body's non-string value as JSON: ["raw"] is not the word raw
      detail: `${key}=${valueText(value)} is not in the vocabulary; read as ${readAs}`,
    });
  };

  for (const part of parts) {
    if (!sources.includes(part.source)) sources.push(part.source);
    if (STATEMENT_SOURCES.has(part.source)) resolved = true;
    for (const key of part.folded?.disputed ?? []) disputed.add(key);
    if (part.folded?.issuersDiffered === true) types.push({ value: null, delivered: deliveredValue(part, null) });
    let versionRead = false;
    for (const [rawName, value] of Object.entries(part.params)) {
      const name = rawName.toLowerCase();
      if (STATEMENT_KEYS.has(name)) resolved = true;
      switch (name) {
        case 'export': {
          // a string or nothing: a body statement's ["raw"] is no export level (String() made it one)
          const text = vocabularyWord(value);
          if (isExportLevel(text)) exports.push({ value: text, delivered: deliveredValue(part, text) });
          else {
            unknownValue(part, name, value, 'none');
            exports.push({ value: 'none', delivered: deliveredValue(part, value) });
          }
          break;
        }
        case 'features': {
          const list = typeof value === 'string' || Array.isArray(value) ? splitFeatureList(value) : { known: [], unknown: [valueText(value)] };
          if (list.unknown.length > 0) unknownValue(part, name, list.unknown.join(','), 'not granted');
          features.push({ value: list.known, delivered: deliveredValue(part, list.known) });
          break;
        }
        case 'retention': {
          const seconds =
            typeof value === 'number'
              ? durationOfNumber(value)
              : // a string or nothing: a body's ["7d"] is no duration (String() made it one)
                typeof value === 'string'
                ? parseDuration(value)
                : null;
          if (seconds === null) {
            unknownValue(part, name, value, '0');
            retentions.push({ value: 0, delivered: deliveredValue(part, value) });
          } else retentions.push({ value: seconds, delivered: deliveredValue(part, value) });
          break;
        }
        case 'type': {
          const text = vocabularyWord(value);
          if (isAptType(text)) types.push({ value: text, delivered: deliveredValue(part, text) });
          else {
            // An issuer we cannot place must not be relaxable by anyone: read it as a floor.
            unknownValue(part, name, value, 'regulatory');
            types.push({ value: 'regulatory', delivered: deliveredValue(part, value) });
          }
          break;
        }
        case 'version': {
          const parsed = readVersion(value);
          if (parsed === null) unknownValue(part, name, value, 'absent');
          // the part's version is its first member so named (partVersion), as the registry files it
          else if (!versionRead) version = version === null ? parsed : Math.max(version, parsed);
          versionRead = true;
          break;
        }
        case 'policy': {
          const text = vocabularyWord(value);
          // Unknown conflict rules are reported; the enforcer applies strictest-wins regardless.
          if (!isConflictPolicy(text)) unknownValue(part, name, value, 'strictest-wins');
          policies.push({ value: text, delivered: deliveredValue(part, text) });
          break;
        }
        default: {
          if (BINDING_KEYS.has(name)) {
            if (!(name in binding)) binding[name] = valueText(value);
            break;
          }
          const seen = extensionReadings.get(rawName);
          if (seen === undefined) {
            setOwn(extensions, rawName, value);
            extensionReadings.set(rawName, [deliveredValue(part, value)]);
          } else seen.push(deliveredValue(part, value));
        }
      }
    }
  }

  const exportValue = mergeKey(prefId, 'export', exports, stricterExport, findings, disputed);
  const featuresValue = mergeKey(prefId, 'features', features, (a, b) => stricterFeatures(a, b) ?? [], findings, disputed);
  const retentionValue = mergeKey(prefId, 'retention', retentions, (a, b) => stricterRetention(a, b) ?? 0, findings, disputed);
  const typeValue = mergeKey(prefId, 'type', types, jointType, findings, disputed, 'the joint reading kept');
  const policyValue = mergeKey(prefId, 'policy', policies, (a) => a, findings, disputed);
  for (const [name, readings] of extensionReadings) {
    if (distinctValues(readings.map((r) => r.value)) > 1 || disputed.has(name)) {
      // Unknown keys are never guessed at: the first delivery is kept, the disagreement reported.
      findings.push({ type: 'inconsistent-signaling', apt: prefId, key: name, values: readings, detail: `parts disagree on ${name}; first kept` });
    }
  }

  if (!resolved) {
    const statement = mostRestrictiveStatement(prefId, 'unresolved', 'no statement for this identifier');
    return { statement: { ...statement, type: typeValue, version, binding, extensions, sources }, findings };
  }
  return {
    statement: {
      id: prefId,
      status: 'resolved',
      export: exportValue,
      features: featuresValue,
      retentionSec: retentionValue,
      type: typeValue,
      version,
      policy: policyValue,
      binding,
      extensions,
      sources,
    },
    findings,
  };
}

function deliveredValue(part: StatementPart, value: unknown): FindingValue {
  return part.origin === undefined ? { value, source: part.source } : { value, source: part.source, origin: part.origin };
}

function mergeKey<T>(
  prefId: string,
  key: string,
  readings: readonly KeyReading<T>[],
  stricter: (a: T, b: T) => T,
  findings: PolicyFinding[],
  disputed: ReadonlySet<string>,
  kept = 'most restrictive kept',
): T | null {
  if (readings.length === 0) return null;
  let value = readings[0]!.value;
  for (let i = 1; i < readings.length; i++) value = stricter(value, readings[i]!.value);
  if (distinctValues(readings.map((r) => r.value)) > 1 || disputed.has(key)) {
    findings.push({
      type: 'inconsistent-signaling',
      apt: prefId,
      key,
      values: readings.map((r) => r.delivered),
      detail: `parts disagree on ${key}; ${kept}: ${JSON.stringify(value)}`,
    });
  }
  return value;
}

function distinctValues(values: readonly unknown[]): number {
  return new Set(values.map((v) => JSON.stringify(v))).size;
}
