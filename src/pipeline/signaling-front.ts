/**
 * The signaling half of the enforcer, run once, in capture order, on the main thread: SIP
 * messages go through the dialog tracker; what they say about APTs becomes statements; what
 * they negotiate becomes dialog scopes that every media shard receives at the exact frame
 * (SPEC §5). Signaling reports (scope-removed, inconsistent-signaling, …) are made here, once.
 */
import type { DialogScope, ScopedApt, SectionScope } from '../binding/types.js';
import type { PolicyFinding } from '../policy/findings.js';
import { AptRegistry, partKey, replacesFailure } from '../policy/apt-registry.js';
import { statementPartsFromBody } from '../policy/body-statements.js';
import type { UriResolver } from '../policy/uri-resolver.js';
import type { PolicyFile } from '../policy/policy-file.js';
import { TokenExpiries } from '../policy/token-expiries.js';
import { partVersion, type AptStatement, type StatementPart, UNKNOWN_IDENTIFIER } from '../policy/statement.js';
import { type AiPrefBody, cidOf } from '../signaling/ai-pref-body.js';
import type { AiPrefValue } from '../signaling/ai-pref-header.js';
import type { DialogId, SignalingEvent, SipContext } from '../signaling/dialog-events.js';
import { DialogTracker } from '../signaling/dialogs.js';
import type { NegotiatedApt, NegotiatedScope } from '../signaling/negotiated-scope.js';
import type { ScopeDiff } from '../signaling/renegotiation.js';
import type { SessionDescription } from '../signaling/sdp.js';
import { scopesOfSdp } from '../signaling/sdp-scopes.js';
import type { SipParseResult } from '../signaling/sip-message.js';
import { type Report, type ReportType, reportJson } from '../report/report.js';
import type { CoreEvent, OutputLine } from './media-core.js';

const HTTPS = /^https:/i;
/** A statement that claims a signature: its identifier, the method (integrity=) and the token carried, if any. */
interface SignedClaim {
  id: string;
  integrity: string;
  token: string | null;
  /** what the signed value itself states beside its signature (inlineRestriction), merged unsigned once it verifies */
  inline?: StatementPart;
}

/** Statement keys a signed value may state beside its token: they can only restrict what the token says. */
const RESTRICTING_KEYS: ReadonlySet<string> = new Set(['export', 'features', 'retention']);

/**
 * The part of a signed value's own parameters that restricts (export, features, retention) —
 * with its scope — as an unsigned part of `source`, or undefined when it states none. Merged with
 * the verified statement, strictest winning, as the same parameters are in a value of their own
 * (an `AI-Pref: apt-x;export=none;integrity=jws;token=…` left raw by the token lost its none).
 */
function inlineRestriction(prefId: string, source: StatementPart['source'], origin: string, params: Readonly<Record<string, unknown>>): StatementPart | undefined {
  const kept: Record<string, unknown> = {};
  let restricts = false;
  for (const name of Object.keys(params)) {
    const lower = name.toLowerCase();
    if (RESTRICTING_KEYS.has(lower)) {
      kept[name] = params[name];
      restricts = true;
    } else if (lower === 'scope') kept[name] = params[name];
  }
  return restricts ? { prefId, source, origin, params: kept } : undefined;
}

/** How an offline uri= handle the policy file misses is said: a reloaded file that states the identifier lifts it. */
const POLICY_MISS = "the policy file's apts do not state it: its statement is unknown";
/** a handle fetched from a repository (seed §7.1): not cid: (a body part of the message) nor another scheme */
const HTTP_URI = /^https?:/i;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export interface SignalingCounters {
  sip: number;
  dialogs: number;
}

/** Identifiers signaling brought that the front keeps at most (forgetIdle). */
export const DEFAULT_MAX_IDENTIFIERS = 20_000;

/** What a signed part was verified from: its token and method, at the capture clock when it came. */
interface SignedClaimSeen {
  token: string;
  method: string;
  atSec: number;
}

const NO_FAILURES: ReadonlyMap<StatementPart, string> = new Map();

export class SignalingFront {
  private readonly tracker = new DialogTracker();
  private registry = new AptRegistry((absorbed, into) => this.foldSignaled(absorbed, into));
  /**
   * What signaling delivered to the registry (parts, integrity failures), each once, in order:
   * a policy reload rebuilds the registry from the new file's parts and these (updatePolicy).
   * Parts the registry folded are here as folded (foldSignaled): bounded as its parts are.
   */
  private readonly signaled = new Map<string, { part: StatementPart } | { failure: { prefId: string; reason: string; unreadable: boolean; transient: boolean; expired?: true } }>();
  private readonly repository = new Map<string, string[]>();
  /** every running dialog's identity, to look its repository entry up again after a policy reload */
  private readonly dialogIds = new Map<string, DialogId>();
  /**
   * The last scope sent per dialog, to carry the addresses of m-sections a renegotiation
   * disables. An INVITE's early scope stays after its dialog took it over (a fork may take it
   * too): `takenOver` lists those keys, which the shards no longer know.
   */
  private readonly lastScopes = new Map<string, DialogScope>();
  private readonly takenOver = new Set<string>();
  /**
   * A dialog made from an INVITE's response (a fork, or the one dialog) → the INVITE's key:
   * the initial offer's statement parts await its answer under the INVITE's key, and the first
   * answer any of its dialogs gives commits them.
   */
  private readonly inviteOf = new Map<string, string>();
  /**
   * Early dialogs (an INVITE's 1xx made them; no 2xx yet): what is stated or answered in them is
   * the call's set-up, kept only once the INVITE's 2xx confirms the dialog — the INVITE may still
   * fail, and a refused or cancelled call leaves nothing behind.
   */
  private readonly earlyDialogs = new Set<string>();
  /**
   * Per dialog, the key the offer awaiting its answer filed its parts under: the dialog's own for
   * an INVITE's offer, one of its own for a PRACK's or an UPDATE's (offerKeyOf), so that the
   * INVITE's outcome and theirs settle apart.
   */
  private readonly offerAwaiting = new Map<string, string>();
  /** Per dialog, the keys of PRACK/UPDATE offers answered before the INVITE's 2xx: that 2xx keeps them, a failure discards them. */
  private readonly answeredEarly = new Map<string, Set<string>>();
  /** Identifiers a body part has stated (a later value's uri=<cid:…> without its part is no unknown statement then). */
  private readonly bodyStated = new Set<string>();
  /** Per Call-ID, the identifiers whose integrity failure the call was told of (integrity-failure, once per call). */
  private readonly integrityTold = new Map<string, Set<string>>();
  /** Per Call-ID, the identifiers whose parts' disagreement the call was told of (inconsistent-signaling, once per call). */
  private readonly inconsistencyTold = new Map<string, Set<string>>();
  /** The identifiers the message being read delivered parts of (deliverParts: a later call restating a held disagreement is told of it). */
  private deliveredNow = new Set<string>();
  /** A verified signed part's claim, for a policy reload to verify again against the new file. */
  private readonly signedClaims = new WeakMap<StatementPart, SignedClaimSeen>();
  /** Verified tokens offers brought, by offer key: in force (tokenInForce) once an answer accepts the offer (settle). */
  private readonly offeredTokens = new Map<string, { prefId: string; key: string; exp: unknown }[]>();
  /** When the verified tokens expire (expireDue): the engine calls expireDue once the capture clock at a packet reaches `nextExpiry`. */
  private readonly expiries = new TokenExpiries();
  /**
   * The capture clock at the message being read (message's `clock`): a token is judged by it —
   * verified when it arrives (verify), and when an answer commits it (settle) — not by the
   * record's own time, which one record stamped hours ahead has wrong.
   */
  private now = 0;
  /** Per dialog, what answers in an INVITE's provisional responses removed: reported at its 2xx (answer-confirmed), dropped at its failure. */
  private readonly heldDiffs = new Map<string, ScopeDiff[]>();
  /**
   * After a policy reload, every identifier the replaced registry knew, to go to the shards
   * again (some now stand on signaling alone, or are unresolved); what the new registry was
   * given, it lists itself (takeChanged), as it does for every delivery that changes something.
   */
  private readonly beforeReload = new Set<string>();
  /** dialogs first seen mid-call (their INVITE never seen): which tag is the caller's is not known */
  private readonly adopted = new Set<string>();
  /** unresolved identifiers already reported, per dialog */
  private readonly reportedUnresolved = new Map<string, Set<string>>();
  /**
   * Identifiers signaling delivered, least recently delivered first: past `maxIdentifiers` the
   * oldest that neither the policy file nor a running dialog names are forgotten (forgetIdle).
   * Signed APTs carry their token as the identifier, one per call: without a bound a service
   * would keep every one it ever saw.
   */
  private readonly delivered = new Map<string, true>();
  private readonly maxIdentifiers: number;
  /** forgetIdle runs when `delivered` grows past this: the limit, or further when running dialogs name more */
  private nextForgetCheck: number;
  private forgottenIds = 0;

