/**
 * Which APT identifiers govern a stream, and what they resolve to (SPEC §2, §3):
 * the identifiers of its m-section (session, group and mid scopes, AI-Pref values for the
 * media), else — when the stream cannot be bound that precisely — the dialog-level AI-Pref
 * values (the implicit §6.2 fallback); plus what the operator's repository maps the dialog
 * to, plus identifiers carried in SDES PRIV items. Media-plane tags never relax signaling:
 * an SDES identifier the signaling did not name is a binding conflict, and both apply.
 */
import type { StreamState } from '../binding/stream-table.js';
import type { DialogScope, SectionScope } from '../binding/types.js';
import { type ResolvedPreference, resolvePreferences } from '../policy/precedence.js';
import { type AptStatement, mostRestrictiveStatement, UNKNOWN_IDENTIFIER } from '../policy/statement.js';
import { combineGoverning } from './decide.js';

export interface StreamPreference {
  /** every identifier that applies, signaling first */
  ids: string[];
  /** null: no identifier applies (absence of preference) */
  resolved: ResolvedPreference | null;
  /**
   * An offer awaiting its answer leaves the stream with no identifier on one side (what is in
   * force, or what is proposed), and `resolved` is the other side's: absence of preference
   * applies with it, the stricter of both — a drop, or the operator's default APT combined in
   * (media-core). Absence is not consent (SPEC §3): going from an APT to none is a restriction,
   * from none to an APT a relaxation.
   */
  withAbsence: boolean;
  /** the dialog-level fallback was used */
  implicit: boolean;
  /** SDES PRIV identifiers the signaling did not name */
  conflicting: string[];
  /** identifiers with no resolvable statement */
  unresolved: string[];
  /** identifiers whose signature failed (SPEC §3: most restrictive, reported) */
  failedIntegrity: string[];
  /** the stream's m-section was disabled (port 0) or removed: processing stops */
  disabled: boolean;
}

/**
 * What resolution reads of a statement (precedence.ts: id, status, type and the three keys,
 * extensions passed through). Two statements alike in these resolve alike, whatever else
 * differs — the sources that delivered them, above all, which grow as signaling repeats a
 * statement through another layer.
 */
function resolutionFingerprint(st: AptStatement): string {
  return JSON.stringify([st.id, st.status, st.type, st.export, st.features, st.retentionSec, st.extensions]);
}

/**
 * Statements by identifier, with a generation bumped whenever what one says changes (a cache
 * key): a statement delivered again — the same, or the same through one more layer (a new
 * source) — resolves as before and leaves the generation alone.
 */
export class StatementTable {
  private readonly byId = new Map<string, AptStatement>();
  /** each statement's resolution fingerprint, to tell a repeat from a change */
  private readonly meaningById = new Map<string, string>();
  generation = 0;

  set(statement: AptStatement): void {
    // Signaling repeats the same statements message after message; only a change may bump the
    // generation, which makes every stream resolve its preferences again.
    this.byId.set(statement.id, statement);
    const meaning = resolutionFingerprint(statement);
    if (this.meaningById.get(statement.id) === meaning) return;
    this.meaningById.set(statement.id, meaning);
    this.generation++;
  }

  get(id: string): AptStatement | undefined {
    return this.byId.get(id);
  }

  /** Drops an identifier's statement (the signaling front forgot it): streams resolve again. */
  delete(id: string): void {
    if (!this.byId.delete(id)) return;
    this.meaningById.delete(id);
    this.generation++;
  }
}

interface Cached {
  generation: number;
  statements: number;
  /**
   * the dialog scope resolved under: a new one may name other dialog-level or repository
   * identifiers while the stream's binding stays what it was (no m-section, say)
   */
  scope: DialogScope | null;
  preference: StreamPreference;
}

/** Past this many distinct statements or sets of them the memo starts over (bounded state). */
const RESOLUTION_MEMO_LIMIT = 4096;

/**
 * Resolutions by what the statements say, so that a stream resolved again (a rebinding bumps
 * its generation, a changed statement the table's) gets back the very ResolvedPreference it
 * had whenever its statements still say the same: combineGoverning and decideGoverned memoise
 * by identity, and a fresh object for the same preference made each of them start over.
 */
