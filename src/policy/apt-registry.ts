/**
 * The statements known by pref-id, as deliveries arrive over a session (SPEC §3, seed §3
 * idempotency): identical re-delivery changes nothing, a newer `version` replaces the older
 * statement, an older one is ignored. Parts without a version (the policy file's entry, a
 * bare header value) describe the identifier whatever its version and stay merged in. A
 * version only replaces parts from sources no better than its own: an unsigned wire part does
 * not take the place of a versioned part the policy file or a verified signature vouched for
 * (a statement fetched for a uri= handle is no better: the caller chose the address), it merges
 * with it (the most restrictive value winning).
 *
 * Statements are per identifier for the whole session, whichever call delivered them (SPEC
 * §4: one canonical identifier): what any call states merges into what every call naming the
 * identifier gets, and an unsigned newer version from one call replaces another call's
 * unsigned one. Where a caller must not speak for others, the operator states the identifier
 * in the policy file or requires it signed.
 *
 * Parts an offer brings (a re-INVITE's or UPDATE's AI-Pref parameters, a=aipref parameters,
 * body statements) are pending until its answer (SPEC §5): meanwhile the stricter of the
 * statement without them and the statement with them holds — a restriction applies from the
 * offer, a relaxation from the answer — and the answer commits them (settle) or a refusal
 * discards them, the statement going back to what it was.
 */
import type { PartSource, PolicyFinding } from './findings.js';
import { setOwn } from './own-property.js';
import { resolvePreferences, type ResolvedPreference } from './precedence.js';
import { valueText } from './vocabulary.js';
import { type AptStatement, BINDING_KEYS, buildStatement, mostRestrictiveStatement, partVersion, type StatementPart, stricterStatement, UNKNOWN_IDENTIFIER } from './statement.js';

/**
 * Whether a new failure of an identifier takes the place of the one it has: a failure for good
 * that of a transient one, never the other way round; an expiry that of a failure to fetch (a
 * fetch, which lifts that one, does not lift an expiry).
 */
export function replacesFailure(known: { transient: boolean; expired?: true }, transient: boolean, expired: boolean): boolean {
  return known.transient && (!transient || (expired && known.expired !== true));
}

/** Parts of one pref-id and the version they hold. */
interface PartSet {
  parts: StatementPart[];
  partKeys: Set<string>;
  version: number | null;
  /** findings already handed out, so a re-built statement does not report them twice */
  reported: Set<string>;
}

interface Entry {
  /** the parts in force */
  held: PartSet;
  /** parts offers brought that await their answers, in the order they came */
  pending: { offer: string; part: StatementPart }[];
  /** `${offer}\0${partKey}` of every pending part: a repeat is found without going through the list */
  pendingKeys: Set<string>;
  /** offers awaiting their answers that named the identifier in a value that could not be read (or fetched: transient) */
  pendingUnreadable: { offer: string; reason: string; transient: boolean }[];
  /** offers awaiting their answers whose uri= handle of the identifier was fetched: a transient failure lifted if answered (recover) */
  pendingRecovery: string[];
  /** `held` with the pending parts delivered to it; null when none is pending */
  proposed: PartSet | null;
  /**
   * what makes the identifier the most restrictive statement, whatever its parts say: for good,
   * or (transient: its uri= handle could not be fetched) until a fetch succeeds (recover), or
   * (expired: the token of its signed statement expired) until a fresh token is verified (renew)
   */
  failure: { status: 'integrity-failure' | 'unresolved'; reason: string; transient: boolean; expired?: true } | null;
  statement: AptStatement | null;
}

/** What a part folded away went into (AptRegistry's bound on the parts of one identifier). */
export type FoldListener = (absorbed: StatementPart, into: StatementPart) => void;

/**
 * How addPart folds a set's parts: `pinned` parts stay as they came (pending parts in
 * `proposed`, which their answers decide); `folded` is told of each part folded away.
 */
interface Folding {
  pinned?: ReadonlySet<StatementPart>;
  folded?: FoldListener;
}