  private events: CoreEvent[] = [];
  private reports: OutputLine[] = [];
  private reportSeq = 0;
  readonly counters: SignalingCounters = { sip: 0, dialogs: 0 };

  /**
   * `resolver`: live only — `uri=<https://…>` handles are fetched (cached, revalidated) when
   * they arrive. Replay passes none, so its results never depend on the network: offline,
   * handles resolve through the policy file alone (SPEC §9). `limits.maxIdentifiers`: the
   * bound on identifiers signaling brings (DEFAULT_MAX_IDENTIFIERS; forgetIdle).
   */
  constructor(
    private policy: PolicyFile,
    private readonly resolver: UriResolver | null = null,
    limits: { maxIdentifiers?: number } = {},
  ) {
    for (const part of policy.statementParts()) this.registry.deliver(part);
    this.maxIdentifiers = limits.maxIdentifiers ?? DEFAULT_MAX_IDENTIFIERS;
    this.nextForgetCheck = this.maxIdentifiers;
  }

  /**
   * A reloaded policy file (live SIGHUP), in force after packet `frame` (at `ts`) — the whole
   * file, as if it had been there from the start, for what comes from now on:
   * - its statements replace the old file's (identifiers it no longer lists fall back to what
   *   signaling said, or to unresolved); what signaling delivered stays;
   * - its repository (`dialogs`) applies to running dialogs too: a dialog whose entry changed
   *   gets its scope again with the new identifiers (its windows close as at any change of
   *   scope) and a scope-transitioned report;
   * - its default APT, and `windowSec` (the file's window, unless the command line fixed one),
   *   go to the shards: the default for every item from now on, the window for windows opened
   *   from now on.
   * Everything goes to the shards with the next events (takeEvents).
   */
  updatePolicy(policy: PolicyFile, windowSec: number, frame: number, ts: number): void | Promise<void> {
    // A signed part stands on the file that trusted its key: verified again against the new one
    // (its revocations, keys and issuers; at the capture clock it was first verified at), a failure
    // is the identifier's integrity failure from the reload on. Without signed parts, at once.
    const signed: { part: StatementPart; claim: SignedClaimSeen }[] = [];
    const note = (part: StatementPart) => {
      const claim = this.signedClaims.get(part);
      if (claim !== undefined) signed.push({ part, claim });
    };
    for (const d of this.signaled.values()) if ('part' in d) note(d.part);
    for (const p of this.registry.pendingParts()) note(p.part);
    if (signed.length === 0) return this.applyPolicy(policy, windowSec, frame, ts, NO_FAILURES);
    return (async () => {
      const { verifyAptToken } = await import('../policy/integrity.js');
      const failures = new Map<StatementPart, string>();
      for (const { part, claim } of signed) {
        const result = await verifyAptToken(claim.token, part.prefId, policy, { atSec: claim.atSec, method: claim.method });
        if (result.status !== 'verified') failures.set(part, `${result.reason}: ${result.detail} (policy reload)`);
      }
      this.applyPolicy(policy, windowSec, frame, ts, failures);
    })();
  }

  /** updatePolicy, the signed parts that no longer verify (`failures`) known. */
  private applyPolicy(policy: PolicyFile, windowSec: number, frame: number, ts: number, failures: ReadonlyMap<StatementPart, string>): void {
    const before = this.registry.ids();
    const disagreedBefore = new Set(before.flatMap((id) => this.registry.disagreements(id).map(disagreementIdentity)));
    const pending = this.registry.pendingParts();
    const pendingUnreadable = this.registry.pendingUnreadable();
    const pendingRecoveries = this.registry.pendingRecoveries();
    this.policy = policy;
    this.registry = new AptRegistry((absorbed, into) => this.foldSignaled(absorbed, into));
    for (const part of policy.statementParts()) this.registry.deliver(part);
    // (a handle the former file missed is the new file's to resolve, if it states the identifier)
    const resolvedNow = (prefId: string, reason: string) => reason.endsWith(POLICY_MISS) && policy.apts.has(prefId);
    // (a snapshot: the new registry may fold what it takes, which foldSignaled files here)
    for (const d of [...this.signaled.values()]) {
      if ('part' in d) {
        const failed = failures.get(d.part);
        // (kept as signaled: a later reload that trusts its key again verifies it again)
        if (failed !== undefined) this.registry.markIntegrityFailure(d.part.prefId, failed);
        else this.registry.deliver(d.part);
      } else if (resolvedNow(d.failure.prefId, d.failure.reason)) continue;
      else if (d.failure.expired === true) this.registry.markExpired(d.failure.prefId, d.failure.reason);
      else if (d.failure.unreadable) this.registry.markUnreadable(d.failure.prefId, d.failure.reason, null, d.failure.transient);
      else this.registry.markIntegrityFailure(d.failure.prefId, d.failure.reason);
    }
    // parts of offers still awaiting their answers stay pending on top of the new statements
    for (const p of pending) {
      const failed = failures.get(p.part);
      if (failed !== undefined) this.registry.markIntegrityFailure(p.part.prefId, failed);
      else this.registry.deliver(p.part, p.offer);
    }
    for (const u of pendingUnreadable) if (!resolvedNow(u.prefId, u.reason)) this.registry.markUnreadable(u.prefId, u.reason, u.offer, u.transient);
    for (const r of pendingRecoveries) this.registry.recover(r.prefId, r.offer);
    for (const id of before) this.beforeReload.add(id);
    this.tellReloadDisagreements(frame, ts, disagreedBefore);
    this.events.push({ kind: 'settings', frame, defaultApt: policy.defaultApt, windowSec });
    // a dialog with no scope yet takes its new entry into the scope it gets
    for (const [key, dialog] of this.dialogIds) {
      if (this.lastScopes.has(key)) continue;
      const apts = this.repositoryEntry(policy, key, dialog);
      if (apts.length > 0) this.repository.set(key, apts);
      else this.repository.delete(key);
    }
    for (const [key, last] of this.lastScopes) {
      if (this.takenOver.has(key)) continue;
      // a dialog may still hold the early scope of its INVITE (no answer of its own yet): it
      // stands for the dialog, as the shards have it since the rekey
      const dialog = this.dialogIds.get(key) ?? last.dialog;
      const apts = this.repositoryEntry(policy, key, dialog);
      const was = last.repositoryApts;
      if (apts.length === was.length && apts.every((id, i) => id === was[i])) continue;
      if (apts.length > 0) this.repository.set(key, apts);
      else this.repository.delete(key);
      // new section objects, as every scope pushed has (and as a shard thread's copy has): a
      // stream's binding is then new, and its preferences are resolved again
      const renewed = (s: DialogScope): DialogScope => ({ ...s, key, dialog: { ...dialog }, sections: s.sections.map((section) => ({ ...section })), repositoryApts: apts });
      const scope: DialogScope = { ...renewed(last), pending: last.pending ? renewed(last.pending) : null };
      this.lastScopes.set(key, scope);
      this.events.push({ kind: 'scope', frame, ts, scope });
      const now = apts.length > 0 ? apts.join(', ') : 'none';
      const then = was.length > 0 ? was.join(', ') : 'none';
      this.report({ type: 'scope-transitioned', ts, frame, dialog, ...(apts.length > 0 ? { apt: apts } : {}), detail: `policy reload: the repository's identifiers for the dialog are now ${now} (were ${then})` });
    }
  }

  /**
   * After a reload, a running call naming an identifier whose parts now disagree (the new file
   * against what the call signaled) is told so, once, as it would have been had the file been
   * there from the start (SPEC §3): re-delivering its parts into the new registry finds nothing
   * new to the registry, so reportFindings never came to it. Only disagreements the reload
   * brought (absent from `before`, disagreementIdentity): what was there before it was told as
   * it came, and a reload of the same file tells nothing.
   */
  private tellReloadDisagreements(frame: number, ts: number, before: ReadonlySet<string>): void {
    const disputed: [string, PolicyFinding[]][] = [];
    for (const id of this.registry.ids()) {
      const findings = this.registry.disagreements(id).filter((f) => !before.has(disagreementIdentity(f)));
      if (findings.length > 0) disputed.push([id, findings]);
    }
    if (disputed.length === 0) return;
    for (const [dialogKey, scope] of this.lastScopes) {
      if (this.takenOver.has(dialogKey)) continue;
      const told = this.inconsistencyTold.get(scope.dialog.callId);
      for (const [id, findings] of disputed) {
        if (told?.has(id) || !(namesIdentifier(scope, id) || namesIdentifier(scope.pending, id))) continue;
        for (const f of findings) this.reportFinding(frame, ts, scope.dialog, f);
      }
    }
  }

