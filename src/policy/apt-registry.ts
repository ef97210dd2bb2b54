/**
 * The statements known by pref-id, as deliveries arrive over a session (SPEC §3, seed §3
 * idempotency): identical re-delivery changes nothing, a newer `version` replaces the older
 * statement, an older one is ignored. Parts without a version (the policy file's entry, a
 * bare header value) describe the identifier whatever its version and stay merged in.
 */
import type { PolicyFinding } from './findings.js';
import { resolvePreferences, type ResolvedPreference } from './precedence.js';
import { type AptStatement, buildStatement, mostRestrictiveStatement, partVersion, type StatementPart } from './statement.js';

interface Entry {
  parts: StatementPart[];
  partKeys: Set<string>;
  version: number | null;
  failure: string | null;
  /** findings already handed out, so a re-built statement does not report them twice */
  reported: Set<string>;
  statement: AptStatement | null;
}

export class AptRegistry {
  private readonly entries = new Map<string, Entry>();
  /** identifiers whose statement a delivery or a failure may have changed, since takeChanged() */
  private readonly changed = new Set<string>();

  /** A registry preloaded with parts (typically the policy file's entries, which are already validated). */
  static withParts(parts: readonly StatementPart[]): AptRegistry {
    const registry = new AptRegistry();
    for (const part of parts) registry.deliver(part);
    return registry;
  }

  /** The resolved preference of a set of identifiers (SPEC §3 precedence); null for an empty set. */
  resolve(prefIds: readonly string[]): ResolvedPreference | null {
    return resolvePreferences([...new Set(prefIds)].map((id) => this.get(id)));
  }

  /** Adds one part; returns what is new to report (empty for an identical re-delivery). */
  deliver(part: StatementPart): PolicyFinding[] {
    const entry = this.entryFor(part.prefId);
    const key = partKey(part);
    if (entry.partKeys.has(key)) return [];
    const findings: PolicyFinding[] = [];
    const version = partVersion(part);
    if (version !== null && entry.version !== null && version < entry.version) {
      return [
        {
          type: 'stale-version',
          apt: part.prefId,
          key: 'version',
          detail: `version ${version} ignored: version ${entry.version} is held`,
        },
      ];
    }
    if (version !== null && entry.version !== null && version > entry.version) {
      findings.push({
        type: 'version-replaced',
        apt: part.prefId,
        key: 'version',
        detail: `version ${version} replaces version ${entry.version}`,
      });
      entry.parts = entry.parts.filter((p) => partVersion(p) === null);
      entry.partKeys = new Set(entry.parts.map(partKey));
      // Disagreements with the replaced version are history, not news about the new one.
      entry.reported.clear();
    }
    if (version !== null) entry.version = version;
    entry.parts.push(part);
    entry.partKeys.add(key);
    entry.statement = null;
    this.changed.add(part.prefId);
    return findings.concat(this.newFindings(entry, part.prefId));
  }

  /** Records that a signed form of the pref-id failed verification: it stays most restrictive. */
  markIntegrityFailure(prefId: string, reason: string): PolicyFinding[] {
    const entry = this.entryFor(prefId);
    if (entry.failure !== null) return [];
    entry.failure = reason;
    entry.statement = null;
    this.changed.add(prefId);
    return [{ type: 'integrity-failure', apt: prefId, detail: reason }];
  }

  /**
   * The identifiers whose statement may have changed since the last call, in the order they
   * changed; a delivery that changed nothing (a repeat, a stale version) is not among them.
   */
  takeChanged(): string[] {
    const ids = [...this.changed];
    this.changed.clear();
    return ids;
  }

  has(prefId: string): boolean {
    return this.entries.has(prefId);
  }

  /** The statement for a pref-id; an identifier nothing resolved is `unresolved` (export=none). */
  get(prefId: string): AptStatement {
    const entry = this.entries.get(prefId);
    if (entry === undefined) return mostRestrictiveStatement(prefId, 'unresolved', 'identifier not known');
    if (entry.statement === null) {
      entry.statement =
        entry.failure !== null
          ? mostRestrictiveStatement(prefId, 'integrity-failure', entry.failure)
          : buildStatement(prefId, entry.parts).statement;
    }
    return entry.statement;
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** Drops what is known of an identifier: from now on it is as if never delivered (unresolved). */
  forget(prefId: string): void {
    this.entries.delete(prefId);
    this.changed.delete(prefId);
  }

  private entryFor(prefId: string): Entry {
    let entry = this.entries.get(prefId);
    if (entry === undefined) {
      entry = { parts: [], partKeys: new Set(), version: null, failure: null, reported: new Set(), statement: null };
      this.entries.set(prefId, entry);
    }
    return entry;
  }

  private newFindings(entry: Entry, prefId: string): PolicyFinding[] {
    const { statement, findings } = buildStatement(prefId, entry.parts);
    entry.statement = entry.failure === null ? statement : null;
    const fresh: PolicyFinding[] = [];
    for (const finding of findings) {
      const key = JSON.stringify([finding.type, finding.key, finding.values]);
      if (entry.reported.has(key)) continue;
      entry.reported.add(key);
      fresh.push(finding);
    }
    return fresh;
  }
}

/** Identity of a delivery: same source and same parameters (names case-folded) is a repeat. */
function partKey(part: StatementPart): string {
  const params = Object.entries(part.params)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([part.source, params]);
}