export class AptRegistry {
  private readonly entries = new Map<string, Entry>();
  /** held parts folded, for `onFold` */
  private readonly heldFolding: Folding;
  /** identifiers whose statement a delivery or a failure may have changed, since takeChanged() */
  private readonly changed = new Set<string>();
  /** the identifiers each offer awaiting its answer brought parts for */
  private readonly offers = new Map<string, Set<string>>();

  /** `onFold`: told of each held part folded into an older one (what a policy reload delivers again). */
  constructor(onFold: FoldListener | null = null) {
    this.heldFolding = onFold === null ? {} : { folded: onFold };
  }

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

  /**
   * Adds one part; returns what is new to report (empty for an identical re-delivery). With
   * `offer` (a key naming the offer, its dialog's), the part is pending until settle(offer).
   */
  deliver(part: StatementPart, offer: string | null = null): PolicyFinding[] {
    const entry = this.entryFor(part.prefId);
    if (offer === null) {
      const { taken, findings } = addPart(entry.held, part, this.heldFolding);
      // what is pending stays delivered on top of what is in force
      if (entry.proposed !== null) addPart(entry.proposed, part, pinnedPending(entry.pending));
      if (taken) this.touched(entry, part.prefId);
      return findings;
    }
    const key = partKey(part);
    if (entry.held.partKeys.has(key)) return [];
    const { taken, findings } = addPart((entry.proposed ??= copyOf(entry.held)), part, pinnedPending(entry.pending));
    // Kept even when another pending offer brought it already, or a newer version of it: each
    // offer's answer or refusal decides for what it brought.
    const pendingKey = pendingKeyOf(offer, key);
    if (!entry.pendingKeys.has(pendingKey)) {
      // One this offer brought already replaces it (a newer version, as good a source): it would
      // go at the answer. Older ones this offer brought that it replaces go now, for the same
      // reason: a stream of versions (INFO after INFO) keeps one pending part, not one per message.
      if (entry.pending.some((p) => p.offer === offer && replaces(p.part, part))) {
        if (taken) this.touched(entry, part.prefId);
        return findings;
      }
      const outdated = (p: { offer: string; part: StatementPart }): boolean => p.offer === offer && replaces(part, p.part);
      if (entry.pending.some(outdated)) setPending(entry, entry.pending.filter((p) => !outdated(p)));
      entry.pending.push({ offer, part });
      entry.pendingKeys.add(pendingKey);
      this.addToOffer(offer, part.prefId);
    }
    if (taken) this.touched(entry, part.prefId);
    return findings;
  }