  /** Statements of every identifier the policy file knows: what shards start from. */
  initialEvents(): CoreEvent[] {
    return this.takeEvents();
  }

  /** Core events and report lines made since the last call, in frame order. */
  takeEvents(): CoreEvent[] {
    this.flushStatements(0);
    const out = this.events;
    this.events = [];
    return out;
  }

  /** By dialog key, when its media was last seen (the engine's routes): a dialog whose media flows does not idle out. */
  noteMediaBy(lastMediaOf: (dialogKey: string) => number): void {
    this.tracker.mediaActivity = lastMediaOf;
  }

  /** Whether dialogs the source's messages refreshed last are held (its clock must be kept: SourceClocks). */
  holdsSource(source: number): boolean {
    return this.tracker.holdsSource(source);
  }

  /** Whether dialogs are judged each on its own source's clock (judgeBySource). */
  get bySource(): boolean {
    return this.tracker.sourceNow !== null;
  }

  /**
   * From now on each dialog idles out on the clock of the source (capture agent) whose messages
   * refresh it, `sourceNow`; `mediaSource`: by dialog key, the source of its last media packet.
   */
  judgeBySource(sourceNow: (source: number) => number, mediaSource: (dialogKey: string) => number): void {
    this.tracker.sourceNow = sourceNow;
    this.tracker.mediaSource = mediaSource;
  }

  /** The capture time (seconds) from which a verified token is expired: the engine calls expireDue at the first packet whose capture clock reaches it. */
  get nextExpiry(): number {
    return this.expiries.next;
  }

  /**
   * Tokens whose `exp` the capture time `ts` reached (SPEC §3: an expired APT fails integrity),
   * in force from packet `frame` on: an identifier with no fresh token in force becomes an
   * integrity failure until one is verified (renew), reported to every running dialog naming it.
   */
  expireDue(frame: number, ts: number): void {
    const inForce = (prefId: string) => (key: string) => this.signaled.has(signaledKeyOf(prefId, key));
    for (const { prefId, key } of this.expiries.takeDue(ts)) {
      // a token whose offer was refused, or whose identifier was forgotten, vouches for nothing any more
      if (!inForce(prefId)(key) && !this.registry.pendingHolds(prefId, key)) continue;
      if (this.expiries.validAt(prefId, ts, inForce(prefId))) continue;
      const reason = 'expired: token has expired';
      this.rememberFailure(prefId, reason, false, true, true);
      if (this.registry.markExpired(prefId, reason).length === 0) continue;
      for (const [dialogKey, scope] of this.lastScopes) {
        if (this.takenOver.has(dialogKey) || !(namesIdentifier(scope, prefId) || namesIdentifier(scope.pending, prefId))) continue;
        const told = this.integrityToldOf(scope.dialog.callId);
        if (told.has(prefId)) continue;
        told.add(prefId);
        this.report({ type: 'integrity-failure', ts, frame, dialog: scope.dialog, apt: [prefId], detail: `${reason}: counted as most restrictive` });
      }
    }
    this.flushStatements(frame);
  }

  /** A verified token of the identifier's part `key` is in force from `ts`: its exp is watched, and, valid, it lifts an expiry. */
  private tokenInForce(prefId: string, key: string, exp: unknown, ts: number): void {
    this.expiries.add(prefId, key, exp);
    if (this.expiries.partValidAt(prefId, key, ts)) this.renew(prefId);
  }

  /** A fresh token of the identifier is in force: an expiry no longer counts, and a later one is told again. */
  private renew(prefId: string): void {
    if (!this.registry.renew(prefId)) return;
    this.signaled.delete(failureKey(prefId));
    for (const told of this.integrityTold.values()) told.delete(prefId);
  }

  takeReports(): OutputLine[] {
    const out = this.reports;
    this.reports = [];
    return out;
  }

  /**
   * `clock`: the capture clock at the message's record (the engine's CaptureClock: a lone record
   * stamped hours ahead does not move it), by which its tokens are verified and committed and
   * verified tokens expire; its own time by default.
   */
  async message(result: SipParseResult, ctx: SipContext, clock = ctx.ts): Promise<void> {
    this.counters.sip++;
    this.now = clock;
    if (clock >= this.expiries.next) this.expireDue(ctx.frame, clock);
    const events = this.tracker.handle(result, ctx, clock);
    // The message's statement parts, decoded (and reported when they do not decode) by the
    // tracker once, go with whichever offer, answer or AI-Pref change the message makes.
    const bodies = events.flatMap((ev) => (ev.type === 'aipref-body' ? [ev.body] : []));
    for (const ev of events) {
      // most events are handled at once: only signature checks and uri= fetches are waited for
      const pending = this.onEvent(ev, bodies);
      if (pending) await pending;
    }
    if (this.delivered.size > this.nextForgetCheck) this.forgetIdle(ctx.frame, ctx.ts);
    this.flushStatements(ctx.frame);
  }

