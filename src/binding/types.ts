import type { DialogRef } from '../report/report.js';
import type { NegotiatedSection } from '../signaling/negotiated-scope.js';

/** How an SSRC was tied to its stream (SPEC §8 `via`), best first. */
export type BindingVia = 'a=ssrc' | 'sdes-mid' | 'rtp-mid' | 'transport' | 'sdes-priv' | 'dialog' | 'repository';

/** Where an APT identifier that governs an m-section came from. */
export type ScopeOrigin = 'session' | 'group' | 'mid' | 'header-media' | 'header-dialog' | 'repository';

export interface ScopedApt {
  id: string;
  origin: ScopeOrigin;
}

/** A transport address an m-section receives on (one side of the offer/answer). */
export type { TransportAddress } from '../signaling/negotiated-scope.js';

/**
 * One m-section of a dialog's effective session, as the binding stage needs it: the
 * signaling stage's negotiated section (addresses, SSRCs, mid, extension ids), with the
 * identifiers reduced to what binding and precedence use.
 */
export type SectionScope = Omit<NegotiatedSection, 'apts'> & { apts: ScopedApt[] };

/**
 * The effective scopes of a dialog at one moment of the capture: what the cores need to
 * bind and judge the dialog's streams. Sent from the signaling front end to every core.
 */
export interface DialogScope {
  key: string;
  dialog: DialogRef;
  sections: SectionScope[];
  /** AI-Pref header values with scope=dialog (or no scope): the implicit fallback (§6.2). */
  dialogApts: string[];
  /** identifiers the operator's repository maps this dialog to (§7.2). */
  repositoryApts: string[];
  /**
   * An offer awaiting its answer (SPEC §5): restrictions take effect from the offer, so until
   * the answer both this scope and the proposed one apply, the stricter winning.
   */
  pending: DialogScope | null;
}

/** One bound stream, as `bindings --json` shows it (SPEC §8). */
export interface BindingRow {
  ssrc: number;
  dialog: DialogRef | null;
  mid: string | null;
  kind: string | null;
  apt: string[];
  via: BindingVia | null;
}
