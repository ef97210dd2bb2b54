import type { DialogRef } from '../report/report.js';

/** How an SSRC was tied to its stream (SPEC §8 `via`), best first. */
export type BindingVia = 'a=ssrc' | 'sdes-mid' | 'rtp-mid' | 'transport' | 'sdes-priv' | 'dialog' | 'repository';

/** Where an APT identifier that governs an m-section came from. */
export type ScopeOrigin = 'session' | 'group' | 'mid' | 'header-media' | 'header-dialog' | 'repository';

export interface ScopedApt {
  id: string;
  origin: ScopeOrigin;
}

/** A transport address an m-section receives on (one side of the offer/answer). */
export interface TransportAddress {
  address: string;
  port: number;
}

/**
 * One m-section of a dialog's effective session, as the binding stage needs it: enough to
 * bind SSRCs (a=ssrc, mid, transport) and to know which APT identifiers govern it.
 */
export interface SectionScope {
  index: number;
  mid?: string;
  kind: string;
  disabled: boolean;
  /** RTP receive addresses of both sides (offerer's and answerer's SDP). */
  rtp: TransportAddress[];
  /** RTCP receive addresses (port+1, a=rtcp, or the RTP address with rtcp-mux). */
  rtcp: TransportAddress[];
  ssrcs: number[];
  /** the a=extmap id of urn:ietf:params:rtp-hdrext:sdes:mid, per side */
  midExtIds: number[];
  apts: ScopedApt[];
}

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