  private onEvent(ev: SignalingEvent, bodies: AiPrefBody[]): void | Promise<void> {
    switch (ev.type) {
      case 'parse-error':
        if (ev.source === 'ai-pref-body') {
          this.report({ type: 'malformed-input', ts: ev.ts, frame: ev.frame, dialog: ev.dialog, detail: `frame ${ev.frame}: ${ev.detail ?? ev.reason}` });
          return;
        }
        this.report({ type: 'malformed-input', ts: ev.ts, frame: ev.frame, dialog: ev.dialog, detail: `frame ${ev.frame}: ${ev.source} ${ev.reason} at ${ev.source === 'sdp' ? 'line' : ev.source === 'sip' ? 'byte' : 'column'} ${ev.where}${ev.detail ? ` (${ev.detail.slice(0, 80)})` : ''}` });
        return;
      case 'state-limit':
        this.report({
          type: 'state-limit',
          ts: ev.ts,
          frame: ev.frame,
          dialog: ev.dialog,
          detail:
            ev.limit === 'max-dialogs'
              ? `dialog state limit reached (${ev.bound} dialogs): the least recently seen dialog evicted`
              : `dialog idle (no SIP message, no media) for more than ${ev.bound} s of capture time: its state dropped (idle timeout)`,
        });
        return;
      case 'dialog-created': {
        this.counters.dialogs++;
        this.dialogIds.set(ev.key, ev.dialog);
        if (ev.state === 'early') this.earlyDialogs.add(ev.key);
        if (ev.adopted) this.adopted.add(ev.key);
        const apts = this.repositoryEntry(this.policy, ev.key, ev.dialog);
        if (apts.length > 0) this.repository.set(ev.key, apts);
        if (ev.fromInvite !== null && ev.fromInvite !== ev.key) {
          this.events.push({ kind: 'rekey', frame: ev.frame, ts: ev.ts, from: ev.fromInvite, to: ev.key, dialog: ev.dialog });
          this.takenOver.add(ev.fromInvite);
          this.inviteOf.set(ev.key, ev.fromInvite);
          const early = this.lastScopes.get(ev.fromInvite);
          if (early && !this.lastScopes.has(ev.key)) this.lastScopes.set(ev.key, early);
          // what the INVITE's offer named unresolved was reported under the INVITE: not again
          // for each dialog its responses create (an early one, then its confirmation; a fork)
          const reported = this.reportedUnresolved.get(ev.fromInvite);
          if (reported && !this.reportedUnresolved.has(ev.key)) this.reportedUnresolved.set(ev.key, new Set(reported));
        }
        return;
      }
      case 'dialog-confirmed':
        // The INVITE's 2xx: what the early dialog stated and answered stays. (The INVITE's own
        // offer is settled by its answer: in this 2xx, or — its offer in this 2xx, an INVITE sent
        // without SDP — in the ACK that answers it.)
        this.earlyDialogs.delete(ev.key);
        this.settle(ev.key, true);
        this.settleAnsweredEarly(ev.key, true);
        return;
      case 'dialog-ended':
        this.events.push({ kind: 'dialog-ended', frame: ev.frame, ts: ev.ts, key: ev.key });
        // what it held back goes with it (first: the refusal below would put some of it in force),
        // and an offer the dialog ended before answering was never accepted
        this.settle(statedOutsideOffers(ev.key), false);
        this.settle(ev.key, false);
        // (a PRACK's or UPDATE's offer still awaiting its answer, under a key of its own)
        const awaiting = this.offerAwaiting.get(ev.key);
        if (awaiting !== undefined && awaiting !== ev.key) this.settle(awaiting, false);
        this.settleAnsweredEarly(ev.key, false);
        this.forget(ev.key);
        // an answered INVITE's early scope, kept for its forks, goes with its last dialog (and
        // anything still awaiting an answer under its key)
        if (ev.inviteOver !== undefined) {
          this.settle(ev.inviteOver, false);
          this.forget(ev.inviteOver);
        }
        return;
      case 'offer':
        if (ev.supersedes) {
          // The offer it took the place of will never be answered: its parts go, before this one's come.
          this.settle(this.offerAwaiting.get(ev.key) ?? ev.key, false);
          this.report({ type: 'scope-transitioned', ts: ev.ts, frame: ev.frame, dialog: ev.dialog, detail: 'an offer still awaiting its answer is superseded by a new one (crossing re-INVITEs, or its failure response not captured): its changes are discarded' });
        }
        // An offer's statement parts await its answer (SPEC §5), the initial offer's too: a
        // refusal discards them, so a refused call leaves no statement behind. An offer with
        // nothing in force yet (the initial one) has its scopes in force from the offer, but an
        // identifier only it states is, until the answer, its statement at the most restrictive.
        const offerKey = offerKeyOf(ev.key, ev.method, ev.cseq);
        this.offerAwaiting.set(ev.key, offerKey);
        return andThen(this.deliverParts(ev.frame, ev.ts, ev.dialog, ev.sdp, ev.aiPref, bodies, offerKey), () => {
          // Restrictions take effect from the offer: the stricter of what is in force and what is proposed.
          const base = ev.effective ?? ev.proposed;
          this.pushScope(ev.frame, ev.ts, ev.key, ev.dialog, base, ev.effective ? ev.proposed : null);
          this.reportUnresolved(ev.frame, ev.ts, ev.key, ev.dialog, ev.proposed);
        });
      case 'answer': {
        // The answer confirms what its offer brought (the initial offer's under its INVITE's key);
        // what the answer itself says is in force at once. An answer in an INVITE's provisional
        // response (a 183) waits for the 2xx (answer-confirmed): the INVITE may still fail, and
        // a failure undoes it — meanwhile its restrictions apply, its relaxations not yet.
        // In an early dialog (a PRACK's or UPDATE's answer too) the same: the 2xx keeps it all.
        const beforeTwoXx = ev.early || ev.awaitsFinal || this.earlyDialogs.has(ev.key);
        const answered = ev.repeat ? null : (this.offerAwaiting.get(ev.key) ?? ev.key);
        if (answered !== null) {
          this.offerAwaiting.delete(ev.key);
          if (!beforeTwoXx) {
            // (a PRACK's or UPDATE's answer while the INVITE awaits its final: what the INVITE
            // stated waits for that final, answer-confirmed or offer-rejected)
            if (answered === ev.key || !ev.inviteOutstanding) this.settleWithInvite(ev.key, true);
            if (answered !== ev.key) this.settle(answered, true);
          } else if (answered !== ev.key) {
            // a PRACK's or UPDATE's exchange in an early dialog: kept with the dialog at the 2xx
            let keys = this.answeredEarly.get(ev.key);
            if (keys === undefined) this.answeredEarly.set(ev.key, (keys = new Set()));
            keys.add(answered);
          }
        }
        return andThen(this.deliverParts(ev.frame, ev.ts, ev.dialog, ev.sdp, ev.aiPref, bodies, beforeTwoXx ? ev.key : null), () => {
          // (a repeat may come while a newer offer awaits its answer: that one's restrictions still apply)
          this.pushNegotiated(ev.frame, ev.ts, ev.key, ev.dialog, ev.effective, ev.inForce, ev.proposed);
          if (ev.previous !== null) {
            // an answer in a provisional response removes nothing yet: the INVITE may still fail
            // (a 488 with Warning 399 aipref): said at its 2xx, forgotten at its failure
            if (ev.awaitsFinal) this.heldDiffs.set(ev.key, [...(this.heldDiffs.get(ev.key) ?? []), ev.diff]);
            else this.reportDiff(ev.frame, ev.ts, ev.key, ev.dialog, ev.diff);
          }
          this.reportUnresolved(ev.frame, ev.ts, ev.key, ev.dialog, ev.effective);
        });
      }
      case 'answer-confirmed': {
        // the INVITE's 2xx: what its provisional answer (and the offer) changed stays, relaxations too
        this.settleWithInvite(ev.key, true);
        this.settleAnsweredEarly(ev.key, true);
        this.pushScope(ev.frame, ev.ts, ev.key, ev.dialog, ev.effective, ev.proposed);
        const held = this.heldDiffs.get(ev.key);
        this.heldDiffs.delete(ev.key);
        for (const diff of held ?? []) this.reportDiff(ev.frame, ev.ts, ev.key, ev.dialog, diff);
        return;
      }
      case 'aipref-changed':
        // Values stated outside an offer once an exchange has completed (an INFO, an UPDATE or
        // re-INVITE without SDP, their responses, a re-INVITE's ACK: ev.midCall): no answer will
        // confirm them, so what they say of an identifier already stated restricts from here and
        // never relaxes (SPEC §5) — held pending under a key no answer settles, dropped with the
        // dialog. At the call's set-up (before any answer, and in the initial INVITE's responses,
        // ACK and PRACKs) what is stated is what is in force.
        // (An initial INVITE without SDP: what it states awaits the answer to the offer its 2xx will make.)
        // (In an early dialog, a 180's or a PRACK's: kept only once the 2xx confirms the dialog.)
        const offer = ev.midCall ? statedOutsideOffers(ev.key) : ev.awaitsAnswer || this.earlyDialogs.has(ev.key) ? ev.key : null;
        return andThen(this.deliverParts(ev.frame, ev.ts, ev.dialog, null, ev.aiPref, bodies, offer), () => {
          // the same identifiers for the same scopes: only what they say (delivered above) may change anything
          if (!ev.scopesUnchanged) {
            // an offer awaiting its answer stays proposed: its restrictions still apply
            this.pushNegotiated(ev.frame, ev.ts, ev.key, ev.dialog, ev.effective, ev.inForce, ev.proposed);
            if (ev.previous !== null) this.reportDiff(ev.frame, ev.ts, ev.key, ev.dialog, ev.diff);
          }
          this.reportUnresolved(ev.frame, ev.ts, ev.key, ev.dialog, ev.effective);
        });
      case 'offer-rejected': {
        // Whatever the failure, the offer's changes are discarded: its scopes and its statement parts
        // (not those of another offer still awaiting its answer: an UPDATE's, when the INVITE failed).
        const rejected = offerKeyOf(ev.key, ev.method, ev.cseq);
        this.settle(rejected, false);
        if (ev.method === 'INVITE') this.heldDiffs.delete(ev.key);
        if (this.offerAwaiting.get(ev.key) === rejected) this.offerAwaiting.delete(ev.key);
        // Nothing answered before it (a dialog the capture joined at this offer): only AI-Pref values
        // stated meanwhile stand, or nothing — not the offer's m-sections, not even as stopped ones —
        // unless the dialog ends here anyway (its end says so).
        if (ev.answeredBefore) this.pushScope(ev.frame, ev.ts, ev.key, ev.dialog, ev.effective ?? NOTHING_NEGOTIATED, ev.proposed);
        else if (!ev.ending) this.pushScope(ev.frame, ev.ts, ev.key, ev.dialog, ev.effective ?? NOTHING_NEGOTIATED, ev.proposed, false);
        const why = ev.reason === 'aipref-refused' ? `${ev.status} with Warning 399 aipref` : `${ev.status} (${ev.reason})`;
        this.report({ type: 'scope-transitioned', ts: ev.ts, frame: ev.frame, dialog: ev.dialog, detail: `offer refused: ${why}; its changes are discarded` });
        return;
      }
    }
  }