class Resolutions {
  /** each statement object's meaning, as a small number (one per distinct fingerprint) */
  private readonly meanings = new WeakMap<AptStatement, number>();
  private readonly meaningIds = new Map<string, number>();
  private nextMeaning = 0;
  /** resolutions by the meanings of their statements, in order */
  private readonly byKey = new Map<string, ResolvedPreference | null>();
  /** the synthesised most restrictive statement of an identifier nothing states (one per id) */
  private readonly unknown = new Map<string, AptStatement>();

  unknownStatement(id: string): AptStatement {
    let st = this.unknown.get(id);
    if (st === undefined) {
      st = mostRestrictiveStatement(id, 'unresolved', UNKNOWN_IDENTIFIER);
      if (this.unknown.size >= RESOLUTION_MEMO_LIMIT) this.unknown.clear();
      this.unknown.set(id, st);
    }
    return st;
  }

  resolve(statements: readonly AptStatement[]): ResolvedPreference | null {
    if (statements.length === 0) return null;
    let key = '';
    for (let i = 0; i < statements.length; i++) {
      const meaning = this.meaningOf(statements[i]!);
      key = i === 0 ? String(meaning) : `${key},${meaning}`;
    }
    let resolved = this.byKey.get(key);
    if (resolved === undefined) {
      resolved = resolvePreferences(statements);
      if (this.byKey.size >= RESOLUTION_MEMO_LIMIT) this.byKey.clear();
      this.byKey.set(key, resolved);
    }
    return resolved;
  }

  private meaningOf(st: AptStatement): number {
    let meaning = this.meanings.get(st);
    if (meaning === undefined) {
      const fingerprint = resolutionFingerprint(st);
      meaning = this.meaningIds.get(fingerprint);
      if (meaning === undefined) {
        // numbers are never reused: a memo cleared for size cannot confuse two meanings
        if (this.meaningIds.size >= RESOLUTION_MEMO_LIMIT) this.meaningIds.clear();
        meaning = this.nextMeaning++;
        this.meaningIds.set(fingerprint, meaning);
      }
      this.meanings.set(st, meaning);
    }
    return meaning;
  }
}

/** Per-stream preference resolution, cached until the stream's binding, its dialog's scope or a statement changes. */
export class StreamPreferences {
  private readonly cache = new WeakMap<StreamState, Cached>();
  private readonly resolutions = new Resolutions();

  constructor(private readonly statements: StatementTable) {}

  /**
   * The two streams asked about last and their entries, checked before the WeakMap: an RTCP
   * item asks for its sender, then its subjects, and the next item mostly for the same two.
   */
  private lastStream: StreamState | null = null;
  private lastEntry: Cached | undefined = undefined;
  private otherStream: StreamState | null = null;
  private otherEntry: Cached | undefined = undefined;

  of(stream: StreamState): StreamPreference {
    let hit: Cached | undefined;
    if (stream === this.lastStream) hit = this.lastEntry;
    else {
      hit = stream === this.otherStream ? this.otherEntry : this.cache.get(stream);
      this.otherStream = this.lastStream;
      this.otherEntry = this.lastEntry;
      this.lastStream = stream;
      this.lastEntry = hit;
    }
    const scope = stream.session.scope;
    if (hit !== undefined && hit.generation === stream.generation && hit.statements === this.statements.generation && hit.scope === scope) return hit.preference;
    const preference = this.compute(stream);
    const entry = { generation: stream.generation, statements: this.statements.generation, scope, preference };
    this.cache.set(stream, entry);
    this.lastEntry = entry;
    return preference;
  }

  /** ofDeclared's last answers, by the scope and m-section asked about (a conference's reports name the same few sources) */
  private readonly declared = new WeakMap<DialogScope, { statements: number; bySection: Map<number, StreamPreference> }>();

