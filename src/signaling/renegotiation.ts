/**
 * What a renegotiation took away (SPEC §5): comparing a dialog's previous scopes with the
 * new ones, section by section (m-sections correspond by index, RFC 3264 §8), every APT
 * identifier that no longer governs a section it governed before is a removal, with its
 * cause and the identifiers the section falls back to. Comparing a scope with itself — or
 * with one built from an identical SDP — yields nothing (seed §3 idempotency).
 */
import { aptIdsOf, type NegotiatedApt, type NegotiatedScope, type ScopeOrigin } from './negotiated-scope.js';

export type RemovalCause = 'attribute-removed' | 'section-removed' | 'section-disabled' | 'header-value-dropped';

export interface ScopeRemoval {
  /** m-section index, or null for a dialog-level AI-Pref value */
  index: number | null;
  mid: string | null;
  id: string;
  /** how the identifier governed the section before */
  origin: ScopeOrigin;
  cause: RemovalCause;
  /**
   * identifiers the section's streams fall back to: what still governs the section, else
   * the dialog-level values (an implicit binding), else none (absence is not consent)
   */
  fallback: string[];
  fallbackKind: 'section' | 'dialog' | 'none';
}

export interface ScopeAddition {
  index: number | null;
  mid: string | null;
  id: string;
  origin: ScopeOrigin;
}

export interface ScopeDiff {
  removed: ScopeRemoval[];
  added: ScopeAddition[];
  /** true when neither side has removals or additions */
  unchanged: boolean;
}

const NO_SCOPE: NegotiatedScope = { sections: [], dialogApts: [], headerApts: [] };

export function diffScopes(previous: NegotiatedScope | null, next: NegotiatedScope): ScopeDiff {
  const prev = previous ?? NO_SCOPE;
  const removed: ScopeRemoval[] = [];
  const added: ScopeAddition[] = [];
  const dialogIds = aptIdsOf(next.dialogApts);

  const count = Math.max(prev.sections.length, next.sections.length);
  for (let index = 0; index < count; index++) {
    const before = prev.sections[index];
    const after = next.sections[index];
    const beforeApts = before?.apts ?? [];
    const afterApts = after?.apts ?? [];
    const remaining = aptIdsOf(afterApts);
    const mid = after?.mid ?? before?.mid ?? null;
    for (const id of aptIdsOf(beforeApts)) {
      if (remaining.includes(id)) continue;
      const origin = firstOrigin(beforeApts, id);
      const cause: RemovalCause = !after
        ? 'section-removed'
        : after.disabled && !before!.disabled
          ? 'section-disabled'
          : origin === 'header-media'
            ? 'header-value-dropped'
            : 'attribute-removed';
      removed.push({ index, mid, id, origin, cause, ...fallbackOf(remaining, dialogIds) });
    }
    const previousIds = aptIdsOf(beforeApts);
    for (const id of remaining) {
      if (!previousIds.includes(id)) added.push({ index, mid, id, origin: firstOrigin(afterApts, id) });
    }
  }

  const previousDialogIds = aptIdsOf(prev.dialogApts);
  for (const id of previousDialogIds) {
    if (dialogIds.includes(id)) continue;
    removed.push({ index: null, mid: null, id, origin: 'header-dialog', cause: 'header-value-dropped', ...fallbackOf([], dialogIds) });
  }
  for (const id of dialogIds) {
    if (!previousDialogIds.includes(id)) added.push({ index: null, mid: null, id, origin: 'header-dialog' });
  }
  return { removed, added, unchanged: removed.length === 0 && added.length === 0 };
}

function firstOrigin(apts: readonly NegotiatedApt[], id: string): ScopeOrigin {
  return apts.find((a) => a.id === id)!.origin;
}

function fallbackOf(sectionIds: string[], dialogIds: string[]): Pick<ScopeRemoval, 'fallback' | 'fallbackKind'> {
  if (sectionIds.length > 0) return { fallback: sectionIds, fallbackKind: 'section' };
  if (dialogIds.length > 0) return { fallback: dialogIds, fallbackKind: 'dialog' };
  return { fallback: [], fallbackKind: 'none' };
}