  /**
   * Everything said about APTs in one message becomes statement parts (SPEC §3). At once,
   * unless a header value is signed or (live) names an https uri= to fetch: then in order,
   * waiting for each. `offer`: the parts are a renegotiation's, pending until it is settled.
   */
  private deliverParts(frame: number, ts: number, dialog: DialogId, sdp: SessionDescription | null, aiPref: AiPrefValue[], bodies: AiPrefBody[], offer: string | null = null): void | Promise<void> {
    const origin = `frame ${frame}`;
    const findings: PolicyFinding[] = [];
    this.deliveredNow = new Set();
    if (aiPref.some((v) => v.integrity !== null || (this.resolver !== null && v.uri !== null && HTTPS.test(v.uri)))) {
      return this.deliverHeaderValuesInTurn(frame, dialog, aiPref, origin, findings, offer).then(() => this.deliverBodyParts(frame, ts, dialog, sdp, bodies, aiPref, origin, findings, offer));
    }
    for (const v of aiPref) findings.push(...this.deliverHeaderValue(v, origin, offer));
    return this.deliverBodyParts(frame, ts, dialog, sdp, bodies, aiPref, origin, findings, offer);
  }

  private async deliverHeaderValuesInTurn(frame: number, dialog: DialogId, aiPref: AiPrefValue[], origin: string, findings: PolicyFinding[], offer: string | null): Promise<void> {
    for (const v of aiPref) {
      if (v.integrity !== null) {
        const inline = inlineRestriction(v.id, 'ai-pref-header', origin, headerValueParams(v));
        findings.push(...(await this.verify({ id: v.id, integrity: v.integrity, token: v.params.token ?? null, ...(inline !== undefined && { inline }) }, offer)));
        continue;
      }
      findings.push(...this.deliverHeaderValue(v, origin, offer));
      if (this.resolver && v.uri !== null && HTTPS.test(v.uri)) {
        const r = await this.resolver.resolve(v.uri, v.id);
        if (r.status === 'resolved') {
          // fetched: an earlier failure to fetch the handle counts no more
          if (this.registry.recover(v.id, offer)) this.signaled.delete(failureKey(v.id));
          findings.push(...this.deliver({ ...r.part, origin: `${origin} ${v.uri}` }, offer));
        } else {
          // SPEC §3: what the handle says is unknown, so the identifier is the most restrictive
          // statement until a fetch succeeds; reported unresolved-apt where a scope names it
          findings.push(...this.unreadable(v.id, `uri=<${v.uri}> could not be fetched: ${r.reason}`, offer, true));
        }
      }
    }
  }

  /** The SDP's a=aipref attributes and the statement bodies, then every finding of the message. */
  private deliverBodyParts(frame: number, ts: number, dialog: DialogId, sdp: SessionDescription | null, bodies: AiPrefBody[], aiPref: AiPrefValue[], origin: string, findings: PolicyFinding[], offer: string | null): void | Promise<void> {
    // An a=aipref line or a body statement claiming a signature (integrity=…) is verified as a
    // header value is: never taken as an unsigned statement because of where it came (SPEC §3)
    const signed: SignedClaim[] = [];
    const claim = (id: string, params: Readonly<Record<string, unknown>>, source: StatementPart['source'], where: string): boolean => {
      // names without regard to case, as the statement reader takes them (`Integrity`), and any
      // value but none, false or '' claims a signature (`true` is verified, and fails as a method)
      let integrity: unknown;
      let token: unknown;
      for (const name of Object.keys(params)) {
        const lower = name.toLowerCase();
        if (lower === 'integrity') integrity ??= params[name];
        else if (lower === 'token') token ??= params[name];
      }
      if (integrity === undefined || integrity === null || integrity === false || integrity === '') return false;
      const inline = inlineRestriction(id, source, where, params);
      signed.push({ id, integrity: typeof integrity === 'string' ? integrity : JSON.stringify(integrity), token: typeof token === 'string' ? token : null, ...(inline !== undefined && { inline }) });
      return true;
    };
    if (sdp) {
      for (const pref of [...sdp.aiprefs, ...sdp.media.flatMap((m) => m.aiprefs)]) {
        const where = `${origin} line ${pref.line}`;
        if (pref.cut === true) findings.push(...this.unreadable(pref.id, `${origin}: its SDP was cut by the capture's snap length; what the lines cut off said cannot be read`, offer));
        else if (pref.garbled === true) findings.push(...this.unreadable(pref.id, `${where}: its a=aipref line breaks the grammar after the identifier; what it says cannot be read`, offer));
        else if (!claim(pref.id, pref.params, 'sdp-aipref', where)) findings.push(...this.deliver({ prefId: pref.id, source: 'sdp-aipref', origin: where, params: pref.params }, offer));
      }
      // a line whose scope names no m-section (a mid= no m-section has, a group scope without
      // a=group) applies to nothing: said, not skipped without a word
      for (const pref of scopesOfSdp(sdp).unapplied) {
        const why = pref.scope === 'mid' ? `mid=${pref.params.mid ?? '(none)'} is no m-section's a=mid` : 'no a=group line names m-sections for it';
        this.report({ type: 'malformed-input', ts, frame, dialog, apt: [pref.id], detail: `frame ${frame}: sdp a=aipref:${pref.scope} ${pref.id} at line ${pref.line} names no m-section (${why}): it applies to nothing` });
      }
    }
    // what earlier messages' parts stated (this message's own parts below do not excuse a
    // reference to a part it lacks: another part of it stating the identifier is not that part)
    const statedBefore = aiPref.some((v) => cidOf(v.uri) !== null) ? new Set(this.bodyStated) : this.bodyStated;
    for (const body of bodies) {
      const reference = body.contentId !== null && body.referencedBy.length > 0 ? { by: body.referencedBy, contentId: body.contentId } : undefined;
      const read = statementPartsFromBody(body.document, origin, reference);
      for (const problem of read.problems) this.report({ type: 'malformed-input', ts, frame, dialog, detail: `frame ${frame}: ${body.contentType}: ${problem}` });
      findings.push(...read.findings);
      for (const part of read.parts) {
        this.bodyStated.add(part.prefId);
        if (!claim(part.prefId, part.params, part.source, part.origin ?? origin)) findings.push(...this.deliver(part, offer));
      }
    }
    // A value whose statement is the body part its uri=<cid:…> names (SPEC §2.2), when the message
    // has no such part or it did not decode: what the statement says cannot be read, so the
    // identifier is unresolved, not its inline parameters alone (SPEC §3) — unless a part of an
    // earlier message stated it (a later message restating the value without its body)
    for (const v of aiPref) {
      const cid = cidOf(v.uri);
      if (cid === null || bodies.some((b) => b.contentId === cid) || statedBefore.has(v.id)) continue;
      findings.push(...this.unreadable(v.id, `${origin}: uri=<${v.uri}> names no body part of the message that could be read: its statement is unknown`, offer));
    }
    if (signed.length > 0) {
      return (async () => {
        for (const c of signed) findings.push(...(await this.verify(c, offer)));
        this.reportFindings(frame, ts, dialog, findings);
      })();
    }
    this.reportFindings(frame, ts, dialog, findings);
  }

  /**
   * A message's findings, and for each identifier it delivered parts of that the registry holds
   * in disagreement, that disagreement — once per call: the registry finds a disagreement when
   * parts first differ, so a second call restating it was told nothing (unresolved-apt and
   * integrity-failure are said per call too).
   */
  private reportFindings(frame: number, ts: number, dialog: DialogId, findings: PolicyFinding[]): void {
    const told = this.inconsistencyTold.get(dialog.callId);
    for (const id of this.deliveredNow) {
      if (told?.has(id) || findings.some((f) => f.apt === id && f.type === 'inconsistent-signaling')) continue;
      findings.push(...this.registry.disagreements(id));
    }
    for (const f of findings) this.reportFinding(frame, ts, dialog, f);
  }

  private deliver(part: StatementPart, offer: string | null = null): PolicyFinding[] {
    // Stated outside an offer about an identifier nothing states yet: there is nothing of it to
    // relax, so it is in force as stated (held back, it would count as offered at its most restrictive).
    if (offer !== null && isStatedOutsideOffers(offer)) {
      // what this dialog's own pending offer says counts; another dialog's offer is not this dialog's to await
      const dialogKey = dialogOfOffer(offer);
      if (!this.registry.holds(part.prefId, (pendingUnder) => dialogOfOffer(pendingUnder) !== dialogKey)) offer = null;
    }
    this.touch(part.prefId);
    this.deliveredNow.add(part.prefId);
    const key = signaledKey(part);
    // A pending part is the registry's until its offer is settled: signaled once committed (settle).
    if (offer !== null) return this.signaled.has(key) && partVersion(part) === null ? [] : this.registry.deliver(part, offer);
    if (!this.signaled.has(key)) {
      // a part the registry folded away is signaled as its fold (foldSignaled): a repeat, not one more entry
      if (this.registry.holdsPart(part)) return [];
      this.signaled.set(key, { part });
    }
    // Every signaled part is in the registry, and one without a version stays there: the
    // registry would find the repeat and return nothing (a versioned part may have been
    // replaced since, and is the registry's to judge).
    else if (partVersion(part) === null) return [];
    return this.registry.deliver(part);
  }