  /**
   * What another call's signaling says of a stream it declares with `a=ssrc` in `section` (an SFU
   * forwards other calls' streams, and reports on them travel in this call's RTCP): that call's
   * scope alone — its m-section's, dialog-level and repository identifiers — never a stream's
   * own SDES tags, which live where that call's packets are read (whichever shard: the answer
   * must not depend on the worker count).
   */
  ofDeclared(scope: DialogScope, index: number): StreamPreference {
    let memo = this.declared.get(scope);
    if (memo === undefined || memo.statements !== this.statements.generation) this.declared.set(scope, (memo = { statements: this.statements.generation, bySection: new Map() }));
    let preference = memo.bySection.get(index);
    if (preference === undefined) {
      const current = this.underScope(NO_TAGS, scope, scope.sections.find((s) => s.index === index) ?? null);
      // an offer awaiting its answer restricts from the offer on, as for the call's own streams
      preference = scope.pending ? withProposed(current, this.underScope(NO_TAGS, scope.pending, scope.pending.sections.find((s) => s.index === index) ?? null)) : current;
      memo.bySection.set(index, preference);
    }
    return preference;
  }

  /**
   * Whether the stream's call names an identifier for it apart from its SDES tags (signaling, in
   * force or offered, or the repository): where it does, a tag can only add restrictions.
   */
  namesBesideTags(stream: StreamState): boolean {
    const scope = stream.session.scope;
    if (scope === null) return false;
    if (this.underScope(NO_TAGS, scope, stream.section).ids.length > 0) return true;
    return scope.pending !== null && this.underScope(NO_TAGS, scope.pending, stream.pendingSection).ids.length > 0;
  }

  /**
   * The preference last resolved for the stream, even if something it depends on has changed
   * since (undefined: never asked for): what its latest telemetry was judged by.
   */
  last(stream: StreamState): StreamPreference | undefined {
    return this.cache.get(stream)?.preference;
  }

  private compute(stream: StreamState): StreamPreference {
    const scope = stream.session.scope;
    const current = this.underScope(stream, scope, stream.section);
    if (!scope?.pending) return current;
    // An offer awaiting its answer: its restrictions apply already, its relaxations not yet.
    // The stream's m-section in the offer is found by the offer's own identifiers (bindStream):
    // an m-section only the offer has binds it there alone, and its identifiers apply from the
    // offer on, not only once answered. (Never bound under this scope — no packet, no scope
    // event since — the offer's m-section at the index of the one in force.)
    const pendingSection =
      stream.boundScope === scope ? stream.pendingSection : stream.section ? (scope.pending.sections.find((s) => s.index === stream.section!.index) ?? null) : null;
    return withProposed(current, this.underScope(stream, scope.pending, pendingSection));
  }

  private underScope(stream: Pick<StreamState, 'sdesApts'>, scope: DialogScope | null, section: SectionScope | null): StreamPreference {
    const signaled: string[] = [];
    let implicit = false;
    const disabled = section?.disabled === true;
    if (scope) {
      if (section) for (const apt of section.apts) addUnique(signaled, apt.id);
      // A stream tied to the dialog but to none of its m-sections (a shared BUNDLE address, no
      // a=ssrc, no mid) is in one of them all the same: what governs every m-section (a=aipref
      // at session scope, an AI-Pref value with scope=session) governs it too, whichever it is
      // (SPEC §2.3), as it will once its m-section is known; the dialog-level fallback (§2.5)
      // only where nothing does, as for a bound stream. (The dialog-level value let a regulatory
      // session-scope floor be escaped; applied beside it, a user value overrode a domain
      // session statement until the stream's mid was learned.)
      else for (const id of everySectionApts(scope)) addUnique(signaled, id);
      // An SDES PRIV tag does not take the stream out of the dialog's reach: the dialog-level
      // values still apply to a stream no m-section's identifiers govern, and a tag they do not
      // name conflicts with them below and can only add restrictions (SPEC §2, §3's floor).
      if (signaled.length === 0 && !disabled && scope.dialogApts.length > 0) {
        implicit = true;
        for (const id of scope.dialogApts) addUnique(signaled, id);
      } else if (!disabled) {
        // a regulatory value of dialog scope is a floor for every m-section, not the fallback of
        // those that name nothing (SPEC §3: nothing relaxes it; beside an m-section's own user
        // raw it was ignored)
        for (const id of scope.dialogApts) if (this.statements.get(id)?.type === 'regulatory') addUnique(signaled, id);
      }
    }
    // The repository is the operator's word for the dialog, control plane as signaling is: a
    // tag neither names conflicts with them and can only add restrictions (an endpoint or a
    // middlebox writes SDES; a user-typed tag overrode the repository's domain statement)
    for (const id of scope?.repositoryApts ?? []) addUnique(signaled, id);
    const conflicting = signaled.length > 0 ? stream.sdesApts.filter((id) => !signaled.includes(id)) : [];
    const ids = [...signaled];
    for (const id of stream.sdesApts) addUnique(ids, id);
    // the stream's own tags where nothing more precise governs it (an sdes-priv binding) are its statements
    const joint = ids.filter((id) => !conflicting.includes(id));
    const unresolved: string[] = [];
    const failedIntegrity: string[] = [];
    const statementsOf = (list: readonly string[]) =>
      list.map((id) => {
        const st = this.statements.get(id);
        if (!st || st.status === 'unresolved') unresolved.push(id);
        else if (st.status === 'integrity-failure') failedIntegrity.push(id);
        return st ?? this.resolutions.unknownStatement(id);
      });
    // Media-plane tags never relax signaling (SPEC §2): tags that conflict with what the
    // signaling named are resolved on their own and can only add restrictions to what the
    // signaling resolved to — a user-typed tag must not override a signaled domain statement.
    const fromSignaling = this.resolutions.resolve(statementsOf(joint));
    const fromMedia = this.resolutions.resolve(statementsOf(conflicting));
    const resolved = fromSignaling && fromMedia ? combineGoverning(fromSignaling, fromMedia) : (fromSignaling ?? fromMedia);
    return { ids, resolved, withAbsence: false, implicit, conflicting, unresolved, failedIntegrity, disabled };
  }
}