  /**
   * The answer to an offer (`accepted`) commits the parts it brought, a refusal discards them
   * (SPEC §5). Returns the parts committed. Findings were reported when the parts came.
   */
  settle(offer: string, accepted: boolean, only?: (prefId: string) => boolean): { parts: StatementPart[]; unreadable: { prefId: string; reason: string; transient: boolean }[]; recovered: string[] } {
    const all = this.offers.get(offer);
    if (all === undefined) return { parts: [], unreadable: [], recovered: [] };
    // `only`: settle the identifiers it accepts; the offer stays pending for the others
    const ids = only === undefined ? [...all] : [...all].filter(only);
    for (const id of ids) all.delete(id);
    if (all.size === 0) this.offers.delete(offer);
    const committed: StatementPart[] = [];
    const unreadable: { prefId: string; reason: string; transient: boolean }[] = [];
    const recovered: string[] = [];
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (entry === undefined) continue;
      const mine = entry.pendingUnreadable.filter((u) => u.offer === offer);
      entry.pendingUnreadable = entry.pendingUnreadable.filter((u) => u.offer !== offer);
      if (accepted && mine.length > 0) {
        const transient = mine.every((u) => u.transient);
        this.fail(id, 'unresolved', mine[0]!.reason, transient);
        unreadable.push({ prefId: id, reason: mine[0]!.reason, transient });
      }
      // then a fetch that succeeded under the offer (after any failure to fetch of the same offer,
      // which markUnreadable and recover keep in their order) lifts a transient failure
      const recovering = entry.pendingRecovery.includes(offer);
      entry.pendingRecovery = entry.pendingRecovery.filter((o) => o !== offer);
      if (accepted && recovering && this.recover(id)) recovered.push(id);
      const rest: Entry['pending'] = [];
      for (const p of entry.pending) {
        if (p.offer !== offer) rest.push(p);
        else if (accepted) {
          addPart(entry.held, p.part, this.heldFolding);
          committed.push(p.part);
        }
      }
      setPending(entry, rest);
      entry.proposed = rest.length === 0 ? null : heldWith(entry.held, rest);
      this.touched(entry, id);
    }
    return { parts: committed, unreadable, recovered };
  }

  /** The identifiers an offer awaiting its answer brought parts or unreadable marks for. */
  offerIds(offer: string): string[] {
    return [...(this.offers.get(offer) ?? [])];
  }

  /** Every part awaiting its offer's answer (by identifier, each in the order it came): a rebuilt registry takes them again. */
  pendingParts(): { offer: string; part: StatementPart }[] {
    return [...this.entries.values()].flatMap((e) => e.pending);
  }

  /**
   * Whether a part saying this is in force, as it came or folded into another (a fold knows the
   * latest parts it took): delivered again outside an offer, it changes nothing.
   */
  holdsPart(part: StatementPart): boolean {
    return this.entries.get(part.prefId)?.held.partKeys.has(partKey(part)) === true;
  }

  /** Whether an offer awaiting its answer brought the part of the identifier with this key (partKey). */
  pendingHolds(prefId: string, key: string): boolean {
    return this.entries.get(prefId)?.pending.some((p) => partKey(p.part) === key) === true;
  }

  /** Every fetched handle awaiting its offer's answer to lift a failure to fetch it: a rebuilt registry takes them again. */
  pendingRecoveries(): { offer: string; prefId: string }[] {
    return [...this.entries].flatMap(([prefId, e]) => e.pendingRecovery.map((offer) => ({ offer, prefId })));
  }

  /** Every unreadable value awaiting its offer's answer: a rebuilt registry takes them again. */
  pendingUnreadable(): { offer: string; prefId: string; reason: string; transient: boolean }[] {
    return [...this.entries].flatMap(([prefId, e]) => e.pendingUnreadable.map((u) => ({ offer: u.offer, prefId, reason: u.reason, transient: u.transient })));
  }

  /** Records that a signed form of the pref-id failed verification: it stays most restrictive. */
  markIntegrityFailure(prefId: string, reason: string): PolicyFinding[] {
    return this.fail(prefId, 'integrity-failure', reason);
  }

  /**
   * The token of the identifier's signed statement expired, and no fresh one is in force: an
   * integrity failure (SPEC §3: expired) until a fresh token of it is verified (renew). A failure
   * for good stays; a failure to fetch a uri= handle gives way, as a fetch cannot lift this one.
   */
  markExpired(prefId: string, reason: string): PolicyFinding[] {
    return this.fail(prefId, 'integrity-failure', reason, true, true);
  }

  /** A fresh token of the identifier verified and in force: an expiry (markExpired) no longer counts. Returns whether one was lifted. */
  renew(prefId: string): boolean {
    const entry = this.entries.get(prefId);
    if (entry?.failure?.expired !== true) return false;
    entry.failure = null;
    entry.statement = null;
    this.changed.add(prefId);
    return true;
  }

  /**
   * Records that a value naming the pref-id could not be read (it broke its grammar after the
   * identifier): what it said is unknown, so the identifier counts as unresolved — the most
   * restrictive statement (SPEC §3) — for good, as with a failed signature. `transient`: its
   * uri= handle could not be fetched (live): so until a later fetch of it succeeds (recover).
   */
  markUnreadable(prefId: string, reason: string, offer: string | null = null, transient = false): PolicyFinding[] {
    if (offer === null) return this.fail(prefId, 'unresolved', reason, transient);
    // In an offer (SPEC §5): a restriction from the offer on, committed by its answer, gone with a refusal.
    const entry = this.entryFor(prefId);
    if (entry.failure !== null && !entry.failure.transient) return [];
    if (transient) {
      // a failure to fetch after the offer's successful fetch: the failure is the last word
      entry.pendingRecovery = entry.pendingRecovery.filter((o) => o !== offer);
      if (entry.pendingUnreadable.some((u) => u.offer === offer)) return [];
    } else {
      // for good: it takes the place of the offer's failure to fetch, which a later fetch would lift
      if (entry.pendingUnreadable.some((u) => u.offer === offer && !u.transient)) return [];
      entry.pendingUnreadable = entry.pendingUnreadable.filter((u) => u.offer !== offer);
    }
    entry.pendingUnreadable.push({ offer, reason, transient });
    this.addToOffer(offer, prefId);
    this.touched(entry, prefId);
    return [];
  }

  /** Integrity failures are reported here; an unresolved identifier where a scope names it (the signaling front). */
  private fail(prefId: string, status: 'integrity-failure' | 'unresolved', reason: string, transient = false, expired = false): PolicyFinding[] {
    const entry = this.entryFor(prefId);
    if (entry.failure !== null && !replacesFailure(entry.failure, transient, expired)) return [];
    entry.failure = expired ? { status, reason, transient, expired: true } : { status, reason, transient };
    entry.statement = null;
    this.changed.add(prefId);
    return status === 'integrity-failure' ? [{ type: 'integrity-failure', apt: prefId, detail: reason }] : [];
  }

  /**
   * A uri= handle of the identifier was fetched after all: a failure to fetch it no longer
   * counts (a failure for good stays). Returns whether one was lifted. Under an offer awaiting
   * its answer (SPEC §5: relaxations once the answer confirms them) it is lifted at the answer
   * (settle), and not at all if the offer is refused: returns false now.
   */
  recover(prefId: string, offer: string | null = null): boolean {
    if (offer !== null) {
      const pending = this.entryFor(prefId);
      // the offer's own failure to fetch came before: the fetch is the last word (one for good stays)
      pending.pendingUnreadable = pending.pendingUnreadable.filter((u) => u.offer !== offer || !u.transient);
      if (!pending.pendingRecovery.includes(offer)) pending.pendingRecovery.push(offer);
      this.addToOffer(offer, prefId);
      this.touched(pending, prefId);
      return false;
    }
    const entry = this.entries.get(prefId);
    if (entry?.failure?.transient !== true || entry.failure.expired === true) return false;
    entry.failure = null;
    entry.statement = null;
    this.changed.add(prefId);
    return true;
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

  /**
   * Whether anything states the identifier besides parts pending under the offers `ignore`
   * accepts: a part held, a failure, or a part or unreadable mark awaiting another offer's answer.
   */
  holds(prefId: string, ignore: (offer: string) => boolean = () => false): boolean {
    const entry = this.entries.get(prefId);
    if (entry === undefined) return false;
    if (entry.held.parts.length > 0 || entry.failure !== null) return true;
    return entry.pending.some((p) => !ignore(p.offer)) || entry.pendingUnreadable.some((u) => !ignore(u.offer));
  }

  /**
   * The disagreements between the parts of a pref-id it holds (those an offer proposes with
   * them, while one is pending): what an inconsistent-signaling finding said when they first
   * differed, for a later call that restates them (its delivery finds nothing new).
   */
  disagreements(prefId: string): PolicyFinding[] {
    const entry = this.entries.get(prefId);
    if (entry === undefined) return [];
    const parts = (entry.proposed ?? entry.held).parts;
    if (parts.length < 2) return [];
    // asked at every message that delivers the identifier to a call not told of it: built once
    // per state of the parts (a set's parts grow by push, or are a new array)
    const memo = disagreementMemo.get(parts);
    if (memo !== undefined && memo.length === parts.length) return memo.findings;
    const findings = buildStatement(prefId, parts).findings.filter((f) => f.type === 'inconsistent-signaling');
    disagreementMemo.set(parts, { length: parts.length, findings });
    return findings;
  }

  /** The statement for a pref-id; an identifier nothing resolved is `unresolved` (export=none). */
  get(prefId: string): AptStatement {
    const entry = this.entries.get(prefId);
    if (entry === undefined) return mostRestrictiveStatement(prefId, 'unresolved', UNKNOWN_IDENTIFIER);
    if (entry.statement === null) {
      if (entry.failure !== null) entry.statement = mostRestrictiveStatement(prefId, entry.failure.status, entry.failure.reason);
      else if (entry.pendingUnreadable.length > 0) entry.statement = mostRestrictiveStatement(prefId, 'unresolved', entry.pendingUnreadable[0]!.reason);
      else {
        const held = buildStatement(prefId, entry.held.parts).statement;
        if (entry.proposed === null) entry.statement = held;
        else {
          const proposed = buildStatement(prefId, entry.proposed.parts).statement;
          // Nothing in force states an identifier only an offer brought: until the answer it is
          // the offered statement at its most restrictive — not an unresolved identifier to report.
          const without = entry.held.parts.length > 0 || proposed.status !== 'resolved' ? held : { ...proposed, export: 'none' as const, features: [], retentionSec: 0 };
          entry.statement = stricterStatement(without, proposed);
        }
      }
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
    for (const [offer, ids] of this.offers) if (ids.delete(prefId) && ids.size === 0) this.offers.delete(offer);
  }

  private entryFor(prefId: string): Entry {
    let entry = this.entries.get(prefId);
    if (entry === undefined) {
      entry = { held: { parts: [], partKeys: new Set(), version: null, reported: new Set() }, pending: [], pendingKeys: new Set(), pendingUnreadable: [], pendingRecovery: [], proposed: null, failure: null, statement: null };
      this.entries.set(prefId, entry);
    }
    return entry;
  }

  /** Files the identifier under the offer awaiting its answer, for settle(). */
  private addToOffer(offer: string, prefId: string): void {
    let ids = this.offers.get(offer);
    if (ids === undefined) this.offers.set(offer, (ids = new Set()));
    ids.add(prefId);
  }

  /** The entry's statement may have changed: built again when asked for, and sent on. */
  private touched(entry: Entry, prefId: string): void {
    entry.statement = null;
    this.changed.add(prefId);
  }
}

/**
 * Adds a part to a set by the version rule; `taken`: the set changed. Findings: a stale or
 * replacing version, and the disagreements between the parts not reported before.
 */
/** AptRegistry.disagreements' last answer per parts array, and the length it was made at. */
const disagreementMemo = new WeakMap<readonly StatementPart[], { length: number; findings: PolicyFinding[] }>();

function addPart(set: PartSet, part: StatementPart, folding: Folding): { taken: boolean; findings: PolicyFinding[] } {
  const key = partKey(part);
  if (set.partKeys.has(key)) return { taken: false, findings: [] };
  const findings: PolicyFinding[] = [];
  const version = partVersion(part);
  // A vouched-for part (the operator's file, a verified signature)
  // is judged against vouched-for versions only: an unsigned wire part's higher number neither
  // makes it stale nor is replaced by it. An unsigned part is judged against every version.
  const vouched = VOUCHED_SOURCES.has(part.source);
  const held = vouched ? highestVersion(set.parts, true) : set.version;
  if (version !== null && held !== null && version < held) {
    return {
      taken: false,
      findings: [
        {
          type: 'stale-version',
          apt: part.prefId,
          key: 'version',
          detail: `version ${version} ignored: version ${held} is held`,
        },
      ],
    };
  }
  if (version !== null) {
    // What replaces a version is only as good as its source: a vouched-for part takes the place
    // of every older version, an unsigned one of older unsigned ones only, and merges with
    // vouched-for ones (the most restrictive value winning), so a caller's newer number never
    // undoes the operator's or a signed statement.
    const replaced = (p: StatementPart): boolean => replaces(part, p);
    const older = highestVersion(set.parts.filter(replaced), false);
    if (older !== null) {
      findings.push({
        type: 'version-replaced',
        apt: part.prefId,
        key: 'version',
        detail: `version ${version} replaces version ${older}`,
      });
      set.parts = set.parts.filter((p) => !replaced(p));
      set.partKeys = keysOf(set.parts);
      // Disagreements with the replaced version are history, not news about the new one.
      set.reported.clear();
    }
    if (set.version === null || version > set.version) set.version = version;
  }
  set.parts.push(part);
  addKeys(set.partKeys, part);
  for (const finding of buildStatement(part.prefId, set.parts).findings) {
    const seen = reportedKey(finding);
    if (set.reported.has(seen)) continue;
    set.reported.add(seen);
    findings.push(finding);
  }
  if (foldOldest(set, folding)) {
    // What the folded parts disagree on was reported (their readings now the folded part's): a
    // later part reports it again only with a reading of its own, as it did before the fold.
    set.reported = new Set(buildStatement(part.prefId, set.parts).findings.map(reportedKey));
  }
  return { taken: true, findings };
}

/** A finding as `reported` knows it. */
function reportedKey(finding: PolicyFinding): string {
  return JSON.stringify([finding.type, finding.key, finding.values]);
}

/**
 * Unvouched parts of one identifier kept as they came, the newest; older ones are folded.
 * Every ended call whose part says a little else (a per-call extension member, a retention the
 * caller chose) was one more part for good, and each part rebuilt the statement from all.
 */
export const UNFOLDED_PARTS = 8;

/**
 * Folds the oldest unvouched parts past UNFOLDED_PARTS, each into the folded part of its source
 * and version (the first of them becoming it): a part resolving to what they resolved to, the
 * statement built from the set the same. Vouched parts stay: they are the operator's or a
 * signature's, few, and judged by versions of their own. Returns whether any was folded.
 */
function foldOldest(set: PartSet, folding: Folding): boolean {
  const foldable = (p: StatementPart): boolean => p.folded === undefined && !VOUCHED_SOURCES.has(p.source) && folding.pinned?.has(p) !== true;
  let unfolded = 0;
  for (const p of set.parts) if (foldable(p)) unfolded++;
  if (unfolded <= UNFOLDED_PARTS) return false;
  const parts = [...set.parts];
  for (let i = 0; i < parts.length && unfolded > UNFOLDED_PARTS; i++) {
    const part = parts[i]!;
    if (!foldable(part)) continue;
    unfolded--;
    // a version is folded with its own only: a newer one replaces the fold as it would its parts
    const version = partVersion(part);
    const at = parts.findIndex((p, j) => j < i && p.folded !== undefined && p.source === part.source && partVersion(p) === version);
    let into: StatementPart;
    if (at < 0) {
      into = { ...part, origin: `${part.origin ?? part.source} and later parts folded`, folded: { parts: 1, disputed: [], firstKey: partKey(part), absorbed: [] } };
      parts[i] = into;
    } else {
      into = foldInto(parts[at]!, part, parts.slice(at + 1, i));
      parts[at] = into;
      parts.splice(i--, 1);
    }
    folding.folded?.(part, into);
  }
  set.parts = parts;
  set.partKeys = keysOf(parts);
  return true;
}

/** Keys buildStatement resolves by their most restrictive value (or the joint issuer, the highest version): any order. */
const MERGED_KEYS: ReadonlySet<string> = new Set(['export', 'features', 'retention', 'type', 'version']);

/**
 * The partKeys a folded part keeps of the parts folded into it after the first, the latest:
 * a running call restating its part (a session refresh) finds it a repeat, as before the fold.
 */
const ABSORBED_KEYS_KEPT = 64;

/**
 * `part` folded into the older folded part `into` (the parts `between` them stay): what
 * buildStatement resolves the two to, in their order. A key the first part stating it decides
 * (policy, binding keys, extension members) is taken from `part` only if no part between states
 * it first — the statement built from the set stays the same —, and disputed if `part` said
 * otherwise. Every key is read from the parts, not from their statement (which, unresolved,
 * leaves out what they state), and the version is the one the fold is filed under (partVersion).
 */
function foldInto(into: StatementPart, part: StatementPart, between: readonly StatementPart[]): StatementPart {
  const params: Record<string, unknown> = {};
  const disputed = new Set<string>(into.folded?.disputed);
  for (const [name, value] of Object.entries(part.params)) {
    const decidedBefore = MERGED_KEYS.has(name.toLowerCase()) || states(into, name) ? undefined : between.find((p) => states(p, name));
    // (the same value taken, the statement is the same, and stays so if the part between is replaced)
    const otherwise = decidedBefore === undefined ? null : saysOtherwise(into.prefId, decidedBefore, part, name, value);
    if (otherwise === null) setOwn(params, name, value);
    else if (otherwise.key !== null) disputed.add(otherwise.key);
  }
  const both = [into, { ...part, params }];
  const { statement, findings } = buildStatement(into.prefId, both);
  for (const f of findings) if (f.type === 'inconsistent-signaling' && f.key !== undefined) disputed.add(f.key);
  const stated = (key: string): boolean => both.some((p) => states(p, key));
  const folded: Record<string, unknown> = {};
  if (stated('export') && statement.export !== null) folded['export'] = statement.export;
  if (stated('features') && statement.features !== null) folded['features'] = statement.features;
  if (stated('retention') && statement.retentionSec !== null) folded['retention'] = statement.retentionSec;
  let issuersDiffered = false;
  if (stated('type') || into.folded?.issuersDiffered === true) {
    if (statement.type === null) issuersDiffered = true;
    else folded['type'] = statement.type;
  }
  const version = partVersion(into);
  if (version !== null) folded['version'] = version;
  // first stated, first kept: the first member of the two naming each (policy and binding keys case-folded)
  for (const p of both) {
    for (const [name, value] of Object.entries(p.params)) {
      const lower = name.toLowerCase();
      if (MERGED_KEYS.has(lower)) continue;
      const key = lower === 'policy' || BINDING_KEYS.has(lower) ? lower : name;
      if (!Object.hasOwn(folded, key)) setOwn(folded, key, value);
    }
  }
  const absorbed = [...(into.folded?.absorbed ?? []), partKey(part)].slice(-ABSORBED_KEYS_KEPT);
  const count = (into.folded?.parts ?? 1) + 1;
  const firstKey = into.folded?.firstKey ?? partKey(into);
  return { ...into, params: folded, folded: { parts: count, disputed: [...disputed], firstKey, absorbed, ...(issuersDiffered ? { issuersDiffered: true as const } : {}) } };
}

/**
 * Whether `part`'s `name` = `value` says otherwise than `first` (a part before it stating the key
 * first, which decides it): null if not; else the key the two disagree on as buildStatement
 * finds it (null for a binding key: kept as text, never reported).
 */
function saysOtherwise(prefId: string, first: StatementPart, part: StatementPart, name: string, value: unknown): { key: string | null } | null {
  const firstParams: Record<string, unknown> = {};
  for (const [n, v] of Object.entries(first.params)) if (sameKey(n, name)) setOwn(firstParams, n, v);
  if (BINDING_KEYS.has(name.toLowerCase())) return valueText(Object.values(firstParams)[0]) === valueText(value) ? null : { key: null };
  const skipped: Record<string, unknown> = {};
  setOwn(skipped, name, value);
  const { findings } = buildStatement(prefId, [
    { prefId, source: first.source, params: firstParams },
    { prefId, source: part.source, params: skipped },
  ]);
  const key = findings.find((f) => f.type === 'inconsistent-signaling')?.key;
  return key === undefined ? null : { key };
}

/** Whether a part states the key: vocabulary and binding keys by name case-folded, extension members as written. */
function states(part: StatementPart, name: string): boolean {
  return Object.keys(part.params).some((k) => sameKey(k, name));
}

/** Whether two member names name one key: vocabulary and binding keys case-folded, extension members as written. */
function sameKey(a: string, b: string): boolean {
  const lower = b.toLowerCase();
  if (!MERGED_KEYS.has(lower) && lower !== 'policy' && !BINDING_KEYS.has(lower)) return a === b;
  return a.toLowerCase() === lower;
}

/** The keys a set's parts are found by (partKey): each part's, and those of the parts a fold took. */
function keysOf(parts: readonly StatementPart[]): Set<string> {
  const keys = new Set<string>();
  for (const p of parts) addKeys(keys, p);
  return keys;
}

function addKeys(keys: Set<string>, part: StatementPart): void {
  keys.add(partKey(part));
  if (part.folded === undefined) return;
  keys.add(part.folded.firstKey);
  for (const k of part.folded.absorbed) keys.add(k);
}

/** The pending parts, not to be folded in `proposed`. */
function pinnedPending(pending: readonly { part: StatementPart }[]): Folding {
  return { pinned: new Set(pending.map((p) => p.part)) };
}

/** Sources that vouch for what they say: the operator's policy file, a verified signature (not a fetched uri=: the caller chose it). */
const VOUCHED_SOURCES: ReadonlySet<PartSource> = new Set<PartSource>(['policy-file', 'jws']);

/**
 * Whether `newer` takes the place of `older` by the version rule: an older version from a source
 * no better than its own (a vouched-for part replaces any, an unsigned one unsigned ones only).
 */
function replaces(newer: StatementPart, older: StatementPart): boolean {
  const n = partVersion(newer);
  const o = partVersion(older);
  return n !== null && o !== null && o < n && (VOUCHED_SOURCES.has(newer.source) || !VOUCHED_SOURCES.has(older.source));
}

/** The key a pending part is found by: its offer and its identity (partKey). */
function pendingKeyOf(offer: string, key: string): string {
  return `${offer}\u0000${key}`;
}

/** Sets an entry's pending parts, and the keys they are found by. */
function setPending(entry: Entry, pending: Entry['pending']): void {
  entry.pending = pending;
  entry.pendingKeys = new Set(pending.map((p) => pendingKeyOf(p.offer, partKey(p.part))));
}

/** The highest version among the parts (only the vouched-for ones with `vouchedOnly`), or null. */
function highestVersion(parts: readonly StatementPart[], vouchedOnly: boolean): number | null {
  let highest: number | null = null;
  for (const p of parts) {
    if (vouchedOnly && !VOUCHED_SOURCES.has(p.source)) continue;
    const v = partVersion(p);
    if (v !== null && (highest === null || v > highest)) highest = v;
  }
  return highest;
}

function copyOf(set: PartSet): PartSet {
  return { parts: [...set.parts], partKeys: new Set(set.partKeys), version: set.version, reported: new Set(set.reported) };
}

/** A set with parts delivered on top of it (their findings were reported when they came). */
function heldWith(set: PartSet, pending: readonly { part: StatementPart }[]): PartSet {
  const out = copyOf(set);
  const folding = pinnedPending(pending);
  for (const p of pending) addPart(out, p.part, folding);
  return out;
}

/** Identity of a delivery: same source and same parameters (names case-folded) is a repeat. */
/**
 * What a part says, as a key: its source and its statement keys, not its binding keys (scope,
 * integrity, uri: where it applies, kept as text only). A part that differs from one held only
 * there is a repeat: each call's INVITE names its body part by a Content-ID of its own
 * (`uri=<cid:…>`, RFC 2392), and was kept as one more part of the statement for good.
 */
export function partKey(part: StatementPart): string {
  const params = Object.entries(part.params)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter(([name]) => !BINDING_KEYS.has(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify([part.source, params]);
}