  /**
   * The registry folded a part into an older one of its source: a reload delivers the fold
   * instead, where the first part folded was (a part folded away is not kept for good).
   */
  private foldSignaled(absorbed: StatementPart, into: StatementPart): void {
    if (into.folded === undefined) return;
    const slot = signaledKeyOf(into.prefId, into.folded.firstKey);
    const key = signaledKey(absorbed);
    if (key !== slot) this.signaled.delete(key);
    this.signaled.set(slot, { part: into });
  }

  private remember(part: StatementPart): void {
    this.touch(part.prefId);
    const key = signaledKey(part);
    if (!this.signaled.has(key)) this.signaled.set(key, { part });
  }

  /**
   * An offer answered (`accepted`) or refused, or its dialog over: the statement parts it
   * brought are committed — signaled from now on, for a policy reload to deliver again — or
   * discarded, their identifiers' statements going back to what they were. Either way the
   * statements go to the shards again (flushStatements), at this frame.
   */
  private settle(offer: string, accepted: boolean, only?: (prefId: string) => boolean): void {
    const refusedIds = accepted || isStatedOutsideOffers(offer) ? [] : this.registry.offerIds(offer);
    const { parts, unreadable, recovered } = this.registry.settle(offer, accepted, only);
    for (const part of parts) this.remember(part);
    const offered = this.offeredTokens.get(offer);
    if (offered !== undefined) {
      const waiting = only === undefined ? [] : offered.filter((t) => !only(t.prefId));
      if (accepted) for (const t of offered) if (only === undefined || only(t.prefId)) this.tokenInForce(t.prefId, t.key, t.exp, this.now);
      if (waiting.length > 0) this.offeredTokens.set(offer, waiting);
      else this.offeredTokens.delete(offer);
    }
    for (const u of unreadable) this.rememberFailure(u.prefId, u.reason, true, u.transient);
    for (const id of recovered) this.signaled.delete(failureKey(id));
    // What the dialog stated outside offers of an identifier only the refused offer stated was
    // held back for that offer's sake: nothing of it is in force any more, so it is, as stated.
    if (refusedIds.length > 0) {
      const stated = statedOutsideOffers(dialogOfOffer(offer));
      const alone = new Set(refusedIds.filter((id) => !this.registry.holds(id, () => true)));
      if (alone.size > 0) this.settle(stated, true, (id) => alone.has(id));
    }
  }

  /** settle() of the PRACK/UPDATE offers answered in the dialog before its INVITE's 2xx. */
  private settleAnsweredEarly(key: string, accepted: boolean): void {
    const keys = this.answeredEarly.get(key);
    if (keys === undefined) return;
    this.answeredEarly.delete(key);
    for (const k of keys) this.settle(k, accepted);
  }

  /** settle() of a dialog's offer, and of its INVITE's (the initial offer's parts await under the INVITE's key). */
  private settleWithInvite(key: string, accepted: boolean): void {
    this.settle(key, accepted);
    const invite = this.inviteOf.get(key);
    if (invite !== undefined) this.settle(invite, accepted);
  }

  private integrityFailure(prefId: string, reason: string): PolicyFinding[] {
    this.touch(prefId);
    this.rememberFailure(prefId, reason, false);
    return this.registry.markIntegrityFailure(prefId, reason);
  }

  /**
   * A value that names the pref-id but broke its grammar after it: unresolved for good (SPEC §3);
   * in an offer, from the offer on, and for good once its answer accepts it (a refusal undoes it).
   */
  /** `transient`: a uri= handle that could not be fetched (until a fetch of it succeeds). */
  private unreadable(prefId: string, reason: string, offer: string | null, transient = false): PolicyFinding[] {
    this.touch(prefId);
    if (offer === null) this.rememberFailure(prefId, reason, true, transient);
    return this.registry.markUnreadable(prefId, reason, offer, transient);
  }

  /** A failed signature or (`unreadable`) an unreadable value in force: a reloaded policy keeps it. */
  private rememberFailure(prefId: string, reason: string, unreadable: boolean, transient = false, expired = false): void {
    const key = failureKey(prefId);
    const known = this.signaled.get(key);
    // as the registry keeps failures (replacesFailure)
    if (known === undefined || ('failure' in known && replacesFailure(known.failure, transient, expired))) this.signaled.set(key, { failure: expired ? { prefId, reason, unreadable, transient, expired } : { prefId, reason, unreadable, transient } });
  }

  /** An AI-Pref value's part, or (a value garbled after its pref-id) the identifier unreadable. */
  private deliverHeaderValue(v: AiPrefValue, origin: string, offer: string | null): PolicyFinding[] {
    if (v.cut === true) return this.unreadable(v.id, `${origin}: its body was cut by the capture's snap length before any m-section; what it said cannot be read`, offer);
    if (v.garbled === true) return this.unreadable(v.id, `${origin}: its AI-Pref value breaks the grammar after the identifier; what it says cannot be read`, offer);
    const findings = this.deliver({ prefId: v.id, source: 'ai-pref-header', origin, params: headerValueParams(v) }, offer);
    // Offline (replay, --no-resolve-uri) a uri=<https:…> handle is resolved by the policy file's
    // `apts` (SPEC §9): one it does not state is a repository miss, the statement behind the
    // handle unknown — unresolved, whatever the inline parameters say, as a failed fetch is live
    if (this.resolver === null && v.uri !== null && HTTP_URI.test(v.uri) && !this.policy.apts.has(v.id)) {
      findings.push(...this.unreadable(v.id, `${origin}: uri=<${v.uri}> is not fetched here and ${POLICY_MISS}`, offer));
    }
    return findings;
  }

  /**
   * A signed APT (`integrity=jws`): the token is the quoted pref-id itself or a `token=`
   * parameter. Verified against the policy file's keys at the capture clock of its message
   * (`this.now`), not the record's own time.
   */
  private async verify(v: SignedClaim, offer: string | null): Promise<PolicyFinding[]> {
    const at = this.now;
    const token = v.token ?? (COMPACT_JWS.test(v.id) ? v.id : null);
    if (token === null) return this.integrityFailure(v.id, `integrity=${v.integrity} but no token was carried`);
    // loaded on first use: the JOSE library is a tenth of a short replay's start-up, and most captures sign nothing
    const { verifyAptToken } = await import('../policy/integrity.js');
    const result = await verifyAptToken(token, v.id, this.policy, { atSec: at, method: v.integrity });
    if (result.status === 'verified') {
      this.signedClaims.set(result.part, { token, method: v.integrity, atSec: at });
      const key = partKey(result.part);
      // a token counts for its statement's validity (and lifts an expiry) once in force: at once,
      // or — in an offer, even one restating the statement in force — at the answer that accepts
      // it (settle), never before (SPEC §5: relaxations once confirmed) nor after a refusal
      if (offer === null) this.tokenInForce(v.id, key, result.claims.exp, at);
      else {
        let offered = this.offeredTokens.get(offer);
        if (offered === undefined) this.offeredTokens.set(offer, (offered = []));
        offered.push({ prefId: v.id, key, exp: result.claims.exp });
      }
      const alongside = v.inline === undefined ? [] : this.deliver(v.inline, offer);
      if (offer !== null) return [...this.deliver(result.part, offer), ...alongside];
      this.remember(result.part);
      return [...this.registry.deliver(result.part), ...alongside];
    }
    return this.integrityFailure(v.id, `${result.reason}: ${result.detail}`);
  }

  /**
   * The negotiated scopes as the shards take them: `inForce` with, restricting on top, an offer
   * awaiting its answer (`proposed`) or — when an INVITE's early answer awaits its 2xx, so that
   * what is in force is what stood before it — that answer's scopes (`working`).
   */
  private pushNegotiated(frame: number, ts: number, key: string, dialog: DialogId, working: NegotiatedScope, inForce: NegotiatedScope | null, proposed: NegotiatedScope | null): void {
    if (inForce !== null && inForce !== working) this.pushScope(frame, ts, key, dialog, inForce, proposed ?? working);
    else this.pushScope(frame, ts, key, dialog, working, proposed);
  }