/**
 * A stream's preference while an offer awaits its answer: the stricter of what is in force and
 * what is proposed — its restrictions apply already, its relaxations not yet — and where one side
 * names no identifier, the other with absence of preference (withAbsence).
 */
function withProposed(current: StreamPreference, proposed: StreamPreference): StreamPreference {
  const one = current.resolved === null ? proposed.resolved : proposed.resolved === null ? current.resolved : null;
  return {
    ids: union(current.ids, proposed.ids),
    resolved: current.resolved && proposed.resolved ? combineGoverning(current.resolved, proposed.resolved) : one,
    withAbsence: one !== null,
    implicit: current.implicit || proposed.implicit,
    conflicting: union(current.conflicting, proposed.conflicting),
    unresolved: union(current.unresolved, proposed.unresolved),
    failedIntegrity: union(current.failedIntegrity, proposed.failedIntegrity),
    disabled: current.disabled || proposed.disabled,
  };
}

/** a stream no SDES tag names (StreamPreferences.ofDeclared) */
const NO_TAGS: Pick<StreamState, 'sdesApts'> = { sdesApts: [] };

/**
 * What governs a stream's items: its resolved preference, with the operator's default APT
 * standing in for absence of preference (SPEC §3) — alone where no identifier applies, and
 * combined in (the stricter of both) where a pending offer has none on one side. Null: drop,
 * no-preference.
 */
export function governingOf(pref: StreamPreference, defaultPreference: ResolvedPreference | null): ResolvedPreference | null {
  if (pref.resolved === null) return defaultPreference;
  if (!pref.withAbsence) return pref.resolved;
  return defaultPreference === null ? null : combineGoverning(pref.resolved, defaultPreference);
}

function union(a: readonly string[], b: readonly string[]): string[] {
  const out = [...a];
  for (const id of b) addUnique(out, id);
  return out;
}

/**
 * The identifiers declared for more than one m-section (session scope, a group, an AI-Pref value
 * with scope=session) that govern every m-section still in use (port 0 disables one). A mid-scope
 * line names its own m-section only: it does not count even when that m-section is the last one.
 */
function everySectionApts(scope: DialogScope): string[] {
  const wide: string[] = [];
  for (const section of scope.sections) for (const a of section.apts) if (a.origin !== 'mid') addUnique(wide, a.id);
  let common = wide;
  for (const section of scope.sections) {
    if (common.length === 0) break;
    if (!section.disabled) common = common.filter((id) => section.apts.some((a) => a.id === id));
  }
  return common;
}

function addUnique(list: string[], id: string): void {
  if (!list.includes(id)) list.push(id);
}