  /** `keepStopped`: m-sections the last scope had and this one lacks stay, stopped (keepStoppedSections). */
  private pushScope(frame: number, ts: number, key: string, dialog: DialogId, scope: NegotiatedScope, pending: NegotiatedScope | null, keepStopped = true): void {
    const repositoryApts = this.repository.get(key) ?? this.repositoryEntry(this.policy, key, dialog);
    const toScope = (n: NegotiatedScope): DialogScope => ({
      key,
      dialog: { ...dialog },
      sections: n.sections.map(
        (s): SectionScope => ({
          index: s.index,
          ...(s.mid !== undefined ? { mid: s.mid } : {}),
          kind: s.kind,
          disabled: s.disabled,
          rtp: s.rtp.map((a) => ({ ...a })),
          rtcp: s.rtcp.map((a) => ({ ...a })),
          ssrcs: [...s.ssrcs],
          midExtIds: [...s.midExtIds],
          clockRates: s.clockRates.map((r) => ({ ...r })),
          sharedClockRate: s.sharedClockRate,
          mediaClockRate: s.mediaClockRate,
          srtp: s.srtp,
          srtcpKeys: s.srtcpKeys.map((k) => ({ ...k })),
          apts: s.apts.map((a): ScopedApt => ({ id: a.id, origin: a.origin })),
        }),
      ),
      dialogApts: uniqueIds(n.dialogApts),
      repositoryApts,
      pending: null,
    });
    const full = keepStopped ? keepStoppedSections(toScope(scope), this.lastScopes.get(key)) : toScope(scope);
    if (pending) full.pending = keepStoppedSections(toScope(pending), full);
    this.lastScopes.set(key, full);
    // The message's statements reach the shards before its scope: a shard tells whether the
    // scope changed what decides a stream (and so closes its windows) by resolving the stream
    // under the new scope, which must then read what this message says about each identifier.
    this.flushStatements(frame);
    this.events.push({ kind: 'scope', frame, ts, scope: full });
  }

  /**
   * One scope-removed report per m-section and cause (a disabled m-section loses all its
   * identifiers at once), naming every identifier removed. A disabled or removed m-section
   * has nothing to fall back to: its streams stop.
   */
  private reportDiff(frame: number, ts: number, key: string, dialog: DialogId, diff: ScopeDiff): void {
    const repository = this.repository.get(key) ?? [];
    const groups = new Map<string, ScopeDiff['removed']>();
    for (const r of diff.removed) {
      const key = `${r.index ?? 'dialog'}\n${r.cause}`;
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const removals of groups.values()) {
      const r = removals[0]!;
      const stops = r.cause === 'section-disabled' || r.cause === 'section-removed';
      // what still governs the stream: the remaining scopes, and the repository's identifiers,
      // which apply to every stream of the dialog; where none remains, the operator's default
      // APT stands in for absence (SPEC §3), or nothing does and the telemetry drops
      const remaining = stops ? [] : [...new Set([...r.fallback, ...repository])];
      const byDefault = !stops && remaining.length === 0 && this.policy.defaultApt !== null;
      const fallback = byDefault ? [this.policy.defaultApt!] : remaining;
      const to = stops
        ? 'nothing: the stream stops'
        : byDefault
          ? `the operator's default ${this.policy.defaultApt}`
          : fallback.length === 0
            ? 'nothing (telemetry drops)'
            : fallbackText(r.fallbackKind, r.fallback, repository);
      this.report({
        type: 'scope-removed',
        ts,
        frame,
        dialog,
        ...(r.mid !== null ? { mid: r.mid } : {}),
        apt: removals.map((x) => x.id),
        fallback,
        detail: `${r.cause}; falls back to ${to}`,
      });
    }
    for (const a of diff.added) {
      this.report({ type: 'scope-transitioned', ts, frame, dialog, ...(a.mid !== null ? { mid: a.mid } : {}), apt: [a.id], detail: `${a.origin} scope added` });
    }
  }

  private reportUnresolved(frame: number, ts: number, key: string, dialog: DialogId, scope: NegotiatedScope): void {
    const ids = new Set<string>();
    for (const a of scope.dialogApts) ids.add(a.id);
    for (const s of scope.sections) for (const a of s.apts) ids.add(a.id);
    for (const id of this.repository.get(key) ?? []) ids.add(id);
    for (const id of ids) {
      const statement = this.registry.get(id);
      if (statement.status === 'integrity-failure') {
        // said once per call, as unresolved-apt is: the registry told only the first call that
        // presented the failing APT (its finding), not the next ones it still drops for
        const told = this.integrityToldOf(dialog.callId);
        if (told.has(id)) continue;
        told.add(id);
        this.report({ type: 'integrity-failure', ts, frame, dialog, apt: [id], detail: `${statement.reason}: counted as most restrictive` });
        continue;
      }
      if (statement.status !== 'unresolved') continue;
      let reported = this.reportedUnresolved.get(key);
      if (reported === undefined) this.reportedUnresolved.set(key, (reported = new Set()));
      if (reported.has(id)) continue;
      reported.add(id);
      // an identifier whose value could not be read says why (AptRegistry.markUnreadable)
      const why = statement.reason === UNKNOWN_IDENTIFIER ? 'no statement for the identifier (no inline parameters, not in the policy file)' : statement.reason;
      this.report({ type: 'unresolved-apt', ts, frame, dialog, apt: [id], detail: `${why}: counted as most restrictive` });
    }
  }

  /** An identifier signaling just delivered: the most recent of `delivered`. */
  private touch(prefId: string): void {
    this.delivered.delete(prefId);
    this.delivered.set(prefId, true);
  }

  /**
   * Forgets the least recently delivered tenth of the identifiers signaling brought, leaving
   * those the policy file or a running dialog (its scopes, its repository entry) names: in the
   * front (registry, what a reload would deliver again) and, by a `forget` event, in the shards.
   * A forgotten identifier signaled again is new again; a stream still tagged with one in SDES
   * alone resolves it as unresolved (most restrictive). Reported as a state-limit, the first
   * time and at every tenfold.
   */
  private forgetIdle(frame: number, ts: number): void {
    const named = new Set<string>(this.policy.apts.keys());
    if (this.policy.defaultApt !== null) named.add(this.policy.defaultApt);
    for (const scope of this.lastScopes.values()) {
      for (const id of scopeIdentifiers(scope)) named.add(id);
      for (const id of scopeIdentifiers(scope.pending)) named.add(id);
    }
    for (const ids of this.repository.values()) for (const id of ids) named.add(id);
    const target = Math.floor(this.maxIdentifiers * 0.9);
    const gone = new Set<string>();
    for (const id of this.delivered.keys()) {
      if (this.delivered.size - gone.size <= target) break;
      if (!named.has(id)) gone.add(id);
    }
    // when running dialogs name more than the limit, look again only a tenth further on: not at every message
    this.nextForgetCheck = Math.max(this.maxIdentifiers, this.delivered.size - gone.size + Math.ceil(this.maxIdentifiers / 10));
    if (gone.size === 0) return;
    for (const id of gone) {
      this.delivered.delete(id);
      this.bodyStated.delete(id);
      this.registry.forget(id);
      this.beforeReload.delete(id);
    }
    for (const [key, d] of this.signaled) if (gone.has('part' in d ? d.part.prefId : d.failure.prefId)) this.signaled.delete(key);
    this.expiries.forget(gone);
    this.events.push({ kind: 'forget', frame, ids: [...gone] });
    const before = this.forgottenIds;
    this.forgottenIds += gone.size;
    if (before === 0 || Math.floor(Math.log10(this.forgottenIds)) > Math.floor(Math.log10(before))) {
      this.report({ type: 'state-limit', ts, frame, dialog: null, detail: `APT identifier limit reached (${this.maxIdentifiers}): ${this.forgottenIds} least recently signaled identifiers no running dialog names forgotten so far` });
    }
  }

  /** The policy's repository entry for a dialog (a dialog adopted mid-call matched with its tags in either order). */
  private repositoryEntry(policy: PolicyFile, key: string, dialog: DialogId): string[] {
    return policy.findDialogApts(dialog.callId, dialog.fromTag, dialog.toTag, this.adopted.has(key));
  }

  /** Everything kept for a dialog (or an INVITE's early state) that is over. */
  private forget(key: string): void {
    this.adopted.delete(key);
    this.offeredTokens.delete(key);
    const callId = this.dialogIds.get(key)?.callId;
    if (callId !== undefined) {
      this.integrityTold.delete(callId);
      this.inconsistencyTold.delete(callId);
    }
    this.repository.delete(key);
    this.dialogIds.delete(key);
    this.lastScopes.delete(key);
    this.takenOver.delete(key);
    this.inviteOf.delete(key);
    this.earlyDialogs.delete(key);
    this.offerAwaiting.delete(key);
    this.answeredEarly.delete(key);
    this.reportedUnresolved.delete(key);
    this.heldDiffs.delete(key);
  }

  /** How many dialogs (and INVITEs' early states) the front keeps something for: bounded by the dialogs still running. */
  heldDialogs(): number {
    return new Set([
      ...this.repository.keys(),
      ...this.dialogIds.keys(),
      ...this.lastScopes.keys(),
      ...this.takenOver,
      ...this.reportedUnresolved.keys(),
      ...this.inviteOf.keys(),
      ...this.earlyDialogs,
      ...this.offerAwaiting.keys(),
      ...this.answeredEarly.keys(),
    ]).size;
  }

  /** The identifiers whose integrity failure the call was told of. */
  private integrityToldOf(callId: string): Set<string> {
    return toldOf(this.integrityTold, callId);
  }

  private reportFinding(frame: number, ts: number, dialog: DialogId, f: PolicyFinding): void {
    if (f.type === 'integrity-failure') this.integrityToldOf(dialog.callId).add(f.apt);
    if (f.type === 'inconsistent-signaling') toldOf(this.inconsistencyTold, dialog.callId).add(f.apt);
    const type: ReportType =
      f.type === 'integrity-failure' ? 'integrity-failure' : f.type === 'unresolved-apt' ? 'unresolved-apt' : f.type === 'version-replaced' || f.type === 'stale-version' ? 'scope-transitioned' : 'inconsistent-signaling';
    // an identifier that cannot be used is worded as reportUnresolved words it, whichever call found it first
    if (type === 'integrity-failure' || type === 'unresolved-apt') {
      this.report({ type, ts, frame, dialog, apt: [f.apt], detail: `${f.detail}: counted as most restrictive` });
      return;
    }
    const values = f.values ? `: ${f.values.map((v) => `${JSON.stringify(v.value)} from ${v.source}`).join(' vs ')}` : '';
    this.report({ type, ts, frame, dialog, apt: [f.apt], detail: `${f.type}${f.key ? ` (${f.key})` : ''}${values}; ${f.detail}` });
  }

  private report(r: Report): void {
    const key = `s${String(this.reportSeq++).padStart(9, '0')}`;
    this.reports.push({ frame: r.frame, key, text: reportJson(r) });
  }

  /**
   * The statements that may have changed go to the shards, and only those: signaling repeats the
   * same ones message after message, and every shard would take every repeat apart to find so.
   */
  private flushStatements(frame: number): void {
    const ids = new Set([...this.beforeReload, ...this.registry.takeChanged()]);
    this.beforeReload.clear();
    if (ids.size === 0) return;
    const statements: AptStatement[] = [...ids].map((id) => this.registry.get(id));
    this.events.push({ kind: 'statements', frame, statements });
  }
}

/**
 * A disabled m-section (port 0) has no address of its own, but its streams' last packets
 * (an RTCP BYE, say) still arrive where it used to be: keep that address so they bind to the
 * section and are judged as a stopped stream rather than as strangers.
 *
 * An m-section removed altogether (an SDP with fewer m-lines than before; sections correspond
 * by index, RFC 3264 §8) stops its streams just the same (SPEC §5): it stays in the scope as a
 * disabled section with no identifiers, keeping its mid, SSRCs and addresses, so that its
 * streams still bind to it — rather than to no section, where the dialog-level AI-Pref would
 * take them over as if the removal had relaxed them. A later SDP that has a section at that
 * index again replaces it.
 */
function keepStoppedSections(scope: DialogScope, previous: DialogScope | undefined): DialogScope {
  if (!previous) return scope;
  for (const section of scope.sections) {
    if (!section.disabled || section.rtp.some((a) => a.port > 0)) continue;
    const before = previous.sections.find((s) => s.index === section.index);
    if (before) {
      section.rtp = before.rtp.map((a) => ({ ...a }));
      section.rtcp = before.rtcp.map((a) => ({ ...a }));
    }
  }
  for (const before of previous.sections) {
    if (scope.sections.some((s) => s.index === before.index)) continue;
    scope.sections.push({
      ...before,
      disabled: true,
      rtp: before.rtp.map((a) => ({ ...a })),
      rtcp: before.rtcp.map((a) => ({ ...a })),
      ssrcs: [...before.ssrcs],
      midExtIds: [...before.midExtIds],
      clockRates: before.clockRates.map((r) => ({ ...r })),
      apts: [],
    });
  }
  return scope;
}

/** An AI-Pref header value's parameters as a statement part carries them. */
function headerValueParams(v: AiPrefValue): Record<string, unknown> {
  const params: Record<string, unknown> = { ...v.params };
  for (const key of ['scope', 'type', 'version', 'integrity', 'uri', 'policy'] as const) if (v[key] !== null) params[key] = v[key];
  return params;
}

/** `next` once `pending` is settled, or at once when there is nothing to wait for. */
function andThen(pending: void | Promise<void>, next: () => void): void | Promise<void> {
  if (pending) return pending.then(next);
  next();
}

/** What a removal falls back to, each identifier under its source: the remaining scope's level, the operator's repository. */
function fallbackText(kind: ScopeDiff['removed'][number]['fallbackKind'], signaled: readonly string[], repository: readonly string[]): string {
  const parts: string[] = [];
  if (kind !== 'none' && signaled.length > 0) parts.push(`${kind}-level ${signaled.join(', ')}`);
  const fromRepository = repository.filter((id) => !signaled.includes(id));
  if (fromRepository.length > 0) parts.push(`repository ${fromRepository.join(', ')}`);
  return parts.join(' and ');
}

/** The identifiers a dialog's scope names: its dialog-level values, its repository entry, its m-sections'. */
function* scopeIdentifiers(scope: DialogScope | null): Generator<string> {
  if (scope === null) return;
  yield* scope.dialogApts;
  yield* scope.repositoryApts;
  for (const s of scope.sections) for (const a of s.apts) yield a.id;
}

function namesIdentifier(scope: DialogScope | null, prefId: string): boolean {
  for (const id of scopeIdentifiers(scope)) if (id === prefId) return true;
  return false;
}

/**
 * A disagreement by what it is — identifier, key and the values each part gave, in any order (a
 * rebuilt registry may take the same parts in another order) — to find it again after a reload.
 */
function disagreementIdentity(f: PolicyFinding): string {
  return JSON.stringify([f.type, f.apt, f.key, (f.values ?? []).map((v) => JSON.stringify(v)).sort()]);
}

/** A signaled part by what it says (partKey: not where it applies, which each call names anew). */
function signaledKey(part: StatementPart): string {
  return signaledKeyOf(part.prefId, partKey(part));
}

/** signaledKey of the identifier's part with this partKey. */
function signaledKeyOf(prefId: string, key: string): string {
  return JSON.stringify(['part', prefId, key]);
}

/** The key `signaled` files an identifier's failure under (one per identifier). */
function failureKey(prefId: string): string {
  return JSON.stringify(['failure', prefId]);
}

function uniqueIds(apts: readonly NegotiatedApt[]): string[] {
  return [...new Set(apts.map((a) => a.id))];
}

/** The pending key of what a dialog's messages state outside offers: restrictions only, never committed. */
function statedOutsideOffers(dialogKey: string): string {
  return `${dialogKey}${STATED}`;
}

const STATED = '\u0000stated';

/**
 * The registry key an offer's statement parts await its answer under: the dialog's own for an
 * INVITE's offer (the initial one's is its INVITE's key), one of its own for a PRACK's or an
 * UPDATE's, which the INVITE's outcome does not decide.
 */
function offerKeyOf(dialogKey: string, method: string, cseq: number): string {
  return method === 'INVITE' ? dialogKey : `${dialogKey}\u0000${method} ${cseq}`;
}

/** The dialog an offer key (offerKeyOf) or a held-back key (statedOutsideOffers) belongs to. */
function dialogOfOffer(offerKey: string): string {
  const cut = offerKey.indexOf('\u0000');
  return cut < 0 ? offerKey : offerKey.slice(0, cut);
}

/** The scopes of a dialog nothing was negotiated in: no m-section, no AI-Pref value. */
const NOTHING_NEGOTIATED: NegotiatedScope = { sections: [], dialogApts: [], headerApts: [] };

function isStatedOutsideOffers(offer: string): boolean {
  return offer.endsWith(STATED);
}

/** The identifiers a call (by Call-ID) was told of in one kind of report, made at the first. */
function toldOf(told: Map<string, Set<string>>, callId: string): Set<string> {
  let ids = told.get(callId);
  if (ids === undefined) told.set(callId, (ids = new Set()));
  return ids;
}
